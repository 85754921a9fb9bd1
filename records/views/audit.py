"""An account's audit trail (händelselogg) for comms: every recorded change of the account and of
its mandates, trainings and decisions, with who made it, newest first (django-auditlog, registered
in each app's apps.py; one account's entries: records/audit.py).
Read-only: the trail cannot be changed here or in the admin."""

import contextlib
import datetime
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import render
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.access import comms_required
from accounts.models import Purpose, SocialAccount
from falkoping_some.lib.access import get_object_for_user
from records.audit import ACTIONS, account_log_entries

PAGE_SIZE = 50
EMPTY = "–"

# How auditlog names the two directions of a many-to-many change.
M2M_OPERATIONS = {"add": gettext_lazy("Added"), "delete": gettext_lazy("Removed")}
# Lists stored in a JSON field whose items are choices.
LIST_CHOICES = {(SocialAccount, "purposes"): Purpose}


@dataclass
class Change:
    field: str
    before: str = ""
    after: str = ""
    operation: str = ""  # a many-to-many change: what was added or removed, listed in `after`


@dataclass
class Row:
    entry: LogEntry
    action: str
    actor: str
    record: str
    changes: list[Change] = field(default_factory=list)

    @property
    def created(self) -> bool:
        """A new record's changes are its first values: shown without a "before"."""
        return self.entry.action == LogEntry.Action.CREATE

    @property
    def deleted(self) -> bool:
        return self.entry.action == LogEntry.Action.DELETE


@comms_required
@require_safe
def account_audit(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.all(), "account.audit", pk=pk)
    entries = account_log_entries(account).select_related("actor", "content_type")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "records/account_audit.html",
        {"account": account, "page": page, "rows": describe(page.object_list)},
    )


def describe(entries) -> list[Row]:
    """Entries as people read them: Swedish labels, names instead of ids, local dates."""
    entries = list(entries)
    related = _related_objects(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        # Without an actor: the user was deleted (auditlog kept the email), or no person acted.
        actor = str(entry.actor) if entry.actor_id else entry.actor_email or _("System")
        changes = [
            _change(model, name, values, related)
            for name, values in entry.changes_dict.items()
            if not _noise(_model_field(model, name), values)
        ]
        if entry.action == LogEntry.Action.CREATE:
            changes = [c for c in changes if c.after != EMPTY]  # a new record's empty fields say nothing
        elif entry.action == LogEntry.Action.DELETE:
            changes = [c for c in changes if c.before != EMPTY]
        rows.append(
            Row(
                entry=entry,
                action=ACTIONS.get(entry.action, entry.get_action_display()),
                actor=actor,
                record=f"{capfirst(model._meta.verbose_name)}: {entry.object_repr}" if model else entry.object_repr,
                changes=changes,
            )
        )
    return rows


def _model_field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _noise(model_field, values) -> bool:
    """auditlog records a new object's primary key and its reverse relations ("accounts.Mandate.None"):
    nothing a reader needs."""
    if model_field is None or isinstance(values, dict):
        return False
    return (model_field.auto_created and not model_field.concrete) or getattr(model_field, "primary_key", False)


def _related_objects(entries) -> dict[tuple[type, str], models.Model]:
    """The objects that foreign keys in the changes point to, one query per model."""
    wanted: dict[type, set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in entry.changes_dict.items():
            model_field = _model_field(model, name)
            if isinstance(model_field, models.ForeignKey) and isinstance(values, list | tuple):
                pks = wanted.setdefault(model_field.related_model, set())
                for value in values:
                    with contextlib.suppress(ValidationError):  # an old entry may hold a name, not a key
                        if value not in (None, "None", ""):
                            pks.add(model_field.related_model._meta.pk.to_python(value))
    found = {}
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            found[(model, str(obj.pk))] = obj
    return found


def _change(model, name, values, related) -> Change:
    model_field = _model_field(model, name)
    label = capfirst(getattr(model_field, "verbose_name", name))
    if isinstance(values, dict) and values.get("type") == "m2m":
        return Change(
            field=label,
            operation=M2M_OPERATIONS.get(values.get("operation"), values.get("operation", "")),
            after=", ".join(str(o) for o in values.get("objects", [])),
        )
    before, after = values if isinstance(values, list | tuple) and len(values) == 2 else (None, values)
    return Change(
        field=label,
        before=_value(model, model_field, before, related),
        after=_value(model, model_field, after, related),
    )


def _value(model, model_field, value, related) -> str:
    if value is None or value == "None" or value == "":
        return EMPTY
    if model_field is None:
        return str(value)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        obj = related.get((model_field.related_model, str(value)))
        return str(obj) if obj is not None else f"#{value}"
    if isinstance(model_field, models.BooleanField):
        return yesno(value in (True, "True"))
    try:
        if isinstance(model_field, models.DateTimeField):
            moment = datetime.datetime.fromisoformat(str(value))
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=datetime.UTC)  # auditlog stores UTC without a zone
            return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        if isinstance(model_field, models.DateField):
            return date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)
    choices = LIST_CHOICES.get((model, model_field.name))
    if choices and isinstance(value, list):
        labels = dict(choices.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
