from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        # R3: every case, piece of evidence, question and legal-basis record is a public record,
        # and every change of one is in the audit trail.
        from auditlog.registry import auditlog

        from capture.signals import items_captured

        from . import (
            scheduled_checks,  # noqa: F401  (registers R20 and R22's checks with review)
            sections,  # noqa: F401  (adds to the account's page and a captured item's page)
        )
        from .models import (
            Evidence,
            EvidenceAttestation,
            Inquiry,
            LegalBasisRecord,
            ModerationCase,
            PlatformRemoval,
        )
        from .receivers import find_questions_after_capture

        # R20: questions are found among what each sync captured.
        items_captured.connect(find_questions_after_capture, dispatch_uid="moderation.find_questions_after_capture")

        for model in (ModerationCase, Evidence, EvidenceAttestation, Inquiry, LegalBasisRecord, PlatformRemoval):
            auditlog.register(model)
