from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Public records")

    def ready(self):
        # The exports (who took out which records, R3), retention rules and disposals (R25) are in
        # the audit trail; and records are deleted only by a confirmed disposal (guard.py).
        from auditlog.registry import auditlog

        from .guard import protect_records
        from .models import Disposal, RecordsExport, RetentionRule

        auditlog.register(RecordsExport, exclude_fields=["done_steps"])
        auditlog.register(RetentionRule)
        auditlog.register(Disposal)
        protect_records()
