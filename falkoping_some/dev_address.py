"""The demo's address (`make run`, PORTAL_DEV_ADDRESS) as a browser on this machine reaches it.

runserver takes "port", "host:port" or "[ipv6]:port"; a server listening on every interface
(0.0.0.0, ::) is reached on the loopback address. Used by the settings, for SITE_URL, the base of
the links in emails, and by devtools.devrun, for its banner and to see the server answer."""

# What runserver listens on when the address names none (its own default host).
DEFAULT_HOST = "127.0.0.1"
# Listening on every interface: a browser on this machine comes in on the loopback address.
EVERY_INTERFACE = {"0.0.0.0": "127.0.0.1", "0": "127.0.0.1", "::": "::1", "": DEFAULT_HOST}  # noqa: S104 (mapped away from)


def host_and_port(address: str) -> tuple[str, int]:
    """('127.0.0.1', 9000) for "9000", "0.0.0.0:9000" or "127.0.0.1:9000"; ('::1', 9000) for "[::]:9000"."""
    address = address.strip()
    host, _, port = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = EVERY_INTERFACE.get(host, host)
    return host, int(port)


def url_for(address: str) -> str:
    """http://127.0.0.1:9000 for "0.0.0.0:9000"; http://[::1]:9000 for "[::]:9000". No trailing slash."""
    host, port = host_and_port(address)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
