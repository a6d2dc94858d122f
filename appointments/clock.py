"""The current time for appointments, which a development server or a browser test can move forward.

Everything time-bound here (a start in the past, the 14-day marking window, reminders, the 30-day
invitation and erasure) reads `now()`, so the whole journey (book, visit, mark attended, review) can
be walked through in minutes: set DJANGO_CLOCK_OFFSET_SECONDS for a server, or the CLOCK_OFFSET
setting in a test. directory.settings refuses a non-zero offset outside debug mode.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    return timezone.now() + settings.CLOCK_OFFSET
