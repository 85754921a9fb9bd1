"""A load client in Python, for a machine without wrk (bench/README.md, "Which client measured").

It does what wrk does for bench/load.py and bench/pages.py: `connections` connections, each sending
its next request as soon as the previous response has been read to its end, for `seconds`, then the
requests completed, the bytes read, every status, the socket errors and timeouts, and latency
percentiles, in the shape of wrk's BENCH-JSON line (bench/report.lua). Each response is read into
one reusable buffer and counted, never kept, so a page of megabytes costs the client one copy out
of the kernel, as with wrk without a response() callback.

The connections are threads with blocking sockets, spread over one process per core (a single
Python process would be held to one core by its lock). Every request asks for `Connection: close`
and is read to the end of the connection: gunicorn's sync workers close it after each response
anyway, and wrk then reconnects as well. A response shorter than its Content-Length is a read error.
The latency runs from sending the request to the end of the response, as wrk's does.

The client needs more CPU per request than wrk, on the same cores as the server: its throughput is
a floor. Its figures carry `client_cpu_s` so a reader can see when the client was the limit, and
the server's CPU per request (bench/cpu.py) does not depend on the client.
"""

import multiprocessing
import os
import resource
import socket
import threading
import time
from collections import Counter

BUFFER = 256 * 1024
HEAD_LIMIT = 64 * 1024


def request_bytes(host: str, port: int, path: str, headers=()) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _header_end(head: bytes) -> int:
    end = head.find(b"\r\n\r\n")
    return -1 if end < 0 else end + 4


def parse_head(head: bytes) -> tuple[int, int | None, int]:
    """(status, Content-Length or None, length of the head) of a response's first bytes."""
    end = _header_end(head)
    status = int(head[9:12])
    length = None
    for line in head[:end].split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status, length, end


class Tally:
    def __init__(self):
        self.requests = 0
        self.bytes = 0
        self.statuses = Counter()
        self.errors = Counter(connect=0, read=0, write=0, timeout=0)
        self.latencies_us = []


def one_request(host, port, request, timeout, buffer, tally):
    """One request on a connection of its own, read to the end and counted in `tally`."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        tally.errors["timeout"] += 1
        return
    except OSError:
        tally.errors["connect"] += 1
        time.sleep(0.01)  # the server is not there: do not spin
        return
    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter()
        try:
            sock.sendall(request)
        except TimeoutError:
            tally.errors["timeout"] += 1
            return
        except OSError:
            tally.errors["write"] += 1
            return
        head, received, view = b"", 0, memoryview(buffer)
        try:
            while True:
                got = sock.recv_into(buffer)
                if not got:
                    break
                received += got
                if _header_end(head) < 0 and len(head) < HEAD_LIMIT:
                    head += view[:got].tobytes()
        except TimeoutError:
            tally.errors["timeout"] += 1
            tally.bytes += received
            return
        except OSError:
            tally.errors["read"] += 1
            tally.bytes += received
            return
        elapsed = time.perf_counter() - start
    tally.bytes += received
    if _header_end(head) < 0 or not head.startswith(b"HTTP/"):
        tally.errors["read"] += 1
        return
    status, length, head_length = parse_head(head)
    if length is not None and received - head_length < length:
        tally.errors["read"] += 1
        return
    tally.requests += 1
    tally.statuses[status] += 1
    tally.latencies_us.append(elapsed * 1e6)


def _process(host, port, request, threads, seconds, timeout, start_at, pipe):
    """One client process: `threads` connections until the deadline; sends its tally up the pipe."""
    while time.monotonic() < start_at:  # every process starts together
        time.sleep(0.001)
    deadline = start_at + seconds
    tallies = [Tally() for _n in range(threads)]

    def connection(tally):
        buffer = bytearray(BUFFER)
        while time.monotonic() < deadline:
            one_request(host, port, request, timeout, buffer, tally)

    workers = [threading.Thread(target=connection, args=(tally,)) for tally in tallies]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ended = time.monotonic()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = Tally()
    for tally in tallies:
        total.requests += tally.requests
        total.bytes += tally.bytes
        total.statuses.update(tally.statuses)
        total.errors.update(tally.errors)
        total.latencies_us.extend(tally.latencies_us)
    pipe.send(
        {
            "requests": total.requests,
            "bytes": total.bytes,
            "statuses": dict(total.statuses),
            "errors": dict(total.errors),
            "latencies_us": total.latencies_us,
            "ended": ended,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
    )
    pipe.close()


def percentile(ordered, fraction):
    if not ordered:
        return 0
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def run(host, port, path, *, connections, seconds, headers=(), timeout=10.0, processes=None) -> dict:
    """Load `path` for `seconds` with `connections` connections; wrk's BENCH-JSON figures and the
    client's own CPU time (`client_cpu_s`) and shape (`client`)."""
    processes = max(1, min(processes or os.cpu_count() or 1, connections))
    shares = [connections // processes + (1 if n < connections % processes else 0) for n in range(processes)]
    request = request_bytes(host, port, path, headers)
    # fork: the children start at once and share nothing they would write (they never touch the
    # parent's database connection, and end with os._exit, as multiprocessing's children do).
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + 0.2
    pipes, children = [], []
    for share in shares:
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=_process, args=(host, port, request, share, seconds, timeout, start_at, sender), daemon=True
        )
        child.start()
        sender.close()
        pipes.append(receiver)
        children.append(child)
    parts = [pipe.recv() for pipe in pipes]
    for child in children:
        child.join(timeout=30)
    latencies = sorted(latency for part in parts for latency in part["latencies_us"])
    statuses, errors = Counter(), Counter(connect=0, read=0, write=0, timeout=0)
    for part in parts:
        statuses.update(part["statuses"])
        errors.update(part["errors"])
    ended = max(part["ended"] for part in parts)
    return {
        "requests": sum(part["requests"] for part in parts),
        "duration_us": round((ended - start_at) * 1e6),
        "bytes": sum(part["bytes"] for part in parts),
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "socket_errors": dict(errors),
        "latency_us": {
            "p50": percentile(latencies, 0.5),
            "p90": percentile(latencies, 0.9),
            "p99": percentile(latencies, 0.99),
            "max": latencies[-1] if latencies else 0,
            "mean": round(sum(latencies) / len(latencies), 1) if latencies else 0,
        },
        "client_cpu_s": round(sum(part["cpu_s"] for part in parts), 3),
        "client": f"python (bench/httpload.py: {processes} processes, {connections} threads in all)",
    }


def fetch(host, port, path, headers=(), timeout=60.0) -> tuple[int, bytes, bytes]:
    """One request as the load client sends it, the whole response: (status, head, body). The bytes
    of one response as they travel, which bench/pages.py compares with what the load client read."""
    request = request_bytes(host, port, path, headers)
    chunks = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        while chunk := sock.recv(BUFFER):
            chunks.append(chunk)
    data = b"".join(chunks)
    status, _length, head_length = parse_head(data)
    return status, data[:head_length], data[head_length:]
