"""The feed connector: the recorded RSS 2.0 and YouTube channel feeds parsed, and the whole capture
over real HTTP against the simulated feeds (simulators/feed.py) in RSS, Atom and YouTube's shape:
feedparser reads bytes the portal fetched and never fetches anything itself."""

import datetime
import json
from pathlib import Path

import feedparser
import pytest
import time_machine

from accounts.tests.factories import UserFactory
from capture.connectors.base import POST, ConnectorError, NotFound, RateLimited, TemporaryFailure
from capture.connectors.feed import FeedConnector, as_json, html_to_text
from capture.hashing import raw_sha256
from capture.models import CapturedItem, CapturedMedia, Connection
from capture.sync import sync_connection
from simulators.feed import FeedSimulator
from simulators.server import serve

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
FEED_URL = "https://www.falkoping.se/nyheter/feed.xml"


def parsed(name):
    return feedparser.parse((SAMPLES / name).read_bytes())


def items_of(name, url=FEED_URL):
    result = parsed(name)
    connector = FeedConnector(base_url=url)
    return [connector.item(entry, result.feed) for entry in result.entries]


# The recorded samples -----------------------------------------------------------------------------


def test_the_rss2_sample():
    items = items_of("rss2_spec_sample.xml")
    assert [item.platform_id for item in items] == [
        "http://liftoff.msfc.nasa.gov/2003/06/03.html#item573",
        "http://liftoff.msfc.nasa.gov/2003/05/30.html#item572",
        "http://liftoff.msfc.nasa.gov/2003/05/27.html#item571",
        "http://liftoff.msfc.nasa.gov/2003/05/20.html#item570",
    ]
    first, untitled = items[0], items[1]
    assert first.kind == POST and first.by_account
    assert first.published_at == datetime.datetime(2003, 6, 3, 9, 39, 21, tzinfo=datetime.UTC)
    assert first.permalink == "http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp"  # trimmed
    assert first.text == (
        "Star City\n\nHow do Americans get ready to work with Russians aboard the International Space Station? "
        "They take a crash course in culture, language and protocol at Russia's Star City."
    )
    # An item without a title is its description, and is found by its guid.
    assert untitled.text.startswith("Sky watchers in Europe") and "<a" not in untitled.text
    assert untitled.permalink == "http://liftoff.msfc.nasa.gov/2003/05/30.html#item572"
    for item in items:
        json.dumps(item.raw)  # the raw entry is plain JSON (struct_time made ISO 8601)
    assert first.raw["published_parsed"] == "2003-06-03T09:39:21+00:00"


def test_the_youtube_channel_feed_sample():
    items = items_of("youtube_channel_feed.xml")
    assert [item.platform_id for item in items] == [
        "yt:video:W_S7iKZZdHw",
        "yt:video:U-AfiD2NgYg",
        "yt:video:7vihrmynaRI",
    ]
    first = items[0]
    assert first.permalink == "https://www.youtube.com/watch?v=W_S7iKZZdHw"
    # <published>, not <updated>, which YouTube moves later.
    assert first.published_at == datetime.datetime(2025, 1, 1, 16, 7, 24, tzinfo=datetime.UTC)
    assert first.media == ["https://i4.ytimg.com/vi/W_S7iKZZdHw/hqdefault.jpg"]
    assert first.text.startswith("Digital Foundry Games of 2024: The Oliver Mackenzie Collection!\n\nAs the holiday")
    assert first.author_id == "UC9PBzalIcEQCsiIkq36PyUA" and first.author_name == "Digital Foundry"
    assert first.raw["yt_videoid"] == "W_S7iKZZdHw"
    json.dumps(first.raw)


def test_the_youtube_feed_views_and_updated_are_not_an_edit():
    result = parsed("youtube_channel_feed.xml")
    entry = result.entries[0]
    connector = FeedConnector(base_url=FEED_URL)
    before = raw_sha256(connector.item(entry, result.feed).raw, connector.volatile_keys)
    entry["media_statistics"] = {"views": "99999"}
    entry["updated_parsed"] = datetime.datetime(2026, 1, 1).timetuple()
    entry["updated"] = "2026-01-01T00:00:00+00:00"
    assert raw_sha256(connector.item(entry, result.feed).raw, connector.volatile_keys) == before
    entry["title"] = "Ny titel"
    assert raw_sha256(connector.item(entry, result.feed).raw, connector.volatile_keys) != before


def test_a_bare_guid_is_made_unique_to_its_feed():
    connector = FeedConnector(base_url=FEED_URL)
    assert connector.entry_id({"id": "123"}) == f"{FEED_URL}#123"
    assert connector.entry_id({"id": "tag:falkoping.se,2026:123"}) == "tag:falkoping.se,2026:123"
    assert connector.entry_id({"link": "https://www.falkoping.se/a"}) == "https://www.falkoping.se/a"
    assert connector.entry_id({"title": "Utan id"}).startswith(f"{FEED_URL}#sha256:")


def test_html_is_made_text_with_its_paragraphs():
    assert html_to_text("<p>Hej &amp; välkommen</p>\n   <p>Rad   två<br/>tre</p>") == "Hej & välkommen\nRad två\ntre"


def test_as_json_makes_every_value_plain():
    value = as_json({"t": datetime.datetime(2026, 1, 2, 3, 4, 5).timetuple(), "b": b"x", "n": None, "l": (1, "a")})
    assert value == {"t": "2026-01-02T03:04:05+00:00", "b": "x", "n": None, "l": [1, "a"]}


# Over real HTTP against the simulated feeds ----------------------------------------------------------


@pytest.fixture
def feeds():
    simulator = FeedSimulator(page_size=25)
    simulator.add_account("nyheter", "Falköpings kommun – nyheter", format="rss")
    simulator.add_account("blogg", "Biblioteksbloggen", format="atom")
    simulator.add_account("UCfalkopingkommun0000000", "Falköpings kommun", format="youtube")
    running = serve(simulator)
    yield simulator
    running.stop()


def at(days_ago=0):
    return datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC) - datetime.timedelta(days=days_ago)


def feed_connection(feeds, account, account_id):
    return Connection.objects.create(
        account=account, kind="feed", base_url=feeds.url + feeds.feed_path(account_id), external_id=account_id,
        created_by=UserFactory(),
    )  # fmt: skip


def test_verify_each_format(feeds):
    rss = FeedConnector(base_url=feeds.url + feeds.feed_path("nyheter")).verify()
    assert rss.name == "Falköpings kommun – nyheter" and rss.url == f"{feeds.url}/nyheter"
    assert rss.platform_id == feeds.url + feeds.feed_path("nyheter")  # an RSS feed has no id: its address
    atom = FeedConnector(base_url=feeds.url + feeds.feed_path("blogg")).verify()
    assert atom.platform_id == "tag:blogg,2026:feed"
    youtube = FeedConnector(base_url=feeds.url + feeds.feed_path("UCfalkopingkommun0000000")).verify()
    assert youtube.platform_id == "UCfalkopingkommun0000000"  # the feed's id lacks the UC: put back


def test_an_address_that_is_no_feed_says_so(feeds):
    with pytest.raises(NotFound) as caught:
        FeedConnector(base_url=f"{feeds.url}/nyheter").verify()
    assert caught.value.message == "The address does not give an RSS or Atom feed."
    with pytest.raises(NotFound):
        FeedConnector(base_url=feeds.url + feeds.feed_path("finnsinte")).verify()


def test_feedparser_reads_what_the_portal_fetched_and_fetches_nothing_itself(feeds, monkeypatch):
    import urllib.request

    def no_fetching(*args, **kwargs):
        raise AssertionError("feedparser fetched by itself")

    monkeypatch.setattr(urllib.request, "urlopen", no_fetching)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_fetching)
    feeds.add_post("nyheter", "n1", "Rubrik\nText", at())
    connector = FeedConnector(base_url=feeds.url + feeds.feed_path("nyheter"))
    assert [item.text for item in connector.posts().items] == ["Rubrik\n\nText"]
    assert feeds.requests[-1].headers["accept"].startswith("application/rss+xml")


@pytest.mark.parametrize("account_id", ["nyheter", "blogg", "UCfalkopingkommun0000000"])
def test_a_full_sync_of_each_format_over_http(feeds, library_account, account_id):
    for n in range(4):
        feeds.add_post(account_id, f"{account_id}-p{n}", f"Nyhet {n}\nOm <kommunen> & mer.\nRad två.", at(days_ago=n))
    connection = feed_connection(feeds, library_account, account_id)

    with time_machine.travel(NOW, tick=False):
        result = sync_connection(connection)

    assert result.new == 4
    items = CapturedItem.objects.filter(connection=connection).order_by("-published_at")
    assert [item.text for item in items] == [f"Nyhet {n}\n\nOm <kommunen> & mer.\nRad två." for n in range(4)]
    assert all(item.by_account and item.kind == POST for item in items)
    assert items[0].published_at == at()
    assert items[0].permalink
    connection.refresh_from_db()
    assert connection.cursor == {} and connection.last_success_at == NOW
    if account_id.startswith("UC"):
        assert CapturedMedia.objects.filter(item__connection=connection).count() == 4  # media:thumbnail


def test_an_edit_is_kept_a_deleted_entry_is_marked_and_views_are_no_edit(feeds, library_account, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    account_id = "UCfalkopingkommun0000000"
    feeds.add_post(account_id, "v1", "Film ett\nOm badhuset.", at(1))
    feeds.add_post(account_id, "v2", "Film två\nOm biblioteket.", at(0))
    connection = feed_connection(feeds, library_account, account_id)
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)

    feeds.view("v1", 500)  # views and <updated> move: not an edit
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        result = sync_connection(connection)
    assert result.edited == 0 and result.missing == 0

    feeds.edit("v1", "Film ett\nOm badhuset, rättad.")
    feeds.delete("v2")
    later = NOW + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        result = sync_connection(connection)
    assert result.edited == 1 and result.missing == 1
    assert CapturedItem.objects.get(platform_id="yt:video:v1").version_count == 2
    gone = CapturedItem.objects.get(platform_id="yt:video:v2")
    assert gone.missing_since == later and gone.text == "Film två\n\nOm biblioteket."


def test_rss_guids_of_two_feeds_do_not_collide(feeds, library_account, social_account, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    feeds.add_account("annan", "Annan förvaltning", format="rss")
    feeds.add_post("nyheter", "a", "Första", at())
    feeds.add_post("annan", "b", "Andra", at())
    feeds.entries["a"].guid = feeds.entries["b"].guid = "1"  # the same bare guid in both feeds
    with time_machine.travel(NOW, tick=False):
        sync_connection(feed_connection(feeds, library_account, "nyheter"))
        sync_connection(feed_connection(feeds, social_account, "annan"))
    assert sorted(CapturedItem.objects.values_list("text", flat=True)) == ["Andra", "Första"]


@pytest.mark.parametrize(
    ("fault", "error"),
    [(("status", 503), TemporaryFailure), (("rate_limit", 30), RateLimited), (("status", 301), ConnectorError)],
)
def test_failures_over_http(feeds, fault, error):
    feeds.add_fault(*fault)
    with pytest.raises(error) as caught:
        FeedConnector(base_url=feeds.url + feeds.feed_path("nyheter")).posts()
    if error is RateLimited:
        assert caught.value.retry_after == 30
    if fault[1] == 301:
        assert "moved" in caught.value.message


def test_an_entry_that_falls_off_the_end_of_the_feed_is_not_a_deletion(feeds, library_account, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    feeds.page_size = 2
    feeds.add_post("nyheter", "n1", "Äldst", at(2))
    feeds.add_post("nyheter", "n2", "Mitten", at(1))
    connection = feed_connection(feeds, library_account, "nyheter")
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    feeds.add_post("nyheter", "n3", "Nyast", at(0))  # n1 leaves the feed, not the site
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        result = sync_connection(connection)
    assert result.missing == 0
    assert CapturedItem.objects.get(platform_id__endswith="n1").missing_since is None


def test_an_entry_removed_from_inside_the_feed_is_marked_missing(feeds, library_account, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    feeds.page_size = 3
    feeds.add_post("nyheter", "n1", "Äldst", at(2))
    feeds.add_post("nyheter", "n2", "Mitten", at(1))
    feeds.add_post("nyheter", "n3", "Nyast", at(0))
    connection = feed_connection(feeds, library_account, "nyheter")
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    feeds.delete("n2")  # the oldest is still shown: n2 was taken down, it did not fall off the end
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        result = sync_connection(connection)
    assert result.missing == 1
    assert CapturedItem.objects.get(platform_id__endswith="n2").missing_since == NOW + datetime.timedelta(hours=1)
