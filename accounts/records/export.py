"""Public records (R3): the records export.

Comms exports everything the portal holds about one account, or about every account, limited to a
period, as one ZIP file in the private storage (RecordsExport.file):

    accounts.json                 the registry entries of the exported accounts
    decisions.json … audit_events.json
                                  one file per kind of record (RecordKind)
    evidence/<id>.<ext>           the evidence files of the exported cases and legal-basis records
    schemas/<name>.schema.json    a JSON Schema for every JSON file
    secrecy_review.json           a public copy only: every item withheld for a secrecy review
    summary.html                  in Swedish, for people: what was exported, counts, parameters
    manifest.json                 every other file's path, size and SHA-256; parameters; counts

Every JSON file is written from the field definitions below (FILES): the same definitions give its
JSON Schema, so the data and its schema cannot drift apart. EXPORT_SCHEMA.md beside this module
explains the format to whoever receives an export (the archive, a requester).

A public copy (export.public_copy) is what may be handed out on a request for public records
(begäran om allmän handling). Personal data of third parties that needs a secrecy review
(sekretessprövning) is withheld and marked in place, never dropped: every record is still there and
counted, and secrecy_review.json lists each withheld item. Which fields, and why, is said at each
field (`secret=`). Staff acting in their role are public and stay.

Memory stays flat however large the database: querysets are read with .iterator() and every record
is written into its ZIP entry as it is read. Progress (done_steps of total_steps) is saved with
queryset updates that commit at once, so the status page sees it while the worker runs. A rerun of
the same export (acks_late: a killed worker's task is delivered again) starts over and ends in the
same file: entries carry the time of the request, not of the build, and the audit events are those
recorded up to the request (the export's own events excluded).
"""

import contextlib
import datetime
import hashlib
import json
import logging
import os
import tempfile
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from falkoping_some.lib.queueing import enqueue_on_commit
from falkoping_some.locks import JobBusy, exclusive
from moderation.models import (
    Evidence,
    EvidenceAttestation,
    Inquiry,
    InquiryChannel,
    LegalBasis,
    LegalBasisRecord,
    ModerationCase,
    ModerationCategory,
    RemovedContentKind,
)

from ..models import (
    AccountDecision,
    AccountStatus,
    ClosingReason,
    DecisionOutcome,
    DecisionStep,
    ExportStatus,
    FlagKind,
    FlagStatus,
    GraphicProfile,
    Mandate,
    Platform,
    Purpose,
    RecordKind,
    RecordsExport,
    ReviewFlag,
    SelfCheck,
    SocialAccount,
    Training,
    TrainingKind,
    WeeklyActivity,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA_NAME = "falkoping-some-records"  # a file's "schema" is "falkoping-some-records/<file>/1"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CHUNK_SIZE = 1000  # rows fetched per round trip while iterating
PROGRESS_EVERY = 500  # steps between two progress saves
COPY_CHUNK = 1024 * 1024
SUMMARY_WITHHELD_ROWS = 500  # summary.html lists this many withheld items; secrecy_review.json has all
WITHHELD_REASON = "secrecy_review"
EVIDENCE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "application/pdf": "pdf"}
SCHEMA_DOCUMENT = Path(__file__).with_name("EXPORT_SCHEMA.md")  # shipped in the ZIP, under schemas/
# No social media account of the municipality predates 2000: an earlier date is a typing error.
EARLIEST_DATE = datetime.date(2000, 1, 1)


class ExportError(Exception):
    """The export cannot be built; the message (already translated) says why, for comms."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Why a field is withheld from a public copy: each needs a secrecy review (sekretessprövning)
# before it may be handed out, typically under OSL 21 kap. 7 § (personal data of private persons).
# The texts go into the export as the marker's note, in Swedish.
WHY_REMOVED_CONTENT = gettext_lazy("Describes what a private person wrote (a removed comment or message).")
WHY_EVIDENCE_FILE = gettext_lazy("A screenshot or document about private persons (a removed comment, a consent form).")
WHY_EVIDENCE_NAME = gettext_lazy("The file's original name may name a private person.")
WHY_QUESTION = gettext_lazy("A private person's question.")
WHY_LEGAL_DOCUMENTATION = gettext_lazy("About the persons depicted in the post and their consent.")
WHY_IP_ADDRESS = gettext_lazy("The IP address the change was made from.")
WHY_RECORD_TITLE = gettext_lazy("The record's title repeats withheld text.")
WHY_NOT_CRIMINAL = gettext_lazy("The reason may repeat what a private person wrote.")


# Field definitions ---------------------------------------------------------------------------
#
# A Field names one key of a record, its type (which decides both how the value is written and
# its JSON Schema) and where the value comes from: an attribute of the object, or a function of
# (object, mark) where mark(path, why) withholds a part of the value and returns the marker.

TYPES = (
    "integer", "string", "boolean", "date", "datetime", "json", "strings",
    "person", "people", "account", "unit", "choice", "choices", "objects",
)  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    source: str | Callable[[Any, Callable], Any] | None = None  # default: the attribute `name`
    null: bool = False
    # Why a public copy withholds the value (it needs a secrecy review); empty: the value is public.
    secret: Any = ""
    # The source itself may withhold parts of the value (the audit events' copies of secret fields).
    partly_secret: bool = False
    choices: tuple | Callable[[], tuple] = ()  # (value, label) pairs of a "choice" or "choices" field
    items: tuple["Field", ...] = ()  # the fields of each object of an "objects" field

    def __post_init__(self):
        assert self.type in TYPES, self.type

    def raw(self, obj, mark):
        """The value as Python has it. `mark` is None in a full copy; in a public copy a source
        calls mark(path, why) to withhold a part of the value."""
        if callable(self.source):
            return self.source(obj, mark)
        return getattr(obj, self.source or self.name)

    @property
    def choice_pairs(self) -> tuple:
        return self.choices() if callable(self.choices) else self.choices


def _choices(choices) -> tuple:
    return tuple((value, label) for value, label in choices)


def _account_field(null=False, description="The account the record belongs to."):
    return Field("account", "account", description, null=null)


def _evidence_zip_path(evidence) -> str:
    return f"evidence/{evidence.pk}.{EVIDENCE_EXTENSIONS.get(evidence.content_type, 'bin')}"


# R22: a colleague's attestation that a screenshot is unaltered (the police ask for it).
ATTESTATION_FIELDS = (
    Field("attested_by", "person", "Who attested it."),
    Field("attested_at", "datetime", "When."),
    Field("sha256", "string", "The SHA-256 of the file as it was read when it was attested."),
)

EVIDENCE_FIELDS = (
    Field("id", "integer", "The evidence's number in the portal."),
    # R22, R23: the uploader's file name can be a person's name ("samtycke-anna.pdf").
    Field("original_name", "string", "The file's name when it was uploaded.", secret=WHY_EVIDENCE_NAME),
    Field("content_type", "string", "The file's type, judged by its content: image/png, image/jpeg, image/webp, …"),
    Field("size", "integer", "The file's size in bytes."),
    Field("sha256", "string", "The SHA-256 recorded when the file was uploaded; the file in the ZIP has it."),
    Field("uploaded_by", "person", "Who uploaded it."),
    Field("uploaded_at", "datetime", "When it was uploaded."),
    Field(
        "taken_at",
        "datetime",
        "R22: when the screenshot was taken, as the uploader gave it (before the removal); empty for a legal "
        "basis's documents and for evidence uploaded before the portal asked.",
        null=True,
    ),
    Field(
        "attestations",
        "objects",
        "R22: colleagues' attestations that the screenshot is unaltered.",
        items=ATTESTATION_FIELDS,
        source=lambda e, mark: list(e.attestations.all()),
    ),
    # Screenshots of private persons' comments and consent forms about depicted persons: the
    # bytes are left out of a public copy and the file is listed as withheld.
    Field(
        "file",
        "string",
        "The file's path in the ZIP.",
        source=lambda e, mark: _evidence_zip_path(e),
        secret=WHY_EVIDENCE_FILE,
    ),
)

ACCOUNT_FIELDS = (
    Field("id", "integer", "The account's number in the portal."),
    Field("platform", "choice", "The platform.", choices=_choices(Platform.choices)),
    Field("platform_other", "string", "The platform's name, when it is Other."),
    Field("name", "string", "The account's name."),
    Field("handle", "string", "The account's user name on the platform."),
    Field("url", "string", "The account's address."),
    Field("unit", "unit", "The org unit the account belongs to."),
    Field("description", "string", "R5: the description of the service in the account's profile."),
    Field("purposes", "choices", "R2: the purposes of the account.", choices=_choices(Purpose.choices)),
    Field("graphic_profile", "choice", "R4: the graphic profile used.", choices=_choices(GraphicProfile.choices)),
    Field("special_profile_reference", "string", "R4: the decision that approved a special profile."),
    Field("status", "choice", "The account's status.", choices=_choices(AccountStatus.choices)),
    Field("target_audience", "string", "R11: the target audience given in the request."),
    Field("justification", "string", "R11: why an existing account could not serve, as the request said."),
    Field(
        "proposed_editors",
        "people",
        "R11: the editors proposed in the request.",
        source=lambda a, mark: list(a.proposed_editors.all()),
    ),
    Field(
        "login_holders",
        "people",
        "R13: who in communications holds the login details or admin rights.",
        source=lambda a, mark: list(a.login_holders.all()),
    ),
    Field("requested_by", "person", "Who requested the account.", null=True),
    Field("activated_on", "date", "When the account was activated.", null=True),
    Field("closed_on", "date", "R6, R15: when the account was closed.", null=True),
    Field("closing_reason", "choice", "R15: why it was closed.", null=True, choices=_choices(ClosingReason.choices)),
    Field("closing_note", "string", "A note on the closing."),
    Field("created_at", "datetime", "When the account was entered in the registry."),
    Field("updated_at", "datetime", "When its registry entry last changed."),
)

DECISION_FIELDS = (
    Field("id", "integer", "The decision's number in the portal."),
    _account_field(),
    Field("step", "choice", "R11, R13, R15: the step of the account's life.", choices=_choices(DecisionStep.choices)),
    Field("outcome", "choice", "The outcome.", choices=_choices(DecisionOutcome.choices)),
    Field("actor", "person", "Who decided."),
    Field("role", "string", "In which role."),
    # Comments are written by staff in their role: public.
    Field("comment", "string", "The decision's comment."),
    Field("decided_at", "datetime", "When it was decided. Places the record in the period."),
)

MANDATE_FIELDS = (
    Field("id", "integer", "The mandate's number in the portal."),
    _account_field(),
    Field("user", "person", "R10: the editor given the mandate."),
    Field("valid_from", "date", "The first day of the mandate."),
    Field("valid_until", "date", "The last day of the mandate; empty: until further notice.", null=True),
    Field("granted_by", "person", "R10: who granted it (the manager, or comms on a manager's behalf).", null=True),
    Field("on_behalf_of", "person", "R10: the editor's manager on whose behalf comms registered it.", null=True),
    Field("granted_at", "datetime", "When it was granted. Places the record in the period."),
    Field("revoked_at", "datetime", "When it was revoked.", null=True),
    Field("revoked_by", "person", "Who revoked it.", null=True),
    Field("revoke_reason", "string", "Why it was revoked."),
    Field("expiry_notice_sent_on", "date", "When the manager was told the mandate ends soon.", null=True),
)

TRAINING_FIELDS = (
    Field("id", "integer", "The training's number in the portal."),
    _account_field(null=True, description="R14: the new account a start-up training was for; empty: general."),
    Field("kind", "choice", "R14: the kind of training.", choices=_choices(TrainingKind.choices)),
    Field("trainee", "person", "Who was trained."),
    Field("trainer", "person", "Who trained them."),
    Field("date", "date", "The day of the training. Places the record in the period."),
    Field("note", "string", "A note."),
    Field("recorded_by", "person", "Who recorded it."),
    Field("recorded_at", "datetime", "When it was recorded."),
)

WEEKLY_ACTIVITY_FIELDS = (
    Field("id", "integer", "The row's number in the portal."),
    _account_field(),
    Field("week", "date", "R19: the Monday of the ISO week. Places the record in the period."),
    Field("iso_week", "string", "The ISO week, 2026-W48."),
    Field("posts", "integer", "R19: posts published in the week."),
    Field("note", "string", "A note."),
    Field("logged_by", "person", "Who logged (or imported) it."),
    Field("logged_at", "datetime", "When it was logged."),
)

FLAG_FIELDS = (
    Field("id", "integer", "The flag's number in the portal."),
    _account_field(),
    Field("kind", "choice", "What the scheduled check found.", choices=_choices(FlagKind.choices)),
    Field("status", "choice", "The flag's status.", choices=_choices(FlagStatus.choices)),
    # Computed facts (weeks, counts, dates, case numbers), and for a flag raised again the earlier
    # dismissal as comms recorded it (its `reason` below): nothing a private person wrote.
    Field(
        "evidence",
        "json",
        "The facts the check found, as it recorded them; for a flag raised again on a dismissal's review "
        "date, that dismissal under `dismissed_before` (flag, dismissed_on, dismissed_by, reason, review_on).",
    ),
    Field("raised_at", "datetime", "When the check raised it. Places the record in the period."),
    Field("acknowledged_at", "datetime", "When comms acknowledged it.", null=True),
    Field("closed_at", "datetime", "When it was resolved or dismissed.", null=True),
    Field("decided_by", "person", "Who resolved or dismissed it.", null=True),
    Field("reason", "string", "Why it was dismissed, or a note on resolving it."),
    Field(
        "review_on",
        "date",
        "A dismissal: the day from which the check raises the flag again if its condition is still there.",
        null=True,
    ),
    Field(
        "lapsed_at",
        "datetime",
        "A dismissal: when it stopped holding (its condition was gone, or its review date came).",
        null=True,
    ),
)

# The self-check's questions (models.SelfCheck.QUESTIONS), told for the schema.
SELF_CHECK_QUESTIONS = {
    "sender_clear": "R4: yes if the municipality is clearly the sender and the graphic profile is used.",
    "profile_description": "R5: yes if the account's profile has a description of the service.",
    "no_political_stance": "R7: yes if the posts contain no political stances or debate.",
    "no_dialogue_elsewhere": "R8: yes if the account takes no part in dialogue on other parties' accounts.",
    "follows_relevant_only": "R9: yes if it follows only relevant accounts of its field and no private persons.",
}
assert list(SELF_CHECK_QUESTIONS) == [name for name, _rule in SelfCheck.QUESTIONS]

SELF_CHECK_FIELDS = (
    Field("id", "integer", "The self-check's number in the portal."),
    _account_field(),
    *(Field(name, "boolean", SELF_CHECK_QUESTIONS[name]) for name, _rule in SelfCheck.QUESTIONS),
    Field("answered_no", "strings", "The rules answered no (R4, R5, R7, R8, R9).", source=lambda s, mark: s.answers_no),
    # Written by the account's editor in their role: public.
    Field("comment", "string", "The editor's comment (required when an answer is no)."),
    Field("answered_by", "person", "The editor who answered."),
    Field("answered_at", "datetime", "When it was answered. Places the record in the period."),
)

MODERATION_CASE_FIELDS = (
    Field("id", "integer", "The case's number in the portal."),
    _account_field(),
    Field("content_kind", "choice", "R21: what was removed.", choices=_choices(RemovedContentKind.choices)),
    Field("category", "choice", "R21, R22: why.", choices=_choices(ModerationCategory.choices)),
    # What a private person wrote (often the very defamation or harassment removed): it needs a
    # secrecy review before it is handed out.
    Field("description", "string", "What was removed.", secret=WHY_REMOVED_CONTENT),
    Field("is_criminal", "boolean", "R22: criminal material."),
    # An editor's reasoning, which may quote the removed content: reviewed like the description.
    Field(
        "not_criminal_reason",
        "string",
        "R22: why a case in a category that describes a crime is not criminal.",
        secret=WHY_NOT_CRIMINAL,
    ),
    Field("published_at", "datetime", "When the content was published.", null=True),
    Field("removed_at", "datetime", "When it was removed.", null=True),
    Field("police_reported_on", "date", "R22: when it was reported to the police.", null=True),
    Field("police_reference", "string", "R22: the police report's reference number."),
    Field("opened_by", "person", "Who opened the case."),
    Field("opened_at", "datetime", "When the case was opened. Places the record in the period."),
    Field(
        "evidence",
        "objects",
        "R22: the screenshots kept as evidence.",
        items=EVIDENCE_FIELDS,
        source=lambda c, mark: list(c.evidence.all()),
    ),
)

INQUIRY_FIELDS = (
    Field("id", "integer", "The question's number in the portal."),
    _account_field(),
    Field("channel", "choice", "R20: where it came in.", choices=_choices(InquiryChannel.choices)),
    Field("received_at", "datetime", "When it came in. Places the record in the period."),
    # A citizen's question, in their words: it needs a secrecy review before it is handed out.
    Field("summary", "string", "A short summary of the question.", secret=WHY_QUESTION),
    Field("deadline", "datetime", "R20: the answer was due by (24 hours on weekdays)."),
    Field("answered_at", "datetime", "When it was answered.", null=True),
    Field("answered_by", "person", "Who answered.", null=True),
    Field("logged_by", "person", "Who logged the question."),
    Field("logged_at", "datetime", "When it was logged."),
)

LEGAL_BASIS_FIELDS = (
    Field("id", "integer", "The record's number in the portal."),
    _account_field(),
    # The municipality's own published post: public.
    Field("post", "string", "R23: the post, a link or a description."),
    Field("published_at", "datetime", "When the post was published. Places the record in the period."),
    Field("basis", "choice", "R23: the GDPR legal basis.", choices=_choices(LegalBasis.choices)),
    # Who is depicted, their consent and where it is kept: personal data of third parties.
    Field("documentation", "string", "R23: the documentation of the basis.", secret=WHY_LEGAL_DOCUMENTATION),
    Field("recorded_by", "person", "Who recorded it."),
    Field("recorded_at", "datetime", "When it was recorded."),
    Field("recorded_late", "boolean", "R23: recorded after the publication."),
    Field(
        "evidence",
        "objects",
        "R23: documents kept with it, such as consent forms.",
        items=EVIDENCE_FIELDS,
        source=lambda r, mark: list(r.evidence.all()),
    ),
)

# The audit events copy the fields they record: a copy of a secret field is as secret as the field.
# {model: {field name: why}}, from the definitions above, so the two cannot disagree.
SECRET_COPIES: dict[type, dict[str, Any]] = {
    model: {f.name: f.secret for f in fields if f.secret}
    for model, fields in (
        (ModerationCase, MODERATION_CASE_FIELDS),
        (Evidence, EVIDENCE_FIELDS),
        (Inquiry, INQUIRY_FIELDS),
        (LegalBasisRecord, LEGAL_BASIS_FIELDS),
    )
}
# Records whose title (auditlog's object_repr, the model's __str__) repeats a secret field:
# a question's title is the start of its summary, a piece of evidence's its original file name.
SECRET_TITLES = {Inquiry: WHY_RECORD_TITLE, Evidence: WHY_RECORD_TITLE}

# The models whose audit events an export of every account holds (one account: see audit.py's
# account_log_entries, which asks for the same models of one account).
AUDITED_MODELS = (
    SocialAccount, Mandate, Training, AccountDecision, WeeklyActivity, ReviewFlag, SelfCheck,
    ModerationCase, Evidence, EvidenceAttestation, Inquiry, LegalBasisRecord, RecordsExport,
)  # fmt: skip


def _audit_action_choices() -> tuple:
    from ..views.audit import ACTIONS  # the audit trail's own words for its actions

    return tuple(ACTIONS.items())


def _audit_changes(entry, mark):
    changes = entry.changes_dict
    secret = SECRET_COPIES.get(entry.content_type.model_class(), {})
    if mark is None or not secret or not isinstance(changes, dict):
        return changes
    return {name: mark(f"changes.{name}", secret[name]) if name in secret else value for name, value in changes.items()}


def _audit_title(entry, mark):
    why = SECRET_TITLES.get(entry.content_type.model_class())
    return mark("record_title", why) if mark and why and entry.object_repr else entry.object_repr


def _audit_ip(entry, mark):
    # Staff members' IP addresses: personal data that needs a secrecy review.
    return mark("remote_addr", WHY_IP_ADDRESS) if mark and entry.remote_addr else entry.remote_addr


def _audit_record_label(entry, mark):
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model else entry.content_type.model


AUDIT_EVENT_FIELDS = (
    Field("id", "integer", "The event's number in the audit trail."),
    Field("timestamp", "datetime", "When it happened. Places the record in the period."),
    Field(
        "action",
        "choice",
        "Created, changed, deleted, or viewed (a download of an export).",
        choices=_audit_action_choices,
    ),
    Field("actor", "person", "Who did it; empty: the system (a scheduled check, the worker).", null=True),
    Field("actor_email", "string", "The actor's email address as recorded.", null=True),
    Field(
        "record_type",
        "string",
        "The kind of record: app_label.model, e.g. moderation.inquiry.",
        source=lambda e, mark: f"{e.content_type.app_label}.{e.content_type.model}",
    ),
    Field("record_type_label", "string", "The kind of record, in words.", source=_audit_record_label),
    Field("record_id", "string", "The record's number.", source=lambda e, mark: e.object_pk),
    Field(
        "record_title",
        "string",
        "The record's title when the event was recorded.",
        source=_audit_title,
        partly_secret=True,
    ),
    Field(
        "changes",
        "json",
        "The changed fields: {field: [before, after]}; of a new record its first "
        "values. In a public copy the copies of withheld fields are withheld too.",
        source=_audit_changes,
        partly_secret=True,
    ),
    Field("additional_data", "json", "What else was recorded, such as the file name of a download.", null=True),
    Field(
        "remote_addr", "string", "The IP address the change came from.", null=True, source=_audit_ip, partly_secret=True
    ),
    Field("remote_port", "integer", "The port the change came from.", null=True),
    Field("cid", "string", "The correlation id of the request.", null=True),
)


# The files --------------------------------------------------------------------------------------


def _in_period(queryset, export, field, moment=True):
    """The records whose date falls in the export's period, both ends inclusive; an end left empty
    is open. A moment (`moment=True`) counts by its date in Swedish time: from midnight at the
    start of the first day to midnight at the end of the last, a range the field's index serves."""

    def bound(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) if moment else day

    if export.period_from:
        queryset = queryset.filter(**{f"{field}__gte": bound(export.period_from)})
    if export.period_until:
        if moment:
            queryset = queryset.filter(**{f"{field}__lt": bound(export.period_until + datetime.timedelta(days=1))})
        else:
            queryset = queryset.filter(**{f"{field}__lte": export.period_until})
    return queryset


def _of_account(queryset, export, path="account"):
    return queryset.filter(**{path: export.account_id}) if export.account_id else queryset


def _evidence_prefetch():
    attestations = EvidenceAttestation.objects.select_related("attested_by").order_by("pk")
    return Prefetch(
        "evidence",
        queryset=Evidence.objects.select_related("uploaded_by")
        .prefetch_related(Prefetch("attestations", queryset=attestations))
        .order_by("pk"),
    )


def accounts_of(export):
    # The registry entries are not limited by the period: they say which accounts the records
    # belong to. Every account for an export of every account.
    queryset = SocialAccount.objects.filter(pk=export.account_id) if export.account_id else SocialAccount.objects
    return (
        queryset.select_related("unit", "requested_by")
        .prefetch_related("proposed_editors", "login_holders")
        .order_by("pk")
    )


def decisions_of(export):
    queryset = _of_account(AccountDecision.objects, export)
    return _in_period(queryset, export, "decided_at").select_related("account", "actor").order_by("pk")


def mandates_of(export):
    queryset = _in_period(_of_account(Mandate.objects, export), export, "granted_at")
    return queryset.select_related("account", "user", "granted_by", "on_behalf_of", "revoked_by").order_by("pk")


def trainings_of(export):
    # One account: the trainings for it (start-up, R14). Every account: every training, the
    # general ones (no account) too.
    queryset = _in_period(_of_account(Training.objects, export), export, "date", moment=False)
    return queryset.select_related("account", "trainee", "trainer", "recorded_by").order_by("pk")


def weekly_activity_of(export):
    queryset = _in_period(_of_account(WeeklyActivity.objects, export), export, "week", moment=False)
    return queryset.select_related("account", "logged_by").order_by("pk")


def flags_of(export):
    queryset = _in_period(_of_account(ReviewFlag.objects, export), export, "raised_at")
    return queryset.select_related("account", "decided_by").order_by("pk")


def self_checks_of(export):
    queryset = _in_period(_of_account(SelfCheck.objects, export), export, "answered_at")
    return queryset.select_related("account", "answered_by").order_by("pk")


def moderation_cases_of(export):
    queryset = _in_period(_of_account(ModerationCase.objects, export), export, "opened_at")
    return queryset.select_related("account", "opened_by").prefetch_related(_evidence_prefetch()).order_by("pk")


def inquiries_of(export):
    queryset = _in_period(_of_account(Inquiry.objects, export), export, "received_at")
    return queryset.select_related("account", "answered_by", "logged_by").order_by("pk")


def legal_basis_of(export):
    queryset = _in_period(_of_account(LegalBasisRecord.objects, export), export, "published_at")
    return queryset.select_related("account", "recorded_by").prefetch_related(_evidence_prefetch()).order_by("pk")


def audit_events_of(export):
    """The audit events about the exported records, recorded up to the moment the export was
    requested (so that a rerun writes the same file), without the export's own."""
    if export.account_id:
        from ..views.audit import account_log_entries

        queryset = account_log_entries(export.account)
    else:
        content_types = ContentType.objects.get_for_models(*AUDITED_MODELS).values()
        queryset = LogEntry.objects.filter(content_type__in=content_types)
    queryset = queryset.filter(timestamp__lte=export.requested_at).exclude(
        content_type=ContentType.objects.get_for_model(RecordsExport), object_pk=str(export.pk)
    )
    return _in_period(queryset, export, "timestamp").select_related("actor", "content_type").order_by("pk")


def evidence_of(export):
    """The evidence of the exported cases and legal-basis records, whose files go into the ZIP."""
    return Evidence.objects.filter(
        Q(case__in=moderation_cases_of(export).values("pk")) | Q(legal_basis__in=legal_basis_of(export).values("pk"))
    ).order_by("pk")


@dataclass(frozen=True)
class RecordFile:
    """One JSON file of the export: `name`.json, with its schema at schemas/`name`.schema.json."""

    name: str
    title: Any  # lazy, translated when written
    description: str
    fields: tuple[Field, ...]
    records: Callable[[RecordsExport], Any]

    @property
    def path(self) -> str:
        return f"{self.name}.json"

    @property
    def schema_id(self) -> str:
        return f"{SCHEMA_NAME}/{self.name}/{SCHEMA_VERSION}"


def _kind(kind: RecordKind, description, fields, records) -> RecordFile:
    return RecordFile(kind.value, kind.label, description, fields, records)


FILES = (
    RecordFile("accounts", gettext_lazy("Accounts"), "The registry entries of the exported accounts (R16).",
               ACCOUNT_FIELDS, accounts_of),
    _kind(RecordKind.DECISIONS, "Decisions on the accounts: request, manager, comms, activation, closing "
          "(R11, R13, R15).", DECISION_FIELDS, decisions_of),
    _kind(RecordKind.MANDATES, "Editors' mandates from their managers (R10).", MANDATE_FIELDS, mandates_of),
    _kind(RecordKind.TRAININGS, "Trainings given by comms (R14).", TRAINING_FIELDS, trainings_of),
    _kind(RecordKind.WEEKLY_ACTIVITY, "Posts per ISO week (R19).", WEEKLY_ACTIVITY_FIELDS, weekly_activity_of),
    _kind(RecordKind.FLAGS, "The scheduled checks' findings for comms to review.", FLAG_FIELDS, flags_of),
    _kind(RecordKind.SELF_CHECKS, "The yearly self-checks (R4, R5, R7, R8, R9).", SELF_CHECK_FIELDS, self_checks_of),
    _kind(RecordKind.MODERATION_CASES, "Content removed from the accounts, with its evidence (R21, R22).",
          MODERATION_CASE_FIELDS, moderation_cases_of),
    _kind(RecordKind.INQUIRIES, "Questions received and answered (R20).", INQUIRY_FIELDS, inquiries_of),
    _kind(RecordKind.LEGAL_BASIS, "The legal basis of posts with personal data, with its documents (R23).",
          LEGAL_BASIS_FIELDS, legal_basis_of),
    _kind(RecordKind.AUDIT_EVENTS, "The audit trail: every recorded change of the records above, who made it "
          "and when (R3).", AUDIT_EVENT_FIELDS, audit_events_of),
)  # fmt: skip
assert [f.name for f in FILES[1:]] == list(RecordKind.values), "one file per kind of record"


# JSON Schema, from the same definitions ---------------------------------------------------------

WITHHELD_SCHEMA = {
    "type": "object",
    "description": "A value withheld from a public copy: it needs a secrecy review before it is handed out.",
    "required": ["withheld", "reason", "note"],
    "properties": {
        "withheld": {"const": True},
        "reason": {"const": WITHHELD_REASON},
        "note": {"type": "string", "description": "Why the value is withheld."},
    },
    "additionalProperties": False,
}
PERSON_SCHEMA = {
    "type": "object",
    "description": "A member of staff.",
    "required": ["id", "name", "email"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": "string"}},
    "additionalProperties": False,
}
ACCOUNT_REF_SCHEMA = {
    "type": "object",
    "description": "An account of the registry; accounts.json has its entry.",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
UNIT_SCHEMA = {
    "type": "object",
    "description": "An org unit (förvaltning or verksamhet).",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
EXPORT_REF_SCHEMA = {
    "type": "object",
    "required": ["id", "public_copy"],
    "properties": {"id": {"type": "integer"}, "public_copy": {"type": "boolean"}},
    "additionalProperties": False,
}
DEFS = {
    "withheld": WITHHELD_SCHEMA,
    "person": PERSON_SCHEMA,
    "account": ACCOUNT_REF_SCHEMA,
    "unit": UNIT_SCHEMA,
    "export": EXPORT_REF_SCHEMA,
}


def _choice_schema(field: Field) -> dict:
    return {
        "type": "object",
        "required": ["value", "label"],
        "properties": {"value": {"enum": [value for value, _label in field.choice_pairs]}, "label": {"type": "string"}},
        "additionalProperties": False,
    }


def field_schema(field: Field) -> dict:
    """The JSON Schema of one field's value."""
    base = {
        "integer": lambda: {"type": "integer"},
        "string": lambda: {"type": "string"},
        "boolean": lambda: {"type": "boolean"},
        "date": lambda: {"type": "string", "format": "date"},
        "datetime": lambda: {"type": "string", "format": "date-time"},
        "json": lambda: {},
        "strings": lambda: {"type": "array", "items": {"type": "string"}},
        "person": lambda: {"$ref": "#/$defs/person"},
        "people": lambda: {"type": "array", "items": {"$ref": "#/$defs/person"}},
        "account": lambda: {"$ref": "#/$defs/account"},
        "unit": lambda: {"$ref": "#/$defs/unit"},
        "choice": lambda: _choice_schema(field),
        "choices": lambda: {"type": "array", "items": _choice_schema(field)},
        "objects": lambda: {"type": "array", "items": record_schema(field.items)},
    }[field.type]()
    options = [base]
    if field.null and field.type != "json":
        options.append({"type": "null"})
    if field.secret or (field.partly_secret and field.type != "json"):
        options.append({"$ref": "#/$defs/withheld"})
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    return {"description": field.description, **schema}


def record_schema(fields: Iterable[Field]) -> dict:
    fields = list(fields)
    return {
        "type": "object",
        "required": [f.name for f in fields],
        "properties": {f.name: field_schema(f) for f in fields},
        "additionalProperties": False,
    }


def file_schema(record_file: RecordFile) -> dict:
    """The JSON Schema of one JSON file of the export."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:{SCHEMA_NAME}:{record_file.name}:{SCHEMA_VERSION}",
        "title": record_file.path,
        "description": record_file.description,
        "type": "object",
        "required": ["schema", "kind", "title", "export", "records", "count"],
        "properties": {
            "schema": {"const": record_file.schema_id},
            "kind": {"const": record_file.name},
            "title": {"type": "string", "description": "The kind of record, in Swedish."},
            "export": {"$ref": "#/$defs/export"},
            "records": {"type": "array", "items": record_schema(record_file.fields)},
            "count": {"type": "integer", "description": "How many records the file holds."},
        },
        "additionalProperties": False,
        "$defs": DEFS,
    }


MANIFEST_FILE_SCHEMA = {
    "type": "object",
    "required": ["path", "size", "sha256", "media_type"],
    "properties": {
        "path": {"type": "string"},
        "size": {"type": "integer", "description": "Bytes."},
        "sha256": {"type": "string", "description": "The SHA-256 of the file's bytes, in hexadecimal."},
        "media_type": {"type": "string"},
    },
    "additionalProperties": False,
}


def manifest_schema() -> dict:
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:{SCHEMA_NAME}:manifest:{SCHEMA_VERSION}",
        "title": "manifest.json",
        "description": "What the export holds: each file with its size and SHA-256, the parameters, the counts.",
        "type": "object",
        "required": ["schema", "portal", "export", "counts", "evidence", "withheld", "files"],
        "properties": {
            "schema": {"const": f"{SCHEMA_NAME}/manifest/{SCHEMA_VERSION}"},
            "portal": {"type": "string"},
            "export": {
                "type": "object",
                "required": [
                    "id",
                    "account",
                    "period_from",
                    "period_until",
                    "public_copy",
                    "requested_by",
                    "requested_at",
                ],
                "properties": {
                    "id": {"type": "integer"},
                    "account": {
                        "anyOf": [{"$ref": "#/$defs/account"}, {"type": "null"}],
                        "description": "Empty: every account.",
                    },
                    "period_from": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "period_until": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "public_copy": {"type": "boolean"},
                    "requested_by": {"$ref": "#/$defs/person"},
                    "requested_at": {"type": "string", "format": "date-time"},
                },
                "additionalProperties": False,
            },
            "counts": {**counts, "description": "Records per file (accounts and each kind of record)."},
            "evidence": {
                "type": "object",
                "required": ["listed", "included"],
                "properties": {"listed": {"type": "integer"}, "included": {"type": "integer"}},
                "additionalProperties": False,
            },
            "withheld": {"type": "integer", "description": "Items withheld for a secrecy review (public copy)."},
            "files": {"type": "array", "items": MANIFEST_FILE_SCHEMA},
        },
        "additionalProperties": False,
        "$defs": DEFS,
    }


WITHHELD_ITEM_SCHEMA = {
    "type": "object",
    "required": ["file", "record_id", "field", "evidence_id", "reason", "note"],
    "properties": {
        "file": {"type": "string", "description": "The JSON file of the record."},
        "record_id": {"type": "integer", "description": "The record's id in that file."},
        "field": {"type": "string", "description": "The withheld field (evidence.file: of the evidence below)."},
        "evidence_id": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "reason": {"const": WITHHELD_REASON},
        "note": {"type": "string", "description": "Why it needs a secrecy review."},
    },
    "additionalProperties": False,
}


def secrecy_review_schema() -> dict:
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:{SCHEMA_NAME}:secrecy_review:{SCHEMA_VERSION}",
        "title": "secrecy_review.json",
        "description": "Every item a public copy withheld because it needs a secrecy review (sekretessprövning).",
        "type": "object",
        "required": ["schema", "export", "items", "count"],
        "properties": {
            "schema": {"const": f"{SCHEMA_NAME}/secrecy_review/{SCHEMA_VERSION}"},
            "export": {"$ref": "#/$defs/export"},
            "items": {"type": "array", "items": WITHHELD_ITEM_SCHEMA},
            "count": {"type": "integer"},
        },
        "additionalProperties": False,
        "$defs": DEFS,
    }


def all_schemas() -> dict[str, dict]:
    """{path in the ZIP: schema} for every JSON file an export can hold."""
    schemas = {f"schemas/{f.name}.schema.json": file_schema(f) for f in FILES}
    schemas["schemas/secrecy_review.schema.json"] = secrecy_review_schema()
    schemas["schemas/manifest.schema.json"] = manifest_schema()
    return schemas


def _markdown_type(f: Field) -> str:
    name = {"objects": "array of objects (below)", "choices": "array of choice", "people": "array of person"}.get(
        f.type, f.type
    )
    if f.null:
        name += " or null"
    if f.secret:
        name += " · **withheld** in a public copy"
    elif f.partly_secret:
        name += " · parts withheld in a public copy"
    return name


def fields_markdown() -> str:
    """The field tables of EXPORT_SCHEMA.md, written from the same definitions as the data (a test
    keeps the document equal to this)."""
    lines = []
    for record_file in FILES:
        lines += [f"### {record_file.path}", "", record_file.description, ""]
        lines += ["| Field | Type | Meaning |", "|---|---|---|"]
        lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in record_file.fields]
        lines.append("")
    lines += ["### Evidence (in moderation_cases.json and legal_basis.json)", ""]
    lines += ["| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in EVIDENCE_FIELDS]
    lines += ["", "### Attestations (in evidence)", ""]
    lines += ["| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {_markdown_type(f)} | {f.description} |" for f in ATTESTATION_FIELDS]
    return "\n".join(lines) + "\n"


# Writing ----------------------------------------------------------------------------------------


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def _choice(field: Field, value):
    if value in (None, ""):
        return None
    labels = dict(field.choice_pairs)
    return {"value": value, "label": str(labels.get(value, value))}


def _encode(field: Field, value, encode_items):
    if value is None:
        return None
    match field.type:
        case "date":
            return value.isoformat()
        case "datetime":
            return timezone.localtime(value).isoformat()
        case "person":
            return person(value)
        case "people":
            return [person(user) for user in value]
        case "account" | "unit":
            return {"id": value.pk, "name": value.name}
        case "choice":
            return _choice(field, value)
        case "choices":
            return [_choice(field, v) for v in value]
        case "objects":
            return [encode_items(item) for item in value]
        case "strings":
            return [str(v) for v in value]
        case _:
            return value


class _Entry:
    """One file being written into the ZIP, its SHA-256 and size computed on the way."""

    def __init__(self, archive: zipfile.ZipFile, path: str, date_time, media_type: str, compress=True):
        info = zipfile.ZipInfo(path, date_time=date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self.path, self.media_type = path, media_type
        self.stream = archive.open(info, "w", force_zip64=True)
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | str):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.stream.write(data)
        self.hash.update(data)
        self.size += len(data)

    def close(self) -> dict:
        self.stream.close()
        return {"path": self.path, "size": self.size, "sha256": self.hash.hexdigest(), "media_type": self.media_type}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


@dataclass
class _Build:
    """The state of one build: the ZIP being written, what it holds so far, and the progress."""

    export: RecordsExport
    archive: zipfile.ZipFile
    withheld_spool: Any
    files: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    evidence_listed: int = 0
    evidence_included: int = 0
    withheld: int = 0
    withheld_by_field: Counter = field(default_factory=Counter)
    done_steps: int = 0
    saved_steps: int = 0

    @property
    def date_time(self):
        # Every entry carries the time of the request: a rerun writes the same bytes.
        return timezone.localtime(self.export.requested_at).timetuple()[:6]

    @contextlib.contextmanager
    def entry(self, path, media_type, compress=True):
        """A file of the ZIP to write into; listed in the manifest once it is complete."""
        entry = _Entry(self.archive, path, self.date_time, media_type, compress)
        try:
            yield entry
        except BaseException:
            with contextlib.suppress(Exception):
                entry.stream.close()  # the ZIP can only be closed (and thrown away) without open entries
            raise
        self.files.append(entry.close())

    def step(self, n=1):
        self.done_steps += n
        if self.done_steps - self.saved_steps >= PROGRESS_EVERY:
            self.save_progress()

    def save_progress(self):
        RecordsExport.objects.filter(pk=self.export.pk).update(done_steps=self.done_steps)
        self.saved_steps = self.done_steps

    def export_ref(self) -> dict:
        return {"id": self.export.pk, "public_copy": self.export.public_copy}

    # Records ------------------------------------------------------------------------------------

    def encode_record(self, obj, fields, file_path, record_id, prefix="", evidence_id=None) -> dict:
        def mark(path, why):
            return self.withhold(file_path, record_id, f"{prefix}{path}", why, evidence_id)

        def encode_evidence(evidence):
            self.evidence_listed += 1
            return self.encode_record(evidence, EVIDENCE_FIELDS, file_path, record_id, "evidence.", evidence.pk)

        def encode_items(f):
            """How the objects of an "objects" field are written: evidence, or an evidence's attestations."""
            if f.items is EVIDENCE_FIELDS:
                return encode_evidence
            return lambda item: self.encode_record(
                item, f.items, file_path, record_id, f"{prefix}{f.name}.", evidence_id
            )

        public = self.export.public_copy
        record = {}
        for f in fields:
            value = f.raw(obj, mark if public else None)
            if public and f.secret and value not in (None, ""):
                record[f.name] = mark(f.name, f.secret)
            else:
                record[f.name] = _encode(f, value, encode_items(f))
        return record

    def withhold(self, file_path, record_id, field_path, why, evidence_id=None) -> dict:
        note = str(why)
        item = {
            "file": file_path,
            "record_id": record_id,
            "field": field_path,
            "evidence_id": evidence_id,
            "reason": WITHHELD_REASON,
            "note": note,
        }
        self.withheld_spool.write(_dumps(item) + "\n")
        self.withheld += 1
        self.withheld_by_field[(file_path, field_path, note)] += 1
        return {"withheld": True, "reason": WITHHELD_REASON, "note": note}

    def write_records(self, record_file: RecordFile):
        header = {
            "schema": record_file.schema_id,
            "kind": record_file.name,
            "title": str(record_file.title),
            "export": self.export_ref(),
        }
        count = 0
        with self.entry(record_file.path, "application/json") as entry:
            entry.write(_dumps(header)[:-1] + ', "records": [')
            for obj in record_file.records(self.export).iterator(chunk_size=CHUNK_SIZE):
                record = self.encode_record(obj, record_file.fields, record_file.path, obj.pk)
                entry.write(("\n" if count == 0 else ",\n") + _dumps(record))
                count += 1
                self.step()
            entry.write(f'\n], "count": {count}}}\n')
        self.counts[record_file.name] = count

    # Evidence -----------------------------------------------------------------------------------

    def write_evidence(self):
        for evidence in evidence_of(self.export).select_related("case", "legal_basis").iterator(chunk_size=CHUNK_SIZE):
            self.copy_evidence(evidence)
            self.step()

    def copy_evidence(self, evidence):
        owner = (
            _("moderation case %(id)s") % {"id": evidence.case_id}
            if evidence.case_id
            else _("legal-basis record %(id)s") % {"id": evidence.legal_basis_id}
        )
        try:
            source = evidence.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise ExportError(
                _(
                    "The evidence file %(name)s (evidence %(id)s of %(owner)s) is missing from the private storage. "
                    "Restore it from the backup and try again."
                )
                % {"name": evidence.original_name, "id": evidence.pk, "owner": owner}
            ) from None
        # Images and PDFs are compressed already: stored as they are.
        with source, self.entry(_evidence_zip_path(evidence), evidence.content_type, compress=False) as entry:
            while chunk := source.read(COPY_CHUNK):
                entry.write(chunk)
            # R22: evidence is never changed; bytes that no longer match the hash recorded at the
            # upload are not handed out as if they were the evidence.
            if entry.hash.hexdigest() != evidence.sha256 or entry.size != evidence.size:
                raise ExportError(
                    _(
                        "The evidence file %(name)s (evidence %(id)s of %(owner)s) no longer matches the SHA-256 "
                        "recorded when it was uploaded. Restore it from the backup and try again."
                    )
                    % {"name": evidence.original_name, "id": evidence.pk, "owner": owner}
                )
        self.evidence_included += 1

    # The rest -----------------------------------------------------------------------------------

    def write_json(self, path, value):
        with self.entry(path, "application/json") as entry:
            entry.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")

    def write_documentation(self):
        with self.entry("schemas/EXPORT_SCHEMA.md", "text/markdown") as entry:
            entry.write(SCHEMA_DOCUMENT.read_bytes())

    def write_secrecy_review(self):
        header = {"schema": f"{SCHEMA_NAME}/secrecy_review/{SCHEMA_VERSION}", "export": self.export_ref()}
        self.withheld_spool.seek(0)
        with self.entry("secrecy_review.json", "application/json") as entry:
            entry.write(_dumps(header)[:-1] + ', "items": [')
            for n, line in enumerate(self.withheld_spool):
                entry.write(("\n" if n == 0 else ",\n") + line.rstrip("\n"))
            entry.write(f'\n], "count": {self.withheld}}}\n')

    def withheld_items(self, limit):
        self.withheld_spool.seek(0)
        return [json.loads(line) for line in islice(self.withheld_spool, limit)]

    def write_summary(self):
        export = self.export
        labels = {f.name: (f.title, f.path) for f in FILES}
        context = {
            "export": export,
            "requested_at": timezone.localtime(export.requested_at),
            "rows": [(labels[name][0], labels[name][1], count) for name, count in self.counts.items()],
            "evidence_listed": self.evidence_listed,
            "evidence_included": self.evidence_included,
            "withheld": self.withheld,
            "withheld_by_field": [
                {"file": file_path, "field": field_path, "note": note, "count": count}
                for (file_path, field_path, note), count in sorted(self.withheld_by_field.items())
            ],
            "withheld_items": self.withheld_items(SUMMARY_WITHHELD_ROWS) if self.withheld else [],
            "withheld_more": max(0, self.withheld - SUMMARY_WITHHELD_ROWS),
            "schema_version": SCHEMA_VERSION,
        }
        with self.entry("summary.html", "text/html") as entry:
            entry.write(render_to_string("records/summary.html", context))

    def manifest(self) -> dict:
        export = self.export
        return {
            "schema": f"{SCHEMA_NAME}/manifest/{SCHEMA_VERSION}",
            "portal": "Falköpings kommun – SoMe-portalen",
            "export": {
                "id": export.pk,
                "account": {"id": export.account.pk, "name": export.account.name} if export.account_id else None,
                "period_from": export.period_from.isoformat() if export.period_from else None,
                "period_until": export.period_until.isoformat() if export.period_until else None,
                "public_copy": export.public_copy,
                "requested_by": person(export.requested_by),
                "requested_at": timezone.localtime(export.requested_at).isoformat(),
            },
            "counts": self.counts,
            "evidence": {"listed": self.evidence_listed, "included": self.evidence_included},
            "withheld": self.withheld,
            "files": self.files,
        }


def planned_steps(export) -> int:
    """The steps of the progress bar: every record, every evidence file, and the finish."""
    steps = sum(f.records(export).count() for f in FILES) + 1
    if not export.public_copy:
        steps += evidence_of(export).count()
    return steps


def write_zip(export, target) -> _Build:
    """Write the whole export into the file `target`. Returns the build's record of it."""
    with (
        zipfile.ZipFile(target, "w", allowZip64=True) as archive,
        tempfile.TemporaryFile("w+", encoding="utf-8") as spool,
    ):
        build = _Build(export=export, archive=archive, withheld_spool=spool)
        for record_file in FILES:
            build.write_records(record_file)
        if not export.public_copy:
            build.write_evidence()
        for path, schema in all_schemas().items():
            build.write_json(path, schema)
        build.write_documentation()
        if export.public_copy:
            build.write_secrecy_review()
        build.write_summary()
        build.write_json("manifest.json", build.manifest())
        build.step()
    return build


# The build, start to end ------------------------------------------------------------------------


def _partial_dir(export) -> Path:
    # The records storage is a file system storage (models.RecordsStorage): the ZIP is written
    # beside its final place and moved there when it is complete.
    return Path(export.file.storage.path("exports/partial"))


def _discard_partial(export):
    """Remove what an earlier, killed run of this export left half-written."""
    folder = _partial_dir(export)
    for leftover in folder.glob(f"{export.pk}-*.zip") if folder.exists() else ():
        with contextlib.suppress(OSError):
            leftover.unlink()


class _CompleteFile(File):
    """The finished ZIP, handed to the storage to be moved into place rather than copied."""

    def __init__(self, path: Path):
        super().__init__(path.open("rb"), name=path.name)
        self._path = path

    def temporary_file_path(self):
        return str(self._path)


def build_export(export_id) -> RecordsExport | None:
    """Build a records export (the worker's side): RUNNING with progress, then DONE with the ZIP's
    size, SHA-256 and counts, or FAILED with a message and no file. Starts over when run again
    before it is done; once it is done, running it again changes nothing. A copy of the task that
    arrives while another worker builds the export raises JobBusy (falkoping_some.locks)."""
    with exclusive("records-export", export_id) as mine:
        if not mine:
            raise JobBusy(f"records export {export_id}")
        return _build_export(export_id)


def _build_export(export_id) -> RecordsExport | None:
    try:
        export = RecordsExport.objects.select_related("account", "requested_by").get(pk=export_id)
    except RecordsExport.DoesNotExist:
        logger.warning("Records export %s does not exist", export_id)
        return None
    if export.status == ExportStatus.DONE:
        return export
    with translation.override(settings.LANGUAGE_CODE):
        export.status, export.error, export.done_steps, export.total_steps = ExportStatus.RUNNING, "", 0, 0
        export.file, export.size, export.sha256, export.counts, export.finished_at = "", None, "", {}, None
        export.save()
        target, name = None, ""
        try:
            export.total_steps = planned_steps(export)
            RecordsExport.objects.filter(pk=export.pk).update(total_steps=export.total_steps)
            _discard_partial(export)
            folder = _partial_dir(export)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{export.pk}-{uuid.uuid4().hex}.zip"
            build = write_zip(export, target)
            size, sha256 = _size_and_hash(target)
            complete = _CompleteFile(target)
            try:
                name = export.file.storage.save(export.file.field.generate_filename(export, "export.zip"), complete)
            finally:
                complete.close()
            return _finish(export, build, name, size, sha256)
        except ExportError as error:
            return _fail(export, error.message, target, name)
        except Exception as error:
            logger.exception("Records export %s failed", export.pk)
            message = _(
                "The export stopped because of an unexpected error (%(error)s). Try again; if it happens again, "
                "tell the portal's administrator."
            ) % {"error": type(error).__name__}
            return _fail(export, message, target, name)
        except BaseException:
            # The worker is being stopped: leave nothing half-written; the redelivered task starts over.
            _remove(target)
            raise


def _size_and_hash(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(COPY_CHUNK):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _remove(path: Path | None):
    if path is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _finish(export, build, name, size, sha256) -> RecordsExport:
    with transaction.atomic():
        current = RecordsExport.objects.select_for_update().get(pk=export.pk)
        if current.status == ExportStatus.DONE:
            # Another delivery of the same task finished first: keep its file, drop ours.
            export.file.storage.delete(name)
            return current
        export.file = name
        export.size, export.sha256 = size, sha256
        export.counts = {
            **build.counts,
            "evidence": build.evidence_listed,
            "evidence_files": build.evidence_included,
            "withheld": build.withheld,
        }
        export.status, export.done_steps, export.finished_at = ExportStatus.DONE, export.total_steps, timezone.now()
        export.save()
    return export


def _fail(export, message, target: Path | None, name: str) -> RecordsExport:
    _remove(target)
    if name:
        with contextlib.suppress(OSError):
            export.file.storage.delete(name)
    export.status, export.error, export.finished_at = ExportStatus.FAILED, message, timezone.now()
    export.file, export.size, export.sha256, export.counts = "", None, "", {}
    export.save()
    return export


# Requesting an export (the page's side) ---------------------------------------------------------


def request_export(actor, *, account=None, period_from=None, period_until=None, public_copy=False):
    """Comms asks for an export (R3): recorded at once, built by the worker once the request is
    committed. Raises PermissionDenied for anyone else."""
    from ..tasks import build_records_export

    if not actor.has_perm("records.export"):
        raise PermissionDenied
    with transaction.atomic():
        export = RecordsExport.objects.create(
            account=account,
            period_from=period_from,
            period_until=period_until,
            public_copy=public_copy,
            requested_by=actor,
        )
        enqueue_on_commit(build_records_export, export.pk)
    return export


def download_name(export) -> str:
    """A readable file name: handlingar-falkopings-bibliotek-2026-11-25.zip."""
    subject = slugify(export.account.name) if export.account_id else "alla-konton"
    day = timezone.localtime(export.requested_at).date().isoformat()
    suffix = "-offentlig-kopia" if export.public_copy else ""
    return f"handlingar-{subject or 'konto'}-{day}{suffix}.zip"


def record_download(actor, export):
    """R3: who took out which records. An ACCESS entry in the audit trail (with the actor and the
    IP address that AuditlogMiddleware adds), shown in the account's Händelselogg."""
    return LogEntry.objects.log_create(
        export,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        additional_data={"downloaded": download_name(export), "sha256": export.sha256},
    )
