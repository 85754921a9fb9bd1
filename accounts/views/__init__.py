"""Staff pages of the accounts app, a module per concern: the registry, an account's lifecycle,
mandates, people and their trainings, and the audit trail."""

from .registry import account_detail, account_edit, account_list, dashboard

__all__ = ["account_detail", "account_edit", "account_list", "dashboard"]
