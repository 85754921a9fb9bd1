"""R5 and R9 from the platforms' own profiles (capture's profile snapshots): the description that
differs from the registry's is flagged, at once and by the daily check, and the flag goes when they
agree; the flag and the yearly self-check show both texts; the self-check lists the accounts
followed; comms (only) asks for a snapshot on the account's page."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from capture import tasks
from capture.connectors.base import Profile, followed
from capture.models import Connection, ProfileSnapshot
from capture.profiles import take_snapshot
from review import scheduled_checks as checks
from review.models import FlagKind, FlagStatus, ReviewFlag

NOW = datetime.datetime(2026, 7, 1, 2, 0, tzinfo=datetime.UTC)
REGISTRY = "Biblioteken i Falköping: lån, evenemang och läsfrämjande."


class StaticConnector:
    """A connector that answers a fixed profile (the connectors themselves are tested against the
    simulators in capture/tests/test_profiles.py)."""

    def __init__(self, description, following=None):
        self.answer = Profile(
            name="Falköpings bibliotek", description=description, followers=120, following=following,
            raw={"profile": {"description": description}},
        )  # fmt: skip

    def profile(self):
        return self.answer

    def media_allowed(self, url):
        return False


@pytest.fixture
def account(library_account):
    library_account.description = REGISTRY
    library_account.save()
    return library_account


@pytest.fixture
def connection(account):
    return Connection.objects.create(
        account=account, kind="mastodon", base_url="https://mastodon.example", external_id="109",
        created_by=UserFactory(),
    )  # fmt: skip


def snapshot(connection, description, following=None, now=None):
    return take_snapshot(connection, connector=StaticConnector(description, following), now=now)


def open_flag(account):
    return ReviewFlag.objects.filter(
        account=account, kind=FlagKind.PROFILE_DESCRIPTION_DIFFERS, status__in=["open", "acknowledged"]
    ).first()


@pytest.mark.django_db
class TestDescriptionCheck:
    def test_a_different_description_is_flagged_at_once_with_both_texts(self, connection, account):
        taken = snapshot(connection, "Välkommen till biblioteket!")
        flag = open_flag(account)
        assert flag is not None
        assert flag.evidence["registry"] == REGISTRY
        assert flag.evidence["platform"] == "Välkommen till biblioteket!"
        assert flag.evidence["snapshot"] == taken.pk and flag.evidence["connector"] == "mastodon"

    def test_whitespace_and_case_do_not_count(self, connection, account):
        snapshot(connection, "  biblioteken I FALKÖPING:\nlån,  evenemang och läsfrämjande. ")
        assert open_flag(account) is None

    def test_the_flag_resolves_when_a_later_snapshot_agrees(self, connection, account):
        snapshot(connection, "Något annat", now=NOW - datetime.timedelta(days=1))
        flag = open_flag(account)
        snapshot(connection, REGISTRY, now=NOW)
        flag.refresh_from_db()
        assert flag.status == FlagStatus.RESOLVED and open_flag(account) is None

    @time_machine.travel(NOW, tick=False)
    def test_the_daily_check_resolves_it_when_the_registry_is_corrected(self, connection, account):
        snapshot(connection, "Nytt om biblioteket.")
        assert open_flag(account) is not None
        account.description = "Nytt om biblioteket."
        account.save()
        (run,) = checks.run_checks(only=["profile_description"], today=NOW.date())
        assert (run.found, run.resolved) == (0, 1)
        assert open_flag(account) is None

    def test_only_the_latest_snapshot_counts(self, connection, account):
        snapshot(connection, REGISTRY, now=NOW - datetime.timedelta(days=200))
        snapshot(connection, "Ändrad beskrivning", now=NOW)
        found = checks.find_profile_description_differs(NOW.date())
        assert list(found) == [account.pk] and found[account.pk]["platform"] == "Ändrad beskrivning"

    def test_an_account_without_a_snapshot_is_not_judged(self, account):
        assert checks.find_profile_description_differs(NOW.date()) == {}

    def test_the_check_is_scheduled_daily(self):
        import importlib
        import json

        from django.apps import apps as django_apps
        from django_celery_beat.models import PeriodicTask

        importlib.import_module("review.migrations.0005_profile_description_check_schedule").create_schedules(
            django_apps, None
        )
        task = PeriodicTask.objects.get(name="Kontroll: profilens beskrivning (R5)")
        assert json.loads(task.kwargs) == {"only": ["profile_description"]}
        assert checks.CHECKS["profile_description"].kind == FlagKind.PROFILE_DESCRIPTION_DIFFERS


@pytest.mark.django_db
def test_the_queue_shows_both_texts_in_swedish(client, kommunikator, connection, account):
    snapshot(connection, "Välkommen till biblioteket!")
    client.force_login(kommunikator)
    html = client.get(reverse("review:queue")).content.decode()
    assert "Profilens beskrivning skiljer sig från registrets" in html
    assert "Välkommen till biblioteket!" in html and REGISTRY in html
    assert "I registret" in html and "På plattformen" in html


@pytest.mark.django_db
class TestSelfCheckPage:
    def test_it_lists_the_accounts_followed_with_the_snapshots_date(self, client, redaktor, connection, account):
        following = [
            followed(
                "11", "Skövde stadsbibliotek", "skovdebibliotek@mastodon.nu", "https://mastodon.nu/@skovdebibliotek"
            ),
            followed("12", "Pizzeria Roma", "pizzaroma@mastodon.social", "https://mastodon.social/@pizzaroma"),
        ]
        taken = snapshot(connection, REGISTRY, following=following)
        client.force_login(redaktor)
        html = client.get(reverse("review:self_check", args=[account.pk])).content.decode()
        assert "Konton som kontot följer (R9)" in html
        assert "Skövde stadsbibliotek" in html and "skovdebibliotek@mastodon.nu" in html
        assert 'href="https://mastodon.social/@pizzaroma"' in html
        assert timezone.localtime(taken.taken_at).strftime("%Y-%m-%d") in html
        assert "De stämmer överens." in html  # R5: platform and registry agree

    def test_it_says_when_the_platform_does_not_show_the_list(self, client, redaktor, connection, account):
        snapshot(connection, "Annan text", following=None)
        client.force_login(redaktor)
        html = client.get(reverse("review:self_check", args=[account.pk])).content.decode()
        assert "Plattformen visar inte vilka konton kontot följer" in html
        assert "De skiljer sig åt." in html and "Annan text" in html

    def test_without_a_snapshot(self, client, redaktor, account):
        client.force_login(redaktor)
        html = client.get(reverse("review:self_check", args=[account.pk])).content.decode()
        assert "Ingen ögonblicksbild av profilen har tagits ännu" in html


@pytest.mark.django_db
class TestOnDemand:
    def test_an_editor_may_not_ask_for_a_snapshot(self, client, redaktor, connection, account, monkeypatch):
        queued = []
        monkeypatch.setattr(tasks.take_profile_snapshot, "delay", lambda *args: queued.append(args))
        client.force_login(redaktor)
        response = client.post(reverse("capture:profile_snapshot", args=[account.pk]))
        assert response.status_code == 403 and queued == []
        assert "Ta en ögonblicksbild av profilen nu" not in client.get(account.get_absolute_url()).content.decode()

    def test_comms_queues_one_per_active_connection_and_is_told(
        self, client, kommunikator, connection, account, monkeypatch, django_capture_on_commit_callbacks
    ):
        queued = []
        monkeypatch.setattr(tasks.take_profile_snapshot, "delay", lambda *args: queued.append(args))
        client.force_login(kommunikator)
        assert "Ta en ögonblicksbild av profilen nu" in client.get(account.get_absolute_url()).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("capture:profile_snapshot", args=[account.pk]), follow=True)
        assert queued == [(connection.pk, kommunikator.pk)]
        assert "En ögonblicksbild av profilen tas nu" in response.content.decode()

    def test_the_account_page_shows_the_latest_snapshot_and_the_follower_history(
        self, client, redaktor, connection, account
    ):
        snapshot(connection, "Äldre text", now=NOW - datetime.timedelta(days=180))
        snapshot(connection, REGISTRY, following=[followed("11", "Skövde stadsbibliotek")], now=NOW)
        client.force_login(redaktor)
        html = client.get(account.get_absolute_url()).content.decode()
        assert "Profilen på plattformen (R4, R5, R9)" in html
        assert REGISTRY in html and "Följare i tidigare ögonblicksbilder" in html
        assert ProfileSnapshot.objects.filter(account=account).count() == 2
