"""The CPU time a server spends, read from /proc (Linux): bench/load.py and bench/pages.py report it
per request beside the throughput, so that a client that cannot keep up (wrk buffering bodies of
megabytes, or the Python client) does not pass for a fast server.

A process's CPU time is utime + stime of /proc/<pid>/stat (its threads included); a parent's
cutime + cstime add the children it has already reaped (a gunicorn worker that was replaced).
"""

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces): [state, ppid, …]."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _children() -> dict[int, list[int]]:
    children = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree(pid: int) -> list[int]:
    """pid and every live process below it."""
    children = _children()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """The CPU time of pid and of every live process below it, and of the children it reaped, in seconds."""
    ticks = 0
    for member in tree(pid):
        fields = _stat_fields(member)
        if not fields:
            continue  # ended meanwhile
        # After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14), man 5 proc.
        ticks += int(fields[11]) + int(fields[12])
        if member == pid:
            ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def available() -> bool:
    return (PROC / "self" / "stat").exists()
