"""The public page /socialamedier as every anonymous visitor sees it, rendered once per change of
the registry and language and handed out by a middleware before Django's own.

The page is the same bytes for every visitor who is not signed in, has no message waiting and is
not checking an account (`?konto=`): it carries no CSRF token, since the language switch is the
only form that posts and it is exempt. A render costs from 50 ms at a thousand accounts to seconds
at a hundred thousand, and the sessions, CSRF, authentication, messages, CSP, allauth and auditlog
middleware cost more than the view itself once the rows are cached. So `PublicPageCacheMiddleware`,
right after whitenoise, replays the stored copy: status, headers and body (headers alone for HEAD),
and Django's other middleware never runs. When there is no copy yet, the request goes through as
usual and the view marks its response as the copy to keep (`mark_shareable`).

Nothing a visitor sends can make the page render at will. A session cookie makes the middleware
step aside only when the session store holds a signed-in user or a message for it (one look-up);
a message cookie only when its signature holds. Of the requests that find no copy, one per
generation and language renders (it claims the render in the shared cache); the others wait up to
`PUBLIC_PAGE_RENDER_WAIT_SECONDS` for its copy and render themselves only if it does not come.

The copy belongs to a generation, a random value in the shared cache that every change to an
account or unit replaces (`new_generation`, from `selectors.invalidate_public_accounts`), deleting
the old generation's copies. What a render stores it read under a generation taken *before* it read
the list, and it keeps it only while that generation is still the current one (`keep`): a change
committed while the page was rendering always wins, and the old list never comes back. Each process
keeps the current generation's copies in memory and in the shared cache, so a new worker does not
render it again.

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
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse

from falkoping_some.middleware import portal_language

# The query parameter of the citizen's check: a page with an answer is nobody else's.
CHECK_PARAMETER = "konto"
# The generation of the rendered page, in the shared cache: a new one on every change.
PUBLIC_PAGE_GENERATION_KEY = "public-page:generation:v1"
# How long a render holds its claim to be the one render of its generation and language: a process
# that dies while rendering blocks nobody for longer (they wait PUBLIC_PAGE_RENDER_WAIT_SECONDS).
RENDER_CLAIM_SECONDS = 60
# How often a request waiting for another process's render looks for its copy.
WAIT_STEP_SECONDS = 0.05

# This process's copies, {key: (headers, body)}, all of one generation.
_stored: dict[tuple, tuple[list[tuple[str, str]], bytes]] = {}
# The generation this process last read from the shared cache, and when (time.monotonic()).
_trusted: tuple[str | None, float] = (None, 0.0)
_clock = time.monotonic  # tests move it
_sleep = time.sleep  # tests count the waits


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
        # No timeout: a generation lasts until the next change, which deletes its copies.
        cache.add(PUBLIC_PAGE_GENERATION_KEY, uuid.uuid4().hex, None)
        # Another process may have added its own meanwhile; theirs wins.
        generation = cache.get(PUBLIC_PAGE_GENERATION_KEY)
    if generation is None:
        # The cache is down (or drops what it is given): a generation for this request alone.
        forget_generation()
        return uuid.uuid4().hex
    _trusted = (generation, now)
    return generation


def new_generation() -> str | None:
    """A change to the list: a new generation, and the copies of the one before deleted, each
    language's (not left in the shared cache until they time out). Returns the generation before,
    whose other copies (the list's rows) the caller deletes, or None when there was none."""
    old = cache.get(PUBLIC_PAGE_GENERATION_KEY)
    cache.set(PUBLIC_PAGE_GENERATION_KEY, uuid.uuid4().hex, None)
    forget_generation()
    _stored.clear()
    if old is not None:
        cache.delete_many([_cache_key(_copy_key(old, language)) for language, _name in settings.LANGUAGES])
    return old


def keep(key: str, value, generation: str, timeout: int | None = None) -> bool:
    """Store `value`, read under `generation` (taken before the data was read), and only while
    that is still the current generation; say whether it was kept. It is kept for `timeout` seconds
    (PUBLIC_LIST_CACHE_SECONDS by default), or until the next change deletes the generation's keys.

    A change committed while the value was being read replaces the generation and deletes the old
    one's copies. If it did so before the set, the check after the set sees the new generation and
    deletes the value here; if after, its own delete removes it. Either way the old list is never
    stored as the current one (the check before the set only saves writing a page in vain)."""
    if cache.get(PUBLIC_PAGE_GENERATION_KEY) != generation:
        return False
    cache.set(key, value, settings.PUBLIC_LIST_CACHE_SECONDS if timeout is None else timeout)
    if cache.get(PUBLIC_PAGE_GENERATION_KEY) != generation:
        cache.delete(key)
        return False
    return True


@functools.cache
def _fixed_parts() -> tuple[str, str]:
    """The page's path and the stylesheet's hashed name: fixed for the life of a process (the
    manifest is read at start), and worth a tenth of a replay's time to look up each request."""
    return reverse("public:list"), static("css/portal.css")


def _may_have_a_copy(request) -> bool:
    """Whether the request is one of an anonymous visitor with nothing of their own on the page:
    not signed in, no message waiting, no check. What the view itself asks (public_views), asked
    of the cookies and the session store, so that a made-up cookie costs a look-up, not a render."""
    return (
        request.method in ("GET", "HEAD")
        and request.path == _fixed_parts()[0]
        and CHECK_PARAMETER not in request.GET
        and not _message_cookie_holds_messages(request)
        and not _session_is_someones(request)
    )


def _message_cookie_holds_messages(request) -> bool:
    data = request.COOKIES.get(CookieStorage.cookie_name)
    # A cookie whose signature fails holds nothing: the messages framework ignores it too.
    return bool(data) and bool(CookieStorage(request)._decode(data))


@functools.cache
def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _session_is_someones(request) -> bool:
    """Whether the session cookie names a live session with a signed-in user or a message in it.
    A made-up, expired or tampered key loads as empty; a session with neither (a sign-in left
    half-way) is shown the same page as everyone."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    session = _session_store()(session_key).load()
    return SESSION_KEY in session or SessionStorage.session_key in session


def _copy_key(generation: str, language: str) -> tuple:
    # The stylesheet's hashed name, demo mode and the contacts the page shows: a release or another
    # setup renders its own (a copy in Redis outlives a restart with new settings).
    return (
        generation,
        language,
        _fixed_parts()[1],
        settings.DEMO_MODE,
        settings.COMMS_CONTACT_EMAIL,
        settings.PORTAL_RECORDS_CONTACT,
    )


def _key(request, generation: str) -> tuple:
    return _copy_key(generation, portal_language(request))


def _cache_key(key: tuple) -> str:
    return "public-page:v2:" + ":".join(str(part) for part in key)


def _claim_key(key: tuple) -> str:
    return "public-page:render-claim:" + ":".join(str(part) for part in key)


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
    if keep(_cache_key(key), stored, key[0]):
        _remember(key, stored)


def _replay(stored, *, head: bool = False) -> HttpResponse:
    headers, body = stored
    # HEAD: the copy's headers, Content-Length included, and no body.
    response = HttpResponse(b"" if head else body)
    for name, value in headers:
        response.headers[name] = value
    return response


def _copy_or_claim(request) -> tuple[tuple, tuple | None, bool]:
    """(key, the stored copy or None, whether this request claimed the render).

    Without a copy, the request that claims the render renders; the others look for its copy every
    WAIT_STEP_SECONDS, up to PUBLIC_PAGE_RENDER_WAIT_SECONDS, and then render without the claim. They
    never fall back on an older generation's copy: that would be the list from before a change. With
    the cache unreachable the claim always succeeds (falkoping_some/cache.py), so all render."""
    steps = round(settings.PUBLIC_PAGE_RENDER_WAIT_SECONDS / WAIT_STEP_SECONDS)
    for step in range(steps + 1):
        if step:
            _sleep(WAIT_STEP_SECONDS)
        key = _key(request, page_generation())  # a change meanwhile: wait for the new one's copy
        stored = _lookup(key)
        if stored is not None:
            return key, stored, False
        if cache.add(_claim_key(key), "rendering", RENDER_CLAIM_SECONDS):
            return key, None, True
    return key, None, False


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_have_a_copy(request):
            return self.get_response(request)
        key, stored, claimed = _copy_or_claim(request)
        if stored is not None:
            return _replay(stored, head=request.method == "HEAD")
        try:
            response = self.get_response(request)
            if (
                getattr(response, "shareable", False)
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                _store(key, response)
        finally:
            if claimed:
                cache.delete(_claim_key(key))
        return response
