from django.contrib import admin

from directory.lib.cache import InvalidatesPublicPages
from reviews.models import Review, ReviewFlag, ReviewReply, ReviewReplyFlag


class ReviewReplyInline(admin.StackedInline):
    model = ReviewReply
    extra = 0
    raw_id_fields = ["author"]
    # Hiding and restoring a reply go through the moderation pages, so the decision is logged.
    readonly_fields = ["status", "hidden_reason", "removed_at", "text_erased_at"]


@admin.register(Review)
class ReviewAdmin(InvalidatesPublicPages, admin.ModelAdmin):
    list_display = ["title", "therapist", "author", "rating", "status", "created_at"]
    list_filter = ["status", "rating", "consultation_given", "unwanted_effects", "aftercare_given"]
    search_fields = ["title", "body", "therapist__display_name", "author__email"]
    raw_id_fields = ["therapist", "author", "modality"]
    list_select_related = ["therapist", "author"]
    # Hiding and restoring go through the moderation queue, so the score follows and it is logged.
    readonly_fields = ["status", "hidden_reason", "created_at", "updated_at", "edited_at"]
    inlines = [ReviewReplyInline]
    show_full_result_count = False


@admin.register(ReviewFlag)
class ReviewFlagAdmin(admin.ModelAdmin):
    list_display = ["review", "user", "reason", "resolution", "created_at"]
    list_filter = ["resolution", "reason"]
    search_fields = ["note", "review__title", "user__email"]
    raw_id_fields = ["review", "user", "resolved_by"]


@admin.register(ReviewReplyFlag)
class ReviewReplyFlagAdmin(admin.ModelAdmin):
    list_display = ["reply", "user", "reason", "resolution", "created_at"]
    list_filter = ["resolution", "reason"]
    search_fields = ["note", "reply__body", "user__email"]
    raw_id_fields = ["reply", "user", "resolved_by"]
