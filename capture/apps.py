from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    """R3: the platforms' own record. Connections to the platforms and what is captured from them."""

    name = "capture"
    verbose_name = _("Platform capture")

    def ready(self):
        from auditlog.registry import auditlog

        from accounts.public_checks import register_link_check

        from . import checks, sections  # noqa: F401 (the deploy checks; adds to the account's page)
        from .models import Connection
        from .selectors import public_post

        # R16: the citizen's check recognises a link to a post the archive holds.
        register_link_check(public_post)

        # Who connected, changed or removed a connection (never the token: not even encrypted).
        auditlog.register(
            Connection,
            exclude_fields=[
                "token_encrypted", "cursor", "high_water", "last_attempt_at", "last_success_at", "last_error",
                "last_error_at", "failures", "next_attempt_at",
            ],
        )  # fmt: skip
