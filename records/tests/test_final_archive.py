"""Issue 19: nothing is closed unarchived (R3, R15, R25). Before an account is closed, the portal
captures its platforms one last time and exports its whole history, and keeps both; closing without
that is refused unless comms writes why. The final archive runs eagerly here against the toy
platform (capture/tests/toy.py)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.closing import requirements
from accounts.models import AccountDecision, AccountStatus, DecisionStep, Mandate
from accounts.services.lifecycle import close_account
from accounts.tests.factories import UserFactory
from capture import crypto
from capture.models import Connection, ConnectionState
from capture.tests.toy import served
from falkoping_some.lib.errors import DomainError
from moderation.tests.files.storage import private_media
from records.final_archive import run
from records.guard import RecordDeletionRefused
from records.models import ExportStatus, FinalArchive, FinalArchiveState
from records.services import request_final_archive
from records.tasks import run_final_archive
from review.flags import close_account_for_inactivity
from review.models import FlagKind, ReviewFlag

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=STOCKHOLM)
REFUSED = "Kontot avslutades inte: Ingen slutarkivering har gjorts"
WAIVER = "Kontot är redan borttaget från plattformen."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


@pytest.fixture
def toy(monkeypatch):
    with served(monkeypatch) as platform:
        platform.add_post("p1", "Välkommen till biblioteket", days_ago=3)
        platform.add_post("p2", "Sagostund på lördag", days_ago=1)
        platform.add_comment("p2", "c1", "Vilken tid?")
        yield platform


@pytest.fixture
def connection(toy, library_account):
    return Connection.objects.create(
        account=library_account, kind="toy", base_url=toy.url, external_id="toy-1",
        token_encrypted=crypto.encrypt("good-token"), created_by=UserFactory(),
    )  # fmt: skip


@pytest.fixture
def eager(monkeypatch, django_capture_on_commit_callbacks):
    """The worker, in this process: the task runs when the request that queued it commits."""
    monkeypatch.setattr(run_final_archive, "delay", lambda pk: run_final_archive(pk))
    return django_capture_on_commit_callbacks


def archive(actor, account) -> FinalArchive:
    """A final archive requested and run at once."""
    return run(request_final_archive(actor, account).pk)


def final_archive_met(account) -> bool:
    return all(requirement.met for requirement in requirements(account))


class TestClosingWaitsForTheFinalArchive:
    def test_closing_without_it_is_refused_and_nothing_changes(self, kommunikator, redaktor, library_account):
        with pytest.raises(DomainError) as refused:
            close_account(kommunikator, library_account, "on_request", "Verksamheten slutar")
        assert refused.value.message.startswith(REFUSED)
        assert "Slutarkivera först, eller skriv varför kontot avslutas utan slutarkivering." in refused.value.message
        library_account.refresh_from_db()
        assert library_account.status == AccountStatus.ACTIVE and library_account.closed_on is None
        assert not AccountDecision.objects.filter(account=library_account, step=DecisionStep.CLOSING).exists()
        assert Mandate.objects.active().filter(account=library_account, user=redaktor).exists()

    @pytest.mark.parametrize("waiver", ["", "   \n "])
    def test_an_empty_reason_is_no_reason(self, kommunikator, library_account, waiver):
        with pytest.raises(DomainError, match=REFUSED):
            close_account(kommunikator, library_account, "on_request", waiver=waiver)
        library_account.refresh_from_db()
        assert library_account.status == AccountStatus.ACTIVE

    def test_with_a_reason_it_closes_and_the_reason_is_kept(self, kommunikator, library_account):
        decision = close_account(kommunikator, library_account, "on_request", waiver=f"  {WAIVER} ")
        library_account.refresh_from_db()
        assert library_account.status == AccountStatus.CLOSED
        assert library_account.closed_unarchived_reason == WAIVER
        assert decision.actor == kommunikator
        assert decision.comment == f"På begäran från verksamheten.\nAvslutat utan slutarkivering: {WAIVER}"

    def test_after_the_final_archive_it_closes_and_the_decision_names_it(self, kommunikator, connection):
        account = connection.account
        done = archive(kommunikator, account)
        assert done.state == FinalArchiveState.DONE and final_archive_met(account)
        decision = close_account(kommunikator, account, "on_request", waiver="ignored: nothing was missing")
        account.refresh_from_db()
        assert account.status == AccountStatus.CLOSED and account.closed_unarchived_reason == ""
        assert decision.comment == (
            f"På begäran från verksamheten.\nSlutarkiverat 2026-12-03 10:00: export av handlingar nr {done.export_id}, "
            "3 hämtade objekt."
        )

    def test_something_captured_after_the_final_archive_asks_for_it_again(self, kommunikator, connection, toy, clock):
        from capture.tasks import sync_connection

        account = connection.account
        archive(kommunikator, account)
        clock.shift(datetime.timedelta(hours=1))
        sync_connection(connection.pk)  # beat's hourly sync: nothing new on the platform
        assert final_archive_met(account)
        toy.add_post("p3", "Ett nytt inlägg", days_ago=0)
        sync_connection(connection.pk)
        [requirement] = requirements(account)
        assert not requirement.met
        assert requirement.message == "Något nytt hämtades efter slutarkiveringen 2026-12-03 10:00: gör den igen."
        with pytest.raises(DomainError, match="Något nytt hämtades"):
            close_account(kommunikator, account, "on_request")
        archive(kommunikator, account)
        assert final_archive_met(account)


class TestTheFinalArchive:
    def test_it_captures_each_connection_then_exports_the_whole_history(self, kommunikator, connection):
        done = archive(kommunikator, connection.account)
        assert done.captures == [
            {"connection": connection.pk, "kind": "toy", "ok": True, "error": "", "new": 3, "edited": 0,
             "missing": 0, "items": 3},
        ]  # fmt: skip
        export = done.export
        assert export.status == ExportStatus.DONE and export.account == connection.account
        # The whole history, complete: no period, not a public copy.
        assert (export.period_from, export.period_until, export.public_copy) == (None, None, False)
        assert export.counts["captured_items"] == 3 and done.items_exported == 3
        assert done.finished_at == NOW

    def test_a_failing_platform_is_recorded_and_the_export_is_made_all_the_same(
        self, kommunikator, connection, toy, library_account
    ):
        archive(kommunikator, library_account)  # three items captured before
        toy.token = "another-token"  # noqa: S105 (the platform no longer takes the connection's token)
        done = archive(kommunikator, library_account)
        assert done.state == FinalArchiveState.DONE
        [capture] = done.captures
        assert capture["ok"] is False and capture["outcome"] == "stopped" and capture["items"] == 3
        connection.refresh_from_db()
        assert connection.state == ConnectionState.BROKEN
        assert done.export.status == ExportStatus.DONE and done.items_exported == 3
        # A connection that is already stopped is not asked again, and says so.
        again = archive(kommunikator, library_account)
        assert again.captures[0]["outcome"] == "skipped" and again.state == FinalArchiveState.DONE

    def test_an_account_without_connections_is_archived_by_its_export(self, kommunikator, library_account):
        done = archive(kommunikator, library_account)
        assert done.state == FinalArchiveState.DONE and done.captures == []
        assert done.export.status == ExportStatus.DONE and final_archive_met(library_account)

    def test_a_removed_connection_is_not_captured_but_its_items_are_exported(self, kommunikator, connection):
        archive(kommunikator, connection.account)
        Connection.objects.filter(pk=connection.pk).update(state=ConnectionState.REMOVED)
        done = archive(kommunikator, connection.account)
        assert done.captures == [] and done.items_exported == 3

    def test_one_at_a_time_and_only_for_an_active_account(self, kommunikator, library_account, social_account):
        request_final_archive(kommunikator, library_account)
        with pytest.raises(DomainError, match="En slutarkivering av kontot pågår redan."):
            request_final_archive(kommunikator, library_account)
        close_account(kommunikator, social_account, "on_request", waiver=WAIVER)
        with pytest.raises(DomainError, match="Endast ett aktivt konto"):
            request_final_archive(kommunikator, social_account)

    def test_only_comms_asks_for_it(self, redaktor, chef, library_account):
        from django.core.exceptions import PermissionDenied

        for user in (redaktor, chef):
            with pytest.raises(PermissionDenied):
                request_final_archive(user, library_account)
        assert not FinalArchive.objects.exists()

    def test_it_is_a_record(self, kommunikator, library_account):
        done = archive(kommunikator, library_account)
        with pytest.raises(RecordDeletionRefused):
            done.delete()


class TestThePages:
    def test_the_close_page_refuses_without_it_and_offers_it(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        url = reverse("accounts:close", args=[library_account.pk])
        page = client.get(url).text
        assert "<strong>Inte gjort:</strong> Ingen slutarkivering har gjorts" in page
        start = reverse("records:final_archive_start", args=[library_account.pk])
        assert f'<form method="post" action="{start}">' in page and ">Slutarkivera</button>" in page
        assert '<label for="id_waiver">Avsluta utan slutarkivering: skäl:</label>' in page

        response = client.post(url, {"reason": "on_request"})
        assert response.status_code == 200
        assert response.context["form"].errors["waiver"] == [
            "Slutarkiveringen är inte gjord: gör den först, eller skriv varför kontot avslutas utan den."
        ]
        library_account.refresh_from_db()
        assert library_account.status == AccountStatus.ACTIVE

        response = client.post(url, {"reason": "on_request", "waiver": WAIVER})
        assert response.status_code == 302
        library_account.refresh_from_db()
        assert library_account.status == AccountStatus.CLOSED and library_account.closed_unarchived_reason == WAIVER
        page = client.get(library_account.get_absolute_url()).text
        assert f"<dt>Avslutat utan slutarkivering eftersom</dt><dd>{WAIVER}</dd>" in page

    def test_slutarkivera_then_close(self, client, kommunikator, connection, eager):
        account = connection.account
        client.force_login(kommunikator)
        with eager(execute=True):
            response = client.post(reverse("records:final_archive_start", args=[account.pk]))
        done = FinalArchive.objects.get()
        assert response.status_code == 302 and response["Location"] == done.get_absolute_url()
        done.refresh_from_db()
        assert done.state == FinalArchiveState.DONE and done.requested_by == kommunikator

        page = client.get(done.get_absolute_url()).text
        assert "Slutarkiveringen är klar" in page and "data-poll" not in page
        assert re.search(r'<th scope="row">Toy</th>\s*<td>Hämtad</td>\s*<td>3</td>', page)
        assert f'<a href="{done.export.get_absolute_url()}">Export av handlingar nr {done.export_id}</a>' in page

        close = reverse("accounts:close", args=[account.pk])
        page = client.get(close).text
        assert "<strong>Klart:</strong> Slutarkiverat 2026-12-03 10:00" in page and "3 hämtade objekt" in page
        assert f'<a href="{done.get_absolute_url()}">Visa slutarkiveringen</a>' in page
        assert "id_waiver" not in page
        response = client.post(close, {"reason": "on_request"})
        assert response.status_code == 302
        account.refresh_from_db()
        assert account.status == AccountStatus.CLOSED

    def test_the_status_page_follows_the_worker_and_names_the_failed_connection(
        self, client, kommunikator, connection, toy
    ):
        client.force_login(kommunikator)
        waiting = request_final_archive(kommunikator, connection.account)
        page = client.get(waiting.get_absolute_url()).text
        assert "js/progress.js" in page and f'data-poll="{waiting.get_absolute_url()}"' in page
        assert "Väntar på att bakgrundsjobbet ska starta" in page

        toy.token = "another-token"  # noqa: S105
        run(waiting.pk)
        page = client.get(waiting.get_absolute_url()).text
        assert "data-poll" not in page and "Slutarkiveringen är klar" in page
        assert "1 anslutning kunde inte hämtas." in page
        assert re.search(r'<th scope="row">Toy</th>\s*<td><strong>Inte hämtad:</strong> Plattformen', page)

    def test_closing_from_the_inactivity_flag_waits_for_it_too(self, client, kommunikator, library_account):
        flag = ReviewFlag.objects.create(account=library_account, kind=FlagKind.INACTIVE_6_MONTHS)
        with pytest.raises(DomainError, match=REFUSED):
            close_account_for_inactivity(kommunikator, flag)
        flag.refresh_from_db()
        library_account.refresh_from_db()
        assert flag.status == "open" and library_account.status == AccountStatus.ACTIVE

        client.force_login(kommunikator)
        url = reverse("review:flag_close", args=[flag.pk])
        page = client.get(url).text
        assert "Ingen slutarkivering har gjorts" in page and ">Slutarkivera</button>" in page
        response = client.post(url, {"reason": "inactive_6_months"})
        assert response.status_code == 200 and "waiver" in response.context["form"].errors
        response = client.post(url, {"reason": "inactive_6_months", "waiver": WAIVER})
        assert response.status_code == 302
        library_account.refresh_from_db()
        flag.refresh_from_db()
        assert library_account.status == AccountStatus.CLOSED and library_account.closed_unarchived_reason == WAIVER
        assert flag.status == "resolved"
