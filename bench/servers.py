"""Which PostgreSQL and Redis the benchmarks use, the same way in bench/run.py, load.py and pages.py.

The servers are the ones the portal itself is given: DATABASE_URL and REDIS_URL, from the
environment or else from the checkout's .env, as settings.py reads them. The databases on them are
the benchmarks' own, never the portal's: seed_bench empties the one it fills, so a benchmark takes
only the host, port, user and password of DATABASE_URL, and puts its own database name
(falkoping_bench_<N> for `make bench`, falkoping_bench for `make load`) and its own Redis number
(7 for `make bench`, 6 for `make load`) in place of the portal's.

BENCH_POSTGRES (a server URL without a database), BENCH_DATABASE_URL (load.py's whole URL) and
BENCH_REDIS_URL (a whole URL) override that. Without any of these: PostgreSQL as postgres on
127.0.0.1:5432, Redis on 127.0.0.1:6379. Whatever the source, the host must be on loopback: the
benchmarks send their load to this machine only.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
BENCH_REDIS_DB = 7  # make bench (run.py, pages.py)
LOAD_REDIS_DB = 6  # make load (load.py)


class NotLoopback(ValueError):
    pass


def setting(name: str, environ=None, dotenv: Path | None = None) -> str:
    """A variable from the environment, else from the checkout's .env (as settings.py reads it)."""
    environ = os.environ if environ is None else environ
    if environ.get(name):
        return environ[name]
    dotenv = BASE_DIR / ".env" if dotenv is None else dotenv
    try:
        lines = dotenv.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() == name:
            return value.strip().strip("'\"")
    return ""


def loopback(url: str, name: str) -> str:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise NotLoopback(f"{name} must point at loopback (127.0.0.1), not {host!r}.")
    return url


def postgres_server(environ=None) -> str:
    """The PostgreSQL server, as a URL without a database: BENCH_POSTGRES, else DATABASE_URL's server."""
    explicit = setting("BENCH_POSTGRES", environ)
    if explicit:
        return loopback(explicit.rstrip("/"), "BENCH_POSTGRES")
    portal = setting("DATABASE_URL", environ)
    parts = urlsplit(portal)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return DEFAULT_POSTGRES  # SQLite or unset: the benchmarks need PostgreSQL on loopback
    return loopback(urlunsplit((parts.scheme, parts.netloc, "", "", "")), "DATABASE_URL")


def database_url(name: str, environ=None) -> str:
    """The benchmarks' own database `name` on the portal's PostgreSQL server."""
    return f"{postgres_server(environ)}/{name}"


def load_database_url(environ=None) -> str:
    """load.py's database: BENCH_DATABASE_URL, else falkoping_bench on the portal's server."""
    explicit = setting("BENCH_DATABASE_URL", environ)
    if explicit:
        return loopback(explicit, "BENCH_DATABASE_URL")
    return database_url("falkoping_bench", environ)


def redis_url(db: int, environ=None) -> str:
    """The benchmarks' Redis: BENCH_REDIS_URL, else database `db` on the portal's Redis (REDIS_URL)."""
    explicit = setting("BENCH_REDIS_URL", environ)
    if explicit:
        return loopback(explicit, "BENCH_REDIS_URL")
    portal = setting("REDIS_URL", environ)
    parts = urlsplit(portal or DEFAULT_REDIS)
    return loopback(urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, "")), "REDIS_URL")
