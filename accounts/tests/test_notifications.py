"""Notices through the outbox: rendered in Swedish, stored in the decision's transaction, queued
after the commit, sent once, retried while the mail server is down, swept when the worker missed
them; and the daily R10 reminder about mandates that end soon."""

import datetime
import logging
import smtplib
import zoneinfo

import pytest
import time_machine
from celery.exceptions import Retry
from celery.signals import task_retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from accounts import tasks
from accounts.models import AccountDecision, Mandate, Notification
from accounts.notifications import (
    MANDATE_EXPIRY_NOTICE,
    deliver,
    notify,
    notify_expiring_mandates,
    send_pending_notifications,
)
from accounts.tests.factories import MandateFactory, OrgUnitFactory, SocialAccountFactory, UserFactory

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
TODAY = datetime.date(2025, 6, 2)
MORNING = datetime.datetime(2025, 6, 2, 7, 0, tzinfo=STOCKHOLM)
FOOTER = "SoMe"  # the last line names the portal, in whatever words the translation gives


class FlakyMailServer(LocmemBackend):
    """A mail server that drops the connection for the next `down_for` messages, then works."""

    down_for = 0

    def send_messages(self, messages):
        if FlakyMailServer.down_for:
            FlakyMailServer.down_for -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyMailServer"
    FlakyMailServer.down_for = 0
    yield FlakyMailServer
    FlakyMailServer.down_for = 0


@pytest.fixture
def queued(monkeypatch):
    """The ids handed to the worker (no broker in these tests)."""
    ids = []
    monkeypatch.setattr(tasks.send_notification, "delay", ids.append)
    return ids


@pytest.fixture
def retries():
    """The retries that Celery was asked for."""
    reasons = []

    def record(sender=None, reason=None, **kwargs):
        reasons.append(reason)

    task_retry.connect(record, weak=False)
    yield reasons
    task_retry.disconnect(record)


def expiring(mandate_user, account, until, **kwargs):
    return MandateFactory(
        user=mandate_user, account=account, valid_from=datetime.date(2025, 1, 1), valid_until=until, **kwargs
    )


def notice_for(user, account, django_capture_on_commit_callbacks):
    """One committed notice, as a service would leave it."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        [notification] = notify([user], "account_activated", {"account": account, "url": account.get_absolute_url()})
    return notification


@pytest.mark.django_db
class TestNotify:
    def test_one_swedish_notice_per_reachable_recipient_with_an_absolute_link(
        self, settings, chef, redaktor, library_account, queued, django_capture_on_commit_callbacks
    ):
        settings.SITE_URL = "https://some.falkoping.se"
        mandate = expiring(redaktor, library_account, datetime.date(2025, 6, 30))
        gone = UserFactory(is_active=False)
        no_email = UserFactory(email="")
        # The actor reads the portal in English; the managers get Swedish all the same.
        with (
            translation.override("en"),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            transaction.atomic(),
        ):
            created = notify(
                [chef, redaktor, chef, gone, no_email, None],
                "mandate_expiring",
                {"mandate": mandate, "url": "/konton/1/"},
            )
            assert queued == []  # not before the commit
        assert [n.recipient for n in created] == [chef, redaktor]
        assert Notification.objects.count() == 2
        assert len(callbacks) == 1 and queued == [n.pk for n in created]
        notice = Notification.objects.get(recipient=chef)
        assert notice.sent_at is None and notice.attempts == 0
        assert "\n" not in notice.subject and str(redaktor) in notice.subject
        assert "30 juni 2025" in notice.body  # a Swedish date: rendered in the portal's language
        assert "https://some.falkoping.se/konton/1/" in notice.body
        assert FOOTER in notice.body.strip().splitlines()[-1]
        assert "&amp;" not in notice.body and "&#x27;" not in notice.body  # plain text, not HTML

    def test_an_absolute_url_is_kept_and_special_characters_stay_plain(
        self, chef, queued, django_capture_on_commit_callbacks
    ):
        account = SocialAccountFactory(name="Kultur & fritid's konto", unit=chef.unit)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            [notice] = notify([chef], "account_activated", {"account": account, "url": "https://example.org/a?b=1&c=2"})
        assert "https://example.org/a?b=1&c=2" in notice.body
        assert "Kultur & fritid's konto" in notice.subject and "Kultur & fritid's konto" in notice.body

    def test_nothing_is_stored_or_queued_when_the_transaction_rolls_back(
        self, chef, library_account, queued, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            notify([chef], "account_activated", {"account": library_account, "url": "/"})
            raise RuntimeError("the decision failed")
        assert callbacks == [] and queued == []
        assert not Notification.objects.exists()

    def test_a_broker_that_is_down_leaves_the_notices_for_the_sweep(
        self, monkeypatch, caplog, chef, redaktor, library_account, django_capture_on_commit_callbacks
    ):
        calls = []

        def broker_down(notification_id):
            calls.append(notification_id)
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        monkeypatch.setattr(tasks.send_notification, "delay", broker_down)
        with (
            caplog.at_level(logging.WARNING, logger="accounts.notifications"),
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            created = notify([chef, redaktor], "account_activated", {"account": library_account, "url": "/"})
        assert len(calls) == 1  # the first failure says it all: the page does not wait for each
        assert Notification.objects.filter(sent_at__isnull=True).count() == len(created) == 2
        assert "the sweep will send them" in caplog.text


@pytest.mark.django_db
class TestDeliver:
    def test_sends_the_notice_once(self, settings, chef, library_account, queued, django_capture_on_commit_callbacks):
        notice = notice_for(chef, library_account, django_capture_on_commit_callbacks)
        assert deliver(notice.pk) is True
        [message] = mail.outbox
        assert message.to == [chef.email] and message.from_email == settings.DEFAULT_FROM_EMAIL
        assert message.subject == notice.subject and message.body == notice.body
        notice.refresh_from_db()
        assert notice.sent_at is not None and notice.attempts == 1 and notice.last_error == ""
        assert deliver(notice.pk) is False
        assert len(mail.outbox) == 1

    def test_a_mail_server_that_is_down_keeps_the_notice_and_the_decision(
        self, mail_server, chef, medarbetare, library_account, queued, django_capture_on_commit_callbacks
    ):
        mail_server.down_for = 1
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            decision = AccountDecision.objects.create(
                account=library_account, step="manager", outcome="approved", actor=chef, role="Chef"
            )
            [notice] = notify(
                [medarbetare],
                "account_decided",
                {"account": library_account, "decision": decision, "url": library_account.get_absolute_url()},
            )
        with pytest.raises(smtplib.SMTPServerDisconnected):
            deliver(notice.pk)
        notice.refresh_from_db()
        assert notice.sent_at is None and notice.attempts == 1
        assert "SMTPServerDisconnected" in notice.last_error
        assert AccountDecision.objects.filter(pk=decision.pk).exists()
        assert mail.outbox == []

    def test_the_task_retries_until_the_mail_server_works(
        self, mail_server, retries, chef, library_account, queued, django_capture_on_commit_callbacks
    ):
        notice = notice_for(chef, library_account, django_capture_on_commit_callbacks)
        mail_server.down_for = 2
        # apply() runs the task here and runs each requested retry at once (no countdown).
        result = tasks.send_notification.apply(args=[notice.pk])
        assert len(retries) == 2
        assert all(isinstance(r, Retry) and isinstance(r.exc, smtplib.SMTPServerDisconnected) for r in retries)
        assert result.state == "SUCCESS"
        notice.refresh_from_db()
        assert notice.sent_at is not None and notice.attempts == 3 and notice.last_error == ""
        assert len(mail.outbox) == 1

    def test_after_its_last_retry_the_notice_waits_for_the_sweep(
        self, mail_server, retries, chef, library_account, queued, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(MORNING, tick=False):
            notice = notice_for(chef, library_account, django_capture_on_commit_callbacks)
            mail_server.down_for = 1000
            result = tasks.send_notification.apply(args=[notice.pk])
        assert result.state == "FAILURE"
        assert len(retries) == tasks.send_notification.max_retries == 12
        notice.refresh_from_db()
        assert notice.sent_at is None and notice.attempts == 13 and notice.last_error
        mail_server.down_for = 0
        with time_machine.travel(MORNING + datetime.timedelta(minutes=10), tick=False):
            assert send_pending_notifications() == 1
        notice.refresh_from_db()
        assert notice.sent_at is not None and len(mail.outbox) == 1


@pytest.mark.django_db
class TestSweep:
    def test_sends_notices_left_five_minutes_and_leaves_fresh_ones(
        self, chef, redaktor, library_account, queued, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(MORNING, tick=False):
            old = notice_for(chef, library_account, django_capture_on_commit_callbacks)
            sent = notice_for(chef, library_account, django_capture_on_commit_callbacks)
            deliver(sent.pk)
        with time_machine.travel(MORNING + datetime.timedelta(minutes=1), tick=False):
            fresh = notice_for(redaktor, library_account, django_capture_on_commit_callbacks)
        mail.outbox.clear()
        with time_machine.travel(MORNING + datetime.timedelta(minutes=5), tick=False):
            assert tasks.send_pending_notifications.apply().get() == 1
        assert [m.to for m in mail.outbox] == [[chef.email]]
        assert Notification.objects.get(pk=old.pk).sent_at is not None
        assert Notification.objects.get(pk=fresh.pk).sent_at is None
        assert Notification.objects.get(pk=sent.pk).attempts == 1  # not sent twice

    def test_a_notice_that_fails_again_does_not_stop_the_sweep(
        self, mail_server, caplog, chef, redaktor, library_account, queued, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(MORNING, tick=False):
            first = notice_for(chef, library_account, django_capture_on_commit_callbacks)
            second = notice_for(redaktor, library_account, django_capture_on_commit_callbacks)
        mail_server.down_for = 1
        with (
            time_machine.travel(MORNING + datetime.timedelta(minutes=10), tick=False),
            caplog.at_level(logging.WARNING, logger="accounts.notifications"),
        ):
            assert send_pending_notifications() == 1
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.sent_at is None and first.attempts == 1 and "SMTPServerDisconnected" in first.last_error
        assert second.sent_at is not None
        assert "the next sweep tries again" in caplog.text


@pytest.mark.django_db
class TestExpiringMandates:
    """R10: the manager hears once, 14 days ahead, of a mandate in force that is about to end."""

    def test_the_edges(self, chef, medarbetare, library_account, queued, django_capture_on_commit_callbacks):
        in_14 = expiring(medarbetare, library_account, TODAY + datetime.timedelta(days=14))
        in_15 = expiring(UserFactory(), library_account, TODAY + datetime.timedelta(days=15))
        today = expiring(UserFactory(), library_account, TODAY)
        revoked = expiring(
            UserFactory(),
            library_account,
            TODAY + datetime.timedelta(days=3),
            revoked_at=MORNING,
            revoke_reason="Slutat",
        )
        ended = expiring(UserFactory(), library_account, TODAY - datetime.timedelta(days=1))
        not_begun = MandateFactory(
            account=library_account,
            valid_from=TODAY + datetime.timedelta(days=2),
            valid_until=TODAY + datetime.timedelta(days=5),
        )
        open_ended = MandateFactory(account=library_account, valid_from=datetime.date(2025, 1, 1), valid_until=None)
        assert datetime.timedelta(days=14) == MANDATE_EXPIRY_NOTICE  # R10, as DESIGN.md says

        with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks(execute=True):
            assert notify_expiring_mandates(timezone.localdate()) == 2
            assert notify_expiring_mandates(timezone.localdate()) == 0  # a second run the same day
        noticed = Mandate.objects.filter(expiry_notice_sent_on=TODAY)
        assert set(noticed) == {in_14, today}
        for mandate in (in_15, revoked, ended, not_begun, open_ended):
            mandate.refresh_from_db()
            assert mandate.expiry_notice_sent_on is None
        # Biblioteket has no manager of its own: the manager of Kultur above it is told.
        assert {n.recipient for n in Notification.objects.all()} == {chef}
        assert Notification.objects.count() == 2
        assert any(str(medarbetare) in n.subject for n in Notification.objects.all())
        assert len(queued) == 2

        # The next day only the mandate that has now come within 14 days is new.
        with (
            time_machine.travel(MORNING + datetime.timedelta(days=1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert notify_expiring_mandates(timezone.localdate()) == 1
        in_15.refresh_from_db()
        assert in_15.expiry_notice_sent_on == TODAY + datetime.timedelta(days=1)
        assert Notification.objects.count() == 3

    def test_the_units_own_manager_is_told_before_the_one_above(
        self, chef, biblioteket, library_account, queued, django_capture_on_commit_callbacks
    ):
        bibliotekschef = UserFactory(unit=biblioteket)
        biblioteket.managers.add(bibliotekschef)
        expiring(UserFactory(), library_account, TODAY + datetime.timedelta(days=7))
        with django_capture_on_commit_callbacks(execute=True):
            assert notify_expiring_mandates(TODAY) == 1
        assert [n.recipient for n in Notification.objects.all()] == [bibliotekschef]

    def test_the_nearest_manager_up_the_tree(self, queued, django_capture_on_commit_callbacks):
        root = OrgUnitFactory(name="Kommunstyrelseförvaltningen")
        middle = OrgUnitFactory(name="Kansliet", parent=root)
        leaf = OrgUnitFactory(name="Arkivet", parent=middle)
        top_manager, middle_manager = UserFactory(unit=root), UserFactory(unit=middle)
        root.managers.add(top_manager)
        middle.managers.add(middle_manager)
        expiring(UserFactory(), SocialAccountFactory(unit=leaf), TODAY + datetime.timedelta(days=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert notify_expiring_mandates(TODAY) == 1
        assert [n.recipient for n in Notification.objects.all()] == [middle_manager]

    def test_without_any_manager_the_mandate_waits_for_one(
        self, caplog, social, social_account, queued, django_capture_on_commit_callbacks
    ):
        mandate = expiring(UserFactory(), social_account, TODAY + datetime.timedelta(days=3))
        with caplog.at_level(logging.WARNING, logger="accounts.notifications"):
            assert notify_expiring_mandates(TODAY) == 0
        mandate.refresh_from_db()
        assert mandate.expiry_notice_sent_on is None and not Notification.objects.exists()
        assert "no manager" in caplog.text
        manager = UserFactory(unit=social)
        social.managers.add(manager)
        with django_capture_on_commit_callbacks(execute=True):
            assert notify_expiring_mandates(TODAY + datetime.timedelta(days=1)) == 1
        assert [n.recipient for n in Notification.objects.all()] == [manager]

    def test_the_daily_task_asks_about_today_in_stockholm(
        self, chef, library_account, queued, django_capture_on_commit_callbacks
    ):
        mandate = expiring(UserFactory(), library_account, datetime.date(2025, 6, 16))
        # 23:30 UTC on 1 June is already 2 June in Falköping: 14 days before the mandate ends.
        with (
            time_machine.travel(datetime.datetime(2025, 6, 1, 23, 30, tzinfo=datetime.UTC), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert tasks.notify_expiring_mandates.apply().get() == 1
        mandate.refresh_from_db()
        assert mandate.expiry_notice_sent_on == TODAY


@pytest.mark.django_db
def test_the_beat_schedules_exist():
    from django_celery_beat.models import PeriodicTask

    sweep = PeriodicTask.objects.get(task="accounts.tasks.send_pending_notifications")
    assert (sweep.interval.every, sweep.interval.period) == (10, "minutes") and sweep.enabled
    daily = PeriodicTask.objects.get(task="accounts.tasks.notify_expiring_mandates")
    assert (daily.crontab.hour, daily.crontab.minute, str(daily.crontab.timezone)) == ("7", "0", "Europe/Stockholm")
