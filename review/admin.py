"""The scheduled checks' flags and runs and the yearly self-checks in the admin: read-only."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import CheckRun, ReviewFlag, SelfCheck


@admin.register(ReviewFlag)
class ReviewFlagAdmin(ReadOnlyAdmin):
    """Raised and resolved by the scheduled checks; reviewed at /granskning/."""

    list_display = ["account", "kind", "status", "raised_at", "closed_at", "decided_by"]
    list_filter = ["kind", "status"]
    search_fields = ["account__name"]


@admin.register(CheckRun)
class CheckRunAdmin(ReadOnlyAdmin):
    list_display = ["check_name", "started_at", "duration_ms", "found", "raised", "resolved", "dry_run"]
    list_filter = ["check_name", "dry_run"]


@admin.register(SelfCheck)
class SelfCheckAdmin(ReadOnlyAdmin):
    list_display = ["account", "answered_at", "answered_by"]
    search_fields = ["account__name"]
