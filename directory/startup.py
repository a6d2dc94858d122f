import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def load_settings_or_exit() -> None:
    """Read the settings now, so a bad environment variable stops start-up with one line.

    Without this, the error surfaces later as a traceback deep inside Django.
    """
    try:
        settings.INSTALLED_APPS  # noqa: B018 - touching a setting imports the module
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Configuration error: {error}\n")
        sys.exit(2)
