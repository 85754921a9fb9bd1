"""The YouTube connector: every recorded youtube_* sample parsed, and the whole capture over real HTTP
against the simulated Data API (simulators/youtube.py): paging, threads with more replies than they
carry, comments turned off, the daily quota, a refused key, 5xx, deletions and likes."""

import datetime
import json
from pathlib import Path

import httpx
import pytest
import time_machine

from accounts.models import Platform
from accounts.tests.factories import SocialAccountFactory, UserFactory
from capture import crypto
from capture.connectors.base import (
    COMMENT,
    POST,
    Item,
    NotFound,
    PermissionMissing,
    RateLimited,
    TemporaryFailure,
    TokenRejected,
)
from capture.connectors.youtube import (
    YouTubeConnector,
    channel_ref,
    classify_youtube_error,
    seconds_to_pacific_midnight,
)
from capture.hashing import raw_sha256
from capture.models import CapturedItem, CapturedMedia, Connection, ConnectionState
from capture.sync import sync_connection
from simulators.server import serve
from simulators.youtube import YouTubeSimulator, author_channel

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
CHANNEL = "UCfalkopingkommun0000000"
KEY = "AIza-test-key"


def sample(name):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def connector(external_id="UC_x5XG1OV2P6uZZ5FSM9Ttw"):
    return YouTubeConnector(base_url="https://www.googleapis.com/youtube/v3", token=KEY, external_id=external_id)


def response(status, name):
    return httpx.Response(status, json=sample(name))


# Every recorded sample -----------------------------------------------------------------------------


def test_channels_list_gives_the_identity_and_the_uploads_playlist():
    yt = connector()
    channel = next(c for c in sample("youtube_channels_list.json")["items"] if c["id"] == "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    identity = yt.identity(channel)
    assert identity.platform_id == "UC_x5XG1OV2P6uZZ5FSM9Ttw"
    assert identity.name == "Google Developers"
    assert identity.handle == "@googledevelopers"
    assert yt.uploads_playlist() == "UU_x5XG1OV2P6uZZ5FSM9Ttw"  # read from the answer, not guessed


@pytest.mark.parametrize(
    "name",
    [
        "youtube_playlistItems_snippet_p1.json",
        "youtube_playlistItems_snippet_last_page.json",
        "youtube_playlistItems_uploads_snippet_contentDetails.json",
    ],
)
def test_every_playlist_items_sample_gives_videos(name):
    data = sample(name)
    items = [connector().video_item(row) for row in data["items"]]
    assert len(items) == len(data["items"])
    for item, row in zip(items, data["items"], strict=True):
        assert item.kind == POST
        assert item.platform_id == row["snippet"]["resourceId"]["videoId"]
        assert item.permalink == f"https://www.youtube.com/watch?v={item.platform_id}"
        assert item.text.startswith(row["snippet"]["title"])
        assert item.published_at.tzinfo is not None
        assert item.media and item.media[0].endswith("maxresdefault.jpg")
    assert data.get("nextPageToken") or "last_page" in name  # the last page has none at all


def test_the_video_publication_time_is_the_videos_own_not_when_it_entered_the_playlist():
    row = sample("youtube_playlistItems_uploads_snippet_contentDetails.json")["items"][0]
    item = connector(external_id="UCMg4QJXtDH-VeoJvlEpfEYg").video_item(row)
    assert item.published_at == datetime.datetime(2022, 1, 31, 21, 0, 3, tzinfo=datetime.UTC)
    assert item.by_account and item.author_name == "Adventure victoria"


def test_a_playlist_item_node_with_all_parts_and_old_milliseconds():
    item = connector().video_item(sample("youtube_playlistItem_node_all_parts.json"))
    assert item.platform_id == "D-lhorsDlUQ"
    assert item.published_at == datetime.datetime(2019, 3, 21, 20, 37, 49, tzinfo=datetime.UTC)
    assert item.text.startswith("What are Actions on Google (Assistant on Air)\n\nIn the first episode")


def test_comment_threads_with_replies_included():
    yt = connector()
    items = []
    for thread in sample("youtube_commentThreads_replies.json")["items"]:
        items.extend(yt.thread_items(thread, "D-lhorsDlUQ"))
    assert [item.platform_id for item in items] == [
        "UgydxWWoeA7F1OdqypJ4AaABAg",
        "UgydxWWoeA7F1OdqypJ4AaABAg.8wWQ3tdHcFx8xcDheui-qb",
        "UgxKREWxIgDrw8w2e_Z4AaABAg",
        "UgyrVQaFfEdvaSzstj14AaABAg",
    ]
    top, reply = items[0], items[1]
    assert top.kind == reply.kind == COMMENT
    assert top.parent_id == "D-lhorsDlUQ" and top.thread_id == "D-lhorsDlUQ"
    assert reply.parent_id == "UgydxWWoeA7F1OdqypJ4AaABAg" and reply.thread_id == "D-lhorsDlUQ"
    assert top.text == "Actions.ai"  # textOriginal, not the HTML of textDisplay
    assert top.author_name == "Loren Robilio" and top.author_id == "UCe9i1nJCcevTa6KJa55KYog"
    assert top.permalink == "https://www.youtube.com/watch?v=D-lhorsDlUQ&lc=UgydxWWoeA7F1OdqypJ4AaABAg"
    assert top.raw["thread"]["snippet"]["totalReplyCount"] == 1
    assert "\n" in items[2].text  # the <br /> of textDisplay are newlines in textOriginal


def test_a_thread_with_more_replies_than_it_carries_asks_comments_list(monkeypatch):
    yt = connector()
    asked = []

    def all_replies(parent_id):
        asked.append(parent_id)
        return sample("youtube_comments_by_parent.json")["items"]

    monkeypatch.setattr(yt, "all_replies", all_replies)
    items = []
    for thread in sample("youtube_commentThreads_paged.json")["items"]:
        items.extend(yt.thread_items(thread, "F1UP7wRCPH8"))
    assert asked == ["UgwI_ylXVnzPS8Q-oAV4AaABAg"]  # the one with totalReplyCount 2 and no replies
    assert [item.text for item in items[-2:]] == ["this is the third reply!", "this is the second reply!"]
    # (The recorded replies answer another thread: the parent is read from each reply's snippet.)
    assert all(item.parent_id == "Ugw5zYU6n9pmIgAZWvN4AaABAg" for item in items[-2:])


def test_comments_by_parent_sample():
    items = [connector().comment_item(row, "F1UP7wRCPH8") for row in sample("youtube_comments_by_parent.json")["items"]]
    assert [item.platform_id for item in items] == [
        "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za6voUoRh",
        "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za5eJxzs1",
    ]
    assert items[0].published_at == datetime.datetime(2019, 12, 1, 4, 46, 31, tzinfo=datetime.UTC)


def test_without_text_original_the_html_of_text_display_is_made_plain():
    row = sample("youtube_commentThreads_paged.json")["items"][0]["snippet"]["topLevelComment"]
    del row["snippet"]["textOriginal"]
    row["snippet"]["textDisplay"] = 'Hej &amp; tack<br />Se <a href="http://x.se/">x.se</a>'
    assert connector().comment_item(row, "v").text == "Hej & tack\nSe x.se"


def test_own_replies_are_the_channels():
    row = sample("youtube_comments_by_parent.json")["items"][0]
    assert connector(external_id="UCNvMBmCASzTNNX8lW3JRMbw").comment_item(row, "v").by_account
    assert not connector().comment_item(row, "v").by_account


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_quota_exceeded_waits_until_midnight_pacific_time():
    error = classify_youtube_error(response(403, "youtube_error_quotaExceeded.json"))
    assert isinstance(error, RateLimited)
    # 09:00 UTC is 01:00 in Los Angeles (PST, UTC-8 from 1 November): 23 hours to midnight.
    assert error.retry_after == 23 * 3600
    assert "quota" in error.message


def test_the_quota_wait_follows_summer_time():
    summer = datetime.datetime(2026, 7, 1, 6, 30, tzinfo=datetime.UTC)  # 23:30 PDT (UTC-7)
    assert seconds_to_pacific_midnight(summer) == 30 * 60


@pytest.mark.parametrize("name", ["youtube_error_keyInvalid_legacy.json", "youtube_error_keyInvalid_current.json"])
def test_an_invalid_key_in_both_envelopes_is_a_rejected_token(name):
    assert isinstance(classify_youtube_error(response(400, name)), TokenRejected)


def test_permission_denied_is_a_missing_permission():
    error = classify_youtube_error(response(403, "youtube_error_403_permission.json"))
    assert isinstance(error, PermissionMissing)


def test_rate_limit_exceeded_waits_a_minute_and_other_bodies_fall_back_to_the_status():
    body = {"error": {"code": 403, "errors": [{"reason": "rateLimitExceeded", "domain": "youtube.quota"}]}}
    error = classify_youtube_error(httpx.Response(403, json=body))
    assert isinstance(error, RateLimited) and error.retry_after == 60
    assert classify_youtube_error(httpx.Response(502, text="<html>Bad gateway</html>")) is None


@pytest.mark.parametrize(
    ("typed", "ref"),
    [
        ("UC_x5XG1OV2P6uZZ5FSM9Ttw", {"id": "UC_x5XG1OV2P6uZZ5FSM9Ttw"}),
        ("@falkopingskommun", {"forHandle": "@falkopingskommun"}),
        ("falkopingskommun", {"forHandle": "@falkopingskommun"}),
        ("https://www.youtube.com/@falkopingskommun/videos", {"forHandle": "@falkopingskommun"}),
        ("https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw", {"id": "UC_x5XG1OV2P6uZZ5FSM9Ttw"}),
    ],
)
def test_what_comms_types_for_a_channel(typed, ref):
    assert channel_ref(typed) == ref


def test_volatile_keys_leave_counters_out_of_the_hash_wherever_they_are(monkeypatch):
    thread = sample("youtube_commentThreads_replies.json")["items"][0]
    yt = connector()
    monkeypatch.setattr(yt, "all_replies", lambda parent_id: [])
    before = yt.thread_items(thread, "D-lhorsDlUQ")[0].raw
    thread["snippet"]["topLevelComment"]["snippet"]["likeCount"] = 99
    thread["snippet"]["topLevelComment"]["etag"] = "new"
    thread["snippet"]["totalReplyCount"] = 7
    after = yt.thread_items(thread, "D-lhorsDlUQ")[0].raw
    assert raw_sha256(before, yt.volatile_keys) == raw_sha256(after, yt.volatile_keys)


# Over real HTTP against the simulator ----------------------------------------------------------------


@pytest.fixture
def youtube():
    simulator = YouTubeSimulator(page_size=2, inline_replies=1)
    simulator.add_account(CHANNEL, "Falköpings kommun", "falkopingskommun", token=KEY)
    running = serve(simulator)
    yield simulator
    running.stop()


@pytest.fixture
def account(db):
    return SocialAccountFactory(
        platform=Platform.YOUTUBE, name="Falköpings kommun", handle="falkopingskommun",
        url="https://www.youtube.com/@falkopingskommun",
    )  # fmt: skip


@pytest.fixture
def connection(youtube, account):
    return Connection.objects.create(
        account=account, kind="youtube", base_url=youtube.url + youtube.base_path, external_id=CHANNEL,
        token_encrypted=crypto.encrypt(KEY), created_by=UserFactory(),
    )  # fmt: skip


def at(days_ago=0, hours=0):
    return datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC) - datetime.timedelta(days=days_ago, hours=hours)


def seed(youtube):
    for n in range(5):
        youtube.add_post(CHANNEL, f"video{n}", f"Film {n}\nOm kommunen, del {n}.", at(days_ago=n))
    youtube.add_comment("video0", "c1", "När öppnar badhuset?", "Anna Svensson", at(hours=-1))
    youtube.add_comment("video0", "c1.r1", "I maj!", "Falköpings kommun", at(hours=-2), parent_id="c1", by_account=True)
    youtube.add_comment("video0", "c1.r2", "Tack!", "Anna Svensson", at(hours=-3), parent_id="c1")
    youtube.add_comment("video0", "c1.r3", "Bra", "Bo Ek", at(hours=-4), parent_id="c1")
    youtube.add_comment("video3", "c2", "Fin film", "Bo Ek", at(days_ago=2))


def test_verify_by_handle_and_by_id_over_http(youtube):
    yt = YouTubeConnector(base_url=youtube.url + youtube.base_path, token=KEY)
    identity = yt.verify("@falkopingskommun")
    assert identity.platform_id == CHANNEL and identity.name == "Falköpings kommun"
    assert identity.handle == "@falkopingskommun"
    assert yt.verify(CHANNEL).platform_id == CHANNEL
    request = youtube.requests[-1]
    assert request.headers["x-goog-api-key"] == KEY and "key" not in request.query  # the key is not in the URL
    with pytest.raises(NotFound):
        yt.verify("@finnsinte")


def test_verify_with_a_bad_key_in_either_envelope(youtube):
    yt = YouTubeConnector(base_url=youtube.url + youtube.base_path, token="wrong")  # noqa: S106
    with pytest.raises(TokenRejected):
        yt.verify(CHANNEL)
    youtube.legacy_errors = True
    with pytest.raises(TokenRejected):
        yt.verify(CHANNEL)


@time_machine.travel(NOW, tick=False)
def test_a_full_sync_over_http_follows_every_page_and_every_reply(youtube, connection):
    seed(youtube)

    result = sync_connection(connection)

    assert result.new == 5 + 5
    videos = CapturedItem.objects.filter(kind=POST).order_by("-published_at")
    assert [video.platform_id for video in videos] == [f"video{n}" for n in range(5)]
    first = videos[0]
    assert first.text == "Film 0\n\nOm kommunen, del 0."
    assert first.permalink == "https://www.youtube.com/watch?v=video0" and first.by_account
    reply = CapturedItem.objects.get(platform_id="c1.r1")
    assert reply.by_account and reply.parent.platform_id == "c1" and reply.thread.platform_id == "video0"
    assert not CapturedItem.objects.get(platform_id="c1").by_account
    # Three replies and a thread that carries one: comments.list was asked, and paged (page size 2).
    comments_calls = [r for r in youtube.requests if r.path.endswith("/comments")]
    assert len(comments_calls) == 2
    assert CapturedMedia.objects.filter(item=first).count() == 1  # the thumbnail
    connection.refresh_from_db()
    assert connection.cursor == {} and connection.last_success_at == NOW


@time_machine.travel(NOW, tick=False)
def test_comments_turned_off_are_no_comments_and_no_error(youtube, connection):
    youtube.add_post(CHANNEL, "v1", "Ingen kommentar", at())
    youtube.disable_comments("v1")

    result = sync_connection(connection)

    assert result.new == 1
    connection.refresh_from_db()
    assert connection.last_error == ""


@time_machine.travel(NOW, tick=False)
def test_a_like_is_not_an_edit_but_an_edited_comment_is(youtube, connection, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    seed(youtube)
    sync_connection(connection)
    youtube.like("c1", 12)
    youtube.like("c1.r2", 3)
    youtube.add_comment("video0", "c1.r4", "Ny", "Cia", at(hours=-5), parent_id="c1")  # totalReplyCount 4

    result = sync_connection(connection)
    assert result.edited == 0 and result.new == 1

    youtube.edit("c1", "När öppnar badhuset igen?")
    result = sync_connection(connection)
    assert result.edited == 1
    assert CapturedItem.objects.get(platform_id="c1").version_count == 2


def test_a_deleted_comment_is_marked_missing_after_the_next_sync(youtube, connection, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    seed(youtube)
    with time_machine.travel(NOW, tick=False):
        sync_connection(connection)
    youtube.delete("c1.r2")
    youtube.hide("c2")
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        result = sync_connection(connection)

    assert result.missing == 2
    gone = CapturedItem.objects.get(platform_id="c1.r2")
    assert gone.missing_since == later and gone.text == "Tack!"
    assert CapturedItem.objects.get(platform_id="c1").missing_since is None


@time_machine.travel(NOW, tick=False)
def test_quota_exceeded_over_http_waits_for_pacific_midnight(youtube, connection):
    from capture import tasks

    seed(youtube)
    youtube.exhaust_quota()

    assert tasks.sync_connection(connection.pk) == "waiting"

    connection.refresh_from_db()
    assert connection.next_attempt_at == datetime.datetime(2026, 11, 3, 8, 0, tzinfo=datetime.UTC)  # 00:00 PST
    assert connection.state == ConnectionState.ACTIVE


@time_machine.travel(NOW, tick=False)
def test_a_key_revoked_mid_sync_stops_the_connection(youtube, connection):
    seed(youtube)
    youtube.add_fault("expired_token", None, "/commentThreads")

    with pytest.raises(TokenRejected):
        sync_connection(connection)

    connection.refresh_from_db()
    assert connection.state == ConnectionState.BROKEN
    assert "API key" in connection.last_error


@time_machine.travel(NOW, tick=False)
def test_a_5xx_is_a_temporary_failure_and_the_next_sync_resumes(youtube, connection, settings):
    settings.CAPTURE_MEDIA_ENABLED = False
    seed(youtube)
    youtube.add_fault("status", 503, "/commentThreads")

    with pytest.raises(TemporaryFailure):
        sync_connection(connection)
    assert CapturedItem.objects.count() == 0

    sync_connection(connection)
    assert CapturedItem.objects.count() == 10


@time_machine.travel(NOW, tick=False)
def test_a_429_waits_as_long_as_it_asks(youtube, connection):
    seed(youtube)
    youtube.add_fault("rate_limit", 90)
    yt = YouTubeConnector(base_url=connection.base_url, token=KEY, external_id=CHANNEL)
    with pytest.raises(RateLimited) as caught:
        yt.posts()
    assert caught.value.retry_after == 90


def test_a_deleted_video_has_no_comments_to_read(youtube):
    youtube.add_post(CHANNEL, "v1", "Borta", at())
    youtube.delete("v1")
    yt = YouTubeConnector(base_url=youtube.url + youtube.base_path, token=KEY, external_id=CHANNEL)
    with pytest.raises(NotFound):
        yt.replies(Item(platform_id="v1", kind=POST, text="", published_at=None, raw={}))
    assert yt.posts().items == []


def test_thumbnails_come_only_from_youtubes_image_hosts():
    yt = connector()
    assert yt.media_allowed("https://i.ytimg.com/vi/CvTApw9X8aA/maxresdefault.jpg")
    assert yt.media_allowed("https://yt3.ggpht.com/ytc/AMLnZu_31rROBnB8bq9EJfk82OnclHISQ3Hrx6i1oWLai5o=s88")
    assert yt.media_allowed("http://127.0.0.1:8123/vi/x/hqdefault.jpg")  # the simulator (tests, demo)
    assert not yt.media_allowed("http://i.ytimg.com/vi/x/default.jpg")
    assert not yt.media_allowed("https://ytimg.com.example.org/x.jpg")


def test_simulated_commenters_have_stable_channel_ids():
    assert author_channel("Anna") == author_channel("Anna") != author_channel("Bo")
    assert author_channel("Anna").startswith("UC") and len(author_channel("Anna")) == 24
