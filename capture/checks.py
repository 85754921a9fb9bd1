"""Deploy checks of the capture: production needs its own token keys and the platforms' real
addresses (a simulator's address there would send nothing anywhere, or worse)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def capture_keys(app_configs, **kwargs):
    errors = []
    if not settings.CAPTURE_KEYS:
        errors.append(
            Error(
                "PORTAL_CAPTURE_KEYS is not set: platform tokens would be encrypted with a key derived from "
                "SECRET_KEY.",
                hint="Set PORTAL_CAPTURE_KEYS to one or more Fernet keys, comma-separated, newest first (README).",
                id="capture.E001",
            )
        )
    else:
        from cryptography.fernet import Fernet

        for key in settings.CAPTURE_KEYS:
            try:
                Fernet(key.strip().encode())
            except ValueError:
                errors.append(
                    Error(
                        "A key in PORTAL_CAPTURE_KEYS is not a Fernet key.",
                        hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                        "print(Fernet.generate_key().decode())'",
                        id="capture.E002",
                    )
                )
    return errors
