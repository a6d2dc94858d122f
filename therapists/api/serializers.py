"""Read-only shapes of the public API (DESIGN.md, "Public contract"). No rules live here."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.models import Review
from therapists.models import Credential, OpeningHours, Therapist


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"})
class ClockTimeField(serializers.TimeField):
    """A wall-clock time as "09:00". Not OpenAPI's `format: time`, which is RFC 3339's full-time
    ("09:00:00Z", with seconds and an offset): these are local times in the therapist's zone."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class OpeningHoursSerializer(serializers.ModelSerializer):
    """One opening range, in the therapist's local time (their `time_zone`); weekday 0 is Monday."""

    opens_at = ClockTimeField()
    closes_at = ClockTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at"]
        read_only_fields = fields


class TherapistListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:therapist-detail", lookup_field="slug")
    profile_url = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()
    modalities = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    needs = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    languages = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    years_of_experience = serializers.IntegerField(read_only=True, allow_null=True)
    time_zone = serializers.SerializerMethodField()
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Therapist
        fields = [
            "slug",
            "url",
            "profile_url",
            "display_name",
            "headline",
            "city",
            "country",
            "latitude",
            "longitude",
            "distance_km",
            "modalities",
            "needs",
            "languages",
            "years_of_experience",
            "accepts_new_clients",
            "accepts_appointment_requests",
            "time_zone",
            "opening_hours",
            "price_from",
            "price_to",
            "currency",
            "has_verified_licence",
            "score",
            "rating_avg",
            "rating_weighted",
            "review_count",
        ]
        read_only_fields = fields

    def get_time_zone(self, therapist) -> str:
        """The IANA zone the opening hours are in, e.g. Europe/Berlin (UTC while no city is known)."""
        return therapist.zone.key

    def get_profile_url(self, therapist) -> str:
        return self.context["request"].build_absolute_uri(therapist.get_absolute_url())

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, therapist) -> float | None:
        """Only when the request gave a point (city, or lat and lon); null otherwise."""
        distance = getattr(therapist, "distance_km", None)
        return None if distance is None else round(distance, 2)


class ScoreComponentSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    points = serializers.FloatField()
    max = serializers.IntegerField()
    explanation = serializers.CharField()
    # True for a review component while the therapist has fewer than three reviews: shown as
    # "Not enough reviews yet" rather than as points earned. Missing on scores stored before v2.
    provisional = serializers.BooleanField(default=False)


class CredentialSerializer(serializers.ModelSerializer):
    """What the public may know of a credential: never the document, its number or who decided."""

    status = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = ["kind", "title", "issuer", "issued_on", "expires_on", "status"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["verified", "pending", "expired"]))
    def get_status(self, credential) -> str:
        # A verified credential past its expiry date is reported as expired, before the daily job runs.
        if credential.status == Credential.Status.PENDING:
            return "pending"
        return "verified" if credential.is_current else "expired"


class RatingDistributionSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    count = serializers.IntegerField(min_value=0)


class TherapistDetailSerializer(TherapistListSerializer):
    score_breakdown = ScoreComponentSerializer(many=True, read_only=True)
    credentials = CredentialSerializer(many=True, read_only=True)
    rating_distribution = serializers.SerializerMethodField()

    class Meta(TherapistListSerializer.Meta):
        fields = [
            *TherapistListSerializer.Meta.fields,
            "bio",
            "practising_since",
            "score_breakdown",
            "credentials",
            "rating_distribution",
        ]
        read_only_fields = fields

    @extend_schema_field(RatingDistributionSerializer(many=True))
    def get_rating_distribution(self, therapist) -> list[dict]:
        distribution = Review.objects.published().filter(therapist=therapist).rating_distribution()
        return [{"stars": stars, "count": count} for stars, count in distribution.items()]


class ReviewReplySerializer(serializers.Serializer):
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReviewSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    modality = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    visit_month = serializers.SerializerMethodField()
    verified_visit = serializers.BooleanField(source="is_verified_visit", read_only=True)
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "rating",
            "title",
            "body",
            "author_name",
            "modality",
            "visit_month",
            "verified_visit",
            "consultation_given",
            "unwanted_effects",
            "aftercare_given",
            "created_at",
            "edited_at",
            "reply",
        ]
        read_only_fields = fields

    def get_author_name(self, review) -> str:
        return review.author_display_name

    def get_visit_month(self, review) -> str:
        """Year and month only (YYYY-MM): the exact day of a visit is nobody else's business."""
        return review.visit_date.strftime("%Y-%m")

    @extend_schema_field(ReviewReplySerializer(allow_null=True))
    def get_reply(self, review) -> dict | None:
        # A reply a moderator hid is not served, as on the profile: null, as if there were none.
        reply = review.published_reply
        return ReviewReplySerializer(reply).data if reply is not None else None
