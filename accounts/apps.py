from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Social media accounts")

    def ready(self):
        from . import signals  # noqa: F401
        from .groups import ensure_comms_group

        post_migrate.connect(ensure_comms_group, dispatch_uid="accounts.ensure_comms_group")
