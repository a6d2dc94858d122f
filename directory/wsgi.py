import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from directory.startup import load_settings_or_exit
from therapists import geo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
load_settings_or_exit()
application = get_wsgi_application()
# Import the URLconf, and with it every view module, now rather than on the first request: under
# gunicorn --preload the workers fork warm, and no worker spends its first request importing (a
# worker still importing when --timeout runs out is killed before it serves).
get_resolver().url_patterns  # noqa: B018
# The same for the city gazetteer, which every search with a place reads.
geo.warm()
