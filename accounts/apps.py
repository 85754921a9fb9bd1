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
        register_audit_trail()


def register_audit_trail():
    """Every change of an account, a mandate, a training, a decision, a unit or the sign-in policy
    is recorded with its actor, before and after (django-auditlog): from the portal's pages, the
    admin or the worker. The apps built on this one register their own models when they are ready."""
    from auditlog.registry import auditlog

    from .models import AccountDecision, Mandate, OrgUnit, SignInPolicy, SocialAccount, Training

    derived = ["normalized_url", "normalized_handle", "search_text", "updated_at"]
    auditlog.register(SocialAccount, exclude_fields=derived, m2m_fields={"login_holders", "proposed_editors"})
    auditlog.register(Mandate)
    auditlog.register(Training)
    auditlog.register(AccountDecision)
    auditlog.register(OrgUnit, exclude_fields=["path"], m2m_fields={"managers"})
    # Whether password sign-in is open beside single sign-on.
    auditlog.register(SignInPolicy)
