from django.contrib import admin

from .models import AccessibilityStatement
from .services import STATEMENT_FIELDS


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(admin.ModelAdmin):
    fields = STATEMENT_FIELDS
    list_display = ("__str__", "compliance", "reviewed_on", "updated_at")

    def has_add_permission(self, request):
        # One statement: comms change it, nobody adds a second.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
