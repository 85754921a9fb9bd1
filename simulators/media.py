"""The picture a simulated platform serves for any media address on its own loopback server
(`/media/<name>`), so that the sync's media capture (capture/sync.py `_media`) runs end to end
without the internet: a 2×2 PNG, the same bytes for every name."""

import base64

from .server import Request, Response

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGNkiFrAwMDAxMDAwMDAAAALQgD+tv4bTwAAAABJRU5ErkJggg=="
)
ROUTE = r"/media/(?P<name>[^/]+)"


def media_response(request: Request, name: str) -> Response:
    return Response(200, PNG, [("Content-Type", "image/png")])


def resolve(url: str | None, base: str) -> str | None:
    """A media address given as a path (`/media/a.png`) is on the simulator's own server."""
    if url and url.startswith("/") and base:
        return base + url
    return url
