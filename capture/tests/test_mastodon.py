"""The Mastodon connector: every recorded sample parsed (capture/tests/samples/mastodon_*), and a
whole sync over real HTTP against the simulated instance (simulators/mastodon.py): paging to the end,
an edit kept as a version, a deleted reply marked missing, boosts left out, a 429 waited out."""

import datetime
import json
from pathlib import Path

import httpx
import pytest
import time_machine

from accounts.tests.factories import UserFactory
from capture import tasks
from capture.connectors.base import COMMENT, POST, Item, NotFound, PermissionMissing, RateLimited, TokenRejected
from capture.connectors.http import PlatformClient
from capture.connectors.mastodon import (
    MastodonConnector,
    acct_of,
    html_to_text,
    link_next_max_id,
    media_urls,
    rate_limit_wait,
)
from capture.hashing import raw_sha256
from capture.models import CapturedItem, Connection, ItemVersion
from capture.sync import sync_connection
from simulators.mastodon import MastodonSimulator
from simulators.server import serve

SAMPLES = Path(__file__).parent / "samples"
BASE = "https://mastodon.example"
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
ACCOUNT_ID = "109000000000000001"


def sample(name):
    return json.loads((SAMPLES / name).read_text())


def sample_headers(name):
    """The header lines of a recorded answer (after its request and status lines)."""
    lines = (SAMPLES / name).read_text().splitlines()[2:]
    return [tuple(part.strip() for part in line.split(":", 1)) for line in lines if ":" in line]


def offline(answers, external_id="117020565966271181", token=""):
    """A connector whose client answers from recorded samples: path → (status, body, headers)."""
    connector = MastodonConnector(base_url=BASE, external_id=external_id, token=token)
    requests = []

    def handler(request):
        requests.append(request)
        status, body, headers = answers[request.url.path]
        return httpx.Response(status, json=body, headers=headers)

    connector.client = PlatformClient(BASE, classify=connector.classify_error, transport=httpx.MockTransport(handler))
    return connector, requests


# Every sample ------------------------------------------------------------------------------------


def test_sample_account_lookup_is_the_identity():
    connector, requests = offline({"/api/v1/accounts/lookup": (200, sample("mastodon_account_lookup.json"), {})})
    identity = connector.verify("@mastodonpy_test")
    assert identity.platform_id == "117020565966271181"
    assert identity.name == "John Lennon"
    assert identity.handle == "mastodonpy_test"
    assert identity.url == "http://localhost:3000/@mastodonpy_test"
    assert requests[0].url.params["acct"] == "mastodonpy_test"


def test_sample_account_lookup_404_is_not_found():
    connector, _ = offline({"/api/v1/accounts/lookup": (404, sample("mastodon_account_lookup_404.json"), {})})
    with pytest.raises(NotFound):
        connector.verify("kljadklajsdkljlkjlkjlkjasdasd")


def test_sample_statuses_page_with_its_link_header():
    path = "/api/v1/accounts/117020565966271181/statuses"
    headers = sample_headers("mastodon_account_statuses.headers.txt")
    connector, requests = offline({path: (200, sample("mastodon_account_statuses.json"), headers)})

    page = connector.posts()

    assert [item.platform_id for item in page.items] == [
        "117020580518794573",
        "117020580511453871",
        "117020580503743669",
    ]
    first = page.items[0]
    assert first.kind == POST and first.text == "Toot number 9!"
    assert first.published_at == datetime.datetime(2026, 8, 1, 13, 52, 34, 108000, tzinfo=datetime.UTC)
    assert first.permalink == "http://localhost:3000/@mastodonpy_test/117020580518794573"
    assert first.by_account and first.author_name == "John Lennon"
    assert first.raw["content"] == "<p>Toot number 9!</p>"  # the raw answer is kept as it came
    assert page.next_cursor == "117020580489281910"
    assert requests[0].url.params["exclude_reblogs"] == "true" and requests[0].url.params["limit"] == "40"

    connector.posts(cursor=page.next_cursor)
    # The next request is built from the connection's address, not from the Link's (localhost:3000).
    assert requests[1].url.host == "mastodon.example"
    assert requests[1].url.params["max_id"] == "117020580489281910"


def test_sample_second_page_link_header():
    headers = dict(sample_headers("mastodon_account_statuses_page2.headers.txt"))
    assert link_next_max_id(headers["link"]) == "117020580452511285"
    assert link_next_max_id(None) is None
    assert link_next_max_id('<https://x.example/a?min_id=5>; rel="prev"') is None


def test_sample_rate_limit_reset_is_an_iso_time():
    headers = httpx.Headers(sample_headers("mastodon_account_statuses.headers.txt"))
    now = datetime.datetime(2026, 8, 1, 13, 54, 0, 212100, tzinfo=datetime.UTC)
    assert rate_limit_wait(headers, now=now) == 60.0
    assert rate_limit_wait(httpx.Headers({"Retry-After": "7"})) == 7.0


def test_sample_status_404_is_not_found():
    connector, _ = offline({"/api/v1/statuses/0/context": (404, sample("mastodon_status_404.json"), {})})
    with pytest.raises(NotFound):
        connector.replies(Item(platform_id="0", kind=POST, text="", published_at=None, raw={}))


def test_sample_context_without_the_status_itself():
    post_id = "110446983926957470"
    headers = sample_headers("mastodon_status_context.headers.txt")
    body = sample("mastodon_status_context.json")
    connector, _ = offline({f"/api/v1/statuses/{post_id}/context": (200, body, headers)})
    post = Item(platform_id=post_id, kind=POST, text="", published_at=None, raw={})

    page = connector.replies(post)

    assert page.next_cursor is None
    [reply] = page.items  # the ancestor is not a reply; the status itself is not in the answer
    assert reply.kind == COMMENT and reply.platform_id == "110446984249325790"
    assert reply.parent_id == post_id and reply.thread_id == post_id
    assert reply.text == "final status"
    assert reply.author_id == "43" and reply.author_name == "autumnal halcy"
    assert not reply.by_account  # the connection is another account (117020565966271181)


def test_boosts_and_replies_in_a_statuses_page_are_not_posts():
    own, boost, reply = (json.loads(json.dumps(sample("mastodon_account_statuses.json")[0])) for _ in range(3))
    boost.update(id="2", reblog=own, content="")
    reply.update(id="3", in_reply_to_id="1", in_reply_to_account_id="117020565966271181")
    connector = MastodonConnector(base_url=BASE, external_id="117020565966271181")
    page = connector.parse_statuses([own, boost, reply], link_header=None)
    assert [item.platform_id for item in page.items] == [own["id"]]
    assert page.next_cursor is None


def test_counters_and_account_totals_are_not_edits():
    status = sample("mastodon_account_statuses.json")[0]
    changed = json.loads(json.dumps(status))
    changed["favourites_count"] = 12
    changed["account"]["followers_count"] = 99
    changed["account"]["last_status_at"] = "2026-09-01"
    volatile = MastodonConnector.volatile_keys
    assert raw_sha256(status, volatile) == raw_sha256(changed, volatile)
    changed["edited_at"] = "2026-08-02T10:00:00.000Z"
    assert raw_sha256(status, volatile) != raw_sha256(changed, volatile)


def test_html_becomes_plain_text():
    content = (
        '<p>Öppet idag &amp; imorgon</p><p>Läs mer: <a href="https://falkoping.se/x"><span class="invisible">'
        'https://</span><span class="">falkoping.se/x</span></a><br />Välkommen!</p>'
    )
    assert html_to_text(content) == "Öppet idag & imorgon\n\nLäs mer: https://falkoping.se/x\nVälkommen!"


def test_handles_as_comms_types_them():
    assert acct_of("@falkoping") == "falkoping"
    assert acct_of("@falkoping@mastodon.social") == "falkoping@mastodon.social"
    assert acct_of("https://mastodon.social/@falkoping/") == "falkoping"


def test_media_attachments_become_media():
    status = {
        "media_attachments": [
            {"type": "image", "url": "https://files.example/a.jpg", "preview_url": "https://files.example/a_s.jpg"},
            {"type": "video", "url": "https://files.example/v.mp4", "preview_url": "https://files.example/v.png"},
        ]
    }
    assert media_urls(status) == ["https://files.example/a.jpg", "https://files.example/v.png"]


def test_a_server_that_hides_the_account_is_a_missing_permission_and_a_token_it_refuses_stops():
    path = "/api/v1/accounts/lookup"
    connector, _ = offline({path: (401, {"error": "This method requires an authenticated user"}, {})})
    with pytest.raises(PermissionMissing):
        connector.verify("x")
    connector, _ = offline({path: (401, {"error": "The access token is invalid"}, {})}, token="t")
    with pytest.raises(TokenRejected):
        connector.verify("x")


# Against the simulated instance over real HTTP ------------------------------------------------------


@pytest.fixture
def instance(settings):
    settings.CAPTURE_ALLOW_SIMULATORS = True
    sim = MastodonSimulator(page_size=3)
    running = serve(sim)
    sim.add_account(ACCOUNT_ID, "Falköpings bibliotek", "biblioteket")
    yield sim
    running.stop()


@pytest.fixture
def connection(instance, library_account):
    return Connection.objects.create(
        account=library_account, kind="mastodon", base_url=instance.url + instance.base_path,
        external_id=ACCOUNT_ID, created_by=UserFactory(),
    )  # fmt: skip


def at(days=0, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


def test_verify_against_the_simulator(instance):
    connector = MastodonConnector(base_url=instance.url)
    identity = connector.verify("@biblioteket")
    assert identity.platform_id == ACCOUNT_ID and identity.name == "Falköpings bibliotek"
    with pytest.raises(NotFound):
        connector.verify("finns_inte")


@time_machine.travel(NOW, tick=False)
def test_a_full_sync_pages_to_the_end_with_threads_and_leaves_boosts_out(instance, connection):
    for n in range(7):
        instance.add_post(ACCOUNT_ID, f"10{n}", f"Inlägg {n}", at(days=n))
    instance.add_boost(ACCOUNT_ID, "200", "Någon annans inlägg", "Kommunen", at(hours=1))
    instance.add_comment("100", "300", "När öppnar ni?", "Anna Andersson", at(hours=2))
    instance.add_comment("100", "301", "Klockan tio!", "", at(hours=1), parent_id="300", by_account=True)
    instance.add_comment("100", "302", "Tack!", "Anna Andersson", at(hours=0), parent_id="301")

    result = sync_connection(connection)

    assert result.new == 10
    posts = CapturedItem.objects.filter(kind=POST)
    assert sorted(posts.values_list("text", flat=True)) == [f"Inlägg {n}" for n in range(7)]
    assert not CapturedItem.objects.filter(platform_id__in=["200", "200-original"]).exists()
    answer = CapturedItem.objects.get(platform_id="301")
    assert answer.by_account and answer.thread.platform_id == "100" and answer.parent.platform_id == "300"
    thanks = CapturedItem.objects.get(platform_id="302")
    assert thanks.parent.platform_id == "301" and not thanks.by_account
    assert thanks.author_name == "Anna Andersson"
    # 7 posts and the account's own reply (301, in the list, left for the thread) at 3 a page: 3
    # pages, the last one not full, so no Link to a fourth.
    statuses_calls = [r for r in instance.requests if r.path.endswith("/statuses")]
    assert [r.query.get("max_id") for r in statuses_calls] == [None, "101", "104"]
    assert statuses_calls[0].query["exclude_reblogs"] == "true"
    connection.refresh_from_db()
    assert connection.cursor == {}


@time_machine.travel(NOW, tick=False)
def test_a_full_last_page_is_followed_by_an_empty_one(instance, connection):
    for n in range(3):
        instance.add_post(ACCOUNT_ID, f"10{n}", f"Inlägg {n}", at(days=n))
    sync_connection(connection)
    statuses_calls = [r for r in instance.requests if r.path.endswith("/statuses")]
    assert [r.query.get("max_id") for r in statuses_calls] == [None, "102"]
    assert CapturedItem.objects.count() == 3


def test_an_edit_is_kept_as_a_version_and_a_deleted_reply_is_marked_missing(instance, connection):
    instance.add_post(ACCOUNT_ID, "100", "Öppet till 18", at(days=1))
    instance.add_comment("100", "300", "Ett olämpligt ord", "Troll", at(hours=3))
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    instance.edit("100", "Öppet till 20")
    instance.delete("300")
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        result = sync_connection(connection)

    post = CapturedItem.objects.get(platform_id="100")
    assert result.edited == 1 and post.text == "Öppet till 20" and post.version_count == 2
    assert post.raw["edited_at"] is not None
    assert ItemVersion.objects.get(item=post).text == "Öppet till 18"
    reply = CapturedItem.objects.get(platform_id="300")
    assert result.missing == 1 and reply.missing_since == later and reply.text == "Ett olämpligt ord"


@time_machine.travel(NOW, tick=False)
def test_a_429_waits_until_the_reset_the_instance_gives(instance, connection):
    instance.add_post(ACCOUNT_ID, "100", "Inlägg", at(days=1))
    instance.add_fault("rate_limit", 90)

    assert tasks.sync_connection(connection.pk) == "waiting"

    connection.refresh_from_db()
    assert connection.next_attempt_at == NOW + datetime.timedelta(seconds=90)
    with time_machine.travel(NOW + datetime.timedelta(seconds=91), tick=False):
        assert tasks.sync_connection(connection.pk)["new"] == 1


def test_the_connector_raises_rate_limited_with_the_wait(instance):
    instance.add_fault("rate_limit", 42)
    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        MastodonConnector(base_url=instance.url, external_id=ACCOUNT_ID).posts()
    assert caught.value.retry_after == 42.0


@time_machine.travel(NOW, tick=False)
def test_an_account_with_a_token_that_expires_stops_the_connection(instance, connection):
    from capture import crypto
    from capture.models import ConnectionState

    instance.tokens[ACCOUNT_ID] = "tok"
    connection.token_encrypted = crypto.encrypt("tok")
    connection.save()
    instance.add_post(ACCOUNT_ID, "100", "Inlägg", at(days=1))
    instance.add_fault("expired_token")

    with pytest.raises(TokenRejected):
        sync_connection(connection)
    connection.refresh_from_db()
    assert connection.state == ConnectionState.BROKEN


@time_machine.travel(NOW, tick=False)
def test_a_posts_image_is_captured_into_the_private_storage(instance, connection, tmp_path):
    from capture.models import CapturedMedia
    from moderation.tests.files.storage import private_media
    from simulators.media import PNG

    instance.add_post(ACCOUNT_ID, "100", "Med bild", at(days=1), media_url="/media/bild.png")
    with private_media(tmp_path):
        result = sync_connection(connection)
        media = CapturedMedia.objects.get(item__platform_id="100")
        assert result.media == 1
        assert media.source_url == f"{instance.url}/media/bild.png"
        assert media.size == len(PNG) and media.content_type == "image/png"
        assert media.file.read() == PNG


def test_the_registry_knows_the_connector_and_production_takes_the_accounts_own_instance(settings):
    from capture.addresses import address_problem
    from capture.connectors.registry import connector_class

    settings.CAPTURE_ALLOW_SIMULATORS = False
    assert connector_class("mastodon") is MastodonConnector
    assert address_problem("mastodon", "https://mastodon.social", "https://mastodon.social/@falkoping") is None
    assert address_problem("mastodon", "https://mastodon.nu", "https://mastodon.social/@falkoping") is not None
    assert address_problem("mastodon", "http://mastodon.social") is not None
