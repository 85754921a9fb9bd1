from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self):
        # Every decision on a flag and every yearly self-check is in the audit trail (R3).
        from auditlog.registry import auditlog

        from . import (
            scheduled_checks,  # noqa: F401  (registers review's own checks)
            sections,  # noqa: F401  (adds to the account's page)
        )
        from .models import ReviewFlag, SelfCheck

        auditlog.register(ReviewFlag)
        auditlog.register(SelfCheck)

        # A connection that the platform stopped raises its flag and tells comms at once (R3).
        from capture.signals import connection_stopped

        from .receivers import connection_stopped as flag_stopped_connection

        connection_stopped.connect(flag_stopped_connection, dispatch_uid="review.flag_stopped_connection")

        # A profile snapshot is compared with the registry's description at once (R5).
        from capture.signals import profile_snapshot_taken

        from .receivers import profile_snapshot_taken as compare_profile_description

        profile_snapshot_taken.connect(compare_profile_description, dispatch_uid="review.compare_profile_description")
