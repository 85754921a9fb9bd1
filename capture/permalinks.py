"""The key of a post or video that a link leads to, so that a pasted link finds the captured post
(R16: "was this published by the municipality?"; R3: the archive is what the answer rests on).

One post has many links: `https://www.youtube.com/watch?v=ID&t=10s`, `youtu.be/ID?si=…` and
`youtube.com/shorts/ID` are one video; `facebook.com/<page>/posts/<id>` and
`facebook.com/permalink.php?story_fbid=<id>&id=<page>` one post. `permalink_key` reduces each to one
key; the sync stores the key of every captured post beside its permalink (`CapturedItem.permalink_key`,
filled by `post_key`), and the check looks the key up in its index.

The danger is a false yes, so only what names one item on its platform is a key, and the key keeps
the id's letter case where the platform's ids are case-sensitive (YouTube, Instagram, Bluesky):
- YouTube: the video's id (11 characters), whatever the form of the link.
- Facebook: the post's, video's or photo's number (or its `pfbid…`). Facebook's object numbers are
  unique across the whole platform, so the page named in the link does not matter: a link with
  another page's name and our post's number can only lead to our post (or nowhere).
- Instagram: the post's short code (/p/, /reel/, /tv/, also under /<user>/), unique on Instagram.
- Mastodon, any server: `https://host/@user/<id>` or `https://host/users/<user>/statuses/<id>`:
  the server, the user and the status number (a status number is the server's own).
- Bluesky: `https://bsky.app/profile/<handle or DID>/post/<rkey>`: the actor and the record key
  (a record key is unique within its author's repository only). A link that names the author by
  DID is also matched by the post's id, its at:// URI (`bluesky_uri`).
Other links (an account's page, a short link that only the platform can resolve such as fb.watch/…
or a share link, another website) have no key: "".
"""

import re
from urllib.parse import unquote

from accounts.links import link_parts

YOUTUBE_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_FACEBOOK_OBJECT = re.compile(r"^([0-9]{1,30}|pfbid[A-Za-z0-9]{10,100})$")
_INSTAGRAM_CODE = re.compile(r"^[A-Za-z0-9_-]{5,60}$")
_MASTODON_STATUS = re.compile(r"^[0-9]{1,30}$")
_MASTODON_USER = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_BLUESKY_RKEY = re.compile(r"^[A-Za-z0-9._~:-]{1,512}$")
_BLUESKY_ACTOR = re.compile(r"^(did:[a-z0-9]+:[A-Za-z0-9._:%-]{1,2000}|[A-Za-z0-9.-]{1,253})$")

# YouTube's hosts (after www./m.: music., the privacy-enhanced embed) and the paths with the id.
_YOUTUBE_HOSTS = ("youtube.com", "music.youtube.com", "youtube-nocookie.com")
_YOUTUBE_ID_PATHS = ("shorts", "live", "embed", "v", "e")
_INSTAGRAM_PATHS = ("p", "reel", "reels", "tv")


def _query(query: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in query if key == name), "")


def _youtube(host: str, segments: list[str], query) -> str:
    if host == "youtu.be":
        video = segments[0] if segments else ""
    elif host in _YOUTUBE_HOSTS:
        if [s.lower() for s in segments[:1]] == ["watch"]:
            video = _query(query, "v")
        elif len(segments) >= 2 and segments[0].lower() in _YOUTUBE_ID_PATHS:
            video = segments[1]
        else:
            return ""
    else:
        return ""
    return f"youtube.com/watch?v={video}" if YOUTUBE_VIDEO_ID.match(video) else ""


def _facebook(segments: list[str], query) -> str:
    lowered = [s.lower() for s in segments]
    number = ""
    if lowered[:1] in (["permalink.php"], ["story.php"]):
        number = _query(query, "story_fbid")
    elif lowered[:1] in (["photo.php"], ["photo"]):
        number = _query(query, "fbid")
    elif lowered[:1] in (["watch"], ["video.php"]):
        number = _query(query, "v")
    elif lowered[:1] == ["reel"] and len(segments) >= 2:
        number = segments[1]
    elif len(segments) >= 3 and lowered[1] in ("posts", "videos", "photos"):
        # /<page>/posts/<n>, /<page>/videos/<n> or /<page>/videos/<title>/<n>, /<page>/photos/a.<album>/<n>
        number = segments[2] if lowered[1] == "posts" else segments[-1]
    return f"facebook.com/posts/{number}" if _FACEBOOK_OBJECT.match(number) else ""


def _instagram(segments: list[str]) -> str:
    lowered = [s.lower() for s in segments]
    if len(segments) >= 3 and lowered[1] in _INSTAGRAM_PATHS and lowered[0] not in _INSTAGRAM_PATHS:
        segments, lowered = segments[1:], lowered[1:]  # /<user>/p/<code>/
    if len(segments) >= 2 and lowered[0] in _INSTAGRAM_PATHS and _INSTAGRAM_CODE.match(segments[1]):
        return f"instagram.com/p/{segments[1]}"
    return ""


def _bluesky(segments: list[str]) -> str:
    if len(segments) == 4 and segments[0].lower() == "profile" and segments[2].lower() == "post":
        actor, rkey = unquote(segments[1]).lower(), segments[3]
        if _BLUESKY_ACTOR.match(actor) and _BLUESKY_RKEY.match(rkey):
            return f"bsky.app/profile/{actor}/post/{rkey}"
    return ""


def _mastodon(host: str, segments: list[str]) -> str:
    if segments[:1] == ["web"]:
        segments = segments[1:]  # the old web app's /web/@user/<id>
    if len(segments) in (2, 3) and segments[0].startswith("@") and segments[2:] in ([], ["embed"]):
        user, status = segments[0][1:], segments[1]
    elif len(segments) == 4 and segments[0].lower() == "users" and segments[2].lower() == "statuses":
        user, status = segments[1], segments[3]
    else:
        return ""
    if _MASTODON_USER.match(user) and _MASTODON_STATUS.match(status):
        return f"{host}/@{user.lower()}/{status}"
    return ""


# The stored key's length (CapturedItem.permalink_key): a longer one names no post of ours.
MAX_KEY_LENGTH = 600


def permalink_key(link: str) -> str:
    """The key of the post or video that `link` leads to, or "" when the link names none."""
    key = _key(link)
    return key if len(key) <= MAX_KEY_LENGTH else ""


def _key(link: str) -> str:
    parts = link_parts(link)
    if parts is None:
        return ""
    host, path, query = parts
    segments = [s for s in path.split("/") if s]
    if host == "youtu.be" or host in _YOUTUBE_HOSTS:
        return _youtube(host, segments, query)
    if host == "facebook.com":
        return _facebook(segments, query)
    if host == "instagram.com":
        return _instagram(segments)
    if host == "bsky.app":
        return _bluesky(segments)
    return _mastodon(host, segments)


def bluesky_uri(link: str) -> str:
    """The post's id (at://<did>/app.bsky.feed.post/<rkey>) of a Bluesky link that names its author
    by DID, or of a pasted at:// URI itself; "" otherwise."""
    value = (link or "").strip()
    if value.startswith("at://"):
        parts = value[len("at://") :].split("/")
        if len(parts) == 3 and parts[1] == "app.bsky.feed.post" and parts[0].startswith("did:"):
            return value
        return ""
    key = permalink_key(value)
    if key.startswith("bsky.app/profile/did:"):
        actor, _, rkey = key[len("bsky.app/profile/") :].partition("/post/")
        return f"at://{actor}/app.bsky.feed.post/{rkey}"
    return ""


def post_key(platform: str, platform_id: str, permalink: str) -> str:
    """The key stored with a captured post: its permalink's, or, without a usable permalink, the
    one its platform id gives (a YouTube video's id; a Facebook post's `<page>_<post>`)."""
    key = permalink_key(permalink)
    if key:
        return key
    if platform == "youtube" and YOUTUBE_VIDEO_ID.match(platform_id):
        return f"youtube.com/watch?v={platform_id}"
    if platform == "facebook":
        number = platform_id.rpartition("_")[2]
        if _FACEBOOK_OBJECT.match(number):
            return f"facebook.com/posts/{number}"
    return ""
