from django.contrib import admin

from moderation.models import Decision


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """The log, read-only: nobody adds, edits or deletes an entry here."""

    list_display = ["created_at", "actor", "action", "target_repr", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "reason", "actor__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
