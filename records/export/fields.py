"""The field definitions of every file of the export, and what a public copy withholds and why.
(records/export/__init__.py tells the whole.)"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from accounts.models import (
    AccountDecision,
    AccountStatus,
    ClosingReason,
    DecisionOutcome,
    DecisionStep,
    GraphicProfile,
    Mandate,
    Platform,
    Purpose,
    SocialAccount,
    Training,
    TrainingKind,
)
from activity.models import WeeklyActivity
from capture.models import ConnectorKind, ItemKind
from moderation.models import (
    Evidence,
    EvidenceAttestation,
    Inquiry,
    InquiryChannel,
    InquirySource,
    LegalBasis,
    LegalBasisRecord,
    ModerationCase,
    ModerationCategory,
    RemovedContentKind,
)
from records.audit import ACTIONS
from records.models import RecordsExport
from review.models import FlagKind, FlagStatus, ReviewFlag, SelfCheck

logger = logging.getLogger(__name__)


SCHEMA_VERSION = 1
SCHEMA_NAME = "falkoping-some-records"  # a file's "schema" is "falkoping-some-records/<file>/1"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CHUNK_SIZE = 1000  # rows fetched per round trip while iterating
COPY_CHUNK = 1024 * 1024
SUMMARY_WITHHELD_ROWS = 500  # summary.html lists this many withheld items; secrecy_review.json has all
WITHHELD_REASON = "secrecy_review"
EVIDENCE_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/json": "json",  # a captured copy of an item removed on the platform (R22)
}
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
WHY_CAPTURED = gettext_lazy("What a private person wrote on the account, or a private message.")


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
    Field(
        "platform_id",
        "string",
        "R16: the platform's own id of the account (a Facebook page's number, a YouTube channel's id).",
    ),
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
    Field(
        "closed_unarchived_reason",
        "string",
        "R3, R25: why it was closed without its final archive (capture and export); empty when it was archived.",
    ),
    Field("created_at", "datetime", "When the account was entered in the registry."),
    Field("updated_at", "datetime", "When its registry entry last changed."),
)

DECISION_FIELDS = (
    Field("id", "integer", "The decision's number in the portal."),
    _account_field(),
    Field("step", "choice", "R11, R13, R15: the step of the account's life.", choices=_choices(DecisionStep.choices)),
    Field("outcome", "choice", "The outcome.", choices=_choices(DecisionOutcome.choices)),
    Field("actor", "person", "Who decided."),
    # Stored as a code since accounts 0021; exported as before, the role's name (in Swedish, as
    # the choices' labels), so that version 1 of the format keeps its meaning and type.
    Field("role", "string", "In which role.", source=lambda decision, _mark: str(decision.get_role_display())),
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
    Field("answered_by", "person", "Who answered (empty when the account's captured reply answered it).", null=True),
    Field("logged_by", "person", "Who logged the question (empty for one found on the platform).", null=True),
    Field("logged_at", "datetime", "When it was logged, or found."),
    Field(
        "source",
        "choice",
        "R20: logged by an editor, or found among the captured items.",
        choices=_choices(InquirySource.choices),
    ),
    Field("item", "integer", "R20: the captured comment or message that asks.", source="item_id", null=True),
    Field("answer_item", "integer", "R20: the account's captured reply.", source="answer_item_id", null=True),
    Field("not_question_at", "datetime", "R20: when an editor marked it not a question.", null=True),
    Field("not_question_by", "person", "Who marked it not a question.", null=True),
    Field("not_question_reason", "string", "Why it is not a question."),
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
def _private_item(item) -> bool:
    """A captured item that is a private person's (a comment, a reply, a message by someone else) or
    a private message (either side of it): its words and its author need a secrecy review. The
    account's own posts and public replies are the municipality's own publication."""
    return not item.by_account or item.kind == ItemKind.MESSAGE


def _captured(name, item_of=lambda obj: obj):
    """The value of `name`, withheld in a public copy when the item is private (_private_item)."""

    def source(obj, mark):
        value = getattr(obj, name)
        if mark is not None and value not in (None, "") and _private_item(item_of(obj)):
            return mark(name, WHY_CAPTURED)
        return value

    return source


ITEM_VERSION_FIELDS = (
    Field("text", "string", "The text as it was before the edit.", source=_captured("text", lambda v: v.item),
          partly_secret=True),
    Field("raw", "json", "The platform's answer as it was captured then.", source=_captured("raw", lambda v: v.item),
          partly_secret=True),
    Field("raw_sha256", "string", "The SHA-256 of the canonical form of that answer."),
    Field("captured_at", "datetime", "When this version was captured."),
    Field("superseded_at", "datetime", "When the edit that replaced it was captured."),
)  # fmt: skip

CAPTURED_MEDIA_FIELDS = (
    Field("source_url", "string", "The image's or thumbnail's address on the platform.",
          source=_captured("source_url", lambda m: m.item), partly_secret=True),
    Field("sha256", "string", "The SHA-256 of the file kept in the portal's private storage."),
    Field("size", "integer", "The file's size in bytes."),
    Field("content_type", "string", "The file's type."),
    Field("captured_at", "datetime", "When it was captured."),
)  # fmt: skip

CAPTURED_ITEM_FIELDS = (
    Field("id", "integer", "The item's number in the portal."),
    _account_field(),
    Field("platform", "choice", "The connector that captured it.", choices=_choices(ConnectorKind.choices)),
    Field("platform_id", "string", "The item's id on the platform."),
    Field("kind", "choice", "A post, a comment or reply, or a private message.", choices=_choices(ItemKind.choices)),
    Field("thread_platform_id", "string", "The post or conversation it belongs to (the platform's id)."),
    Field("parent_platform_id", "string", "What it answers (the platform's id)."),
    Field("by_account", "boolean", "Published by the account itself."),
    # A private person's words and name, or a private message: reviewed before they are handed out.
    Field("text", "string", "The text as last captured.", source=_captured("text"), partly_secret=True),
    Field("author_id", "string", "The author's id on the platform.", source=_captured("author_id"),
          partly_secret=True),
    Field("author_name", "string", "The author's name on the platform.", source=_captured("author_name"),
          partly_secret=True),
    Field("permalink", "string", "The item's address on the platform.", source=_captured("permalink"),
          partly_secret=True),
    Field("published_at", "datetime", "When it was published. Places the record in the period.", null=True),
    Field("hidden", "boolean", "Hidden by the account on the platform."),
    Field("raw", "json", "The platform's answer as last captured.", source=_captured("raw"), partly_secret=True),
    Field("raw_sha256", "string", "The SHA-256 of the canonical form of the answer (also in manifest.json)."),
    Field("captured_at", "datetime", "When it was first captured."),
    Field("changed_at", "datetime", "When its last change was captured."),
    Field("last_seen_at", "datetime", "When it was last seen on the platform."),
    Field("missing_since", "datetime", "When its absence from the platform was first seen (deleted or hidden).",
          null=True),
    Field("version_count", "integer", "How many versions were captured (1: never edited)."),
    Field("versions", "objects", "The earlier versions, oldest first.", items=ITEM_VERSION_FIELDS,
          source=lambda item, mark: list(item.versions.all())),
    Field("media", "objects", "Its images and video thumbnails (the files stay in the portal).",
          items=CAPTURED_MEDIA_FIELDS, source=lambda item, mark: list(item.media.all())),
)  # fmt: skip


AUDITED_MODELS = (
    SocialAccount, Mandate, Training, AccountDecision, WeeklyActivity, ReviewFlag, SelfCheck,
    ModerationCase, Evidence, EvidenceAttestation, Inquiry, LegalBasisRecord, RecordsExport,
)  # fmt: skip


def _audit_action_choices() -> tuple:
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
