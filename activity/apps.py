from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = _("Weekly activity")

    def ready(self):
        # Every logged week is in the audit trail (who logged or imported what, R3).
        from auditlog.registry import auditlog

        from . import scheduled_checks  # noqa: F401  (registers R6 and R19's checks with review)
        from .models import WeeklyActivity

        auditlog.register(WeeklyActivity)
