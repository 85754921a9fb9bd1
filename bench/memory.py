"""The peak memory of a benchmark's child process, shared by bench/checks.py and bench/pages.py."""

import resource
from pathlib import Path


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB: VmHWM from /proc/self/status (Linux).

    Not ru_maxrss where VmHWM is there: Linux carries ru_maxrss over from the parent across fork and
    exec, so a child of a benchmark that rendered the public page or ran the naive loops would report
    the benchmark's own peak. ru_maxrss only where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
