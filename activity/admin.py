"""Weekly activity in the admin: read-only, logged on the portal's pages or imported (R19)."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import ActivityImport, WeeklyActivity


@admin.register(WeeklyActivity)
class WeeklyActivityAdmin(ReadOnlyAdmin):
    """Logged by editors on their start page or imported from CSV (R19)."""

    list_display = ["account", "week", "posts", "logged_by", "logged_at"]
    list_filter = ["account__unit"]
    search_fields = ["account__name"]
    date_hierarchy = "week"


@admin.register(ActivityImport)
class ActivityImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "status", "total_rows", "created_by", "created_at"]
    list_filter = ["status"]
    exclude = ["content"]
