"""R3, R25: nothing deletes a record except a disposal that comms confirms.

For every model in guard.RECORD_MODELS: `delete()` on the instance, on a queryset and through a
cascade from what it hangs on is refused and the row stays; the admin offers no delete, not even
to a superuser; every URL of the project, POSTed to by comms and by a superuser with the fields
a delete would need, deletes no record; and inside `disposal_allowed()` a deletion does work (the
guard is a guard, not a wall)."""

import datetime
import re
import uuid

import pytest
from allauth.mfa.utils import is_mfa_enabled
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.signals import got_request_exception
from django.db import DatabaseError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.signals import pre_delete
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from accounts.models import AccountDecision, DecisionOutcome, DecisionStep, Training
from accounts.tests.factories import SocialAccountFactory
from activity.models import WeeklyActivity
from capture.models import CapturedItem, CapturedMedia, Connection, ItemVersion, ProfileSnapshot
from conftest import give_mfa
from council.models import CouncilMeeting, Invitation, MeetingStatus, MinutesAttachment
from falkoping_some.lib.private_files import store_private_file
from moderation.evidence import store_evidence
from moderation.models import EvidenceAttestation, Inquiry, LegalBasisRecord, ModerationCase, PlatformRemoval
from moderation.tests.files import png
from moderation.tests.files.storage import private_media
from records.guard import RECORD_MODELS, RecordDeletionRefused, disposal_allowed, record_models
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
from review.models import FlagKind, FlagStatus, ReviewFlag, SelfCheck

REFUSALS = (RecordDeletionRefused, ProtectedError, RestrictedError)


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


@pytest.fixture
def records(kommunikator, redaktor, library_account, media) -> dict[str, models.Model]:
    """One row of every record model, each the first of its model (pk 1 in a fresh database)."""
    now = timezone.now()
    mandate = redaktor.mandates.get()
    rule = RetentionRule.objects.create(kind=RecordKind.TRAININGS, retain_months=120, plan_reference="KS DHP 3.2")
    case = ModerationCase.objects.create(
        account=library_account,
        content_kind="comment",
        category="spam",
        description="Reklam",
        opened_by=redaktor,
        opened_at=now,
        removed_at=now,
    )
    meeting = CouncilMeeting.objects.create(
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, hours=2),
        place="Stadshuset",
        created_by=kommunikator,
        status=MeetingStatus.PUBLISHED,
        published_at=now,
    )
    found = {
        "accounts.SocialAccount": library_account,
        "accounts.Mandate": mandate,
        "accounts.AccountDecision": AccountDecision.objects.create(
            account=library_account,
            step=DecisionStep.REQUEST,
            outcome=DecisionOutcome.DONE,
            actor=redaktor,
            role="Redaktör",
        ),
        # The editor's training, recorded before the mandate could take effect (R14).
        "accounts.Training": Training.objects.get(trainee=redaktor),
        "activity.WeeklyActivity": WeeklyActivity.objects.create(
            account=library_account, week=datetime.date(2025, 1, 6), posts=2, logged_by=redaktor
        ),
        "review.ReviewFlag": ReviewFlag.objects.create(
            account=library_account, kind=FlagKind.POSTING_SHORTFALL, status=FlagStatus.RESOLVED, closed_at=now
        ),
        "review.SelfCheck": SelfCheck.objects.create(
            account=library_account,
            sender_clear=True,
            profile_description=True,
            no_political_stance=True,
            no_dialogue_elsewhere=True,
            follows_relevant_only=True,
            answered_by=redaktor,
        ),
        "records.RecordsExport": RecordsExport.objects.create(requested_by=kommunikator, status=ExportStatus.DONE),
        "records.RetentionRule": rule,
        # Issue 19: the final archive before closing, with an export of its own.
        "records.FinalArchive": FinalArchive.objects.create(
            account=library_account,
            requested_by=kommunikator,
            state=FinalArchiveState.DONE,
            export=RecordsExport.objects.create(
                account=library_account, requested_by=kommunikator, status=ExportStatus.DONE
            ),
            finished_at=now,
        ),
        "records.Disposal": Disposal.objects.create(
            rule=rule,
            kind=rule.kind,
            plan_reference=rule.plan_reference,
            retain_months=120,
            cutoff=datetime.date(2015, 1, 1),
            status=DisposalStatus.WITHDRAWN,
        ),
        "moderation.ModerationCase": case,
        "moderation.Evidence": (evidence := store_evidence(redaktor, png(), case=case)),
        "moderation.EvidenceAttestation": EvidenceAttestation.objects.create(
            evidence=evidence, attested_by=kommunikator, sha256=evidence.sha256
        ),
        "moderation.Inquiry": Inquiry.objects.create(
            account=library_account,
            channel="comment",
            received_at=now,
            summary="Öppettider?",
            deadline=now,
            answered_at=now,
            answered_by=redaktor,
            logged_by=redaktor,
        ),
        "moderation.LegalBasisRecord": LegalBasisRecord.objects.create(
            account=library_account,
            post="Bild från läsecirkeln",
            published_at=now,
            basis="consent",
            recorded_by=redaktor,
        ),
        "council.CouncilMeeting": meeting,
        "council.Invitation": Invitation.objects.create(meeting=meeting, user=redaktor),
        "council.MinutesAttachment": store_private_file(
            MinutesAttachment(
                meeting=meeting, original_name="bilder.png", content_type="image/png", uploaded_by=kommunikator
            ),
            png(),
        ),
    }
    found.update(captured(library_account, kommunikator, now))
    # R21: why the captured post is gone from the platform, explained without a case.
    found["moderation.PlatformRemoval"] = PlatformRemoval.objects.create(
        item=found["capture.CapturedItem"], reason="removed_by_author", explained_by=redaktor
    )
    found["auditlog.LogEntry"] = LogEntry.objects.order_by("pk").first()
    return found


def captured(account, comms, now, kind="facebook", platform_id="post-1") -> dict[str, models.Model]:
    """A connection, a post captured through it, an earlier version of the post and an image of it (R3)."""
    connection = Connection.objects.create(
        account=account, kind=kind, base_url="https://graph.facebook.com", external_id="page-1", created_by=comms
    )
    item = CapturedItem.objects.create(
        connection=connection, account=account, platform=kind, platform_id=platform_id, kind="post", text="Inlägg",
        by_account=True, published_at=now, raw={"id": platform_id}, raw_sha256="0" * 64,
    )  # fmt: skip
    version = ItemVersion.objects.create(item=item, text="Inläg", raw={}, raw_sha256="1" * 64, captured_at=now)
    picture = CapturedMedia(item=item, source_url="https://scontent.example/bild.png", sha256="2" * 64, size=4)
    picture.file.save("bild.png", ContentFile(b"png!"), save=False)
    picture.save()
    profile = ProfileSnapshot.objects.create(
        connection=connection, account=account, description="Kommunens sida.", raw={}, raw_sha256="4" * 64
    )
    return {
        "capture.Connection": connection,
        "capture.CapturedItem": item,
        "capture.ItemVersion": version,
        "capture.CapturedMedia": picture,
        "capture.ProfileSnapshot": profile,
    }


@pytest.fixture
def leaves(records, kommunikator, redaktor):
    """For the models whose row in `records` has others hanging on it (which would refuse first,
    with ProtectedError), one more row with nothing on it: only the guard stands in the way."""
    now = timezone.now()
    account = SocialAccountFactory()
    return {
        **records,
        "accounts.SocialAccount": account,
        "records.RetentionRule": RetentionRule.objects.create(kind=RecordKind.FLAGS, plan_reference="KS DHP 5.1"),
        "moderation.ModerationCase": ModerationCase.objects.create(
            account=records["accounts.SocialAccount"],
            content_kind="post",
            category="spam",
            description="Reklam",
            opened_by=redaktor,
        ),
        "council.CouncilMeeting": CouncilMeeting.objects.create(
            starts_at=now, ends_at=now + datetime.timedelta(hours=1), place="Stadshuset", created_by=kommunikator
        ),
        # A connection without items and an item without versions or media, on another platform.
        "capture.Connection": Connection.objects.create(
            account=records["accounts.SocialAccount"], kind="mastodon", base_url="https://mastodon.social",
            external_id="1", created_by=kommunikator,
        ),
        "capture.CapturedItem": CapturedItem.objects.create(
            connection=records["capture.Connection"], account=records["accounts.SocialAccount"], platform="facebook",
            platform_id="post-2", kind="post", raw={}, raw_sha256="3" * 64,
        ),
    }  # fmt: skip


def with_mfa(user):
    """The user with an active authenticator (a POST may have removed it: its transaction is undone)."""
    return user if is_mfa_enabled(user, types=["totp"]) else give_mfa(user)


def rows(label, records):
    model = apps.get_model(label)
    return model._default_manager.filter(pk=records[label].pk)


@pytest.mark.django_db
def test_the_fixture_has_every_record_model(records):
    assert set(records) == set(RECORD_MODELS)
    assert all(obj is not None and obj.pk for obj in records.values())


# delete() in every way ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("label", RECORD_MODELS)
class TestEveryRecordModel:
    def test_instance_delete_is_refused(self, leaves, label):
        with pytest.raises(RecordDeletionRefused, match=r"public record \(R3\)"), transaction.atomic():
            leaves[label].delete()
        assert rows(label, leaves).exists()

    def test_queryset_delete_is_refused(self, leaves, label):
        with pytest.raises(RecordDeletionRefused), transaction.atomic():
            rows(label, leaves).delete()
        with pytest.raises(REFUSALS), transaction.atomic():
            apps.get_model(label)._default_manager.all().delete()
        assert rows(label, leaves).exists()

    def test_deleting_what_it_hangs_on_is_refused(self, records, label):
        """Every object the record points to (its account, its people, its meeting, its content
        type…): deleting that one cascades to the record or is protected by it; either way refused."""
        record = records[label]
        parents = [
            getattr(record, f.name)
            for f in record._meta.concrete_fields
            if f.is_relation and f.many_to_one and getattr(record, f.attname) is not None
        ]
        assert parents or label == "records.RetentionRule"
        for parent in parents:
            with pytest.raises(REFUSALS), transaction.atomic():
                parent.delete()
            assert rows(label, records).exists(), parent


@pytest.mark.django_db
def test_a_cascade_reaches_the_guard(records):
    """Deleting a content type would cascade to the audit trail's entries: the guard refuses."""
    content_type = ContentType.objects.get_for_model(Training)
    with pytest.raises(RecordDeletionRefused), transaction.atomic():
        content_type.delete()
    assert LogEntry.objects.filter(content_type=content_type).exists()
    meeting = records["council.CouncilMeeting"]
    with pytest.raises(REFUSALS), transaction.atomic():
        meeting.delete()
    assert Invitation.objects.filter(meeting=meeting).exists()


def test_every_record_model_and_its_proxies_have_the_guard():
    protected = tuple(apps.get_model(label) for label in RECORD_MODELS)
    models_with_records = [m for m in apps.get_models() if issubclass(m, protected)]
    assert set(record_models()) == set(models_with_records)
    # Without a receiver Django would take the fast path that sends no signal at all.
    assert all(pre_delete.has_listeners(model) for model in models_with_records)


@pytest.mark.django_db
def test_a_confirmed_disposal_may_delete(records):
    training = records["accounts.Training"]
    with disposal_allowed():
        training.delete()
    assert not Training.objects.filter(pk=records["accounts.Training"].pk).exists()
    # Only inside the block, and the block ends even when it fails.
    with pytest.raises(ZeroDivisionError), disposal_allowed():
        1 / 0  # noqa: B018
    with pytest.raises(RecordDeletionRefused), transaction.atomic():
        records["activity.WeeklyActivity"].delete()


# The admin -------------------------------------------------------------------------------------


def record_admins():
    protected = tuple(apps.get_model(label) for label in RECORD_MODELS)
    return [(model, model_admin) for model, model_admin in admin.site._registry.items() if issubclass(model, protected)]


def test_the_admin_registers_record_models():
    # The admin tests below must not pass by finding nothing to test.
    assert {m._meta.label for m, _a in record_admins()} >= {
        "accounts.SocialAccount",
        "accounts.Mandate",
        "accounts.AccountDecision",
        "accounts.Training",
        "records.RetentionRule",
        "records.Disposal",
        "auditlog.LogEntry",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "kommunikator"])
def test_the_admin_offers_no_delete(records, who, request):
    user = request.getfixturevalue(who)
    http = RequestFactory().get("/admin/")
    http.user = user
    protected = tuple(apps.get_model(label) for label in RECORD_MODELS)
    for model, model_admin in record_admins():
        obj = records[model._meta.label]
        assert not model_admin.has_delete_permission(http), model
        assert not model_admin.has_delete_permission(http, obj), model
        assert "delete_selected" not in model_admin.get_actions(http), model
        for inline in model_admin.get_inline_instances(http, obj):
            if issubclass(inline.model, protected):
                assert not inline.get_formset(http, obj).can_delete, inline


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "kommunikator"])
def test_the_admin_delete_pages_refuse(client, records, who, request):
    client.force_login(with_mfa(request.getfixturevalue(who)))  # the admin asks staff for MFA
    for model, _model_admin in record_admins():
        obj = records[model._meta.label]
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        assert client.post(f"{info}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403, model
        client.post(f"{info}/", {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
        assert model._default_manager.filter(pk=obj.pk).exists(), model


# Every URL -------------------------------------------------------------------------------------

# Everything a delete could ask for, in one POST: the admin's confirmation and bulk action, a form's
# confirmation box.
DELETE_POST = {
    "post": "yes",
    "action": "delete_selected",
    "_selected_action": ["1"],
    "select_across": "0",
    "index": "0",
    "confirm": "on",
    "delete": "1",
    "DELETE": "on",
}
# The one page that deletes records, by design: a proposed disposal's confirmation (R25), tested
# in test_retention.py. The fixture's disposal is withdrawn, so even it deletes nothing here.
DISPOSAL_PAGE = "records:disposal_detail"


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


def concrete(route: str) -> str:
    """A path for a route: every parameter is 1 (every record model's first row), an admin app is
    accounts, a uuid a fresh one."""

    def converter(match):
        kind = match.group(1) or "str"
        return str(uuid.uuid4()) if kind == "uuid" else "1"

    def group(match):
        return {"app_label": "accounts", "url": "x"}.get(match.group(1), "1")

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", group, route)
    path = re.sub(r"<(?:(\w+):)?\w+>", converter, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def every_path():
    paths = {}
    for route, name in walk(get_resolver().url_patterns):
        paths[concrete(route)] = name
    return paths


def present(labels) -> dict[str, set]:
    return {label: set(apps.get_model(label)._default_manager.values_list("pk", flat=True)) for label in labels}


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_no_url_deletes_a_record(client, records, kommunikator, superuser):
    """Every URL of the project, POSTed to by comms and by a superuser: each request runs in a
    transaction rolled back afterwards (so a logout or a deleted user does not spoil the next
    one), and before the rollback every record that was there is still there."""
    assert all(records[label].pk == 1 for label in RECORD_MODELS), "every parameter is 1"
    paths = every_path()
    assert len(paths) > 200 and DISPOSAL_PAGE in paths.values()
    refusals = []

    def caught(sender, request, **kwargs):
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, RecordDeletionRefused):
            refusals.append((request.path, error))

    got_request_exception.connect(caught, dispatch_uid="record-guard-walk")
    client.raise_request_exception = False
    before = present(RECORD_MODELS)
    checked = 0
    try:
        for user in (kommunikator, superuser):
            for path, name in sorted(paths.items()):
                if name == DISPOSAL_PAGE:
                    continue
                resolve(path)  # the path is a real one
                with transaction.atomic():
                    client.force_login(with_mfa(user))
                    client.post(path, DELETE_POST)
                    try:
                        after = present(RECORD_MODELS)
                    except DatabaseError:  # the view broke the transaction: the rollback undoes it all
                        after = before
                    missing = {label: before[label] - after[label] for label in RECORD_MODELS}
                    assert not any(missing.values()), (user, path, missing)
                    checked += 1
                    transaction.set_rollback(True)
    finally:
        got_request_exception.disconnect(dispatch_uid="record-guard-walk")
    # A view that tries to delete a record is a bug even though the guard stops it.
    assert refusals == []
    assert checked == 2 * (len(paths) - 1)
    assert present(RECORD_MODELS) == before
