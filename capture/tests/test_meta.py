"""The Meta connectors (capture/connectors/meta.py): every recorded Facebook and Instagram sample
through their parsers, and the whole sync over real HTTP against the simulated Graph API
(simulators/meta.py): paging by cursor without ever following `next`, comments and replies,
messages, deletions, an expired token, rate limits and pausing before them."""

import datetime
import json
from pathlib import Path

import httpx
import pytest
import time_machine

from accounts.tests.factories import UserFactory
from capture import crypto
from capture.connectors import meta
from capture.connectors.base import (
    COMMENT,
    POST,
    ConnectorError,
    Item,
    NotFound,
    PermissionMissing,
    RateLimited,
    TemporaryFailure,
    TokenRejected,
)
from capture.models import CapturedItem, CapturedMedia, Connection
from capture.sync import sync_connection
from simulators.meta import FacebookSimulator, InstagramSimulator
from simulators.server import serve

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
PAGE = "2121008874780932"  # the Page of the python-facebook samples
IG_USER = "17841406338772941"  # the Instagram account of the samples
TOKEN = "EAAB-page-token"  # noqa: S105 (a simulator's)


def sample(name):
    return json.loads((SAMPLES / name).read_text())


def response(status, body, headers=None):
    return httpx.Response(status, json=body, headers=headers or {})


def offline(cls, external_id=""):
    """A connector for the parsers that need one (no call is made)."""
    return cls(base_url="http://127.0.0.1:9", token=TOKEN, external_id=external_id)


# The samples, one test per file ------------------------------------------------------------------


def test_sample_meta_page_feed():
    data = sample("meta_page_feed.json")
    items = [meta.parse_facebook_post(row, "19292868552") for row in data["data"]]
    assert [item.platform_id for item in items] == [row["id"] for row in data["data"]]
    first = items[0]
    assert first.kind == POST and first.by_account  # the Page's own feed: no `from` asked for
    assert first.published_at == datetime.datetime(2021, 7, 9, 19, 9, 52, tzinfo=datetime.UTC)
    assert first.text.startswith("Singaporean logistics")
    assert first.permalink == "https://www.facebook.com/19292868552/posts/10158349356748553/"
    assert first.media == [data["data"][0]["full_picture"]]
    assert meta.next_cursor(data) == "after"  # the cursor, not the `next` URL with its token


def test_sample_meta_user_posts_time_paging():
    data = sample("meta_user_posts_time_paging.json")
    items = [meta.parse_facebook_post(row) for row in data["data"]]
    assert [item.text[:5] for item in items] == ["Happy", "Some ", "I'm g"]
    cursor = meta.next_cursor(data)
    assert cursor.startswith(meta.TIME_CURSOR) and "access_token" not in cursor
    assert meta.cursor_params(cursor)["until"] == "1624385168"
    assert meta.cursor_params(cursor)["__paging_token"] == "__paging_token"


def test_sample_meta_page_posts_last_page():
    data = sample("meta_page_posts_last_page.json")
    items = [meta.parse_facebook_post(row, PAGE) for row in data["data"]]
    assert len(items) == 3
    assert items[0].text == ""  # a post without a message
    assert items[1].text.startswith("These are my link.")
    assert data["paging"]["cursors"]["after"]
    assert meta.next_cursor(data) is None  # cursors but no `next`: the last page


def test_sample_meta_post_comments_toplevel():
    data = sample("meta_post_comments_toplevel.json")
    post_id = "2121008874780932_2498613793687103"
    items = [meta.parse_facebook_comment(row, post_id, PAGE) for row in data["data"]]
    assert [item.platform_id for item in items] == [row["id"] for row in data["data"]]
    first = items[0]
    assert first.kind == COMMENT and first.thread_id == post_id and first.parent_id == post_id
    assert first.author_id == "2711636948859886" and first.author_name == "Kun Liu"
    assert not first.by_account
    assert first.media == [data["data"][0]["attachment"]["media"]["image"]["src"]]
    assert items[1].author_name == "杨佳名"
    assert meta.next_cursor(data) == "token"


def test_sample_meta_post_comments_stream_without_ids():
    data = sample("meta_post_comments_stream.json")
    post_id = "19292868552_10158407654328553"
    items = [meta.parse_facebook_comment(row, post_id, "19292868552") for row in data["data"]]
    # No `id` in the answer: derived from the permalink in Meta's own <post>_<comment> form.
    assert [item.platform_id for item in items] == [
        "10158407654328553_10158407835073553",
        "10158407654328553_10158407903973553",
        "10158407654328553_10158409983033553",
    ]
    assert items[0].parent_id == post_id and items[1].parent_id == post_id
    assert items[2].parent_id == "10158407654328553_10158407903973553"  # a reply to the second
    assert all(item.author_id == "" and not item.by_account for item in items)  # `from` not given
    assert items[2].published_at == datetime.datetime(2021, 8, 11, 23, 22, 14, tzinfo=datetime.UTC)


def test_a_comment_without_id_or_permalink_gets_a_stable_hash_id():
    row = {"created_time": "2021-08-10T18:45:03+0000", "message": "Hej"}
    first = meta.facebook_comment_id(row, "1_2")
    assert first.startswith("h_") and first == meta.facebook_comment_id(dict(row), "1_2")
    assert first != meta.facebook_comment_id({**row, "message": "Hej då"}, "1_2")


def test_sample_meta_conversation_node():
    data = sample("meta_conversation_node.json")
    connector = offline(meta.FacebookConnector, PAGE)
    assert connector._conversation_messages(data) == []  # no messages asked for: nothing to read
    assert meta.parse_time(data["updated_time"]) == datetime.datetime(2021, 6, 8, 8, 24, 57, tzinfo=datetime.UTC)


def test_sample_meta_conversations_ids_lookup():
    data = sample("meta_conversations_ids_lookup.json")
    connector = offline(meta.FacebookConnector, PAGE)
    for conversation_id, node in data.items():
        assert node["id"] == conversation_id
        assert connector._conversation_messages(node) == []
        assert meta.parse_time(node["updated_time"]).year == 2021


def test_sample_meta_message_node():
    data = sample("meta_message_node.json")
    item = meta.parse_facebook_message(data, "t_587956915396498", PAGE)
    assert item.platform_id.startswith("m_") and item.thread_id == "t_587956915396498"
    assert item.author_name == "Kun Liu" and not item.by_account
    assert item.media == [data["attachments"]["data"][0]["image_data"]["url"]]
    reply = meta.parse_facebook_message({**data, "from": data["to"]["data"][0]}, "t_1", PAGE)
    assert reply.by_account


@pytest.mark.parametrize(
    "name",
    ["meta_error_190_expired_token.json", "meta_error_190_docs_example.json", "meta_error_190_invalid_token.json"],
)
def test_sample_meta_error_190_is_a_rejected_token(name):
    error = meta.classify(400, sample(name), httpx.Headers())
    assert isinstance(error, TokenRejected)
    assert "190" in error.detail


def test_sample_meta_error_4_app_rate_limit():
    error = meta.classify(403, sample("meta_error_4_app_rate_limit.json"), httpx.Headers())
    assert isinstance(error, RateLimited) and error.retry_after == meta.RATE_LIMIT_WAIT


def test_sample_meta_error_32_page_rate_limit_waits_as_long_as_the_usage_header_says():
    headers = httpx.Headers({
        "X-Business-Use-Case-Usage": json.dumps(
            {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]}
        )
    })  # fmt: skip
    error = meta.classify(400, sample("meta_error_32_page_rate_limit.json"), headers)
    assert isinstance(error, RateLimited) and error.retry_after == 7 * 60


def test_sample_meta_error_100_permission():
    error = meta.classify(400, sample("meta_error_100_permission.json"), httpx.Headers())
    assert isinstance(error, PermissionMissing)


def test_other_meta_codes():
    def body(code, subcode=None, message=""):
        return {"error": {"code": code, "error_subcode": subcode, "message": message}}

    assert isinstance(meta.classify(400, body(100, 33), {}), NotFound)
    assert isinstance(meta.classify(403, body(10), {}), PermissionMissing)
    assert isinstance(meta.classify(403, body(230), {}), PermissionMissing)
    assert isinstance(meta.classify(400, body(80001), {}), RateLimited)
    assert isinstance(meta.classify(400, body(613), {"retry-after": "30"}), RateLimited)
    assert meta.classify(400, body(613), {"retry-after": "30"}).retry_after == 30
    assert isinstance(meta.classify(500, body(2), {}), TemporaryFailure)
    assert type(meta.classify(400, body(100, None, "Invalid parameter"), {})) is ConnectorError
    assert meta.classify(502, {"nothing": "here"}, {}) is None


def test_sample_meta_rate_limit_headers():
    lines = [line for line in (SAMPLES / "meta_rate_limit_headers.txt").read_text().splitlines() if ":" in line]
    headers = {}
    for line in lines:
        if line.startswith("#"):
            continue
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    assert meta.parse_usage({"x-app-usage": headers["x-app-usage"]}) == (91.0, None)
    assert meta.parse_usage({"x-business-use-case-usage": headers["x-business-use-case-usage"]}) == (1.0, None)
    assert meta.parse_usage({"x-page-usage": headers["x-page-usage"]}) == (85.0, None)  # Python-style quotes
    assert meta.parse_usage(headers)[0] == 91.0


def test_sample_instagram_user_media():
    data = sample("instagram_user_media.json")
    items = [meta.parse_instagram_media(row, IG_USER) for row in data["data"]]
    assert [item.platform_id for item in items] == ["17895731045244887", "17896622936197745"]
    assert items[0].text == ""  # no caption
    assert items[0].permalink == "https://www.instagram.com/p/CSgf9BChwVq/"
    assert items[0].media == [data["data"][0]["media_url"]]
    assert items[0].by_account and items[0].author_id == IG_USER
    assert items[0].published_at == datetime.datetime(2021, 8, 13, 8, 25, 28, tzinfo=datetime.UTC)
    assert meta.next_cursor(data) == "after"


def test_sample_instagram_user_media_last_page():
    data = sample("instagram_user_media_last_page.json")
    album, photo = (meta.parse_instagram_media(row, IG_USER) for row in data["data"])
    children = data["data"][0]["children"]["data"]
    # The album's cover, the other picture and the video's thumbnail (not the video itself).
    assert album.media == [children[0]["media_url"], children[1]["media_url"], children[2]["thumbnail_url"]]
    assert album.text == "ALBUM" and photo.text == "Peach new"
    assert meta.next_cursor(data) is None  # `previous` but no `next`


def test_sample_instagram_media_comments_with_nested_replies():
    data = sample("instagram_media_comments.json")
    connector = offline(meta.InstagramConnector, IG_USER)
    items = connector.parse_comments(data, "17955956875141196")
    assert [item.text for item in items] == ["nine", "@ikroskun You nine", "eight", "seven"]
    assert items[1].parent_id == "17862949873623188" and items[1].thread_id == "17955956875141196"
    assert items[0].parent_id == "17955956875141196"
    assert all(item.by_account and item.author_id == IG_USER for item in items)  # `user.id` is the owner
    assert items[0].author_name == "ikroskun" and not items[0].hidden
    assert meta.next_cursor(data) == data["paging"]["cursors"]["after"]


def test_sample_instagram_media_comments_minimal():
    data = sample("instagram_media_comments_minimal.json")
    items = offline(meta.InstagramConnector, IG_USER).parse_comments(data, "17846368219941692")
    assert [item.platform_id for item in items] == ["17858154961981086", "17874875428706419"]
    assert all(item.author_id == "" and not item.by_account for item in items)
    assert meta.next_cursor(data) == "after"


def test_sample_instagram_comment_replies():
    data = sample("instagram_comment_replies.json")
    (reply,) = (meta.parse_instagram_comment(row, "m1", IG_USER, parent_id="c1") for row in data["data"])
    assert reply.platform_id == "17847314687296283" and reply.parent_id == "c1" and reply.thread_id == "m1"
    assert reply.published_at == datetime.datetime(2020, 8, 7, 3, 30, 6, tzinfo=datetime.UTC)
    assert meta.next_cursor(data) is None  # no `paging` at all


def test_media_only_from_metas_hosts_or_loopback():
    connector = offline(meta.FacebookConnector)
    assert connector.media_allowed("https://scontent-gmp1-1.xx.fbcdn.net/v/a.jpg")
    assert connector.media_allowed("https://scontent-gmp1-1.cdninstagram.com/v/a.jpg")
    assert connector.media_allowed("http://127.0.0.1:8000/media/a.png")
    assert not connector.media_allowed("https://evil.example/fbcdn.net/a.jpg")
    assert not connector.media_allowed("http://scontent.xx.fbcdn.net/a.jpg")


# Against the simulated Graph API ------------------------------------------------------------------


@pytest.fixture
def facebook():
    sim = FacebookSimulator(page_size=2)
    sim.add_account(PAGE, "Falköpings bibliotek", "falkopingsbibliotek", token=TOKEN)
    running = serve(sim)
    yield sim
    running.stop()


@pytest.fixture
def instagram():
    sim = InstagramSimulator(page_size=2)
    sim.add_account(IG_USER, "Falköpings bibliotek", "falkopingsbibliotek", token=TOKEN)
    running = serve(sim)
    yield sim
    running.stop()


def connect(kind, sim, account, external_id, **extra):
    return Connection.objects.create(
        account=account, kind=kind, base_url=sim.url + sim.base_path, external_id=external_id,
        token_encrypted=crypto.encrypt(TOKEN), created_by=UserFactory(), **extra,
    )  # fmt: skip


def at(days_ago=0, hours=0):
    return NOW - datetime.timedelta(days=days_ago, hours=hours)


def assert_token_never_in_a_url(sim):
    assert sim.requests
    for request in sim.requests:
        assert "access_token" not in request.query
        # /debug_token is the one call whose query carries the token (input_token): Meta requires it.
        assert "input_token" not in request.query or request.path.endswith("/debug_token")
        assert TOKEN not in request.path
        if request.path.startswith(sim.base_path):
            assert request.headers.get("authorization") == f"Bearer {TOKEN}"


def test_verify_facebook_page_with_its_scopes(facebook):
    connector = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token=TOKEN)
    identity = connector.verify()
    assert identity.platform_id == PAGE and identity.name == "Falköpings bibliotek"
    assert identity.handle == "falkopingsbibliotek"
    assert "pages_read_engagement" in identity.scopes and identity.can_read_messages
    assert identity.expires_at is None
    assert_token_never_in_a_url(facebook)


def test_verify_instagram_reads_the_linked_account(instagram):
    connector = meta.InstagramConnector(base_url=instagram.url + instagram.base_path, token=TOKEN)
    identity = connector.verify()
    assert identity.platform_id == IG_USER and identity.handle == "falkopingsbibliotek"
    assert identity.url == "https://www.instagram.com/falkopingsbibliotek/"


def test_an_unknown_token_is_rejected(facebook):
    connector = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token="wrong")
    with pytest.raises(TokenRejected):
        connector.verify()


@time_machine.travel(NOW, tick=False)
def test_a_full_facebook_sync_follows_every_page_of_posts_comments_and_messages(facebook, library_account):
    for n in range(5):
        facebook.add_post(PAGE, f"{PAGE}_{n}", f"Inlägg {n}", at(days_ago=n), media_url=None)
    facebook.add_post(PAGE, f"{PAGE}_9", "Med bild", at(hours=1), media_url=f"{facebook.url}/media/bild.png")
    post = f"{PAGE}_0"
    facebook.add_comment(post, "0_c1", "När öppnar ni?", "Anna", at(hours=3))
    facebook.add_comment(post, "0_c2", "Klockan tio", "", at(hours=2), parent_id="0_c1", by_account=True)
    facebook.add_comment(post, "0_c3", "Tack!", "Anna", at(hours=1), parent_id="0_c1")
    facebook.add_comment(post, "0_c4", "Tredje sidan", "Bertil", at(hours=1))
    facebook.add_comment(post, "0_c5", "Sista", "Cecilia", at(hours=0))
    facebook.add_message(PAGE, "t_1", "m_1", "Hej, en fråga", "Anna", at(hours=5))
    facebook.add_message(PAGE, "t_1", "m_2", "Svar", "", at(hours=4), by_account=True)
    facebook.add_message(PAGE, "t_1", "m_3", "Tack", "Anna", at(hours=3))
    connection = connect("facebook", facebook, library_account, PAGE, reads_messages=True)

    result = sync_connection(connection)

    assert result.new == 6 + 5 + 3
    assert CapturedItem.objects.filter(kind="post").count() == 6
    reply = CapturedItem.objects.get(platform_id="0_c2")
    assert reply.parent.platform_id == "0_c1" and reply.thread.platform_id == post
    assert reply.by_account and reply.author_name == "Falköpings bibliotek"
    anna = CapturedItem.objects.get(platform_id="0_c1")
    assert not anna.by_account and anna.author_name == "Anna" and anna.parent.platform_id == post
    assert CapturedItem.objects.filter(kind="message").count() == 3
    assert CapturedItem.objects.get(platform_id="m_2").by_account
    assert CapturedMedia.objects.get().item.platform_id == f"{PAGE}_9"
    # Three pages of posts, three of the first post's comments, two of messages (nested + one more).
    paths = [r.path for r in facebook.requests]
    assert paths.count(f"/v26.0/{PAGE}/feed") == 3
    assert paths.count(f"/v26.0/{post}/comments") == 3
    assert paths.count("/v26.0/t_1/messages") == 1
    assert all(r.query.get("filter") == "stream" for r in facebook.requests if r.path.endswith("/comments"))
    assert_token_never_in_a_url(facebook)
    connection.refresh_from_db()
    assert connection.cursor == {} and connection.last_error == ""


@time_machine.travel(NOW, tick=False)
def test_a_full_instagram_sync_with_nested_replies_read_to_the_end(instagram, library_account):
    for n in range(3):
        instagram.add_post(IG_USER, f"ig{n}", f"Bild {n}", at(days_ago=n), media_url=None)
    instagram.add_comment("ig0", "c1", "Fin!", "anna", at(hours=5))
    for n in range(3):
        instagram.add_comment("ig0", f"r{n}", f"Svar {n}", "bertil", at(hours=4 - n), parent_id="c1")
    instagram.add_comment("ig0", "c2", "Tack", "", at(hours=1), by_account=True)
    instagram.add_comment("ig0", "c3", "Sist", "cecilia", at(hours=0))
    instagram.hide("c3")
    connection = connect("instagram", instagram, library_account, IG_USER)

    result = sync_connection(connection)

    assert result.new == 3 + 6
    assert {r.parent.platform_id for r in CapturedItem.objects.filter(platform_id__startswith="r")} == {"c1"}
    own = CapturedItem.objects.get(platform_id="c2")
    assert own.by_account and own.author_name == "falkopingsbibliotek"
    assert not CapturedItem.objects.get(platform_id="c1").by_account
    assert CapturedItem.objects.get(platform_id="c3").hidden
    assert [r.path for r in instagram.requests].count("/v26.0/c1/replies") == 1  # the nested list's 2nd page
    assert_token_never_in_a_url(instagram)


def test_a_deleted_comment_is_marked_missing_after_the_next_sync(facebook, library_account):
    facebook.add_post(PAGE, f"{PAGE}_1", "Inlägg", at(days_ago=1))
    facebook.add_comment(f"{PAGE}_1", "c1", "Ett olämpligt ord", "Anna", at(hours=2))
    facebook.add_comment(f"{PAGE}_1", "c2", "Bra!", "Bertil", at(hours=1))
    connection = connect("facebook", facebook, library_account, PAGE)
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    facebook.delete("c1")
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        result = sync_connection(connection)

    assert result.missing == 1
    gone = CapturedItem.objects.get(platform_id="c1")
    assert gone.missing_since == later and gone.text == "Ett olämpligt ord"
    assert CapturedItem.objects.get(platform_id="c2").missing_since is None


def test_an_edited_post_keeps_its_earlier_version_and_a_hidden_comment_is_marked(facebook, library_account):
    facebook.add_post(PAGE, f"{PAGE}_1", "Öppet till 18", at(days_ago=1))
    facebook.add_comment(f"{PAGE}_1", "c1", "Skräp", "Anna", at(hours=2))
    connection = connect("facebook", facebook, library_account, PAGE)
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    facebook.edit(f"{PAGE}_1", "Öppet till 20")
    facebook.hide("c1")
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        result = sync_connection(connection)
    assert result.edited == 2
    post = CapturedItem.objects.get(platform_id=f"{PAGE}_1")
    assert post.text == "Öppet till 20" and post.versions.get().text == "Öppet till 18"
    assert CapturedItem.objects.get(platform_id="c1").hidden


@time_machine.travel(NOW, tick=False)
def test_an_expired_token_mid_walk_is_a_rejected_token(facebook, library_account):
    for n in range(3):
        facebook.add_post(PAGE, f"{PAGE}_{n}", f"Inlägg {n}", at(days_ago=n))
    facebook.add_fault("expired_token", None, "/feed")
    connection = connect("facebook", facebook, library_account, PAGE)
    with pytest.raises(TokenRejected) as caught:
        sync_connection(connection)
    assert "190/463" in caught.value.detail
    connection.refresh_from_db()
    assert connection.state == "broken"


def test_a_rate_limit_code_4_waits_as_long_as_the_usage_headers_say(facebook):
    facebook.add_fault("rate_limit", 120)
    connector = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token=TOKEN, external_id=PAGE)
    with pytest.raises(RateLimited) as caught:
        connector.posts()
    assert caught.value.retry_after == 120  # estimated_time_to_regain_access: 2 (minutes)
    assert "code 4" in caught.value.detail


def test_high_usage_pauses_before_the_limit_without_another_call(facebook):
    facebook.add_post(PAGE, f"{PAGE}_1", "Inlägg", at(days_ago=1))
    connector = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token=TOKEN, external_id=PAGE)
    facebook.usage_headers = [("X-App-Usage", '{"call_count":95,"total_cputime":10,"total_time":10}')]
    page = connector.posts()
    assert len(page.items) == 1  # the page already read is answered
    assert connector.should_pause() == meta.RATE_LIMIT_WAIT
    calls = len(facebook.requests)
    with pytest.raises(RateLimited) as caught:
        connector.replies(page.items[0])
    assert caught.value.retry_after == meta.RATE_LIMIT_WAIT
    assert len(facebook.requests) == calls  # nothing was sent
    facebook.usage_headers = [("X-App-Usage", '{"call_count":40,"total_cputime":10,"total_time":10}')]
    connector.usage = 0.0  # after the wait (a new sync builds a new connector)
    connector.replies(page.items[0])
    assert connector.should_pause() is None


@time_machine.travel(NOW, tick=False)
def test_messages_without_pages_messaging_are_skipped_and_said(facebook, library_account):
    facebook.scopes[TOKEN].remove("pages_messaging")
    facebook.add_post(PAGE, f"{PAGE}_1", "Inlägg", at(days_ago=1))
    facebook.add_message(PAGE, "t_1", "m_1", "Hej", "Anna", at(hours=5))
    connection = connect("facebook", facebook, library_account, PAGE, reads_messages=True)
    connector = meta.FacebookConnector(base_url=connection.base_url, token=TOKEN, external_id=PAGE)
    with pytest.raises(PermissionMissing):
        connector.messages()
    assert not connector.verify().can_read_messages

    result = sync_connection(connection)

    assert result.new == 1 and "permission" in result.notes[0]
    connection.refresh_from_db()
    assert "permission" in connection.last_error


def test_the_instagram_connector_does_not_read_messages():
    from capture.connectors.base import NotSupported

    with pytest.raises(NotSupported):
        offline(meta.InstagramConnector).messages()


def test_a_post_page_reaching_since_ends_the_walk(facebook):
    for n in range(4):
        facebook.add_post(PAGE, f"{PAGE}_{n}", f"Inlägg {n}", at(days_ago=n))
    connector = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token=TOKEN, external_id=PAGE)
    page = connector.posts(since=at(days_ago=0, hours=12))
    assert len(page.items) == 2 and page.next_cursor is None
    assert connector.posts().next_cursor is not None


def test_replies_of_a_deleted_post_are_not_found(facebook):
    connector = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token=TOKEN, external_id=PAGE)
    gone = Item(platform_id=f"{PAGE}_404", kind=POST, text="", published_at=None, raw={})
    with pytest.raises(NotFound):
        connector.replies(gone)


def test_verify_by_page_id_and_a_username_is_not_looked_up(facebook):
    connector = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token=TOKEN)
    assert connector.verify(PAGE).platform_id == PAGE
    assert connector.verify("falkopingsbibliotek").platform_id == PAGE
    assert [r.path for r in facebook.requests if not r.path.endswith(("/permissions", "/debug_token"))] == [
        f"/v26.0/{PAGE}",
        "/v26.0/me",
    ]


@time_machine.travel(NOW, tick=False)
def test_the_task_waits_as_long_as_metas_usage_headers_say(facebook, library_account):
    from capture import tasks

    facebook.add_post(PAGE, f"{PAGE}_1", "Inlägg", at(days_ago=1))
    facebook.add_fault("rate_limit", 180, "/feed")
    connection = connect("facebook", facebook, library_account, PAGE)

    assert tasks.sync_connection(connection.pk) == "waiting"

    connection.refresh_from_db()
    assert connection.next_attempt_at == NOW + datetime.timedelta(minutes=3)
    with time_machine.travel(NOW + datetime.timedelta(minutes=4), tick=False):
        assert tasks.sync_connection(connection.pk)["new"] == 1


def test_every_meta_and_instagram_sample_has_a_test_here():
    source = Path(__file__).read_text()
    names = sorted(path.name for path in SAMPLES.iterdir() if path.name.startswith(("meta_", "instagram_")))
    assert len(names) == 20
    assert [name for name in names if name not in source] == []


def test_verify_reads_when_the_token_expires_from_debug_token(facebook, instagram):
    expires = int(NOW.timestamp()) + 10 * 86400
    facebook.expiry[TOKEN] = expires
    identity = meta.FacebookConnector(base_url=facebook.url + facebook.base_path, token=TOKEN).verify()
    assert identity.expires_at == datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    debug_calls = [r for r in facebook.requests if r.path.endswith("/debug_token")]
    assert [r.query["input_token"] for r in debug_calls] == [TOKEN]
    instagram.expiry[TOKEN] = expires
    ig = meta.InstagramConnector(base_url=instagram.url + instagram.base_path, token=TOKEN).verify()
    assert ig.expires_at == datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
