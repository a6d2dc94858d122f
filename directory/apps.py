from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """The project package as an app: its system checks."""

    name = "directory"
    verbose_name = "Directory (project)"

    def ready(self):
        # Django's documented place to register system checks: ready() runs once the apps are loaded.
        from directory import checks  # noqa: F401 - importing registers the checks
