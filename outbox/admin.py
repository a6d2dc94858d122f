from django.contrib import admin

from outbox.models import Attachment, Email


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["filename", "mimetype"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "kind", "status", "attempts", "created_at", "sent_at", "failed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    # The record of what was sent: read-only, so the admin cannot forge a delivery.
    # The body is not shown: account emails carry sign-in and password-reset links.
    readonly_fields = [field.name for field in Email._meta.fields if field.name not in {"body", "html_body"}]
    exclude = ["body", "html_body"]
    inlines = [AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
