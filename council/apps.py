from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "council"
    verbose_name = _("SoMe council")

    def ready(self):
        from auditlog.registry import auditlog

        from . import sections, signals  # noqa: F401  (a person's attendance; invitations follow new mandates)
        from .models import AgendaItem, CouncilMeeting, Invitation, MinutesAttachment

        for model in (CouncilMeeting, AgendaItem, Invitation, MinutesAttachment):
            auditlog.register(model)
