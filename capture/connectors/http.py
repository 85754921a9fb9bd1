"""The one HTTP client every connector calls through (httpx, README "Capturing the platforms").

- Timeouts on every call (connect 5 s, read 20 s by default).
- Never sends anything to a host other than the connection's own base address: a URL on another
  origin is refused before a byte leaves (a `next` link that points elsewhere, a redirect). That is
  how a token is never sent to any host but the platform's.
- Turns failures into the connector errors (base.py): timeouts, connection errors and 5xx into
  TemporaryFailure, 429 into RateLimited with the Retry-After it gave, 401 into TokenRejected, 403
  into PermissionMissing, 404 into NotFound, unless the connector's `classify` reads the platform's
  own error body first (Meta's error codes, YouTube's reasons).
- Never logs a URL (they carry tokens): httpx's own logger is set to WARNING in settings.LOGGING.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import httpx

from .base import ConnectorError, NotFound, PermissionMissing, RateLimited, TemporaryFailure, TokenRejected

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
USER_AGENT = "Falkoping-SoMe-portal/1.0 (+https://www.falkoping.se)"


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def retry_after_seconds(value: str | None, default: float = 60.0) -> float:
    """Retry-After as seconds: a number, or an HTTP date (RFC 9110)."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(1.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(1.0, when.timestamp() - time.time())


class PlatformClient:
    def __init__(
        self,
        base_url: str,
        *,
        classify: Callable[[httpx.Response], ConnectorError | None] | None = None,
        timeout: httpx.Timeout | None = None,
        transport: httpx.BaseTransport | None = None,
        headers: dict | None = None,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.origin = origin(self.base_url)
        self.classify = classify
        self.last_response: httpx.Response | None = None
        self.calls = 0
        self._client = httpx.Client(
            timeout=timeout or DEFAULT_TIMEOUT,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        )

    def url(self, path_or_url: str) -> str:
        url = urljoin(self.base_url, path_or_url.lstrip("/") if not path_or_url.startswith("http") else path_or_url)
        if origin(url) != self.origin:
            raise ConnectorError(
                "The platform pointed the portal to another address; it was not followed.",
                detail=f"refused host {origin(url)[1]!r}",
            )
        return url

    def get(self, path_or_url: str, params: dict | None = None, headers: dict | None = None) -> httpx.Response:
        url = self.url(path_or_url)
        self.calls += 1
        try:
            response = self._client.get(url, params=params, headers=headers)
        except httpx.TimeoutException as error:
            raise TemporaryFailure("The platform did not answer in time.", detail=type(error).__name__) from None
        except httpx.TransportError as error:
            raise TemporaryFailure("The portal could not reach the platform.", detail=type(error).__name__) from None
        self.last_response = response
        if response.is_success:
            return response
        raise self.error_for(response)

    def get_json(self, path_or_url: str, params: dict | None = None, headers: dict | None = None):
        response = self.get(path_or_url, params=params, headers=headers)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise TemporaryFailure(
                "The platform answered with something that is not JSON.", detail=f"HTTP {response.status_code}"
            ) from None

    def get_bytes(self, path_or_url: str, limit: int) -> tuple[bytes, str]:
        """A media file, refused beyond `limit` bytes (read in chunks, never all into memory)."""
        url = self.url(path_or_url)
        self.calls += 1
        try:
            with self._client.stream("GET", url) as response:
                if not response.is_success:
                    response.read()
                    raise self.error_for(response)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise ConnectorError("The file is larger than the portal keeps.", detail=f"> {limit} bytes")
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type", "")
        except httpx.TimeoutException:
            raise TemporaryFailure("The platform did not answer in time.") from None
        except httpx.TransportError as error:
            raise TemporaryFailure("The portal could not reach the platform.", detail=type(error).__name__) from None

    def error_for(self, response: httpx.Response) -> ConnectorError:
        if self.classify is not None:
            error = self.classify(response)
            if error is not None:
                return error
        status = response.status_code
        detail = f"HTTP {status}"
        if status == 429:
            return RateLimited(retry_after=retry_after_seconds(response.headers.get("Retry-After")), detail=detail)
        if status >= 500:
            return TemporaryFailure(detail=detail)
        if status == 401:
            return TokenRejected(detail=detail)
        if status == 403:
            return PermissionMissing(detail=detail)
        if status in (404, 410):
            return NotFound(detail=detail)
        return ConnectorError(detail=detail)

    def close(self):
        self._client.close()
