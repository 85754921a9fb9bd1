"""Synthetic data for the performance benchmarks: `manage.py seed_bench --accounts N
--weeks W [--units U] [--seed S] [--flags F] [--reset]`. What it writes: demo/benchdata.py.

Never on real data: it refuses production settings (unless DJANGO_DEBUG or PORTAL_DEMO is on), and
a database that holds accounts or users (superusers apart) but no demo or bench marker
(demo.DatasetMarker). A database that already holds bench data needs --reset, which empties
the portal's tables first (TRUNCATE on PostgreSQL).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from demo.benchdata import BenchSeeder, Options, database_is_synthetic, default_units, wipe
from demo.models import DatasetKind


class Command(BaseCommand):
    help = (
        "Fill a database with synthetic benchmark data: N accounts with W weeks of activity, org units, "
        "users, mandates, questions and review flags. Refused in production and on a database with real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=1000, help="Number of accounts (default 1000).")
        parser.add_argument("--weeks", type=int, default=52, help="Weeks of activity before this week (default 52).")
        parser.add_argument(
            "--units", type=int, default=None, help="Number of org units (default: a tenth of the accounts, 4–300)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed: one seed, the same data (default 1).")
        parser.add_argument(
            "--flags",
            type=int,
            default=None,
            help="Open review flags: at most this many of the checks' findings (default: every finding).",
        )
        parser.add_argument("--reset", action="store_true", help="Empty the database's portal data first.")
        parser.add_argument(
            "--insert",
            choices=["auto", "copy", "bulk"],
            default="auto",
            help="How weekly rows are inserted: COPY (PostgreSQL only), bulk_create, or auto (COPY when it can).",
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError(
                _(
                    "Benchmark data never loads in production settings: set PORTAL_DEMO=true (or "
                    "DJANGO_DEBUG=true) on a database of its own."
                )
            )
        accounts, weeks, flags = options["accounts"], options["weeks"], options["flags"]
        units = options["units"] if options["units"] is not None else default_units(accounts)
        if accounts < 1 or weeks < 1 or units < 1 or (flags is not None and flags < 0):
            raise CommandError(_("--accounts, --weeks and --units must be at least 1, and --flags at least 0."))
        method = options["insert"]
        if method == "auto":
            method = "copy" if connection.vendor == "postgresql" else "bulk"
        if method == "copy" and connection.vendor != "postgresql":
            raise CommandError(_("COPY needs PostgreSQL: use --insert bulk."))
        synthetic, markers = database_is_synthetic()
        if not synthetic:
            raise CommandError(
                _(
                    "This database holds real data (accounts or users, and no demo or bench marker): "
                    "seed_bench writes only to an empty database or one with demo or bench data."
                )
            )
        if DatasetKind.BENCH in markers and not options["reset"]:
            raise CommandError(_("This database already holds bench data: add --reset to empty it first."))
        if options["reset"]:
            wipe()
            self.stdout.write("Emptied the portal's tables.")
        seeder = BenchSeeder(
            Options(accounts=accounts, weeks=weeks, units=units, seed=options["seed"], flags=flags, method=method),
            out=self.stdout.write,
        )
        stats = seeder.run()
        statuses = ", ".join(
            f"{stats[key]} {key.removeprefix('accounts_')}" for key in sorted(stats) if key.startswith("accounts_")
        )
        patterns = ", ".join(
            f"{stats[key]} {key.removeprefix('pattern_')}" for key in sorted(stats) if key.startswith("pattern_")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Bench data ready in {stats['seconds']} s ({method}): {stats['org_units']} org units, "
                f"{stats['users']} users ({stats['managers']} managers), {stats['accounts']} accounts ({statuses}); "
                f"activity of the live accounts: {patterns}; {stats['weekly_activity']} weekly rows, "
                f"{stats['mandates']} mandates, {stats['decisions']} decisions, {stats['self_checks']} self-checks, "
                f"{stats['inquiries']} questions, {stats['moderation_cases']} moderation cases, "
                f"{stats['open_flags']} open flags (of {stats['findings']} findings), "
                f"{stats['closed_flags']} closed flags."
            )
        )
