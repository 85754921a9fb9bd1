"""Public records in the admin: the retention rules comms sets (R25); exports and disposals read-only."""

from django.contrib import admin

from accounts.admin import NoDeleteAdmin, ReadOnlyAdmin

from .models import Disposal, FinalArchive, RecordsExport, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(NoDeleteAdmin):
    """R25: comms sets how long each kind of record is kept, with the document management plan's
    reference. A kind without a rule, or a rule without a time, is kept. A rule is never deleted:
    the disposals made under it refer to it; to keep the records again, empty its time."""

    list_display = ["kind", "retain_months", "plan_reference", "updated_at"]
    fields = ["kind", "retain_months", "plan_reference", "note"]

    def get_readonly_fields(self, request, obj=None):
        # The disposals made under a rule refer to it: it stays the rule of its kind.
        return ["kind"] if obj is not None else []


@admin.register(Disposal)
class DisposalAdmin(ReadOnlyAdmin):
    list_display = ["kind", "cutoff", "status", "proposed_count", "confirmed_by", "confirmed_at"]
    list_filter = ["status", "kind"]


@admin.register(RecordsExport)
class RecordsExportAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "account", "period_from", "period_until", "public_copy", "status", "requested_by"]
    list_filter = ["status", "public_copy"]
    exclude = ["file"]


@admin.register(FinalArchive)
class FinalArchiveAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "account", "state", "export", "requested_by", "finished_at"]
    list_filter = ["state"]
