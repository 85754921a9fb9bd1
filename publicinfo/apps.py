from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicInfoConfig(AppConfig):
    """What a Swedish public website must say beside the public list (R16): the accessibility
    statement that the law on accessibility of digital public services requires (lag 2018:1937)."""

    name = "publicinfo"
    verbose_name = _("Public information")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import AccessibilityStatement

        # Who changed the statement, what and when: on the edit page and in the admin.
        auditlog.register(AccessibilityStatement, exclude_fields=["updated_at"])
