from django.contrib import admin

from registers.models import Register, RegisterEntry, RegisterImport


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "board", "country", "region", "format", "last_imported_at")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("last_imported_at",)


@admin.register(RegisterEntry)
class RegisterEntryAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "register", "licence_type", "status", "expires_on", "has_discipline", "gone_at")
    list_filter = ("register", "status", "has_discipline")
    search_fields = ("=number", "name")
    show_full_result_count = False  # a register holds hundreds of thousands of rows

    def has_add_permission(self, request):
        return False  # entries come from the board's file, through import_register

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RegisterImport)
class RegisterImportAdmin(admin.ModelAdmin):
    list_display = ("register", "file_name", "started_at", "outcome", "added", "changed", "gone", "refused")
    list_filter = ("register", "outcome")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
