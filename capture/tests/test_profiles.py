"""Profile snapshots (R4, R5, R9): every connector's profile() against its simulated platform over
real HTTP, the recorded samples parsed, and a snapshot stored with its picture's hash and raw answers
by the task, within the platform's limits."""

import hashlib
import json
from pathlib import Path

import feedparser
import httpx
import pytest

from accounts.tests.factories import UserFactory
from capture import tasks
from capture.connectors.base import MAX_FOLLOWING, NotSupported, followed
from capture.connectors.bluesky import BlueskyConnector
from capture.connectors.feed import FeedConnector, parse_feed_profile
from capture.connectors.http import PlatformClient
from capture.connectors.mastodon import MastodonConnector, parse_account_profile
from capture.connectors.meta import FacebookConnector, InstagramConnector
from capture.connectors.youtube import YouTubeConnector, parse_channel_profile
from capture.models import Connection, ProfileSnapshot
from capture.profiles import take_snapshot
from simulators import media
from simulators.bluesky import BlueskySimulator
from simulators.feed import FeedSimulator
from simulators.mastodon import MastodonSimulator
from simulators.meta import PIXEL, FacebookSimulator, InstagramSimulator
from simulators.server import serve
from simulators.youtube import YouTubeSimulator

SAMPLES = Path(__file__).parent / "samples"
DESCRIPTION = "Biblioteken i Falköping: lån, evenemang och läsfrämjande."
FOLLOWING = [("11", "Skövde stadsbibliotek", "skovdebibliotek"), ("12", "Kungliga biblioteket", "kb")]


def sample(name):
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def running():
    servers = []

    def start(sim):
        servers.append(serve(sim))
        return sim

    yield start
    for server in servers:
        server.stop()


# Against the simulators ----------------------------------------------------------------------------


def test_facebook_page_profile_has_no_list_of_follows(running):
    sim = running(FacebookSimulator())
    sim.add_account("1001", "Falköpings bibliotek", "falkopingsbibliotek", token="page-token")
    sim.set_profile("1001", description=DESCRIPTION, followers=2450, following=FOLLOWING)
    profile = FacebookConnector(base_url=sim.url + "/v26.0", token="page-token", external_id="1001").profile()
    assert (profile.name, profile.description, profile.followers) == ("Falköpings bibliotek", DESCRIPTION, 2450)
    assert profile.picture_url == f"{sim.url}/media/avatar-1001.png"
    assert profile.following is None and profile.following_count is None  # Graph does not show it (R9)
    assert profile.raw["profile"]["about"] == DESCRIPTION
    assert "about" in sim.requests[-1].query["fields"].split(",")


def test_instagram_profile_counts_its_follows_without_listing_them(running):
    sim = running(InstagramSimulator())
    sim.add_account("1784", "Falköpings bibliotek", "falkopingsbibliotek", token="page-token")
    sim.set_profile("1784", description="Läs mer!", followers=900, following=FOLLOWING)
    profile = InstagramConnector(base_url=sim.url + "/v26.0", token="page-token", external_id="1784").profile()
    assert (profile.name, profile.description, profile.followers) == ("Falköpings bibliotek", "Läs mer!", 900)
    assert profile.following is None and profile.following_count == 2
    assert profile.picture_url.endswith("/media/avatar-1784.png")


def test_youtube_channel_with_public_subscriptions_paged(running):
    sim = running(YouTubeSimulator(page_size=1))
    sim.add_account("UCbibliotek0000000000000", "Biblioteket", "@biblioteket", token="key")
    sim.set_profile("UCbibliotek0000000000000", description=DESCRIPTION, followers=310, following=FOLLOWING)
    profile = YouTubeConnector(
        base_url=sim.url + "/youtube/v3", token="key", external_id="UCbibliotek0000000000000"
    ).profile()
    assert (profile.description, profile.followers) == (DESCRIPTION, 310)
    assert profile.following == [
        followed("11", "Skövde stadsbibliotek", url="https://www.youtube.com/channel/11"),
        followed("12", "Kungliga biblioteket", url="https://www.youtube.com/channel/12"),
    ]
    assert len(profile.raw["following"]) == 2  # both pages kept as they came
    assert sim.requests[-1].headers["x-goog-api-key"] == "key"


def test_youtube_channel_with_private_subscriptions_shows_none(running):
    sim = running(YouTubeSimulator())
    sim.add_account("UCbibliotek0000000000000", "Biblioteket", "@biblioteket", token="key")
    sim.set_profile("UCbibliotek0000000000000", description=DESCRIPTION, following=None)
    profile = YouTubeConnector(
        base_url=sim.url + "/youtube/v3", token="key", external_id="UCbibliotek0000000000000"
    ).profile()
    assert profile.following is None  # 403 subscriptionForbidden: the channel keeps them private
    assert profile.description == DESCRIPTION


def test_mastodon_profile_and_its_follows_paged_by_the_link_header(running):
    sim = running(MastodonSimulator(page_size=1))
    sim.add_account("109", "Falköpings bibliotek", "bibliotek")
    sim.set_profile("109", description=f"{DESCRIPTION}\n\nVälkommen!", followers=77, following=FOLLOWING)
    profile = MastodonConnector(base_url=sim.url, external_id="109").profile()
    assert profile.description == f"{DESCRIPTION}\n\nVälkommen!"  # the note's HTML as text
    assert (profile.followers, profile.following_count) == (77, 2)
    assert [row["handle"] for row in profile.following] == ["skovdebibliotek", "kb"]
    assert profile.following[0]["url"].endswith("/@skovdebibliotek")
    assert len(profile.raw["following"]) == 2


def test_mastodon_account_that_hides_its_follows(running):
    sim = running(MastodonSimulator())
    sim.add_account("109", "Falköpings bibliotek", "bibliotek")
    sim.set_profile("109", description=DESCRIPTION, following=None)
    profile = MastodonConnector(base_url=sim.url, external_id="109").profile()
    assert profile.following is None
    assert not any(request.path.endswith("/following") for request in sim.requests)


def test_bluesky_profile_and_follows_paged_by_cursor(running):
    sim = running(BlueskySimulator(page_size=1))
    sim.add_account("did:plc:bibliotek", "Falköpings bibliotek", "bibliotek.falkoping.se")
    sim.set_profile("did:plc:bibliotek", description=DESCRIPTION, followers=40, following=FOLLOWING)
    profile = BlueskyConnector(base_url=sim.url, external_id="did:plc:bibliotek").profile()
    assert (profile.description, profile.followers, profile.following_count) == (DESCRIPTION, 40, 2)
    assert {row["handle"] for row in profile.following} == {"skovdebibliotek", "kb"}
    assert {row["url"] for row in profile.following} == {
        "https://bsky.app/profile/skovdebibliotek",
        "https://bsky.app/profile/kb",
    }
    assert profile.picture_url.startswith(sim.url)


@pytest.mark.parametrize("form", ["rss", "atom"])
def test_feed_profile_is_its_title_and_description(running, form):
    sim = running(FeedSimulator(default_format=form))
    sim.add_account("bibliotek", "Falköpings bibliotek")
    sim.set_profile("bibliotek", description=DESCRIPTION)
    profile = FeedConnector(base_url=sim.url + sim.feed_path("bibliotek")).profile()
    assert (profile.name, profile.description) == ("Falköpings bibliotek", DESCRIPTION)
    assert profile.followers is None and profile.following is None


def test_a_connector_without_profile_says_so():
    from capture.connectors.base import Connector

    with pytest.raises(NotSupported):
        Connector(base_url="https://example.org").profile()


# The recorded samples ------------------------------------------------------------------------------


def test_sample_youtube_channels_list():
    profile = parse_channel_profile(sample("youtube_channels_list.json")["items"][0])
    assert profile.name == "Google"
    assert profile.description.startswith("Experience the world of Google on our official YouTube channel.")
    assert profile.picture_url.endswith("=s800-c-k-c0x00ffffff-no-rj")  # the largest thumbnail
    statistics = sample("youtube_channels_list.json")["items"][0]["statistics"]
    assert profile.followers == int(statistics["subscriberCount"])


def test_sample_mastodon_account_lookup_that_hides_its_follows():
    data = sample("mastodon_account_lookup.json")
    assert parse_account_profile(data).description == "I walk funny"
    connector = MastodonConnector(base_url="https://mastodon.example", external_id=data["id"])
    connector.client = PlatformClient(
        "https://mastodon.example",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=data)),
    )
    profile = connector.profile()
    assert (profile.name, profile.followers) == ("John Lennon", 0)
    assert profile.following is None  # hide_collections: true, so /following is not even asked
    assert connector.client.calls == 1


def test_sample_rss_and_youtube_feeds():
    rss = parse_feed_profile(feedparser.parse((SAMPLES / "rss2_spec_sample.xml").read_bytes()).feed)
    assert (rss.name, rss.description) == ("Liftoff News", "Liftoff to Space Exploration.")
    youtube = parse_feed_profile(feedparser.parse((SAMPLES / "youtube_channel_feed.xml").read_bytes()).feed)
    assert youtube.name and youtube.description == ""


def test_a_followed_accounts_link_is_only_http():
    assert followed("1", "x", "x", "javascript:alert(1)")["url"] == ""
    assert followed("1", "x", "x", "https://bsky.app/profile/x")["url"] == "https://bsky.app/profile/x"


def test_a_long_list_of_follows_is_cut_and_says_so(running, monkeypatch):
    monkeypatch.setattr("capture.connectors.bluesky.MAX_FOLLOWING", 2)
    sim = running(BlueskySimulator(page_size=1))
    sim.add_account("did:plc:bibliotek", "Falköpings bibliotek", "bibliotek.falkoping.se")
    sim.set_profile("did:plc:bibliotek", following=[*FOLLOWING, ("13", "Tredje", "tredje")])
    profile = BlueskyConnector(base_url=sim.url, external_id="did:plc:bibliotek").profile()
    assert len(profile.following) == 2 and profile.following_truncated
    assert MAX_FOLLOWING >= 1000


# Storing a snapshot ----------------------------------------------------------------------------------


@pytest.fixture
def bluesky(running, library_account, settings):
    settings.CAPTURE_ALLOW_SIMULATORS = True
    sim = running(BlueskySimulator())
    sim.add_account("did:plc:bibliotek", "Falköpings bibliotek", "bibliotek.falkoping.se")
    sim.set_profile("did:plc:bibliotek", description=DESCRIPTION, followers=40, following=FOLLOWING)
    library_account.url = "https://bsky.app/profile/bibliotek.falkoping.se"
    library_account.platform = "bluesky"
    library_account.save()
    connection = Connection.objects.create(
        account=library_account, kind="bluesky", base_url=sim.url, external_id="did:plc:bibliotek",
        created_by=UserFactory(),
    )  # fmt: skip
    return sim, connection


def test_a_snapshot_keeps_the_profile_the_pictures_hash_and_the_raw_answers(bluesky, settings):
    settings.CAPTURE_MEDIA_ENABLED = True
    sim, connection = bluesky
    who = UserFactory()
    snapshot = take_snapshot(connection, taken_by=who)
    assert (snapshot.description, snapshot.followers, snapshot.following_count) == (DESCRIPTION, 40, 2)
    assert snapshot.picture_sha256 == hashlib.sha256(media.PNG).hexdigest()
    assert snapshot.raw["profile"]["description"] == DESCRIPTION and len(snapshot.raw_sha256) == 64
    assert snapshot.taken_by == who and snapshot.account == connection.account


def test_without_media_capture_the_picture_is_not_fetched(bluesky, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    sim, connection = bluesky
    snapshot = take_snapshot(connection)
    assert snapshot.picture_sha256 == "" and snapshot.picture_url
    assert not any(request.path.startswith("/media/") for request in sim.requests)


def test_a_picture_larger_than_the_limit_is_not_hashed(bluesky, settings):
    settings.CAPTURE_MEDIA_MAX_BYTES = len(media.PNG) - 1
    assert take_snapshot(bluesky[1]).picture_sha256 == ""
    assert PIXEL  # the Meta simulator's own picture, served the same way


def test_the_task_takes_one_snapshot_and_the_scheduled_run_queues_one_per_active_connection(bluesky, monkeypatch):
    sim, connection = bluesky
    assert tasks.take_profile_snapshot.apply(args=(connection.pk,)).get() == ProfileSnapshot.objects.get().pk
    queued = []
    monkeypatch.setattr(tasks.take_profile_snapshot, "delay", lambda *args: queued.append(args))
    assert tasks.snapshot_all_profiles() == 1 and queued == [(connection.pk,)]


def test_a_rate_limit_pauses_the_platform_and_tries_again(bluesky):
    from celery.exceptions import Retry

    from capture import limits

    sim, connection = bluesky
    sim.add_fault("rate_limit", 30)
    with pytest.raises(Retry):
        tasks.take_profile_snapshot.apply(args=(connection.pk,), throw=True).get()
    assert limits.paused_until("bluesky") is not None
    assert not ProfileSnapshot.objects.exists()
    limits.resume("bluesky")


def test_the_schedule_runs_twice_a_year(db):
    import importlib

    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    # Made again as the migration makes it (idempotent): a transactional test before this one may
    # have flushed the migrations' rows.
    importlib.import_module("capture.migrations.0007_profile_snapshot_schedule").create_schedules(django_apps, None)

    task = PeriodicTask.objects.get(name="Ögonblicksbild av profilerna (R4, R5, R9)")
    assert task.task == "capture.tasks.snapshot_all_profiles"
    assert (task.crontab.day_of_month, task.crontab.month_of_year) == ("1", "1,7")
