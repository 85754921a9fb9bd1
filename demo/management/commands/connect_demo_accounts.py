"""Connects the demo accounts to the simulated platforms and queues their first sync (`make run`,
after seed_demo). Idempotent: a connection is made once per account and connector, and brought back
to the simulators' addresses and tokens if they moved; every run queues a sync.

Why queue one: beat's capture runs every hour (capture/migrations/0002_sync_schedule.py), as it
should for real platforms, and a schedule beat has not run yet runs first one interval after beat
starts: a newcomer would wait an hour for the first captures. The sync queued here waits in the
broker until the worker starts, a few seconds later, and the simulators (devrun's first child) are
up by then: the captures are in the archive within a minute. Running the command again (or waiting
for beat) captures what changed on the platforms since (the demo's edited post, deleted and hidden
comments: simulators/demo.py).

The connections are made as the demo's comms user (kommunikator@), in the audit trail as any
connection made in the portal. The token is the simulator's own (simulators/demo.py); no check
against the platform here: the simulators may not be running yet.

Never in production: refused unless DJANGO_DEBUG or PORTAL_DEMO is on, and the addresses are on
loopback, which production refuses anyway (CAPTURE_ALLOW_SIMULATORS, capture/addresses.py).
"""

import datetime
import json
from pathlib import Path

from auditlog.context import set_actor
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import AccountStatus, SocialAccount, User
from capture import crypto, tasks
from capture.addresses import address_problem
from capture.connectors import registry
from capture.models import Connection, ConnectionState
from falkoping_some.lib.queueing import enqueue

COMMS_EMAIL = "kommunikator@demo.falkoping.se"


def demo_connections(plan_file: str | None) -> tuple[list[dict], list[str]]:
    """The connections to make, and the platforms not simulated yet: from a running simulators'
    var/simulators.json, or where `python -m simulators.demo` will serve (fixed ports beside the
    portal's)."""
    if plan_file:
        try:
            plan = json.loads(Path(plan_file).read_text())
            return plan["connections"], plan.get("missing", [])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read the simulators' addresses from {plan_file}: {error}") from error
    from simulators import demo  # the demo's own data; the product never imports it (pyproject.toml)

    planned = demo.planned(demo.port_base())
    return planned.connections(), planned.skipped


class Command(BaseCommand):
    help = "Connect the demo accounts to the simulated platforms and queue a first sync. Idempotent; demo only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", help="the simulators' addresses (var/simulators.json of running simulators); "
            "default: the fixed ports of python -m simulators.demo",
        )  # fmt: skip
        parser.add_argument("--no-sync", action="store_true", help="connect only, queue no sync")

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError("The demo connects to simulated platforms only: set PORTAL_DEMO=true for a demo.")
        comms = User.objects.filter(email=COMMS_EMAIL).first()
        if comms is None:
            raise CommandError(f"No demo comms user ({COMMS_EMAIL}): run manage.py seed_demo first.")
        available = set(registry.available())
        entries, missing = demo_connections(options["plan"])
        if missing:
            self.stdout.write(
                f"No simulated platform yet for {', '.join(missing)}: those demo accounts are not connected."
            )
        connected = []
        with transaction.atomic(), set_actor(comms):
            for entry in entries:
                connection = self._connect(entry, comms, available)
                if connection is not None:
                    connected.append(connection)
        if not options["no_sync"]:
            for connection in connected:
                enqueue(tasks.sync_connection, connection.pk)
                # And the profile (R4, R5, R9), which beat reads only on 1 January and 1 July.
                enqueue(tasks.take_profile_snapshot, connection.pk)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(connected)} demo connections to the simulated platforms"
                + ("." if options["no_sync"] else "; a first sync and a profile snapshot are queued for each.")
            )
        )

    def _connect(self, entry: dict, comms: User, available: set[str]) -> Connection | None:
        kind, name = entry["kind"], entry["account"]
        if kind not in available:
            self.stdout.write(f"No {kind} connector yet: {name} ({entry['platform']}) is not connected.")
            return None
        account = SocialAccount.objects.filter(
            name=name, platform=entry["platform"], status=AccountStatus.ACTIVE
        ).first()
        if account is None:
            self.stdout.write(f"No active demo account {name} ({entry['platform']}): not connected.")
            return None
        problem = address_problem(kind, entry["base_url"], account.url)
        if problem:
            raise CommandError(f"{name} ({kind}): {problem}")
        token = entry.get("token") or ""
        wanted = {
            "base_url": entry["base_url"],
            "external_id": entry["external_id"],
            "external_name": entry.get("external_name", ""),
            "external_handle": entry.get("external_handle", ""),
            # The simulated Facebook grants pages_messaging to the demo's tokens: its pages' messages
            # are read, so that R20's questions come from messages too (simulators/demo.py MESSAGES).
            "reads_messages": registry.connector_class(kind).reads_messages,
        }
        connection = Connection.objects.live().filter(account=account, kind=kind).first()
        if connection is None:
            # A demo account connected before the demo's first start (simulators/demo.py): its weeks
            # from then on are read from the platform (activity/sources.py).
            connected_at = entry.get("connected_at")
            when = {"created_at": datetime.datetime.fromisoformat(connected_at)} if connected_at else {}
            connection = Connection.objects.create(
                account=account, kind=kind, created_by=comms, token_encrypted=crypto.encrypt(token),
                token_hint=crypto.hint(token), **wanted, **when,
            )  # fmt: skip
            self.stdout.write(f"Connected {account} to the simulated {kind} at {entry['base_url']}.")
            return connection
        changed = [key for key, value in wanted.items() if getattr(connection, key) != value]
        for key in changed:
            setattr(connection, key, wanted[key])
        if _stored_token(connection) != token:
            connection.token_encrypted, connection.token_hint = crypto.encrypt(token), crypto.hint(token)
            changed += ["token_encrypted", "token_hint"]
        if connection.state == ConnectionState.BROKEN:
            # A demo token the simulator refused once (a fault asked for by hand): it works again.
            connection.state, connection.last_error = ConnectionState.ACTIVE, ""
            changed += ["state", "last_error"]
        if changed:
            connection.save(update_fields=changed)
            self.stdout.write(f"Updated the connection of {account} ({kind}): {', '.join(changed)}.")
        return connection


def _stored_token(connection: Connection) -> str | None:
    try:
        return crypto.decrypt(connection.token_encrypted)
    except crypto.TokenUnreadable:
        return None  # encrypted under another SECRET_KEY (a new .env): encrypt it again
