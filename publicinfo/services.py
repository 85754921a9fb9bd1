"""Changing the public information (comms, R16)."""

from django.db import transaction
from django.utils.translation import gettext as _

from falkoping_some.lib.errors import DomainError

from .models import AccessibilityStatement

STATEMENT_FIELDS = (
    "compliance",
    "known_shortcomings",
    "disproportionate_burden",
    "out_of_scope",
    "feedback",
    "contact_email",
    "contact_phone",
    "testing",
    "tested_on",
    "reviewed_on",
)


def update_statement(actor, data: dict) -> AccessibilityStatement:
    """Save the accessibility statement. Only comms; the audit trail (django-auditlog) records who
    changed which part, before and after."""
    if not actor.has_perm("publicinfo.edit"):
        raise DomainError(_("Only the communications department may change the accessibility statement."))
    with transaction.atomic():
        statement = AccessibilityStatement.objects.select_for_update().filter(pk=1).first()
        if statement is None:
            statement = AccessibilityStatement.current()
        for field in STATEMENT_FIELDS:
            if field in data:
                setattr(statement, field, data[field])
        statement.full_clean()
        statement.save()
    return statement
