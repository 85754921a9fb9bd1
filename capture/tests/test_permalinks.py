"""The key of a post's link (capture/permalinks.py), for the public check of a pasted link (R16).

Every form of a platform's link to one post meets in one key, the permalinks that the recorded
samples and the simulators carry among them; the danger being a false yes, ids keep their letter
case where the platform's do, and what names no single post (an account, a short link only the
platform can resolve, another site) has no key at all.
"""

import json
from pathlib import Path

import pytest

from capture.connectors import bluesky, meta, youtube
from capture.permalinks import bluesky_uri, permalink_key, post_key

SAMPLES = Path(__file__).parent / "samples"


def sample(name):
    return json.loads((SAMPLES / name).read_text())


VIDEO = "youtube.com/watch?v=dQw4w9WgXcQ"
FB_POST = "facebook.com/posts/10158347294088553"
IG_POST = "instagram.com/p/CP5Rq0bjBzn"
TOOT = "mastodon.social/@halcy/110446983178245440"
SKEET = "bsky.app/profile/falkoping.bsky.social/post/3liphb4l7m22n"


@pytest.mark.parametrize(
    "link, key",
    [
        # YouTube: watch?v=, youtu.be, shorts, live, embed, the mobile site, music, the nocookie embed.
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", VIDEO),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s&si=abc", VIDEO),
        ("https://www.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", VIDEO),
        ("http://youtube.com/watch/?v=dQw4w9WgXcQ", VIDEO),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", VIDEO),
        ("https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RD", VIDEO),
        ("https://youtu.be/dQw4w9WgXcQ", VIDEO),
        ("youtu.be/dQw4w9WgXcQ?si=Tr4ck1ng", VIDEO),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", VIDEO),
        ("https://youtube.com/shorts/dQw4w9WgXcQ/?feature=share", VIDEO),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", VIDEO),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ?autoplay=1", VIDEO),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", VIDEO),
        # Facebook: a post by the page's name or number, a permalink, a story, a video, a photo.
        ("https://www.facebook.com/19292868552/posts/10158347294088553/", FB_POST),
        ("https://www.facebook.com/falkopingskommun/posts/10158347294088553", FB_POST),
        ("https://m.facebook.com/FalkopingsKommun/posts/10158347294088553/?ref=share", FB_POST),
        ("https://www.facebook.com/permalink.php?story_fbid=10158347294088553&id=19292868552", FB_POST),
        ("https://www.facebook.com/permalink.php?id=19292868552&story_fbid=10158347294088553", FB_POST),
        ("https://mbasic.facebook.com/story.php?story_fbid=10158347294088553&id=19292868552", FB_POST),
        ("https://fb.com/falkopingskommun/posts/10158347294088553", FB_POST),
        ("https://www.facebook.com/falkopingskommun/videos/10158347294088553/", FB_POST),
        ("https://www.facebook.com/falkopingskommun/videos/julmarknad/10158347294088553/", FB_POST),
        ("https://www.facebook.com/watch/?v=10158347294088553", FB_POST),
        ("https://www.facebook.com/reel/10158347294088553", FB_POST),
        ("https://www.facebook.com/photo/?fbid=10158347294088553&set=a.1", FB_POST),
        ("https://www.facebook.com/falkopingskommun/photos/a.123/10158347294088553/", FB_POST),
        (
            "https://www.facebook.com/falkoping/posts/pfbid02Xy7AbCdEfGhIjKlMn",
            "facebook.com/posts/pfbid02Xy7AbCdEfGhIjKlMn",
        ),
        # Instagram: /p/, /reel/, /reels/, /tv/, also under the user's name; tracking dropped.
        ("https://www.instagram.com/p/CP5Rq0bjBzn/", IG_POST),
        ("https://instagram.com/p/CP5Rq0bjBzn", IG_POST),
        ("https://www.instagram.com/reel/CP5Rq0bjBzn/?igsh=MWx0", IG_POST),
        ("https://www.instagram.com/reels/CP5Rq0bjBzn/", IG_POST),
        ("https://www.instagram.com/tv/CP5Rq0bjBzn/", IG_POST),
        ("https://www.instagram.com/falkopingskommun/p/CP5Rq0bjBzn/", IG_POST),
        ("https://instagr.am/p/CP5Rq0bjBzn/", IG_POST),
        # Mastodon, on any server: the web address, the ActivityPub id, the embed, the old web app.
        ("https://mastodon.social/@halcy/110446983178245440", TOOT),
        ("https://mastodon.social/@Halcy/110446983178245440/", TOOT),
        ("https://mastodon.social/users/halcy/statuses/110446983178245440", TOOT),
        ("https://mastodon.social/@halcy/110446983178245440/embed", TOOT),
        ("https://mastodon.social/web/@halcy/110446983178245440", TOOT),
        # Bluesky: by handle (any case) or by DID.
        ("https://bsky.app/profile/falkoping.bsky.social/post/3liphb4l7m22n", SKEET),
        ("https://bsky.app/profile/Falkoping.bsky.social/post/3liphb4l7m22n?ref_src=x", SKEET),
        (
            "https://bsky.app/profile/did:plc:6wpkkitfdkgthatfvspcfmjo/post/3liphb4l7m22n",
            "bsky.app/profile/did:plc:6wpkkitfdkgthatfvspcfmjo/post/3liphb4l7m22n",
        ),
    ],
)
def test_every_form_of_a_link_to_one_post_has_its_key(link, key):
    assert permalink_key(link) == key


@pytest.mark.parametrize(
    "link, other",
    [
        # Ids are case-sensitive on YouTube, Instagram and in Facebook's pfbid: another case is another post.
        ("https://youtu.be/dQw4w9WgXcQ", "https://youtu.be/dqw4w9wgxcq"),
        ("https://www.instagram.com/p/CP5Rq0bjBzn/", "https://www.instagram.com/p/cp5rq0bjbzn/"),
        # A Mastodon status number is its server's own; a Bluesky record key its author's own.
        ("https://mastodon.social/@halcy/1104", "https://fosstodon.org/@halcy/1104"),
        ("https://mastodon.social/@halcy/1104", "https://mastodon.social/@other/1104"),
        ("https://bsky.app/profile/a.bsky.social/post/3lip", "https://bsky.app/profile/b.bsky.social/post/3lip"),
    ],
)
def test_links_to_different_posts_keep_apart(link, other):
    assert permalink_key(link) and permalink_key(other)
    assert permalink_key(link) != permalink_key(other)


@pytest.mark.parametrize(
    "link",
    [
        "",
        "not a link",
        "ftp://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
        # Accounts, not posts.
        "https://www.facebook.com/falkopingskommun",
        "https://www.facebook.com/profile.php?id=19292868552",
        "https://www.youtube.com/@falkoping",
        "https://www.youtube.com/channel/UC9PBzalIcEQCsiIkq36PyUA",
        "https://www.instagram.com/falkopingskommun/",
        "https://mastodon.social/@halcy",
        "https://bsky.app/profile/falkoping.bsky.social",
        # Short and share links only the platform can resolve, and ids of the wrong shape.
        "https://fb.watch/abc123/",
        "https://www.facebook.com/share/p/1AbCdEf/",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?list=PL123",
        "https://youtu.be/",
        "https://www.facebook.com/falkoping/posts/not-a-number",
        # Lookalike hosts and a path dressed up to look like the post's.
        "https://youtube.com.falska.example/watch?v=dQw4w9WgXcQ",
        "https://falska.example\\@youtu.be/dQw4w9WgXcQ",
        "https://falska.example/youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/watch/../../falska?v=dQw4w9WgXcQ",
        # Another site.
        "https://www.falkoping.se/nyheter/123",
    ],
)
def test_a_link_that_names_no_post_has_no_key(link):
    assert permalink_key(link) == ""


def test_a_remote_users_post_seen_on_another_server_has_no_key():
    # https://host/@user@origin/<id> is the other server's copy, under its own number.
    assert permalink_key("https://fosstodon.org/@halcy@mastodon.social/110446983178245440") == ""


def test_bluesky_uri_from_a_link_by_did_or_a_pasted_at_uri():
    uri = "at://did:plc:6wpkkitfdkgthatfvspcfmjo/app.bsky.feed.post/3liphb4l7m22n"
    assert bluesky_uri("https://bsky.app/profile/did:plc:6wpkkitfdkgthatfvspcfmjo/post/3liphb4l7m22n") == uri
    assert bluesky_uri(uri) == uri
    assert bluesky_uri("https://bsky.app/profile/falkoping.bsky.social/post/3liphb4l7m22n") == ""
    assert bluesky_uri("at://did:plc:x/app.bsky.feed.like/3lip") == ""


# The permalinks the connectors store, from the recorded samples and the simulators ----------------


def test_the_facebook_samples_permalinks():
    data = sample("meta_page_feed.json")
    items = [meta.parse_facebook_post(row, "19292868552") for row in data["data"]]
    for item in items:
        number = item.platform_id.rpartition("_")[2]
        assert post_key("facebook", item.platform_id, item.permalink) == f"facebook.com/posts/{number}"
        # The same post pasted as a permalink.php link finds the same key.
        page = item.platform_id.partition("_")[0]
        link = f"https://www.facebook.com/permalink.php?story_fbid={number}&id={page}"
        assert permalink_key(link) == f"facebook.com/posts/{number}"


def test_the_instagram_samples_permalinks():
    for row in sample("instagram_user_media.json")["data"]:
        code = row["permalink"].rstrip("/").rsplit("/", 1)[-1]
        assert permalink_key(row["permalink"]) == f"instagram.com/p/{code}"
        assert permalink_key(f"https://www.instagram.com/reel/{code}/?igsh=x") == f"instagram.com/p/{code}"


def test_the_mastodon_samples_permalinks():
    for status in sample("mastodon_account_statuses.json"):
        key = permalink_key(status["url"])
        assert key == f"localhost/@mastodonpy_test/{status['id']}"
        # Newer servers' ActivityPub ids name the account by number (/ap/users/<n>/statuses/<id>):
        # not a link anyone shares, and not the user's name: no key.
        assert permalink_key(status["uri"]) == ""


def test_the_bluesky_samples_permalinks():
    for entry in sample("bluesky_getAuthorFeed.json")["feed"]:
        post = entry["post"]
        link = bluesky.permalink(post)
        handle, rkey = post["author"]["handle"].lower(), bluesky.rkey(post["uri"])
        assert permalink_key(link) == f"bsky.app/profile/{handle}/post/{rkey}"
        # The same post by its author's DID: found by the post's id, its at:// URI.
        by_did = f"https://bsky.app/profile/{post['author']['did']}/post/{rkey}"
        assert bluesky_uri(by_did) == post["uri"]


def test_the_youtube_permalinks_and_feed_links():
    assert permalink_key(youtube.WATCH_URL + "W_S7iKZZdHw") == "youtube.com/watch?v=W_S7iKZZdHw"
    feed = (SAMPLES / "youtube_channel_feed.xml").read_text()
    assert 'href="https://www.youtube.com/watch?v=W_S7iKZZdHw"' in feed  # the feed connector's link
    assert permalink_key("https://www.youtube.com/watch?v=W_S7iKZZdHw") == "youtube.com/watch?v=W_S7iKZZdHw"


@pytest.mark.parametrize(
    "permalink, link",
    [
        # simulators/meta.py: the Page's post, and Instagram's /p/<id>/.
        ("https://www.facebook.com/100064512345678/posts/123456789012345/", "https://www.facebook.com/permalink.php?story_fbid=123456789012345&id=100064512345678"),
        ("https://www.instagram.com/p/17912345678901234/", "https://instagram.com/reel/17912345678901234"),
        # simulators/mastodon.py on loopback (the port is not part of the key).
        ("http://127.0.0.1:8123/@falkoping/1000001", "http://127.0.0.1:8123/users/falkoping/statuses/1000001"),
    ],
)  # fmt: skip
def test_the_simulators_permalinks(permalink, link):
    assert permalink_key(permalink)
    assert permalink_key(permalink) == permalink_key(link)


def test_post_key_without_a_permalink_falls_back_on_the_platform_id():
    assert post_key("youtube", "dQw4w9WgXcQ", "") == VIDEO
    assert post_key("facebook", "19292868552_10158347294088553", "") == FB_POST
    assert post_key("instagram", "17895695668004550", "") == ""
    assert post_key("feed", "yt:video:dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ") == VIDEO
