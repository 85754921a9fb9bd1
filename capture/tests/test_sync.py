"""The sync engine over real HTTP against the toy platform: paging to the end, stored once, edits
kept as versions, deletions marked, and every failure of issue 18 item 2 losing nothing."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from capture import crypto, signals, tasks
from capture.connectors.base import RateLimited, TemporaryFailure, TokenRejected
from capture.models import CapturedItem, Connection, ConnectionState, ItemVersion
from capture.sync import Sync, sync_connection

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def texts(**filters):
    return sorted(CapturedItem.objects.filter(**filters).values_list("text", flat=True))


@time_machine.travel(NOW, tick=False)
def test_first_sync_follows_every_page_of_posts_and_comments(toy, connection):
    for n in range(5):
        toy.add_post(f"p{n}", f"Inlägg {n}", days_ago=n)
    toy.add_comment("p0", "c1", "När öppnar ni?")
    toy.add_comment("p0", "c2", "Tack!")
    toy.add_comment("p0", "c3", "Tredje sidan")

    result = sync_connection(connection)

    assert result.new == 8
    assert texts(kind="post") == [f"Inlägg {n}" for n in range(5)]
    comment = CapturedItem.objects.get(platform_id="c1")
    assert comment.thread.platform_id == "p0" and comment.parent.platform_id == "p0"
    assert comment.author_name == "Anna" and not comment.by_account
    assert len(comment.raw_sha256) == 64
    connection.refresh_from_db()
    assert connection.cursor == {}
    assert connection.last_success_at == NOW
    assert connection.high_water == datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
def test_a_second_sync_stores_nothing_twice_and_a_like_is_not_an_edit(toy, connection):
    toy.add_post("p1", "Välkommen", likes=1)
    sync_connection(connection)
    toy.posts["p1"]["likes"] = 40

    result = sync_connection(connection)

    assert result.new == 0 and result.edited == 0
    assert CapturedItem.objects.count() == 1


def test_an_edit_keeps_the_earlier_version(toy, connection):
    toy.add_post("p1", "Öppet till 18")
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    toy.posts["p1"]["text"] = "Öppet till 20"
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        result = sync_connection(connection)

    item = CapturedItem.objects.get(platform_id="p1")
    assert result.edited == 1
    assert item.text == "Öppet till 20" and item.version_count == 2
    version = ItemVersion.objects.get(item=item)
    assert version.text == "Öppet till 18"
    assert version.captured_at == NOW
    assert version.raw_sha256 != item.raw_sha256


def test_a_deleted_comment_is_kept_and_marked_with_when_its_absence_was_first_seen(toy, connection):
    toy.add_post("p1", "Inlägg")
    toy.add_comment("p1", "c1", "Ett olämpligt ord")
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    toy.comments["p1"].clear()
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        result = sync_connection(connection)
    with time_machine.travel(later + datetime.timedelta(hours=1), tick=False):
        sync_connection(connection)

    comment = CapturedItem.objects.get(platform_id="c1")
    assert result.missing == 1
    assert comment.missing_since == later  # the first time, not the last
    assert comment.text == "Ett olämpligt ord"


def test_posts_older_than_the_reread_window_are_not_marked_missing(toy, connection, settings):
    settings.CAPTURE_REREAD_DAYS = 30
    toy.add_post("old", "Gammalt", days_ago=60)
    toy.add_post("new", "Nytt", days_ago=0)
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    # The platform stops at the window on the next walk: an old post it does not show again is
    # not a deletion.
    del toy.posts["old"]
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        result = sync_connection(connection)
    assert result.missing == 0
    assert CapturedItem.objects.get(platform_id="old").missing_since is None


@time_machine.travel(NOW, tick=False)
def test_a_5xx_mid_walk_resumes_from_the_saved_page_without_fetching_it_again(toy, connection):
    for n in range(6):
        toy.add_post(f"p{n}", f"Inlägg {n}", days_ago=n)
    # Page one and its comments pass; the second page of posts fails.
    toy.add_fault("status", 503, "/posts?")  # never matches a path: see below
    toy.faults.clear()
    calls = []
    original = toy.list_posts

    def failing_second_page(request):
        calls.append(request.query.get("cursor"))
        if request.query.get("cursor") == "2" and calls.count("2") == 1:
            return toy.error(503, request)
        return original(request)

    toy.list_posts = failing_second_page
    with pytest.raises(TemporaryFailure):
        sync_connection(connection)
    connection.refresh_from_db()
    assert connection.cursor["page"] == "2"
    assert CapturedItem.objects.count() == 2

    sync_connection(connection)

    assert calls == [None, "2", "2", "4"]  # page one was not read again
    assert CapturedItem.objects.count() == 6
    connection.refresh_from_db()
    assert connection.cursor == {}


@time_machine.travel(NOW, tick=False)
def test_the_task_waits_as_long_as_a_429_asks(toy, connection):
    toy.add_post("p1", "Inlägg")
    toy.add_fault("rate_limit", 120)

    assert tasks.sync_connection(connection.pk) == "waiting"

    connection.refresh_from_db()
    assert connection.next_attempt_at == NOW + datetime.timedelta(seconds=120)
    assert connection.failures == 1
    assert "wait" in connection.last_error
    assert list(Connection.objects.due()) == []
    with time_machine.travel(NOW + datetime.timedelta(seconds=121), tick=False):
        assert list(Connection.objects.due()) == [connection]
        assert tasks.sync_connection(connection.pk)["new"] == 1
    connection.refresh_from_db()
    assert connection.failures == 0 and connection.next_attempt_at is None


@time_machine.travel(NOW, tick=False)
def test_timeouts_back_off_longer_each_time(toy, connection, monkeypatch):
    from capture.connectors import http

    monkeypatch.setattr(http, "DEFAULT_TIMEOUT", http.httpx.Timeout(0.3, connect=0.3))
    toy.add_post("p1", "Inlägg")
    toy.add_fault("slow", 1.0)
    toy.add_fault("slow", 1.0)
    assert tasks.sync_connection(connection.pk) == "waiting"
    connection.refresh_from_db()
    assert connection.next_attempt_at == NOW + datetime.timedelta(minutes=1)
    Connection.objects.filter(pk=connection.pk).update(next_attempt_at=None)
    assert tasks.sync_connection(connection.pk) == "waiting"
    connection.refresh_from_db()
    assert connection.next_attempt_at == NOW + datetime.timedelta(minutes=2)
    assert connection.last_error == "The platform did not answer in time."


@time_machine.travel(NOW, tick=False)
def test_a_rejected_token_stops_the_connection_tells_the_apps_and_resumes_after_a_new_one(toy, connection):
    for n in range(4):
        toy.add_post(f"p{n}", f"Inlägg {n}", days_ago=n)
    told = []
    signals.connection_stopped.connect(lambda sender, connection, **kw: told.append(connection.pk), weak=False)
    calls = []
    original = toy.list_posts

    def expire_on_second_page(request):
        calls.append(request.query.get("cursor"))
        if request.query.get("cursor") == "2":
            toy.token = "new-token"  # noqa: S105 (comms renews it on the platform)
        return original(request)

    toy.list_posts = expire_on_second_page

    with pytest.raises(TokenRejected):
        Sync(connection).run()
    assert tasks.sync_connection(connection.pk) == "skipped"  # stopped: no sync until fixed
    tasks.connection_stopped(connection.pk)
    assert told == [connection.pk]
    connection.refresh_from_db()
    assert connection.state == ConnectionState.BROKEN
    assert "refused the access token" in connection.last_error

    connection.token_encrypted = crypto.encrypt("new-token")
    connection.state = ConnectionState.ACTIVE
    connection.save()
    tasks.sync_connection(connection.pk)
    assert calls == [None, "2", "2"]
    assert CapturedItem.objects.count() == 4


def test_fan_out_queues_only_active_connections_that_are_not_waiting(connection, library_account, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.sync_connection, "delay", queued.append)
    waiting = Connection.objects.create(
        account=library_account, kind="feed", base_url="https://example.org/feed", external_id="x",
        created_by=connection.created_by, next_attempt_at=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    assert waiting.pk
    assert tasks.sync_all_connections() == 1
    assert queued == [connection.pk]


def test_rate_limited_never_waits_less_than_a_second():
    assert RateLimited(retry_after=0).retry_after == 1.0


@pytest.mark.django_db
def test_beat_runs_the_capture_every_hour_by_default():
    import importlib

    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    importlib.import_module("capture.migrations.0002_sync_schedule").create_schedules(django_apps, None)
    task = PeriodicTask.objects.get(name="Hämta från plattformarna (R3)")
    assert task.task == "capture.tasks.sync_all_connections"
    assert (task.interval.every, task.interval.period) == (60, "minutes")
    assert task.enabled
