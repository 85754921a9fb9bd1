"""The Bluesky connector: every recorded sample parsed (capture/tests/samples/bluesky_*), and a whole
sync over real HTTP against the simulated AppView (simulators/bluesky.py): paging to the end, reposts
left out, nested replies flattened, an edit kept as a version, a deleted reply marked missing, a
hidden reply kept as hidden, a 429 waited out."""

import datetime
import json
from pathlib import Path

import httpx
import pytest
import time_machine

from accounts.tests.factories import UserFactory
from capture import tasks
from capture.connectors.base import (
    COMMENT,
    POST,
    ConnectorError,
    Item,
    NotFound,
    PermissionMissing,
    RateLimited,
    TokenRejected,
)
from capture.connectors.bluesky import PUBLIC_APPVIEW, BlueskyConnector, actor_of, media_urls, rate_limit_wait
from capture.connectors.http import PlatformClient
from capture.hashing import raw_sha256
from capture.models import CapturedItem, Connection, ConnectionState, ItemVersion
from capture.sync import sync_connection
from simulators.bluesky import BlueskySimulator
from simulators.server import serve

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
DID = "did:plc:falkopingbibliotek0000000"
DRIL = "did:plc:6wpkkitfdkgthatfvspcfmjo"


def sample(name):
    return json.loads((SAMPLES / name).read_text())


def offline(answers, external_id=DRIL):
    """A connector whose client answers from recorded samples: XRPC method → (status, body, headers)."""
    connector = BlueskyConnector(base_url=PUBLIC_APPVIEW, external_id=external_id)
    requests = []

    def handler(request):
        requests.append(request)
        status, body, headers = answers[request.url.path.removeprefix("/xrpc/")]
        return httpx.Response(status, json=body, headers=headers)

    connector.client = PlatformClient(
        PUBLIC_APPVIEW, classify=connector.classify_error, transport=httpx.MockTransport(handler)
    )
    return connector, requests


def post_item(uri):
    return Item(platform_id=uri, kind=POST, text="", published_at=None, raw={})


# Every sample ------------------------------------------------------------------------------------


def test_sample_author_feed():
    connector, requests = offline({"app.bsky.feed.getAuthorFeed": (200, sample("bluesky_getAuthorFeed.json"), {})})

    page = connector.posts()

    params = requests[0].url.params
    assert params["actor"] == DRIL and params["filter"] == "posts_no_replies" and params["limit"] == "50"
    # Five items; the fourth is a self-reply (record.reply): it belongs to its thread, not the posts.
    assert [item.platform_id.rsplit("/", 1)[1] for item in page.items] == [
        "3lix6ufungs22",
        "3litgermucc2h",
        "3lirwer3l4s2r",
        "3liphb4l7m22n",
    ]
    first = page.items[0]
    assert first.kind == POST and first.text.startswith("ai wrote my son a very impressive resume")
    # createdAt (the author's), not indexedAt (which is earlier here)
    assert first.published_at == datetime.datetime(2025, 2, 24, 20, 30, 7, 343000, tzinfo=datetime.UTC)
    assert first.permalink == "https://bsky.app/profile/dril.bsky.social/post/3lix6ufungs22"
    assert first.by_account and first.author_id == DRIL and first.author_name == "wint"
    assert first.raw["post"]["likeCount"] == 8172
    assert page.items[1].media == [
        "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:6wpkkitfdkgthatfvspcfmjo/"
        "bafkreifgp423ucnueggky3zqaeb4ve2tqpqztf3l2yu6pvv5bwkad3ydc4@jpeg"
    ]
    assert page.next_cursor == "2025-02-21T18:38:52.746Z"

    connector.posts(cursor=page.next_cursor)
    assert requests[1].url.params["cursor"] == "2025-02-21T18:38:52.746Z"


def test_sample_author_feed_without_a_cursor_is_the_last_page():
    body = sample("bluesky_getAuthorFeed.json")
    del body["cursor"]
    connector, _ = offline({"app.bsky.feed.getAuthorFeed": (200, body, {})})
    assert connector.posts().next_cursor is None


def test_reposts_and_pins_in_the_feed_are_skipped():
    body = sample("bluesky_getAuthorFeed.json")
    other = json.loads(json.dumps(body["feed"][0]))
    other["post"]["uri"] = "at://did:plc:someoneelse/app.bsky.feed.post/3abc"
    other["post"]["author"]["did"] = "did:plc:someoneelse"
    other["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "by": body["feed"][0]["post"]["author"]}
    pinned = json.loads(json.dumps(body["feed"][2]))
    pinned["reason"] = {"$type": "app.bsky.feed.defs#reasonPin"}
    body["feed"] = [pinned, other, body["feed"][0]]
    connector, _ = offline({"app.bsky.feed.getAuthorFeed": (200, body, {})})
    assert [item.platform_id.rsplit("/", 1)[1] for item in connector.posts().items] == ["3lix6ufungs22"]


def test_sample_post_thread_with_its_threadgate():
    root = "at://did:plc:oy2ebrbjfsmr3oacqe5mbuw5/app.bsky.feed.post/3memlv65ejk2y"
    connector, requests = offline(
        {"app.bsky.feed.getPostThread": (200, sample("bluesky_getPostThread.json"), {})},
        external_id="did:plc:oy2ebrbjfsmr3oacqe5mbuw5",
    )

    page = connector.replies(post_item(root))

    assert requests[0].url.params["uri"] == root and requests[0].url.params["depth"] == "1000"
    [reply] = page.items
    assert reply.kind == COMMENT and reply.text == "reply"
    assert reply.platform_id.endswith("/3memlvffl6s2y")
    assert reply.parent_id == root and reply.thread_id == root
    assert reply.by_account and reply.author_name == "Dan Nguyen"
    assert reply.raw == sample("bluesky_getPostThread.json")["thread"]["replies"][0]  # no replies of its own
    assert not reply.hidden  # the threadgate's hiddenReplies is empty
    assert page.next_cursor is None


def test_sample_post_thread_with_an_embed_and_no_replies():
    uri = "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    body = sample("bluesky_getPostThread_embed.json")
    connector, _ = offline({"app.bsky.feed.getPostThread": (200, body, {})})
    assert connector.replies(post_item(uri)).items == []
    # The post itself, as a feed would give it: its image inside recordWithMedia is its media.
    item = connector.item(body["thread"]["post"], POST)
    assert item.text == "" and item.published_at.year == 2023
    assert item.media == [
        "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:kvwvcn5iqfooopmyzvb4qzba/"
        "bafkreic3cp5ky525vsukjvrzxsc2h3jka2gud74l2hgeatw2rhj2qycnmq@jpeg"
    ]


def test_not_found_and_blocked_nodes_and_hidden_replies_in_a_thread():
    body = sample("bluesky_getPostThread.json")
    root = body["thread"]["post"]["uri"]
    reply = body["thread"]["replies"][0]
    nested = json.loads(json.dumps(reply))
    nested["post"]["uri"] = root.replace("3memlv65ejk2y", "3nested")
    nested["post"]["record"]["reply"]["parent"]["uri"] = reply["post"]["uri"]
    reply["replies"] = [
        nested,
        {"$type": "app.bsky.feed.defs#notFoundPost", "uri": root.replace("3memlv65ejk2y", "3gone"), "notFound": True},
        {
            "$type": "app.bsky.feed.defs#blockedPost",
            "uri": root.replace("3memlv65ejk2y", "3blocked"),
            "blocked": True,
            "author": {"did": "did:plc:x", "viewer": {"blockedBy": True}},
        },
    ]
    body["threadgate"]["record"]["hiddenReplies"] = [nested["post"]["uri"]]
    connector, _ = offline({"app.bsky.feed.getPostThread": (200, body, {})})

    items = connector.replies(post_item(root)).items

    assert [item.platform_id.rsplit("/", 1)[1] for item in items] == ["3memlvffl6s2y", "3nested"]
    assert items[1].parent_id == reply["post"]["uri"] and items[1].thread_id == root
    assert items[1].hidden and not items[0].hidden
    assert items[1].raw["hiddenByThreadgate"] == body["threadgate"]["uri"]
    assert "replies" not in items[0].raw and "hiddenByThreadgate" not in items[0].raw


def test_a_deleted_root_is_not_found():
    uri = "at://did:plc:x/app.bsky.feed.post/3gone"
    error = {"error": "NotFound", "message": f"Post not found: {uri}"}
    connector, _ = offline({"app.bsky.feed.getPostThread": (400, error, {})})
    with pytest.raises(NotFound):
        connector.replies(post_item(uri))


@pytest.mark.parametrize("message", ["Profile not found", "Unable to resolve handle"])
def test_an_unknown_actor_is_not_found(message):
    connector, _ = offline({"app.bsky.actor.getProfile": (400, {"error": "InvalidRequest", "message": message}, {})})
    with pytest.raises(NotFound):
        connector.verify("finns-inte.bsky.social")


def test_other_xrpc_errors():
    cases = [
        (400, {"error": "BlockedActor", "message": "Requester has blocked actor"}, PermissionMissing),
        (400, {"error": "ExpiredToken", "message": "Token has expired"}, TokenRejected),
        (400, {"error": "InvalidRequest", "message": "Error: limit must be <= 100"}, ConnectorError),
    ]
    for status, body, expected in cases:
        connector, _ = offline({"app.bsky.actor.getProfile": (status, body, {})})
        with pytest.raises(expected) as caught:
            connector.verify("x")
        assert type(caught.value) is expected


def test_a_429_waits_until_ratelimit_reset():
    with time_machine.travel(NOW, tick=False):
        reset = str(int(NOW.timestamp()) + 75)
        connector, _ = offline(
            {"app.bsky.feed.getAuthorFeed": (429, {"error": "RateLimitExceeded"}, {"RateLimit-Reset": reset})}
        )
        with pytest.raises(RateLimited) as caught:
            connector.posts()
        assert caught.value.retry_after == 75.0
    assert rate_limit_wait(httpx.Headers({"Retry-After": "9"})) == 9.0


def test_counters_and_indexing_are_not_edits_but_a_label_is():
    entry = sample("bluesky_getAuthorFeed.json")["feed"][0]
    changed = json.loads(json.dumps(entry))
    changed["post"].update(likeCount=9000, repostCount=1000, indexedAt="2025-03-01T00:00:00.000Z")
    changed["post"]["viewer"] = {"like": "at://x"}
    volatile = BlueskyConnector.volatile_keys
    assert raw_sha256(entry, volatile) == raw_sha256(changed, volatile)
    changed["post"]["labels"] = [{"val": "!hide"}]
    assert raw_sha256(entry, volatile) != raw_sha256(changed, volatile)


def test_handles_as_comms_types_them():
    assert actor_of("@falkoping.bsky.social") == "falkoping.bsky.social"
    assert actor_of("https://bsky.app/profile/falkoping.se/post/3abc") == "falkoping.se"
    assert actor_of("did:plc:abc") == "did:plc:abc"


def test_media_of_video_and_link_cards():
    assert media_urls({"$type": "app.bsky.embed.video#view", "thumbnail": "https://video.bsky.app/t.jpg"}) == [
        "https://video.bsky.app/t.jpg"
    ]
    card = {"$type": "app.bsky.embed.external#view", "external": {"uri": "https://x", "thumb": "https://cdn/t"}}
    assert media_urls(card) == ["https://cdn/t"]
    assert media_urls(None) == []


# Against the simulated AppView over real HTTP ------------------------------------------------------


@pytest.fixture
def appview(settings):
    settings.CAPTURE_ALLOW_SIMULATORS = True
    sim = BlueskySimulator(page_size=3)
    running = serve(sim)
    sim.add_account(DID, "Falköpings bibliotek", "biblioteket.falkoping.se")
    yield sim
    running.stop()


@pytest.fixture
def connection(appview, library_account):
    return Connection.objects.create(
        account=library_account, kind="bluesky", base_url=appview.url + appview.base_path,
        external_id=DID, created_by=UserFactory(),
    )  # fmt: skip


def at(days=0, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


def uri(rkey, did=DID):
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def test_verify_against_the_simulator(appview):
    connector = BlueskyConnector(base_url=appview.url)
    identity = connector.verify("@biblioteket.falkoping.se")
    assert identity.platform_id == DID and identity.name == "Falköpings bibliotek"
    assert identity.url == "https://bsky.app/profile/biblioteket.falkoping.se"
    with pytest.raises(NotFound):
        connector.verify("finns-inte.bsky.social")


@time_machine.travel(NOW, tick=False)
def test_a_full_sync_pages_to_the_end_skips_reposts_and_flattens_threads(appview, connection):
    for n in range(7):
        appview.add_post(DID, f"p{n}", f"Inlägg {n}", at(days=n))
    appview.add_repost(DID, "r1", "Någon annans inlägg", "Kommunen", at(hours=5))
    appview.add_comment("p0", "c1", "När öppnar ni?", "Anna Andersson", at(hours=3))
    appview.add_comment("p0", "c2", "Klockan tio!", "", at(hours=2), parent_id="c1", by_account=True)
    appview.add_comment("p0", "c3", "Tack!", "Anna Andersson", at(hours=1), parent_id="c2")

    result = sync_connection(connection)

    assert result.new == 10
    assert sorted(CapturedItem.objects.filter(kind=POST).values_list("text", flat=True)) == [
        f"Inlägg {n}" for n in range(7)
    ]
    assert not CapturedItem.objects.filter(text="Någon annans inlägg").exists()
    anna = appview._commenter("Anna Andersson")
    answer = CapturedItem.objects.get(platform_id=uri("c2"))
    assert answer.by_account and answer.thread.platform_id == uri("p0")
    assert answer.parent.platform_id == uri("c1", anna)
    thanks = CapturedItem.objects.get(platform_id=uri("c3", anna))
    assert thanks.parent.platform_id == uri("c2") and thanks.author_name == "Anna Andersson"
    post = CapturedItem.objects.get(platform_id=uri("p0"))
    assert post.permalink == "https://bsky.app/profile/biblioteket.falkoping.se/post/p0"
    # 7 posts and a repost at 3 a page: 3 pages, the last one not full and without a cursor.
    feed_calls = [r for r in appview.requests if r.path.endswith("getAuthorFeed")]
    assert len(feed_calls) == 3 and feed_calls[0].query.get("cursor") is None
    connection.refresh_from_db()
    assert connection.cursor == {}


def test_an_edit_is_a_version_a_deleted_reply_is_missing_and_a_hidden_one_is_kept(appview, connection):
    appview.add_post(DID, "p0", "Öppet till 18", at(days=1))
    appview.add_comment("p0", "c1", "Ett olämpligt ord", "Troll", at(hours=3))
    appview.add_comment("p0", "c2", "Reklam", "Spam", at(hours=2))
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    appview.edit("p0", "Öppet till 20")
    troll = uri("c1", appview._commenter("Troll"))
    appview.delete(troll)
    appview.hide(uri("c2", appview._commenter("Spam")))
    appview.add_comment("p0", "c3", "Ny reklam", "Spam", at(hours=1))
    appview.hide(uri("c3", appview._commenter("Spam")))
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        result = sync_connection(connection)

    post = CapturedItem.objects.get(platform_id=uri("p0"))
    assert result.edited == 2 and post.text == "Öppet till 20" and post.version_count == 2
    assert ItemVersion.objects.get(item=post).text == "Öppet till 18"
    gone = CapturedItem.objects.get(platform_id=troll)
    assert result.missing == 1 and gone.missing_since == later and gone.text == "Ett olämpligt ord"
    assert CapturedItem.objects.get(text="Ny reklam").hidden
    spam = CapturedItem.objects.get(text="Reklam")  # captured shown, hidden afterwards: a version
    assert spam.hidden and spam.version_count == 2
    assert spam.raw["hiddenByThreadgate"].startswith(f"at://{DID}/app.bsky.feed.threadgate/")
    assert not ItemVersion.objects.get(item=spam).raw.get("hiddenByThreadgate")


@time_machine.travel(NOW, tick=False)
def test_a_deleted_post_is_missing_and_its_thread_is_not_read(appview, connection):
    appview.add_post(DID, "p0", "Inlägg", at(days=1))
    appview.add_comment("p0", "c1", "Kommentar", "Anna", at(hours=3))
    sync_connection(connection)
    appview.delete("p0")
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        result = sync_connection(connection)
    assert result.missing == 2


@time_machine.travel(NOW, tick=False)
def test_a_429_waits_until_the_reset_the_appview_gives(appview, connection):
    appview.add_post(DID, "p0", "Inlägg", at(days=1))
    appview.add_fault("rate_limit", 120)

    assert tasks.sync_connection(connection.pk) == "waiting"

    connection.refresh_from_db()
    assert connection.next_attempt_at == NOW + datetime.timedelta(seconds=120)
    with time_machine.travel(NOW + datetime.timedelta(seconds=121), tick=False):
        assert tasks.sync_connection(connection.pk)["new"] == 1


@time_machine.travel(NOW, tick=False)
def test_an_unknown_account_stops_the_connection(appview, connection):
    Connection.objects.filter(pk=connection.pk).update(external_id="did:plc:gone")
    connection.refresh_from_db()
    with pytest.raises(NotFound):
        sync_connection(connection)
    connection.refresh_from_db()
    assert connection.state == ConnectionState.BROKEN


@time_machine.travel(NOW, tick=False)
def test_a_posts_image_is_captured_into_the_private_storage(appview, connection, tmp_path):
    from capture.models import CapturedMedia
    from moderation.tests.files.storage import private_media
    from simulators.media import PNG

    appview.add_post(DID, "p0", "Med bild", at(days=1), media_url="/media/bild.png")
    with private_media(tmp_path):
        result = sync_connection(connection)
        media = CapturedMedia.objects.get(item__platform_id=uri("p0"))
        assert result.media == 1 and media.source_url == f"{appview.url}/media/bild.png"
        assert media.file.read() == PNG


def test_the_registry_knows_the_connector_and_production_takes_only_the_public_appview(settings):
    from capture.addresses import address_problem
    from capture.connectors.registry import connector_class

    settings.CAPTURE_ALLOW_SIMULATORS = False
    assert connector_class("bluesky") is BlueskyConnector
    assert address_problem("bluesky", PUBLIC_APPVIEW) is None
    assert address_problem("bluesky", "https://bsky.social") is not None
    assert address_problem("bluesky", "http://127.0.0.1:8000") is not None
