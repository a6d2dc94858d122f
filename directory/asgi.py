import os

from django.core.asgi import get_asgi_application

from directory.startup import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
load_settings_or_exit()
application = get_asgi_application()
