"""The connection flags (R3, issue 18): a connection the platform stopped and a token that ends
within 14 days are flagged in the review queue and told to comms; the flags go when it is fixed.
The stop itself comes from the sync against the toy platform, over real HTTP."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountStatus, ClosingReason, Notification
from accounts.tests.factories import SocialAccountFactory, UserFactory
from capture import crypto, tasks
from capture.models import Connection, ConnectionState
from capture.tests.toy import served
from review import scheduled_checks as checks
from review.flags import FLAG_SEVERITY, queue
from review.models import FlagKind, FlagStatus, ReviewFlag

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def toy(monkeypatch):
    with served(monkeypatch) as platform:
        yield platform


def connect(
    account, expires=None, state=ConnectionState.ACTIVE, kind="facebook", base_url="https://graph.facebook.com"
):
    return Connection.objects.create(
        account=account, kind=kind, base_url=base_url, external_id="page-1", external_name="Biblioteket",
        token_encrypted=crypto.encrypt("good-token"), token_expires_at=expires, state=state,
        created_by=UserFactory(),
    )  # fmt: skip


def open_flag(account, kind):
    return ReviewFlag.objects.filter(account=account, kind=kind, status__in=["open", "acknowledged"]).first()


def mails(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


@pytest.mark.django_db
class TestTokenExpiring:
    @time_machine.travel(NOW, tick=False)
    @pytest.mark.parametrize(
        ("days", "flagged"), [(-3, True), (0, True), (14, True), (15, False)], ids=["past", "today", "14", "15"]
    )
    def test_a_token_within_14_days_or_past_is_flagged(self, library_account, days, flagged):
        connect(library_account, expires=NOW + datetime.timedelta(days=days))
        checks.run_checks(only=["token_expiring"], today=TODAY)
        assert bool(open_flag(library_account, FlagKind.TOKEN_EXPIRING)) is flagged

    @time_machine.travel(NOW, tick=False)
    def test_no_expiry_and_removed_connections_are_not_flagged(self, library_account, social_account):
        connect(library_account, expires=None)
        connect(social_account, expires=NOW, state=ConnectionState.REMOVED)
        assert checks.find_token_expiring(TODAY) == {}

    @time_machine.travel(NOW, tick=False)
    def test_a_new_token_resolves_the_flag(self, library_account):
        connection = connect(library_account, expires=NOW + datetime.timedelta(days=5))
        checks.run_checks(only=["token_expiring"], today=TODAY)
        flag = open_flag(library_account, FlagKind.TOKEN_EXPIRING)
        assert flag.evidence == {
            "connections": [
                {"connection": connection.pk, "connector": "facebook", "name": "Biblioteket", "expires": "2026-11-07"}
            ]
        }
        connection.token_expires_at = NOW + datetime.timedelta(days=60)
        connection.save()
        checks.run_checks(only=["token_expiring"], today=TODAY)
        flag.refresh_from_db()
        assert flag.status == FlagStatus.RESOLVED

    @time_machine.travel(NOW, tick=False)
    def test_comms_is_told_once_while_the_flag_is_open(self, library_account, kommunikator, redaktor):
        connect(library_account, expires=NOW + datetime.timedelta(days=5))
        checks.run_connection_checks(today=TODAY)
        checks.run_connection_checks(today=TODAY)
        [notice] = mails(kommunikator)
        assert notice.subject == "Token går snart ut: Falköpings bibliotek"
        assert "Facebook (Biblioteket): upphör den 2026-11-07" in notice.body
        assert mails(redaktor) == []  # comms holds the tokens; the digest tells the editors


@pytest.mark.django_db
class TestConnectionBroken:
    @time_machine.travel(NOW, tick=False)
    def test_a_broken_connection_is_flagged_and_resolved_when_active_again(self, library_account):
        connection = connect(library_account, state=ConnectionState.BROKEN)
        checks.run_checks(only=["connection_broken"], today=TODAY)
        flag = open_flag(library_account, FlagKind.CONNECTION_BROKEN)
        assert flag.evidence["connections"][0]["connection"] == connection.pk
        connection.state = ConnectionState.ACTIVE
        connection.save()
        checks.run_checks(only=["connection_broken"], today=TODAY)
        flag.refresh_from_db()
        assert flag.status == FlagStatus.RESOLVED

    @time_machine.travel(NOW, tick=False)
    def test_a_closed_account_is_not_flagged(self, db):
        closed = SocialAccountFactory(
            status=AccountStatus.CLOSED, closed_on=TODAY, closing_reason=ClosingReason.ON_REQUEST
        )
        connect(closed, state=ConnectionState.BROKEN)
        assert checks.find_connection_broken(TODAY) == {}

    def test_a_rejected_token_in_the_sync_raises_the_flag_and_tells_comms_at_once(
        self, toy, library_account, kommunikator, django_capture_on_commit_callbacks
    ):
        toy.add_post("p1", "Inlägg")
        connection = connect(library_account, kind="toy", base_url=toy.url)
        toy.token = "renewed-elsewhere"  # noqa: S105 (the platform no longer takes the stored one)
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.sync_connection(connection.pk) == "stopped"
        flag = open_flag(library_account, FlagKind.CONNECTION_BROKEN)
        assert flag is not None
        assert "refused the access token" in flag.evidence["connections"][0]["error"]
        [notice] = mails(kommunikator)
        assert notice.subject == "Anslutningen till plattformen har stoppats: Falköpings bibliotek"
        assert "refused the access token" in notice.body
        # The hourly check finds it flagged already: no second notice.
        checks.run_connection_checks()
        assert len(mails(kommunikator)) == 1

        # Comms gives it a new token: the next sync captures and the check resolves the flag.
        connection.refresh_from_db()
        connection.token_encrypted = crypto.encrypt("renewed-elsewhere")
        connection.state = ConnectionState.ACTIVE
        connection.save()
        assert tasks.sync_connection(connection.pk)["new"] == 1
        checks.run_connection_checks()
        flag.refresh_from_db()
        assert flag.status == FlagStatus.RESOLVED


@pytest.mark.django_db
def test_a_stopped_connection_comes_before_the_notices_in_the_queue(library_account, social_account):
    connect(library_account, expires=timezone.now())
    connect(social_account, state=ConnectionState.BROKEN)
    checks.run_connection_checks()
    kinds = [flag.kind for flag in queue()]
    assert kinds == [FlagKind.CONNECTION_BROKEN, FlagKind.TOKEN_EXPIRING]
    assert FLAG_SEVERITY[FlagKind.CONNECTION_BROKEN] < FLAG_SEVERITY[FlagKind.MANDATE_EXPIRING]
    assert FLAG_SEVERITY[FlagKind.TOKEN_EXPIRING] == max(FLAG_SEVERITY.values())


@pytest.mark.django_db
def test_the_queue_shows_the_connection_in_swedish(client, kommunikator, library_account):

    connect(library_account, expires=timezone.now() + datetime.timedelta(days=3))
    checks.run_connection_checks()
    client.force_login(kommunikator)
    html = client.get(reverse("review:queue")).content.decode()
    assert "Token går snart ut" in html
    assert "Facebook (Biblioteket): token upphör den" in html


@pytest.mark.django_db
def test_the_schedule():
    import importlib

    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    # Made again as the migration makes it (idempotent): a transactional test before this one may
    # have flushed the migrations' rows.
    importlib.import_module("review.migrations.0003_connection_check_schedule").create_schedules(django_apps, None)
    task = PeriodicTask.objects.get(name="Kontroll: anslutningar till plattformarna (R3)")
    assert task.task == "review.tasks.run_connection_checks"
    assert (task.crontab.minute, task.crontab.hour) == ("20", "*")
