"""Rate limits per client address for the portal's own open endpoints, with allauth's limiter: the
one the sign-in already uses (settings.ACCOUNT_RATE_LIMITS), so both count in the same shared cache
(Redis in production, falkoping_some/cache.py) and read the client's address the same way (behind a
proxy, ALLAUTH_TRUSTED_PROXY_COUNT; IPv6 by its /64).

A rate is allauth's notation: "60/m/ip" is 60 requests a minute from one address, "600/h/ip,60/m/ip"
both at once. allauth's public wrapper never limits a GET, and these endpoints are GETs, so this
calls its limiter with `limit_get`. While Redis cannot be reached the limit counts nothing (it fails
open, as the sign-in's does: falkoping_some/cache.py).
"""

import math
import time

from allauth.core.internal import ratelimit
from django.core.cache import cache

# The namespace of the portal's limits in the cache (allauth's own are under "allauth.account").
APP = "falkoping_some"


def wait_seconds(request, action: str, rates: str) -> int:
    """Count this request against `rates` for `action`; 0 when it may go on, else how many seconds
    the client must wait before the next one is allowed (for Retry-After, at least 1)."""
    config = {action: rates}
    if ratelimit.consume(request, app=APP, action=action, config=config, limit_get=True) is not None:
        return 0
    now, waits = time.time(), []
    for rate in ratelimit.get_rates(app=APP, action=action, config=config):
        key = ratelimit.get_cache_key(request, app=APP, action=action, rate=rate)
        history = cache.get(key) or []  # newest first
        if len(history) >= rate.amount:
            # The oldest request still counted leaves the window first.
            waits.append(history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(max(waits, default=1)))
