"""Captured records in the admin, read-only (R3): connections are made, renewed and removed on the
account's page, where the platform checks the token; nothing captured is changed or deleted here."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import CapturedItem, Connection


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "external_name", "state", "last_success_at", "last_error_at", "token_expires_at"]
    list_filter = ["state", "kind"]
    exclude = ["token_encrypted", "cursor"]


@admin.register(CapturedItem)
class CapturedItemAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "platform", "published_at", "author_name", "missing_since", "version_count"]
    list_filter = ["kind", "platform"]
    search_fields = ["platform_id"]
    list_select_related = ["account"]
    raw_id_fields = ["thread", "parent", "connection", "account"]
