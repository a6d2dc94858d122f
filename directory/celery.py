"""The Celery application: `celery -A directory worker` and `celery -A directory beat`.

Its configuration is the CELERY_* block of directory/settings.py (one settings module). Tasks live in
each app's tasks.py as `shared_task`s, found by autodiscovery, so no app imports this module. With no
broker configured the settings make every task eager: it runs in-process when it is queued, which is
right after the transaction commits, so `make run` and `make test` need no Redis and no worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")

app = Celery("directory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
