from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """The project package as an app: its system checks, and dropping cached visitor pages on change."""

    name = "directory"
    verbose_name = "Directory (project)"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from directory import checks  # noqa: F401 - importing registers the checks
        from directory.lib.cache import invalidate_public_pages_on_commit

        # A signal, not a call in each service: every path that changes what visitors see saves
        # one of these rows (decisions on reviews and credentials rescore the therapist), and
        # forgetting one call would serve a suspended profile or a hidden review.
        for model in ("therapists.Therapist", "reviews.ReviewReply"):
            for signal in (post_save, post_delete):
                signal.connect(invalidate_public_pages_on_commit, sender=model, dispatch_uid=f"public-pages-{model}")
