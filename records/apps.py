from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Public records")

    def ready(self):
        # The exports (who took out which records, R3), retention rules and disposals (R25) are in
        # the audit trail; and records are deleted only by a confirmed disposal (guard.py).
        from auditlog.registry import auditlog

        from accounts.closing import closing_requirement

        from .final_archive import closing_requirement as final_archive_done
        from .guard import protect_records
        from .models import Disposal, FinalArchive, RecordsExport, RetentionRule

        auditlog.register(RecordsExport, exclude_fields=["done_steps"])
        auditlog.register(RetentionRule)
        auditlog.register(Disposal)
        auditlog.register(FinalArchive)
        protect_records()
        # Issue 19: nothing is closed unarchived (R3, R25): closing waits for the final archive.
        closing_requirement(final_archive_done)
