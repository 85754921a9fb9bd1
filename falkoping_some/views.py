import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from capture.models import Connection
from falkoping_some import heartbeat

logger = logging.getLogger(__name__)

HEALTH_PROBE_KEY = "health-probe"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database does not answer")
        return False


def _cache_ok() -> bool:
    try:
        token = timezone.now().isoformat()
        cache.set(HEALTH_PROBE_KEY, token, timeout=60)
        return cache.get(HEALTH_PROBE_KEY) == token
    except Exception:
        logger.exception("Health check: the cache does not answer")
        return False


def _capture_summary() -> list[dict]:
    """Each live connection to a platform (R3): its state, last success and last error in plain
    words. Never a token, its hint or the connection's address. Not the number of items captured:
    a probe every minute would count millions of rows (the account's page shows the count)."""
    rows = Connection.objects.live().select_related("account").order_by("account__name", "kind", "pk")
    return [
        {
            "connection": row.pk,
            "account": row.account.name,
            "connector": row.kind,
            "state": row.state,
            "last_success": timezone.localtime(row.last_success_at).isoformat() if row.last_success_at else None,
            "last_error": row.last_error or None,
        }
        for row in rows
    ]


@require_safe
@never_cache
def health(request):
    """For monitoring, open to anyone: whether the database and the cache answer (HTTP 503 when
    not), when the background worker last ran its heartbeat (falkoping_some.tasks), and the state of
    each connection to a platform."""
    database_ok = _database_ok()
    cache_ok = _cache_ok()
    last_seen = heartbeat.last_heartbeat() if cache_ok else None
    body = {
        "database": "ok" if database_ok else "error",
        "cache": "ok" if cache_ok else "error",
        "worker_last_seen": timezone.localtime(last_seen).isoformat() if last_seen else None,
        "worker": heartbeat.heartbeat_status(last_seen, timezone.now()) if cache_ok else "unknown",
        "capture": _capture_summary() if database_ok else None,
    }
    return JsonResponse(body, status=200 if database_ok and cache_ok else 503)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on every site: the portal's icon is static/favicon.svg, by its
    plain name (whitenoise serves it beside the hashed copy), so the redirect never goes stale."""
    return HttpResponsePermanentRedirect(settings.STATIC_URL + "favicon.svg")
