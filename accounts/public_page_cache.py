"""The public page /socialamedier as every anonymous visitor sees it, rendered once per change of
the registry and language and handed out by a middleware before Django's own (issue 9).

The page is the same bytes for every visitor who is not signed in, has no message waiting and is
not checking an account (`?konto=`): it carries no CSRF token, since the language switch is the
only form that posts and it is exempt. A render costs from 50 ms at a thousand accounts to seconds
at a hundred thousand, and the sessions, CSRF, authentication, messages, CSP, allauth and auditlog
middleware cost more than the view itself once the rows are cached. So `PublicPageCacheMiddleware`,
right after whitenoise, replays the stored copy: status, headers and body, and Django's other
middleware never runs. When there is no copy yet, the request goes through as usual and the view
marks its response as the copy to keep (`mark_shareable`).

The copy belongs to a generation, a random value in the shared cache that every change to an
account or unit drops (`selectors.invalidate_public_accounts`): a page rendered from the old list
is then never looked up again. Each process keeps the current generation's copies in memory and
in the shared cache, so a new worker does not render it again.

Asking the shared cache for the generation is a round trip to Redis, and it was three quarters of
a replay's time (bench/README.md). So a process trusts the generation it last read for
`PUBLIC_PAGE_RECHECK_SECONDS` (1 s): a change made through another process reaches this one's
anonymous visitors within that second, one made through this process at once
(`forget_generation`). The page's own `Cache-Control: max-age` lets a browser keep it for minutes
anyway. With the cache unreachable nothing is trusted: every request gets a generation of its own,
nothing is replayed and every visitor gets a fresh render.
"""

import functools
import time
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse

from falkoping_some.middleware import portal_language

# The query parameter of the citizen's check: a page with an answer is nobody else's.
CHECK_PARAMETER = "konto"
# The generation of the rendered page, in the shared cache: a new one on every change.
PUBLIC_PAGE_GENERATION_KEY = "public-page:generation:v1"

# This process's copies, {key: (headers, body)}, all of one generation.
_stored: dict[tuple, tuple[list[tuple[str, str]], bytes]] = {}
# The generation this process last read from the shared cache, and when (time.monotonic()).
_trusted: tuple[str | None, float] = (None, 0.0)
_clock = time.monotonic  # tests move it


def forget_generation() -> None:
    """Read the generation from the shared cache on the next request (a change was made here)."""
    global _trusted
    _trusted = (None, 0.0)


def page_generation() -> str:
    global _trusted
    generation, read_at = _trusted
    now = _clock()
    if generation is not None and now - read_at < settings.PUBLIC_PAGE_RECHECK_SECONDS:
        return generation
    generation = cache.get(PUBLIC_PAGE_GENERATION_KEY)
    if generation is None:
        cache.add(PUBLIC_PAGE_GENERATION_KEY, uuid.uuid4().hex, settings.PUBLIC_LIST_CACHE_SECONDS)
        # Another process may have added its own meanwhile; theirs wins.
        generation = cache.get(PUBLIC_PAGE_GENERATION_KEY)
    if generation is None:
        # The cache is down (or drops what it is given): a generation for this request alone.
        forget_generation()
        return uuid.uuid4().hex
    _trusted = (generation, now)
    return generation


@functools.cache
def _fixed_parts() -> tuple[str, str]:
    """The page's path and the stylesheet's hashed name: fixed for the life of a process (the
    manifest is read at start), and worth a tenth of a replay's time to look up each request."""
    return reverse("public:list"), static("css/portal.css")


def _may_have_a_copy(request) -> bool:
    """Whether the request is one of an anonymous visitor with nothing of their own on the page,
    as far as can be told before the session is read: no session cookie (so nobody is signed in),
    no message cookie, no check. A visitor with a session that is anonymous after all (an expired
    sign-in) gets a render; the view then still serves the same page."""
    return (
        request.method == "GET"
        and request.path == _fixed_parts()[0]
        and CHECK_PARAMETER not in request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _key(request, generation: str) -> tuple:
    # The stylesheet's hashed name and demo mode: a release or another setup renders its own.
    return (generation, portal_language(request), _fixed_parts()[1], settings.DEMO_MODE)


def _cache_key(key: tuple) -> str:
    return "public-page:v2:" + ":".join(str(part) for part in key)


def mark_shareable(response: HttpResponse) -> HttpResponse:
    """Called by the view on a response that any anonymous visitor may be given as it is."""
    response.shareable = True
    return response


def _lookup(key: tuple):
    stored = _stored.get(key)
    if stored is None:
        stored = cache.get(_cache_key(key))
        if stored is not None:
            _remember(key, stored)
    return stored


def _remember(key: tuple, stored) -> None:
    generation = key[0]
    for old in [old for old in _stored if old[0] != generation]:
        del _stored[old]  # a process keeps only the copies (each language's) of the generation it last saw
    _stored[key] = stored


def _store(key: tuple, response: HttpResponse) -> None:
    stored = (list(response.items()), response.content)
    _remember(key, stored)
    cache.set(_cache_key(key), stored, settings.PUBLIC_LIST_CACHE_SECONDS)


def _replay(stored) -> HttpResponse:
    headers, body = stored
    response = HttpResponse(body)
    for name, value in headers:
        response.headers[name] = value
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_have_a_copy(request):
            return self.get_response(request)
        key = _key(request, page_generation())
        stored = _lookup(key)
        if stored is not None:
            return _replay(stored)
        response = self.get_response(request)
        if (
            getattr(response, "shareable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            _store(key, response)
        return response
