"""The portal on a laptop: the simulated platforms, the web server and a Celery worker with beat,
in one command.

`python -m devtools.devrun` (what `make run` starts after migrating, loading the demo data and
connecting the demo accounts). All three run as children with this interpreter, each in its own
process group so that Ctrl-C reaches only this runner, which then stops them. A child that dies is
started again, as systemd restarts the deployed services (README.md); one that keeps dying at once
(a port in use, a settings error) ends the runner.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from falkoping_some.dev_address import host_and_port, url_for

BASE_DIR = Path(__file__).resolve().parent.parent
# PORTAL_DEV_ADDRESS lets a test (or a second checkout) run beside a demo already on :8000. The
# settings derive the links in emails (SITE_URL) from it too, unless PORTAL_SITE_URL is set.
ADDRESS = os.environ.get("PORTAL_DEV_ADDRESS", "127.0.0.1:8000")
URL = url_for(ADDRESS)

WEB = [sys.executable, "manage.py", "runserver", ADDRESS]
# One process (--pool solo): enough for the demo and kind to a two-core machine. -B runs beat
# inside the worker, with the schedule in the database (editable in the admin).
WORKER = [
    sys.executable, "-m", "celery", "-A", "falkoping_some", "worker", "-B", "-l", "info", "--pool", "solo", "-c", "1",
    "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
]  # fmt: skip
# The social media platforms, simulated on loopback with the demo's posts and comments, on fixed
# ports beside the portal's (simulators/demo.py). First, so that they answer before the worker takes
# the first sync that connect_demo_accounts queued.
SIMULATORS = [sys.executable, "-m", "simulators.demo"]

BANNER = f"""
  SoMe-portalen (demo) runs at {URL}/
  The public list of accounts:  {URL}/socialamedier

  Demo logins, password for all: falkoping-demo
    kommunikator@demo.falkoping.se   the communications department (kommunikationsavdelningen)
    chef@demo.falkoping.se           manager (chef) of Kultur- och fritidsförvaltningen
    redaktor@demo.falkoping.se       editor (redaktör) of the library's account
    medarbetare@demo.falkoping.se    employee (medarbetare) at Biblioteket
    admin@demo.falkoping.se          superuser

  Two-step verification (MFA) is off in the demo; production requires it for comms.{{mail}}
{{platforms}}
  Ctrl-C stops the web server, the worker and the simulated platforms.
"""


def make_broker_folders():
    """The embedded broker (kombu's file-system transport) expects its folders to exist."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")
    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
    # whitenoise serves the demo's files from static/ (WHITENOISE_USE_FINDERS) but warns on every
    # start when its collectstatic folder is missing.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def start(command):
    return subprocess.Popen(command, cwd=BASE_DIR, stdin=subprocess.DEVNULL, start_new_session=True)  # noqa: S603 (our own command)


def stop(children, timeout=15):
    """SIGTERM to each child's whole group (runserver's reloader and the embedded beat are
    processes of their own), a grace period, then SIGKILL for whatever is left."""
    for child in children:
        signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        while group_alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        signal_group(child, signal.SIGKILL)
        child.wait()


def signal_group(child, signum):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def group_alive(child):
    try:
        os.killpg(child.pid, 0)
    except ProcessLookupError:
        return False
    return True


MAIL_LOG_BACKEND = "falkoping_some.mail_log.EmailBackend"


def banner():
    """What the newcomer reads last: where the portal is, who to sign in as, where the mail goes."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")
    from django.conf import settings

    mail = ""
    log = getattr(settings, "PORTAL_MAIL_LOG", None)
    if log and settings.EMAIL_BACKEND == MAIL_LOG_BACKEND:
        shown = Path(log).relative_to(BASE_DIR) if Path(log).is_relative_to(BASE_DIR) else log
        mail = f"\n  The emails the portal sends are written to {shown} (tail -f {shown})."
    return BANNER.format(mail=mail, platforms=platforms_banner(Path(settings.VAR_DIR) / "simulators.json"))


def platforms_banner(plan_file):
    """Where the simulated platforms answer, as they wrote it (simulators/demo.py)."""
    try:
        plan = json.loads(Path(plan_file).read_text())
    except (OSError, ValueError):
        plan = {}
    lines = [
        "  The social media platforms are simulated on this machine (simulators/demo.py), nothing reaches the",
        "  real ones. The demo accounts are connected to them; their posts and comments are in the archive",
        "  within a minute of the start (an account's page), and again every hour.",
    ]
    for kind, url in sorted(plan.get("simulators", {}).items()):
        lines.append(f"    {kind:<10} {url}")
    if plan.get("missing"):
        lines.append(f"    not simulated yet: {', '.join(plan['missing'])}")
    return "\n".join(lines)


def web_server_answers():
    host, port = host_and_port(ADDRESS)
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


# A child that dies is started again after this pause; one that dies within QUICK_EXIT seconds of
# its start GIVE_UP times in a row cannot start at all, and the runner stops.
RESTART_PAUSE = 2
QUICK_EXIT = 20
GIVE_UP = 5


@dataclass
class Child:
    name: str
    command: list
    process: subprocess.Popen | None = None
    started: float = 0.0
    quick_exits: int = 0

    def start(self):
        self.process = start(self.command)
        self.started = time.monotonic()


def watch(children):
    """Show the banner once the web server answers (below the start-up logs), and start again a
    child that dies. Return the exit code the runner should end with, once one cannot start."""
    announced = False
    while True:
        if not announced and web_server_answers():
            print(banner(), flush=True)
            announced = True
        for child in children:
            code = child.process.poll()
            if code is None:
                continue
            # What it leaves behind goes with it (the embedded beat, the pool's processes): one beat.
            signal_group(child.process, signal.SIGKILL)
            quick = time.monotonic() - child.started < QUICK_EXIT
            child.quick_exits = child.quick_exits + 1 if quick else 0
            if child.quick_exits >= GIVE_UP:
                print(f"\nThe {child.name} keeps stopping (exit code {code}); stopping the rest.", flush=True)
                return code if code > 0 else 1  # killed by a signal: < 0
            print(f"\nThe {child.name} stopped (exit code {code}); starting it again.", flush=True)
            time.sleep(RESTART_PAUSE)
            child.start()
        time.sleep(0.5)


class Stop(Exception):
    pass


def on_signal(signum, frame):
    raise Stop


def handle_signals(handler):
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)


def children_to_run():
    return [Child("simulated platforms", SIMULATORS), Child("web server", WEB), Child("Celery worker", WORKER)]


def main():
    make_broker_folders()
    children = children_to_run()
    try:
        handle_signals(on_signal)
        for child in children:
            child.start()
        code = watch(children)
    except Stop:
        # A second Ctrl-C while stopping must not leave the children behind.
        handle_signals(signal.SIG_IGN)
        print("\nStopping the web server, the worker and the simulated platforms …", flush=True)
        code = 0
    handle_signals(signal.SIG_IGN)
    stop([child.process for child in children if child.process is not None])
    return code


if __name__ == "__main__":
    sys.exit(main())
