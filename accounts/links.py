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


def normalize_url(value: str) -> str:
    """Reduce a link to `host/path` in lower case: no scheme, www./m., trailing slash, tracking
    query or fragment."""
    value = (value or "").strip()
    if not value:
        return ""
    # Browsers read `\` as `/` in web links: `https://fake.example\@facebook.com/falkoping` leads
    # to fake.example, so it must not be read as facebook.com.
    value = value.replace("\\", "/")
    if not _SCHEME.match(value):
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    host = _HOST_ALIASES.get(host, host)
    if not host:
        return ""
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
