from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """The project package as an app, only so its system checks are registered at start-up."""

    name = "directory"
    verbose_name = "Directory (project)"

    def ready(self):
        from directory import checks  # noqa: F401 - importing registers the checks
