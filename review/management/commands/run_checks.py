"""Run the scheduled checks by hand (DESIGN.md, "Scheduled checks"): `run_checks [--only NAME ...]
[--dry-run]`. The same function the Celery beat schedule runs."""

from django.core.management.base import BaseCommand, CommandError

from review.scheduled_checks import CHECKS, run_checks


class Command(BaseCommand):
    help = "Runs the scheduled checks now and prints what each found, raised and resolved."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="+", metavar="NAME", help=f"Only these checks, of: {', '.join(CHECKS)}.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would change, write no flags.")

    def handle(self, *args, only=None, dry_run=False, **options):
        unknown = [name for name in only or [] if name not in CHECKS]
        if unknown:
            raise CommandError(f"Unknown check: {', '.join(unknown)}. The checks are: {', '.join(CHECKS)}.")
        runs = run_checks(only=only, dry_run=dry_run)
        header = ("check", "found", "raised", "resolved", "ms")
        rows = [header] + [
            (run.check_name, str(run.found), str(run.raised), str(run.resolved), str(run.duration_ms)) for run in runs
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            cells = [row[0].ljust(widths[0])] + [
                cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
            ]
            self.stdout.write("  ".join(cells).rstrip())
        if dry_run:
            self.stdout.write("Dry run: no flags were written.")
