"""Import the history of weekly activity (R19) from a CSV file, as a member of the communications
department: `python manage.py import_activity FILE --as EMAIL [--dry-run]`.

Every row is checked first; if any is wrong nothing is written, each problem is printed with its
line number and the command exits with status 1.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from activity.csv_import import ImportFileError, decode, import_activity


class Command(BaseCommand):
    help = "Import weekly activity (R19) from a CSV file with the columns account, week, posts."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="email", required=True, help="The comms member the import is recorded as.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and write nothing.")

    def handle(self, *args, file, email, dry_run, **options):
        try:
            actor = User.objects.get(email=email.strip().lower(), is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user with the email address {email}.") from None
        try:
            text = decode(file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = import_activity(actor, text, dry_run=dry_run)
        except PermissionDenied:
            raise CommandError(f"{actor.email} may not import activity: communications department only.") from None
        except ImportFileError as error:
            raise CommandError(error.message) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(f"{file.name}:{error['line']}: {error['reason']}")
            lines = len({error["line"] for error in result.errors})
            raise CommandError(f"Nothing imported: {lines} of {result.rows} rows have problems.")
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"{result.rows} rows checked, all correct; nothing written (dry run).")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.rows} rows imported: {result.created} weeks added, {result.updated} weeks updated."
                )
            )
