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
        from .records.guard import protect_records

        protect_records()  # R25: records are deleted only by a confirmed disposal


def register_audit_trail():
    """Every change of an account, a mandate, a training, a decision or a unit is recorded with its
    actor, before and after (django-auditlog): from the portal's pages, the admin or the worker."""
    from auditlog.registry import auditlog

    from .models import (
        AccountDecision,
        Disposal,
        Mandate,
        OrgUnit,
        RecordsExport,
        RetentionRule,
        ReviewFlag,
        SelfCheck,
        SignInPolicy,
        SocialAccount,
        Training,
        WeeklyActivity,
    )

    derived = ["normalized_url", "normalized_handle", "search_text", "updated_at"]
    auditlog.register(SocialAccount, exclude_fields=derived, m2m_fields={"login_holders", "proposed_editors"})
    auditlog.register(Mandate)
    auditlog.register(Training)
    auditlog.register(AccountDecision)
    auditlog.register(OrgUnit, exclude_fields=["path"], m2m_fields={"managers"})
    auditlog.register(WeeklyActivity)
    auditlog.register(ReviewFlag)
    # Issue 7: the exports (who took out which records, R3), retention rules, disposals (R25) and
    # the yearly self-checks.
    auditlog.register(RecordsExport, exclude_fields=["done_steps"])
    auditlog.register(RetentionRule)
    auditlog.register(Disposal)
    auditlog.register(SelfCheck)
    # Issue 8: whether password sign-in is open beside single sign-on.
    auditlog.register(SignInPolicy)
