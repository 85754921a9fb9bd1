"""The permission matrix.

Every URL pattern of the project, taken from the URL resolver (a new view without a row in
MATRIX fails the test), asked by every role, with GET and with POST, against one world of real
objects. The expected answer of each cell is written down in MATRIX below; the test runs every
cell and fails once, listing each URL × role × method whose answer differs (or has no expectation).

"This" account/unit are the library's (library_account, in Biblioteket under Kultur); "the other"
are Socialförvaltningen's. The world holds the same objects for both, so the object-level check is
a mirror: what the manager of Kultur gets on Socialförvaltningen's objects is what the manager of
Socialförvaltningen gets on the library's, and likewise for the two editors.

A POST carries an empty body unless POST_DATA gives one (where the form would stop an empty one
before any permission is asked, or where the form takes an id): an allowed role may answer with
the form again (200, or 400 with its errors) or a redirect, a refused role never gets a success.
Each request runs in a savepoint that is rolled back, so no request changes the world for the
next one. Cells where the app does not do what the rules say are in KNOWN_HOLES, for a decision.
"""

import datetime
import logging
import uuid
import warnings
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import AccountStatus
from accounts.tests.factories import MandateFactory, SocialAccountFactory, UserFactory
from activity.models import ActivityImport
from capture.models import CapturedItem, CapturedMedia, Connection, ProfileSnapshot
from conftest import give_mfa
from council.models import CalendarFeed, CouncilMeeting, Invitation, MeetingStatus, MinutesAttachment
from falkoping_some.lib.private_files import store_private_file
from moderation.evidence import store_evidence
from moderation.models import Inquiry, LegalBasisRecord, ModerationCase
from moderation.tests.files import png
from moderation.tests.files.storage import private_media
from records.models import (
    Disposal,
    DisposalStatus,
    ExportStatus,
    FinalArchive,
    FinalArchiveState,
    RecordKind,
    RecordsExport,
    RetentionRule,
)
from review.models import FlagKind, ReviewFlag, SelfCheck

# The roles, in the order of a row.
ROLES = (
    "anonymous",
    "employee",  # medarbetare: a plain employee of Biblioteket
    "other_editor",  # annan_redaktor: editor of Socialförvaltningen's account
    "editor",  # redaktor: editor of the library's account
    "other_manager",  # annan_chef: manager of Socialförvaltningen
    "manager",  # chef: manager of Kultur, above Biblioteket
    "comms_no_mfa",  # kommunikator_utan_mfa: in the comms group, no MFA yet
    "comms",  # kommunikator: comms with TOTP
    "superuser",  # a superuser with TOTP, passed in the session
)
# Roles without a column of their own: each answers every cell as the role it names, unless
# EXTRA_EXCEPTIONS says otherwise. A superuser without MFA has no privilege until they activate and
# pass it (accounts/rules.py: needs_mfa_step), just as comms without it; an editor whose mandate
# was revoked (R10) is a plain employee of their unit again.
EXTRA_ROLES = {
    "superuser_no_mfa": "comms_no_mfa",
    "revoked_editor": "employee",
}
EXTRA_EXCEPTIONS = {}  # (URL name, method, role) -> answer
ALL_ROLES = (*ROLES, *EXTRA_ROLES)
FIXTURES = {
    "employee": "medarbetare",
    "other_editor": "annan_redaktor",
    "editor": "redaktor",
    "other_manager": "annan_chef",
    "manager": "chef",
    "comms_no_mfa": "kommunikator_utan_mfa",
    "comms": "kommunikator",
    "superuser": "superuser",  # given MFA in the test
    "superuser_no_mfa": "superuser_utan_mfa",
    "revoked_editor": "revoked_editor",
}
# The object-level mirror: on the other unit's objects, each of these gets what its twin gets here.
TWIN = {"editor": "other_editor", "other_editor": "editor", "manager": "other_manager", "other_manager": "manager"}

# Answers. A redirect is told by where it goes; OK is a success (2xx, or a redirect elsewhere).
LOGIN = "login"  # redirect to the sign-in page
MFA = "mfa"  # redirect to the page that activates two-factor authentication, or that asks its code
ADMIN_LOGIN = "admin login"  # the admin's login page (which itself asks for the portal's sign-in)
OK = "ok"
SAID_NO = "said no"  # heard (not 403), but a redirect with an error message: the state or the empty body


def row(*answers):
    """One answer per role, in the order of ROLES (and EXTRA_ROLES as the roles they name)."""
    assert len(answers) == len(ROLES)
    answer_of = dict(zip(ROLES, answers, strict=True))
    return {**answer_of, **{role: answer_of[like] for role, like in EXTRA_ROLES.items()}}


def same(answer):
    return row(*[answer] * len(ROLES))


# The common shapes of a row.
PUBLIC = same(OK)
NOT_ALLOWED = same(405)
NOT_FOUND = same(404)
STAFF = row(LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)
COMMS_ONLY = row(LOGIN, 403, 403, 403, 403, 403, MFA, OK, OK)
COMMS_SAID_NO = row(LOGIN, 403, 403, 403, 403, 403, MFA, SAID_NO, SAID_NO)
# The account's editors only (R10: a mandate in force today); a superuser with MFA passes every
# has_perm.
EDITORS = row(LOGIN, 403, 403, OK, 403, 403, 403, 403, OK)
EDITORS_AND_COMMS = row(LOGIN, 403, 403, OK, 403, 403, 403, OK, OK)
EDITORS_AND_COMMS_MFA = row(LOGIN, 403, 403, OK, 403, 403, MFA, OK, OK)
EDITORS_ANY_AND_COMMS = row(LOGIN, 403, OK, OK, 403, 403, MFA, OK, OK)  # an editor of any account
MANAGERS = row(LOGIN, 403, 403, 403, 403, OK, 403, 403, OK)
MANAGERS_AND_COMMS = row(LOGIN, 403, 403, 403, 403, OK, 403, OK, OK)
LOGIN_THEN_405 = row(LOGIN, 405, 405, 405, 405, 405, 405, 405, 405)
LOGIN_THEN_COMMS_405 = row(LOGIN, 403, 403, 403, 403, 403, MFA, 405, 405)


def rw(get, post):
    return {"GET": get, "POST": post}


# ONE table: every URL name of the project (the admin and allauth by their prefix, see below).
# A 400 is an allowed role whose empty form was refused; a 403 from get_object_for_user is also what
# comms without MFA get on pages that editors share with comms (only comms-only pages send them to
# activate MFA, accounts/access.py).
MATRIX = {
    # Public (R16), the health check, the icon and the language switch: anyone.
    "public:list": rw(PUBLIC, NOT_ALLOWED),
    "public:json": rw(PUBLIC, NOT_ALLOWED),
    "public:csv": rw(PUBLIC, NOT_ALLOWED),
    # The accessibility statement (lag 2018:1937): anyone reads it; comms change it.
    "publicinfo:statement": rw(PUBLIC, NOT_ALLOWED),
    "publicinfo:statement_edit": rw(COMMS_ONLY, COMMS_ONLY),
    # The check as JSON (R16): anyone; asked without ?url= it answers 400 (publicinfo/tests/test_verify.py).
    "publicinfo:verify": rw(same(400), NOT_ALLOWED),
    "health": rw(PUBLIC, NOT_ALLOWED),
    "favicon": rw(PUBLIC, NOT_ALLOWED),
    "set_language": rw(PUBLIC, PUBLIC),
    # Signed-in staff: the start page, the registry, people, requesting an account (R11).
    "dashboard": rw(STAFF, STAFF),
    "accounts:list": rw(STAFF, STAFF),
    "accounts:detail": rw(STAFF, STAFF),
    "accounts:person": rw(STAFF, STAFF),
    "accounts:request": rw(STAFF, STAFF),
    # The manager's decision (R11): the form is checked before the service asks who decides, so
    # the POST carries a valid approval of a request waiting in the unit (POST_DATA).
    "accounts:manager_decision": rw(LOGIN_THEN_405, MANAGERS),
    "accounts:comms_decision": rw(LOGIN_THEN_COMMS_405, COMMS_ONLY),
    # Comms only (R12, R13, R15, R3, R25): registry administration, the audit trail, the review
    # queue (R6, R19), the activity import, the records export and disposal, trainings (R14).
    "accounts:edit": rw(COMMS_ONLY, COMMS_ONLY),
    "accounts:activate": rw(COMMS_ONLY, COMMS_ONLY),
    "accounts:close": rw(COMMS_ONLY, COMMS_ONLY),
    "records:audit": rw(COMMS_ONLY, LOGIN_THEN_COMMS_405),
    "accounts:training_create": rw(COMMS_ONLY, COMMS_ONLY),
    "activity:import": rw(COMMS_ONLY, COMMS_ONLY),
    "activity:import_status": rw(COMMS_ONLY, COMMS_ONLY),
    "review:queue": rw(COMMS_ONLY, COMMS_ONLY),
    "review:flag_action": rw(NOT_ALLOWED, COMMS_ONLY),
    # R15: closing from a flag is confirmed on its own page; the world's flag (a posting shortfall)
    # closes nothing, so comms is heard and told so.
    "review:flag_close": rw(COMMS_SAID_NO, COMMS_SAID_NO),
    "records:index": rw(COMMS_ONLY, LOGIN_THEN_COMMS_405),
    "records:export_create": rw(COMMS_ONLY, COMMS_ONLY),
    "records:export_detail": rw(COMMS_ONLY, LOGIN_THEN_COMMS_405),
    "records:export_download": rw(COMMS_ONLY, LOGIN_THEN_COMMS_405),
    "records:disposal_list": rw(COMMS_ONLY, LOGIN_THEN_COMMS_405),
    "records:disposal_detail": rw(COMMS_ONLY, COMMS_ONLY),
    # Issue 19: the final archive before closing (R3, R15, R25), started by a POST from the close page.
    "records:final_archive_start": rw(LOGIN_THEN_COMMS_405, COMMS_ONLY),
    "records:final_archive_detail": rw(COMMS_ONLY, LOGIN_THEN_COMMS_405),
    # Mandates (R10): the unit's manager and comms; the list shows every manager their own units.
    "accounts:mandate_grant": rw(MANAGERS_AND_COMMS, MANAGERS_AND_COMMS),
    "accounts:mandate_revoke": rw(MANAGERS_AND_COMMS, MANAGERS_AND_COMMS),
    "accounts:mandate_list": rw(
        row(LOGIN, 403, 403, 403, OK, OK, MFA, OK, OK), row(LOGIN, 403, 403, 403, OK, OK, MFA, OK, OK)
    ),
    # Weekly activity (R19): the account's editors only.
    "activity:log": rw(EDITORS, EDITORS),
    # The self-check: editors answer; the unit's manager and comms read (R4, R5, R7–R9).
    "review:self_check": rw(
        row(LOGIN, 403, 403, OK, 403, OK, 403, OK, OK), row(LOGIN, 403, 403, 400, 403, 403, 403, 403, 400)
    ),
    # Moderation (R20–R23): the account's editors keep the records; comms reads them.
    "moderation:index": rw(EDITORS_ANY_AND_COMMS, EDITORS_ANY_AND_COMMS),  # the rule moderation.index
    "moderation:case_create": rw(EDITORS, EDITORS),
    "moderation:case": rw(EDITORS_AND_COMMS, LOGIN_THEN_405),
    "moderation:evidence_upload": rw(LOGIN_THEN_405, row(LOGIN, 403, 403, 400, 403, 403, 403, 403, 400)),
    "moderation:case_removed": rw(LOGIN_THEN_405, EDITORS),
    "moderation:case_police_report": rw(LOGIN_THEN_405, row(LOGIN, 403, 403, 400, 403, 403, 403, 403, 400)),
    "moderation:evidence_file": rw(EDITORS_AND_COMMS, LOGIN_THEN_405),  # R22: evidence to nobody else
    "moderation:case_not_criminal": rw(LOGIN_THEN_405, row(LOGIN, 403, 403, 400, 403, 403, 403, 403, 400)),
    # R22: a colleague who may see the case attests a screenshot; the editor here uploaded it.
    "moderation:evidence_attest": rw(LOGIN_THEN_405, row(LOGIN, 403, 403, 403, 403, 403, 403, OK, OK)),
    # R21: what disappeared from the platform or was hidden: editors and comms read the lists (of
    # every account they may see, or of one); the account's editors explain it.
    "moderation:removals": rw(EDITORS_ANY_AND_COMMS, LOGIN_THEN_405),
    "moderation:account_removals": rw(EDITORS_AND_COMMS, LOGIN_THEN_405),
    "moderation:removal_explain": rw(EDITORS, row(LOGIN, 403, 403, 400, 403, 403, 403, 403, 400)),
    "moderation:inquiries": rw(EDITORS_AND_COMMS_MFA, row(LOGIN, 403, 403, OK, 403, 403, MFA, 403, OK)),
    "moderation:inquiry": rw(EDITORS_AND_COMMS, EDITORS),
    "moderation:legal_bases": rw(EDITORS_AND_COMMS_MFA, row(LOGIN, 403, 403, OK, 403, 403, MFA, 403, OK)),
    "moderation:legal_basis": rw(EDITORS_AND_COMMS, LOGIN_THEN_405),
    "moderation:legal_evidence_upload": rw(LOGIN_THEN_405, EDITORS),
    # The SoMe council (R17, R24): every staff member reads; comms manages; invitees answer.
    "council:index": rw(STAFF, STAFF),
    "council:meeting": rw(STAFF, STAFF),
    "council:meeting_ics": rw(STAFF, LOGIN_THEN_405),
    "council:attachment_file": rw(STAFF, STAFF),
    "council:meeting_create": rw(COMMS_ONLY, COMMS_ONLY),
    "council:meeting_edit": rw(COMMS_ONLY, COMMS_ONLY),
    # An empty POST: the meeting is published already, a cancellation needs its reason, an upload
    # its file: comms is heard and told so.
    "council:meeting_publish": rw(LOGIN_THEN_COMMS_405, COMMS_SAID_NO),
    "council:meeting_cancel": rw(LOGIN_THEN_COMMS_405, COMMS_SAID_NO),
    "council:attendance": rw(COMMS_ONLY, COMMS_ONLY),
    "council:minutes": rw(COMMS_ONLY, COMMS_ONLY),
    "council:attachment_upload": rw(LOGIN_THEN_COMMS_405, COMMS_SAID_NO),
    "council:attendance_table": rw(COMMS_ONLY, COMMS_ONLY),
    # Answering: the invited editor, on the meeting's page (others have no invitation: 404) or by
    # the email's token (others: 403). Nobody answers on another's behalf, not even a superuser.
    "council:respond": rw(LOGIN_THEN_405, row(LOGIN, 404, 404, OK, 404, 404, 404, 404, 404)),
    "council:respond_by_token": rw(
        row(LOGIN, 403, 403, OK, 403, 403, 403, 403, 403), row(LOGIN, 403, 403, OK, 403, 403, 403, 403, 403)
    ),
    # The personal calendar feed: its settings and renewal are each user's own; the feed itself
    # needs no sign-in, the secret token is the key (a wrong token: at the end of the test).
    "council:feed_settings": rw(STAFF, LOGIN_THEN_405),
    "council:feed_renew": rw(LOGIN_THEN_405, STAFF),
    "council:feed": rw(PUBLIC, NOT_ALLOWED),
    # The platforms' record (R3): an account's archive, its items and their images to its editors
    # and comms (comments are citizens' personal data); nothing in it changes through the pages.
    "capture:archive": rw(EDITORS_AND_COMMS, LOGIN_THEN_405),
    "capture:item": rw(EDITORS_AND_COMMS, LOGIN_THEN_405),
    "capture:media": rw(EDITORS_AND_COMMS, LOGIN_THEN_405),
    "capture:search": rw(COMMS_ONLY, LOGIN_THEN_COMMS_405),
    # Connecting an account to its platform, renewing the token, removing: comms only. An empty
    # POST is the form again with its errors.
    "capture:connect": rw(COMMS_ONLY, COMMS_ONLY),
    "capture:renew": rw(COMMS_ONLY, COMMS_ONLY),
    "capture:remove": rw(COMMS_ONLY, COMMS_ONLY),
    # A snapshot of the account's profile now (R4, R5, R9): comms only, by POST.
    "capture:profile_snapshot": rw(LOGIN_THEN_COMMS_405, COMMS_ONLY),
}

# The file of a draft meeting's minutes, asked by its id (not a URL name: a check of its own).
DRAFT_ATTACHMENT = "council:attachment_file of a draft meeting"

# Cells where the app answers otherwise than the rules say, found by this test and left for a
# decision (the app is not changed here): (URL name, method, role) -> (what it answers now, why).
# Such a cell passes while it gives exactly that answer, so nothing else slips in; once the app
# gives the answer of MATRIX, the test fails until the entry is removed (a strict xfail).
KNOWN_HOLES = {}  # none: the two found (moderation:index for non-editors, a draft meeting's files) are fixed

# The URL kwargs of each URL name with parameters: from the world `w` and one side `s` of it
# (the library's objects, or for the mirror the other unit's).
KWARGS = {
    "accounts:detail": lambda w, s: {"pk": s.account.pk},
    "accounts:edit": lambda w, s: {"pk": s.account.pk},
    "accounts:manager_decision": lambda w, s: {"pk": s.requested.pk},
    "accounts:comms_decision": lambda w, s: {"pk": s.account.pk},
    "accounts:activate": lambda w, s: {"pk": s.account.pk},
    "accounts:close": lambda w, s: {"pk": s.account.pk},
    "records:audit": lambda w, s: {"pk": s.account.pk},
    "accounts:mandate_grant": lambda w, s: {"pk": s.account.pk},
    "accounts:mandate_revoke": lambda w, s: {"pk": s.mandate.pk},
    "accounts:person": lambda w, s: {"pk": s.editor.pk},
    "activity:log": lambda w, s: {"pk": s.account.pk},
    "activity:import_status": lambda w, s: {"pk": w.activity_import.pk},
    "review:flag_action": lambda w, s: {"pk": s.flag.pk, "action": "kvittera"},
    "review:flag_close": lambda w, s: {"pk": s.flag.pk},
    "records:export_detail": lambda w, s: {"pk": w.export.pk},
    "records:export_download": lambda w, s: {"pk": w.export.pk},
    "records:disposal_detail": lambda w, s: {"pk": w.disposal.pk},
    "records:final_archive_start": lambda w, s: {"pk": s.account.pk},
    "records:final_archive_detail": lambda w, s: {"pk": w.final_archive.pk},
    "review:self_check": lambda w, s: {"pk": s.account.pk},
    "moderation:case_create": lambda w, s: {"account_pk": s.account.pk},
    "moderation:case": lambda w, s: {"pk": s.case.pk},
    "moderation:evidence_upload": lambda w, s: {"pk": s.case.pk},
    "moderation:case_removed": lambda w, s: {"pk": s.case.pk},
    "moderation:case_police_report": lambda w, s: {"pk": s.case.pk},
    "moderation:evidence_file": lambda w, s: {"pk": s.evidence.pk},
    "moderation:case_not_criminal": lambda w, s: {"pk": s.case.pk},
    "moderation:evidence_attest": lambda w, s: {"pk": s.evidence.pk},
    "moderation:account_removals": lambda w, s: {"account_pk": s.account.pk},
    "moderation:removal_explain": lambda w, s: {"pk": s.gone.pk},
    "moderation:inquiries": lambda w, s: {"account_pk": s.account.pk},
    "moderation:inquiry": lambda w, s: {"pk": s.inquiry.pk},
    "moderation:legal_bases": lambda w, s: {"account_pk": s.account.pk},
    "moderation:legal_basis": lambda w, s: {"pk": s.legal.pk},
    "moderation:legal_evidence_upload": lambda w, s: {"pk": s.legal.pk},
    "council:meeting": lambda w, s: {"pk": w.meeting.pk},
    "council:meeting_edit": lambda w, s: {"pk": w.meeting.pk},
    "council:meeting_publish": lambda w, s: {"pk": w.meeting.pk},
    "council:meeting_cancel": lambda w, s: {"pk": w.meeting.pk},
    "council:meeting_ics": lambda w, s: {"pk": w.meeting.pk},
    "council:respond": lambda w, s: {"pk": w.meeting.pk},
    "council:respond_by_token": lambda w, s: {"token": w.invitation.token},
    "council:attendance": lambda w, s: {"pk": w.meeting.pk},
    "council:minutes": lambda w, s: {"pk": w.meeting.pk},
    "council:attachment_upload": lambda w, s: {"pk": w.meeting.pk},
    "council:attachment_file": lambda w, s: {"pk": w.attachment.pk},
    "council:feed": lambda w, s: {"token": w.feed.token},
    "capture:archive": lambda w, s: {"pk": s.account.pk},
    "capture:item": lambda w, s: {"pk": s.account.pk, "item_pk": s.captured.pk},
    "capture:media": lambda w, s: {"pk": s.account.pk, "item_pk": s.captured.pk, "media_pk": s.captured_media.pk},
    "capture:connect": lambda w, s: {"pk": s.account.pk},
    "capture:renew": lambda w, s: {"pk": s.account.pk, "connection_pk": s.connection.pk},
    "capture:remove": lambda w, s: {"pk": s.account.pk, "connection_pk": s.connection.pk},
    "capture:profile_snapshot": lambda w, s: {"pk": s.account.pk},
}

# The body of a POST, from the world and one side of it, where an empty one would stop at the
# form before any permission is asked, or where the form takes an id (object level in a form).
POST_DATA = {
    "accounts:manager_decision": lambda w, s: {"decision": "approve", "comment": "Godkänt."},
    "accounts:mandate_grant": lambda w, s: {"user": w.colleague.pk, "valid_from": timezone.localdate()},
    "accounts:mandate_revoke": lambda w, s: {"reason": "Har bytt tjänst."},
    "records:export_create": lambda w, s: {"account": s.account.pk},
    "council:respond": lambda w, s: {"response": "yes"},
    "moderation:evidence_attest": lambda w, s: {"confirm": "on"},
}

# URL names whose object belongs to an account (or is an editor of one): asked again with the
# other unit's objects, where each of the four unit roles must get what its twin gets here.
MIRRORED = {
    "accounts:detail",
    "accounts:edit",
    "accounts:manager_decision",
    "accounts:comms_decision",
    "accounts:activate",
    "accounts:close",
    "records:final_archive_start",
    "records:audit",
    "accounts:mandate_grant",
    "accounts:mandate_revoke",
    "accounts:person",
    "activity:log",
    "review:flag_action",
    "review:flag_close",
    "review:self_check",
    "moderation:case_create",
    "moderation:case",
    "moderation:evidence_upload",
    "moderation:case_removed",
    "moderation:case_police_report",
    "moderation:evidence_file",
    "moderation:case_not_criminal",
    "moderation:evidence_attest",
    "moderation:account_removals",
    "moderation:removal_explain",
    "moderation:inquiries",
    "moderation:inquiry",
    "moderation:legal_bases",
    "moderation:legal_basis",
    "moderation:legal_evidence_upload",
    "capture:archive",
    "capture:item",
    "capture:media",
    "capture:connect",
    "capture:renew",
    "capture:remove",
    "capture:profile_snapshot",
}


@dataclass
class Side:
    """The objects of one account and unit."""

    account: object
    requested: object  # a new account waiting for its manager (R11)
    editor: object
    mandate: object
    case: object
    evidence: object
    inquiry: object
    legal: object
    legal_evidence: object
    self_check: object
    flag: object
    connection: object  # to the platform (R3)
    captured: object  # a post captured from it
    captured_media: object  # its image
    gone: object  # a captured comment deleted on the platform since (R21)


@dataclass
class World:
    this: Side
    other: Side
    meeting: object
    invitation: object
    attachment: object
    export: object
    disposal: object
    activity_import: object
    feed: object
    colleague: object  # someone to grant a mandate to
    draft: object  # a meeting comms has not published yet
    draft_attachment: object  # a file comms attached to the draft's minutes
    final_archive: object  # the library account's, done (issue 19)


def build_capture(account, editor):
    """A connection of the account to its platform, a captured post and its image (R3)."""
    connection = Connection.objects.create(
        account=account,
        kind="facebook",
        base_url="https://graph.facebook.com/v26.0",
        external_id=f"page-{account.pk}",
        external_name=account.name,
        created_by=editor,
    )
    post = CapturedItem.objects.create(
        connection=connection,
        account=account,
        platform="facebook",
        platform_id=f"{account.pk}_1",
        kind="post",
        text="Välkommen till läsecirkeln",
        raw={"id": f"{account.pk}_1"},
        raw_sha256="0" * 64,
        published_at=timezone.now(),
    )
    image = CapturedMedia(item=post, source_url="https://example.com/a.png", sha256="1" * 64, size=1)
    image.content_type = "image/png"
    image.file.save(f"{account.pk}.png", png(), save=True)
    # Its profile (R4, R5, R9): the account's page and its self-check show it, and so the walk does.
    ProfileSnapshot.objects.create(
        connection=connection, account=account, taken_at=timezone.now() - datetime.timedelta(days=180),
        name=account.name, followers=1100, raw={}, raw_sha256="2" * 64,
    )  # fmt: skip
    ProfileSnapshot.objects.create(
        connection=connection, account=account, name=account.name, description="Sidan om biblioteket.",
        followers=1200, following=[{"id": "1", "name": "Stadsbiblioteket", "handle": "stadsbiblioteket",
                                    "url": "https://example.org/stadsbiblioteket"}],
        following_count=1, raw={}, raw_sha256="2" * 64, picture_sha256="3" * 64,
    )  # fmt: skip
    return connection, post, image


def build_gone(connection, post):
    """A comment on the post, captured, then missing from the platform (R21)."""
    now = timezone.now()
    return CapturedItem.objects.create(
        connection=connection, account=connection.account, platform="facebook",
        platform_id=f"{post.platform_id}_c1", kind="comment", text="Köp billiga klockor", author_name="Spammare",
        thread=post, parent=post, raw={"id": f"{post.platform_id}_c1"}, raw_sha256="2" * 64, published_at=now,
        missing_since=now,
    )  # fmt: skip


def build_side(account, editor) -> Side:
    now = timezone.now()
    connection, captured, captured_media = build_capture(account, editor)
    case = ModerationCase.objects.create(
        account=account,
        content_kind="comment",
        category="spam",
        description="Reklam",
        opened_by=editor,
        opened_at=now,
    )
    legal = LegalBasisRecord.objects.create(
        account=account, post="Bild från läsecirkeln", published_at=now, basis="consent", recorded_by=editor
    )
    return Side(
        account=account,
        requested=SocialAccountFactory(status=AccountStatus.REQUESTED, unit=account.unit, url="", activated_on=None),
        editor=editor,
        mandate=editor.mandates.get(),
        case=case,
        evidence=store_evidence(editor, png(), case=case),
        inquiry=Inquiry.objects.create(
            account=account,
            channel="comment",
            received_at=now,
            summary="Öppettider?",
            deadline=now + datetime.timedelta(days=1),
            logged_by=editor,
        ),
        legal=legal,
        legal_evidence=store_evidence(editor, png(), legal_basis=legal),
        self_check=SelfCheck.objects.create(
            account=account,
            sender_clear=True,
            profile_description=True,
            no_political_stance=True,
            no_dialogue_elsewhere=True,
            follows_relevant_only=True,
            answered_by=editor,
        ),
        flag=ReviewFlag.objects.create(account=account, kind=FlagKind.POSTING_SHORTFALL),
        connection=connection,
        captured=captured,
        captured_media=captured_media,
        gone=build_gone(connection, captured),
    )


def build_world(users, library_account, social_account) -> World:
    now = timezone.now()
    comms = users["comms"]
    meeting = CouncilMeeting.objects.create(
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, hours=2),
        place="Stadshuset",
        created_by=comms,
        status=MeetingStatus.PUBLISHED,
        published_at=now,
    )
    export = RecordsExport.objects.create(account=library_account, requested_by=comms, status=ExportStatus.DONE)
    export.file.save("export.zip", png(), save=True)
    rule = RetentionRule.objects.create(kind=RecordKind.TRAININGS, retain_months=120, plan_reference="KS DHP 3.2")
    draft = CouncilMeeting.objects.create(
        starts_at=now + datetime.timedelta(days=14),
        ends_at=now + datetime.timedelta(days=14, hours=2),
        place="Stadshuset",
        created_by=comms,
    )
    return World(
        this=build_side(library_account, users["editor"]),
        other=build_side(social_account, users["other_editor"]),
        meeting=meeting,
        invitation=Invitation.objects.get_or_create(meeting=meeting, user=users["editor"])[0],
        attachment=store_private_file(
            MinutesAttachment(meeting=meeting, original_name="bilder.png", content_type="image/png", uploaded_by=comms),
            png(),
        ),
        export=export,
        disposal=Disposal.objects.create(
            rule=rule,
            kind=rule.kind,
            plan_reference=rule.plan_reference,
            retain_months=120,
            cutoff=datetime.date(2015, 1, 1),
            status=DisposalStatus.PROPOSED,
        ),
        activity_import=ActivityImport.objects.create(file_name="aktivitet.csv", content="", created_by=comms),
        feed=CalendarFeed.objects.create(user=users["editor"]),
        colleague=users["employee"],
        draft=draft,
        draft_attachment=store_private_file(
            MinutesAttachment(meeting=draft, original_name="utkast.png", content_type="image/png", uploaded_by=comms),
            png(),
        ),
        final_archive=FinalArchive.objects.create(
            account=library_account, requested_by=comms, state=FinalArchiveState.DONE, export=export, finished_at=now
        ),
    )


# Walking the resolver ----------------------------------------------------------------------------


def walk(patterns, prefix="", namespace=""):
    """(route, URL name) of every pattern, with the namespaces of the includes it sits in."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


# Running the cells -------------------------------------------------------------------------------


def answer(response) -> str | int:
    if response.status_code in (301, 302, 303, 307, 308):
        where = response["Location"]
        if where.startswith(reverse("account_login")):
            return LOGIN
        if where.startswith((reverse("mfa_activate_totp"), reverse("mfa_reauthenticate"))):
            return MFA
        if where.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if any(m.level == messages.ERROR for m in messages.get_messages(response.wsgi_request)):
            return SAID_NO
        return OK
    if 200 <= response.status_code < 300:
        return OK
    return response.status_code


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private"):
        yield


@pytest.fixture
def quiet():
    """A thousand refusals are each logged as a warning; a 500 is still logged (as an error)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


class Asker:
    """Asks one cell at a time, each inside a savepoint rolled back afterwards.

    Each role signs in once, before the first cell (force_login for every cell would cost a
    quarter of the run); a cell then only carries that role's session cookie. A cell that signs
    out or changes the session does so inside its savepoint, and the next cell has it back."""

    def __init__(self, client, users):
        self.client = client
        self.client.raise_request_exception = False  # a 500 is an answer, listed like any other
        self.users = users
        self.sessions = {}
        for role, user in users.items():
            self.client.cookies = SimpleCookie()
            self.client.force_login(user)
            self.sessions[role] = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.asked = 0

    def __call__(self, role, method, path, data=None):
        self.client.cookies = SimpleCookie()
        if role != "anonymous":
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        with transaction.atomic():
            response = getattr(self.client, method.lower())(path, data or {})
            transaction.set_rollback(True)
        # A file's answer is not closed: response.close() sends request_finished, which would close
        # the database connection in the middle of the test's transaction.
        self.asked += 1
        return answer(response)


def check(ask, wrong, label, method, path, expected, roles=ALL_ROLES, data=None, name=None):
    for role in roles:
        got = ask(role, method, path, data)
        want = EXTRA_EXCEPTIONS.get((name, method, role), expected.get(role))
        known, why = KNOWN_HOLES.get((name, method, role), (None, ""))
        if known is not None and got == want:
            wrong.append(f"{method} {path} ({label}) as {role}: the known hole is closed, remove it from KNOWN_HOLES")
        elif got != want and got != known:
            wrong.append(f"{method} {path} ({label}) as {role}: expected {want}, got {got}")


# The admin, by its prefix: its index and a few model pages. Only comms with MFA and superusers
# with MFA get in (falkoping_some/middleware.py sends privileged users without MFA to activate it);
# anyone else is sent to the admin's login address, which shows no form: it sends the signed-out to
# the portal's sign-in and refuses the signed-in (falkoping_some/urls.py).
ADMIN_PAGES = [
    ("admin:index", lambda w: {}),
    ("admin:accounts_socialaccount_changelist", lambda w: {}),
    ("admin:accounts_socialaccount_change", lambda w: {"object_id": w.this.account.pk}),
    ("admin:accounts_user_changelist", lambda w: {}),
    ("admin:accounts_mandate_changelist", lambda w: {}),  # shown only: granted on the portal's pages (R10)
]
ADMIN = row(ADMIN_LOGIN, *[ADMIN_LOGIN] * 5, MFA, OK, OK)

# allauth's own URLs under /inloggning/ (sign-in, password reset, MFA, the SSO callbacks)
# are covered by one rule: allauth decides their access itself and its tests cover it; the portal
# adds nothing to them but its adapters (tested in test_signin.py and test_sso.py). Here: the
# sign-in page is open, the pages of one's own MFA ask for sign-in.
ALLAUTH_PREFIX = "inloggning/"
ALLAUTH_PAGES = {
    "account_login": rw(PUBLIC, same(OK)),
    "mfa_index": rw(STAFF, LOGIN_THEN_405),
    "mfa_activate_totp": rw(STAFF, STAFF),
}


@pytest.fixture
def superuser_utan_mfa(db, kultur):
    return UserFactory(email="admin2@example.falkoping.se", unit=kultur, is_staff=True, is_superuser=True)


@pytest.fixture
def revoked_editor(biblioteket, library_account):
    """Was editor of the library's account until the mandate was revoked (R10)."""
    user = UserFactory(email="fd.redaktor@example.falkoping.se", unit=biblioteket)
    MandateFactory(user=user, account=library_account, revoked_at=timezone.now(), revoke_reason="Ny tjänst")
    return user


@pytest.mark.django_db
def test_permission_matrix(client, request, library_account, social_account, media, quiet):
    users = {role: request.getfixturevalue(name) for role, name in FIXTURES.items()}
    give_mfa(users["superuser"])
    world = build_world(users, library_account, social_account)
    ask = Asker(client, users)
    wrong = []

    # Every URL pattern has its row, and every row is a URL pattern.
    routes = list(walk(get_resolver().url_patterns))
    portal = {name: route for route, name in routes if not name.startswith("admin:") and ALLAUTH_PREFIX not in route}
    assert all(route.startswith(ALLAUTH_PREFIX) for route, name in routes if name in ALLAUTH_PAGES)
    ours = [route for route, name in routes if not name.startswith("admin:") and ALLAUTH_PREFIX not in route]
    assert len(portal) == len(ours), "two URL patterns share a name (or have none): give each its own"
    wrong += [f"{name or route}: no row in MATRIX" for name, route in portal.items() if name not in MATRIX]
    wrong += [f"{name}: in MATRIX but not a URL" for name in MATRIX if name not in portal]

    def body(name, side):
        return POST_DATA[name](world, side) if name in POST_DATA else None

    for name in sorted(set(portal) & set(MATRIX)):
        path = reverse(name, kwargs=KWARGS[name](world, world.this) if name in KWARGS else None)
        for method in ("GET", "POST"):
            check(ask, wrong, name, method, path, MATRIX[name][method], data=body(name, world.this), name=name)
            if name in MIRRORED:
                # Object level: the other unit's objects, for the four roles bound to a unit.
                other = reverse(name, kwargs=KWARGS[name](world, world.other))
                mirror = {role: MATRIX[name][method][twin] for role, twin in TWIN.items()}
                check(ask, wrong, f"{name}, the other unit's", method, other, mirror, TWIN, body(name, world.other))

    for name, kwargs in ADMIN_PAGES:
        check(ask, wrong, name, "GET", reverse(name, kwargs=kwargs(world)), ADMIN)
    for name, spec in ALLAUTH_PAGES.items():
        for method in ("GET", "POST"):
            check(ask, wrong, name, method, reverse(name), spec[method])

    # The secret tokens: the right one is in MATRIX, a wrong one reveals nothing to anyone.
    wrong_token = {"token": "x" + uuid.uuid4().hex}
    path = reverse("council:respond_by_token", kwargs=wrong_token)
    check(ask, wrong, "council:respond_by_token, a wrong token", "GET", path, row(LOGIN, *[404] * 8))
    path = reverse("council:feed", kwargs=wrong_token)
    check(ask, wrong, "council:feed, a wrong token", "GET", path, NOT_FOUND)
    # The consent form kept as a legal basis's evidence (R23) is served as a case's is (R22).
    label = "moderation:evidence_file, a legal basis's"
    path = reverse("moderation:evidence_file", kwargs={"pk": world.this.legal_evidence.pk})
    check(ask, wrong, label, "GET", path, EDITORS_AND_COMMS)
    path = reverse("moderation:evidence_file", kwargs={"pk": world.other.legal_evidence.pk})
    check(
        ask, wrong, f"{label}, the other unit's", "GET", path, {r: EDITORS_AND_COMMS[t] for r, t in TWIN.items()}, TWIN
    )
    # A draft meeting is comms' own until it is published (R17): hidden from everyone else, and
    # so are the files of its minutes.
    for name in ("council:meeting", "council:meeting_ics"):
        path = reverse(name, kwargs={"pk": world.draft.pk})
        check(ask, wrong, f"{name}, a draft", "GET", path, row(LOGIN, *[404] * 6, OK, OK))
    path = reverse("council:attachment_file", kwargs={"pk": world.draft_attachment.pk})
    check(ask, wrong, "a draft's", "GET", path, row(LOGIN, *[404] * 6, OK, OK), name=DRAFT_ATTACHMENT)
    # Evidence and attachments are under no public URL (R22): not as static files, not as media.
    for stored in (world.this.evidence, world.attachment, world.export):
        for prefix in ("/static/", "/media/", "/"):
            check(ask, wrong, "a private file", "GET", prefix + stored.file.name, NOT_FOUND, ("anonymous", "comms"))

    if KNOWN_HOLES:
        holes = {}
        for (name, method, role), (_answer, why) in KNOWN_HOLES.items():
            holes.setdefault((name, why), []).append(f"{method} as {role}")
        listing = "\n".join(f"{name} ({', '.join(cells)}): {why}" for (name, why), cells in holes.items())
        warnings.warn(f"Permission matrix, known holes:\n{listing}", stacklevel=1)
    assert not wrong, f"{len(wrong)} of {ask.asked} cells differ from the table:\n" + "\n".join(wrong)
    assert ask.asked > 1400, "the matrix asked too little to mean anything"
