"""The audit trail in the admin: for reading only. auditlog's own admin already refuses adding and
changing, but lets a delete through in some cases; here nobody, not even a superuser, can add,
change or delete a log entry, so that the trail stays what happened."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin


class ReadOnlyAdminMixin:
    """An admin that shows and never adds, changes or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ReadOnlyLogEntryAdmin(ReadOnlyAdminMixin, LogEntryAdmin):
    pass
