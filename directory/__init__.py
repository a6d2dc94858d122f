# Load the Celery app with Django, so `shared_task`s bind to it and `.delay()` uses its configuration.
from directory.celery import app as celery_app

__all__ = ["celery_app"]
