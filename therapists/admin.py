from django.contrib import admin

from directory.lib.cache import InvalidatesPublicPages
from therapists.models import Credential, Language, Modality, Need, Therapist


@admin.register(Modality, Need)
class ReferenceDataAdmin(InvalidatesPublicPages, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(InvalidatesPublicPages, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class CredentialInline(admin.TabularInline):
    model = Credential
    extra = 0
    fields = ["kind", "title", "issuer", "status", "issued_on", "expires_on"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Therapist)
class TherapistAdmin(InvalidatesPublicPages, admin.ModelAdmin):
    list_display = ["display_name", "city", "country", "status", "score", "rating_avg", "review_count"]
    list_filter = ["status", "accepts_new_clients", "has_verified_licence", "country", "modalities"]
    search_fields = ["display_name", "slug", "city", "user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["modalities", "needs", "languages"]
    readonly_fields = [
        "score",
        "score_breakdown",
        "rating_avg",
        "rating_weighted",
        "review_count",
        "has_verified_licence",
        "created_at",
        "updated_at",
    ]
    inlines = [CredentialInline]
    list_select_related = ["user"]
    show_full_result_count = False


@admin.register(Credential)
class CredentialAdmin(InvalidatesPublicPages, admin.ModelAdmin):
    list_display = ["title", "kind", "therapist", "issuer", "status", "issued_on", "expires_on", "submitted_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "issuer", "number", "therapist__display_name"]
    raw_id_fields = ["therapist", "decided_by"]
    list_select_related = ["therapist"]
    # Status changes go through the moderation queue, so they are logged and rescored.
    readonly_fields = ["status", "decided_by", "decided_at", "decision_reason", "submitted_at", "updated_at"]
