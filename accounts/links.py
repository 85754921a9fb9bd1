"""Normalising links and handles, so that a citizen's pasted link finds the account (R16).

`https://www.facebook.com/FalkopingsBibliotek/?ref=bookmarks`, `facebook.com/falkopingsbibliotek`
and `m.facebook.com/FalkopingsBibliotek/` are the same account; so are `@Falkoping_Museum` and
`falkoping_museum`. Paths and handles are compared without letter case, as the big platforms
treat them.

The danger in "is this account really the municipality's?" is a false yes, so matching is strict:
a link matches an account whose link it equals or lies under (a post on the account's page), and
a bare handle is reported together with its platform so that the citizen can compare.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

# Host prefixes that lead to the same page as the bare host.
_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.", "mbasic.")
# Other names of the same site, run by the same company: the old link still leads to the account.
_HOST_ALIASES = {"twitter.com": "x.com", "fb.com": "facebook.com", "instagr.am": "instagram.com"}
# Query parameters that identify a page rather than track a visit (facebook.com/profile.php?id=…).
_IDENTIFYING_PARAMS = {"id"}
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# RFC 3986 2.3: a percent-encoded unreserved character is the character itself.
_ENCODED_UNRESERVED = re.compile(r"%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])")


def _resolve_dot_segments(path: str) -> str:
    """`/falkoping/../fake` is `/fake`: a browser goes there, so the check must too, or a link
    to any account could be dressed up as a link under the municipality's."""
    resolved: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == ".":
            continue
        if segment == "..":
            if resolved:
                resolved.pop()
            continue
        resolved.append(segment)
    return "/" + "/".join(resolved)


def _host_and_parts(value: str):
    """(host without www./m. and in its one name, urlsplit's parts) of a web link, or None: the one
    reading of a link's host that normalising and judging a link share."""
    # Browsers read `\` as `/` in web links: `https://fake.example\@facebook.com/falkoping` leads
    # to fake.example, so it must not be read as facebook.com.
    value = (value or "").strip().replace("\\", "/")
    if not _SCHEME.match(value):
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    return _HOST_ALIASES.get(host, host), parts


def normalize_url(value: str) -> str:
    """Reduce a link to `host/path` in lower case: no scheme, www./m., trailing slash, tracking
    query or fragment."""
    split = _host_and_parts(value)
    if split is None:
        return ""
    host, parts = split
    path = _ENCODED_UNRESERVED.sub(lambda m: chr(int(m.group(1), 16)), parts.path)
    path = _resolve_dot_segments(path).rstrip("/").lower() if path else ""
    kept = [(k.lower(), v) for k, v in parse_qsl(parts.query) if k.lower() in _IDENTIFYING_PARAMS]
    query = f"?{urlencode(sorted(kept))}" if kept else ""
    return f"{host}{path}{query}"


def normalize_handle(value: str) -> str:
    """A handle without the leading @ and in lower case."""
    return (value or "").strip().lstrip("@").strip().lower()


def looks_like_url(value: str) -> bool:
    """A pasted value is a link when it has a scheme, or a dotted host followed by a path."""
    value = (value or "").strip()
    if "://" in value:
        return True
    if value.startswith("@") or " " in value:
        return False
    host, slash, _ = value.partition("/")
    return bool(slash) and "." in host


def url_candidates(normalized: str) -> list[str]:
    """The normalised link and every parent path of it that still names a page.

    `facebook.com/falkoping/posts/123` yields itself, `facebook.com/falkoping/posts` and
    `facebook.com/falkoping`, so a link to a post finds the account it was posted on.
    """
    if "?" in normalized:
        return [normalized]
    host, _, path = normalized.partition("/")
    segments = [s for s in path.split("/") if s]
    return [f"{host}/{'/'.join(segments[:n])}" for n in range(len(segments), 0, -1)]


# --- What a link itself tells (R16: the citizen's check) -----------------------------------------

# The platforms' redirect pages around a link to elsewhere: (host after normalisation, path) and
# the query parameter that holds the link. A Facebook post's outbound link reads
# l.facebook.com/l.php?u=<link>: the link that matters is inside, never the wrapper's host.
_REDIRECTS = {
    ("l.facebook.com", "/l.php"): "u",
    ("lm.facebook.com", "/l.php"): "u",
    ("l.instagram.com", "/"): "u",
    ("youtube.com", "/redirect"): "q",
}
# A wrapper inside a wrapper is unwrapped too, up to this depth.
_MAX_UNWRAP = 5

# A Facebook page's number, and a YouTube channel's id (UC and 22 characters of base64url).
_FACEBOOK_ID = re.compile(r"^[0-9]{1,30}$")
_YOUTUBE_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
# Facebook pages that name their page or profile by number in the query: profile.php?id=N, and a
# post's permalink.php?story_fbid=…&id=N or story.php?story_fbid=…&id=N (the id is the poster's).
_FACEBOOK_ID_PAGES = ("/profile.php", "/permalink.php", "/story.php")
# Links to a post, a video or a share that do not say whose it is: only the platform knows, and
# the check calls no platform. (host, first path segment or "" for any path on a short-link host.)
_UNATTRIBUTABLE = {
    "youtu.be": {""},
    "youtube.com": {"watch", "shorts", "live", "embed", "post", "playlist", "clip", "v"},
    "fb.watch": {""},
    "facebook.com": {"watch", "reel", "share", "photo", "photo.php", "video.php", "story.php", "permalink.php"},
    "instagram.com": {"p", "reel", "reels", "tv", "stories", "share"},
    "x.com": {"i"},
    "t.co": {""},
    "vm.tiktok.com": {""},
    "vt.tiktok.com": {""},
    "tiktok.com": {"t"},
    "lnkd.in": {""},
}


def _split(value: str):
    """(host without www./m. and aliases, path, query pairs) of a web link, or None."""
    split = _host_and_parts(value)
    if split is None:
        return None
    host, parts = split
    path = _resolve_dot_segments(parts.path) if parts.path else "/"
    return host, path, parse_qsl(parts.query)


def link_parts(value: str):
    """(host without www./m. and aliases, path with dot segments resolved, query pairs) of a web
    link, or None: the one reading of a link that the apps above share (capture/permalinks.py)."""
    return _split(value)


def unwrap_redirect(value: str) -> str:
    """The link inside the platforms' redirect pages (l.facebook.com/l.php?u=…), or the value."""
    for _ in range(_MAX_UNWRAP):
        parts = _split(value)
        if parts is None:
            return value
        host, path, query = parts
        parameter = _REDIRECTS.get((host, path.rstrip("/") or "/"))
        inner = next((v for k, v in query if k == parameter), "") if parameter else ""
        if not inner.strip():
            return value
        value = inner.strip()
    return value


def platform_id_in_link(value: str) -> tuple[str, str] | None:
    """(platform, id) when the link names an account by the platform's own id: a Facebook page's
    number (profile.php?id=N, a post's permalink with id=N, facebook.com/N, /pages/…/N, /people/…/N)
    or a YouTube channel (youtube.com/channel/UC…)."""
    parts = _split(value)
    if parts is None:
        return None
    host, path, query = parts
    segments = [s for s in path.split("/") if s]
    if host == "facebook.com":
        if path.rstrip("/").lower() in _FACEBOOK_ID_PAGES:
            number = next((v for k, v in query if k.lower() == "id"), "")
            return ("facebook", number) if _FACEBOOK_ID.match(number) else None
        if segments and _FACEBOOK_ID.match(segments[0]):
            return "facebook", segments[0]
        if len(segments) >= 3 and segments[0].lower() in ("pages", "people") and _FACEBOOK_ID.match(segments[2]):
            return "facebook", segments[2]
    is_channel = host == "youtube.com" and len(segments) >= 2 and segments[0].lower() == "channel"
    if is_channel and _YOUTUBE_CHANNEL_ID.match(segments[1]):
        return "youtube", segments[1]
    return None


def youtube_handle_in_link(value: str) -> str:
    """The channel's handle of youtube.com/@handle/…, normalised, or ""."""
    parts = _split(value)
    if parts is None or parts[0] != "youtube.com":
        return ""
    segments = [s for s in parts[1].split("/") if s]
    return normalize_handle(segments[0]) if segments and segments[0].startswith("@") else ""


def link_is_unattributable(value: str) -> bool:
    """Whether the link leads to a post, video or share without naming whose it is (youtu.be/…,
    youtube.com/watch?v=…, fb.watch/…, instagram.com/p/…): then only the platform can tell."""
    parts = _split(value)
    if parts is None:
        return False
    host, path, _query = parts
    forms = _UNATTRIBUTABLE.get(host)
    if forms is None:
        return False
    segments = [s for s in path.split("/") if s]
    return "" in forms or (bool(segments) and segments[0].lower() in forms)


def platform_id_is_valid(platform: str, value: str) -> bool:
    """What the registry accepts as an account's platform id: only the ids that links carry."""
    if platform == "facebook":
        return bool(_FACEBOOK_ID.match(value))
    if platform == "youtube":
        return bool(_YOUTUBE_CHANNEL_ID.match(value))
    return False
