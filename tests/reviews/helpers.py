from datetime import timedelta

from django.utils import timezone


def review_data(therapist, **overrides) -> dict:
    """A valid POST for /therapists/<slug>/review/ (all three answers, 4 stars)."""
    data = {
        "insider": "False",
        "modality": therapist.modalities.first().pk,
        "visit_date": (timezone.localdate() - timedelta(days=7)).isoformat(),
        "consultation_given": "True",
        "unwanted_effects": "False",
        "aftercare_given": "True",
        "rating": "4",
        "title": "Listened first, then worked",
        "body": "She asked about my shoulder before starting and gave me stretches for home.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
