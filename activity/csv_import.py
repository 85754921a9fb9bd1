"""Importing the history of weekly activity (R19) from a CSV file: communications only.

The file has a header `account,week,posts` (Swedish Excel writes `;`, so the delimiter is sniffed;
UTF-8 with or without a byte order mark). `account` is the account's number in the portal or its
exact address; `week` an ISO week (2025-W07) or any date in it; `posts` a whole number 0–500.

All or nothing: every row is checked first and each problem is reported with its line number (the
header is line 1); if any row is wrong nothing is written. Otherwise the rows are written in one
transaction: weeks already logged are updated, new ones created, in bulk.

A small file is imported while the browser waits; a large one is stored as an ActivityImport and
the worker runs `run_activity_import` (kept here, beside the code it calls, not in tasks.py).
"""

import csv
import datetime
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SocialAccount
from activity import sources
from activity.models import ActivityImport, ImportStatus, WeeklyActivity
from activity.services import check_posts, check_week
from falkoping_some.lib.weeks import iso_week, week_start
from falkoping_some.locks import JobBusy, exclusive

HEADER = ("account", "week", "posts")
SYNC_ROW_LIMIT = 2000  # up to this many rows the browser waits; more go to the worker
PROGRESS_EVERY = 500  # rows between two progress saves of a stored import
ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class ImportFileError(Exception):
    """The file as a whole can't be read (not text, no header): nothing was checked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    line: int
    account: SocialAccount
    week: datetime.date
    posts: int


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line": 3, "reason": "..."}
    created: int = 0
    updated: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """The upload as text: UTF-8, a byte order mark dropped. A binary file is refused whole."""
    if b"\x00" in data:
        raise ImportFileError(_("The file is not a CSV text file. Save it from Excel as “CSV UTF-8”."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save it from Excel as “CSV UTF-8 (kommaavgränsad)” and try again.")
        ) from None


def _reader(text: str):
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def count_rows(text: str) -> int:
    """The data rows of the file (blank lines not counted), to choose between now and the worker."""
    return sum(1 for row in _reader(text) if any(cell.strip() for cell in row)) - 1


def parse_week(value: str) -> datetime.date | None:
    """The Monday of an ISO week given as 2025-W07 or as a date in it; None if it is neither."""
    value = value.strip()
    match = ISO_WEEK.match(value)
    try:
        if match:
            return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return week_start(datetime.date.fromisoformat(value))
    except ValueError:
        return None


MAX_ID = 2**63 - 1  # the largest BigAutoField


def _find_accounts(refs: set[str]) -> dict[str, SocialAccount]:
    """The accounts the file names, by number or exact address, in one query. An address that a
    closed account and its live successor share means the live one."""
    # A number no primary key can hold (over 2**63 - 1) names no account: on SQLite it would not
    # even reach the query (OverflowError), so it is left out here, as are non-ASCII digits ("²").
    numbers = {ref for ref in refs if ref.isascii() and ref.isdigit()}
    ids = {int(ref) for ref in numbers if int(ref) <= MAX_ID}
    urls = refs - numbers
    found: dict[str, SocialAccount] = {}
    for account in SocialAccount.objects.filter(Q(pk__in=ids) | Q(url__in=urls)).order_by("activated_on", "pk"):
        found[str(account.pk)] = account
        if account.url in urls and (account.url not in found or account.status != "closed"):
            found[account.url] = account
    return found


def check_file(text: str, today: datetime.date, progress: Callable[[int], None] | None = None):
    """Every row of the file checked: (rows, errors). Reads the accounts in one query."""
    reader = _reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    columns = [cell.strip().lower() for cell in header]
    missing = [name for name in HEADER if name not in columns]
    if missing:
        raise ImportFileError(
            _("The first line must name the columns account, week and posts; found: %(found)s.")
            % {"found": ", ".join(cell.strip() for cell in header) or _("nothing")}
        )
    at = {name: columns.index(name) for name in HEADER}
    raw = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in at.items()}
        raw.append((reader.line_num, values))
    accounts = _find_accounts({values["account"] for _line, values in raw if values["account"]})
    platform = sources.platform_weeks_from({account.pk for account in accounts.values()})

    rows, errors, seen = [], [], {}
    for n, (line, values) in enumerate(raw, start=1):
        reasons = []
        account = accounts.get(values["account"])
        if account is None:
            reasons.append(
                _("Unknown account “%(account)s”: give the account's number or its exact address.")
                % {"account": values["account"]}
                if values["account"]
                else _("The account is missing.")
            )
        week = parse_week(values["week"])
        if week is None:
            reasons.append(
                _("“%(week)s” is not a week: write it as 2025-W07 or as a date in the week, 2025-02-10.")
                % {"week": values["week"]}
            )
        try:
            posts = int(values["posts"])
        except ValueError:
            posts = None
            reasons.append(_("“%(posts)s” is not a whole number of posts.") % {"posts": values["posts"]})
        else:
            problem = check_posts(posts)
            if problem:
                reasons.append(problem)
        if account is not None and week is not None:
            problem = check_week(account, week, today, platform.get(account.pk))
            if problem is None and account.closed_on and week > week_start(account.closed_on):
                problem = _("The account was closed in the week %(week)s: later weeks cannot be logged.") % {
                    "week": iso_week(week_start(account.closed_on))
                }
            if problem:
                reasons.append(problem)
            elif (account.pk, week) in seen:
                reasons.append(
                    _("The same account and week are already on line %(line)s.") % {"line": seen[(account.pk, week)]}
                )
            else:
                seen[(account.pk, week)] = line
        if reasons:
            errors.extend({"line": line, "reason": reason} for reason in reasons)
        else:
            rows.append(Row(line, account, week, posts))
        if progress and n % PROGRESS_EVERY == 0:
            progress(n)
    if progress:
        progress(len(raw))
    return rows, errors


AUDIT_CHUNK = 1000  # log entries built and inserted at a time


def _audit(actor, created: list[WeeklyActivity], updated: list[tuple[WeeklyActivity, int]]):
    """Bulk writes skip auditlog's signals: record the entries it would (native values, as the
    portal's auditlog settings store them), in bulk inserts. The entries are built a chunk at a
    time, so a large file never holds all its log entries in memory at once."""
    content_type = ContentType.objects.get_for_model(WeeklyActivity)
    now = timezone.now()
    entries = itertools.chain(
        (
            LogEntry(
                content_type=content_type,
                object_pk=str(a.pk),
                object_id=a.pk,
                object_repr=str(a),
                action=LogEntry.Action.CREATE,
                changes={"posts": [None, a.posts], "week": [None, str(a.week)]},
                actor=actor,
                timestamp=now,
                additional_data={"source": "csv import"},
            )
            for a in created
        ),
        (
            LogEntry(
                content_type=content_type,
                object_pk=str(a.pk),
                object_id=a.pk,
                object_repr=str(a),
                action=LogEntry.Action.UPDATE,
                changes={"posts": [old, a.posts]},
                actor=actor,
                timestamp=now,
                additional_data={"source": "csv import"},
            )
            for a, old in updated
            if old != a.posts
        ),
    )
    while chunk := list(itertools.islice(entries, AUDIT_CHUNK)):
        LogEntry.objects.bulk_create(chunk)


UPDATE_CHUNK = 2000  # ids in one UPDATE's IN list (SQLite allows 32,766 variables)


def _update_posts(actor, now, activities: list[WeeklyActivity]) -> None:
    """Write the new numbers of posts: one UPDATE per distinct number (0–500, so a bounded number
    of queries however many rows), each for every week that takes that number. bulk_update would
    build a CASE of one branch per row, which costs seconds in Python for a large file."""
    by_posts: dict[int, list[int]] = {}
    for activity in activities:
        by_posts.setdefault(activity.posts, []).append(activity.pk)
    for posts, ids in by_posts.items():
        for start in range(0, len(ids), UPDATE_CHUNK):
            WeeklyActivity.objects.filter(pk__in=ids[start : start + UPDATE_CHUNK]).update(
                posts=posts, logged_by=actor, logged_at=now
            )


def write_rows(actor, rows: list[Row]) -> tuple[int, int]:
    """Write checked rows in one transaction: (created, updated). A handful of queries however
    many rows: the existing weeks are read (and locked) at once, then updated and created in bulk."""
    now = timezone.now()
    with transaction.atomic():
        wanted = {(row.account.pk, row.week): row for row in rows}
        existing = WeeklyActivity.objects.select_for_update().filter(
            account_id__in={row.account.pk for row in rows}, week__in={row.week for row in rows}
        )
        updated = []
        for activity in existing:
            row = wanted.pop((activity.account_id, activity.week), None)
            if row is not None:
                old = activity.posts
                # The account already read for the row: the audit's str() needs it, and reading it
                # again would cost one query per row.
                activity.account = row.account
                activity.posts, activity.logged_by, activity.logged_at = row.posts, actor, now
                updated.append((activity, old))
        _update_posts(actor, now, [a for a, _old in updated])
        created = WeeklyActivity.objects.bulk_create(
            [
                WeeklyActivity(account=row.account, week=row.week, posts=row.posts, logged_by=actor, logged_at=now)
                for row in wanted.values()
            ],
            batch_size=1000,
        )
        if any(a.pk is None for a in created):  # a database that does not return keys from bulk inserts
            keys = {(a.account_id, a.week) for a in created}
            created = [
                a
                for a in WeeklyActivity.objects.filter(
                    account_id__in={k[0] for k in keys}, week__in={k[1] for k in keys}
                ).select_related("account")
                if (a.account_id, a.week) in keys
            ]
        _audit(actor, created, updated)
    return len(created), len(updated)


def import_activity(actor, text: str, today=None, dry_run=False, progress=None) -> ImportResult:
    """Check every row of the CSV text and, if all are right and this is not a dry run, write
    them. Raises PermissionDenied for anyone but comms, ImportFileError for an unreadable file."""
    if not actor.has_perm("activity.import"):
        raise PermissionDenied
    today = today or timezone.localdate()
    rows, errors = check_file(text, today, progress)
    result = ImportResult(rows=len(rows) + len({e["line"] for e in errors}), errors=errors, dry_run=dry_run)
    if result.ok and not dry_run:
        result.created, result.updated = write_rows(actor, rows)
    return result


def process_stored_import(import_id: int) -> ActivityImport:
    """Run a stored import (the worker's side): progress saved as rows are checked, then the
    outcome. The rows are written in one transaction, so a run killed half-way wrote nothing and the
    redelivered task starts over; running it again after it finished changes nothing. A copy of the
    task that arrives while another worker runs the import raises JobBusy (falkoping_some.locks)."""
    with exclusive("activity-import", import_id) as mine:
        if not mine:
            raise JobBusy(f"activity import {import_id}")
        return _process_stored_import(import_id)


def _process_stored_import(import_id: int) -> ActivityImport:
    job = ActivityImport.objects.select_related("created_by").get(pk=import_id)
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return job
    job.processed_rows = 0
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status"])

    def progress(done):
        job.processed_rows = done
        job.save(update_fields=["processed_rows"])

    try:
        result = import_activity(job.created_by, job.content, dry_run=job.dry_run, progress=progress)
    except PermissionDenied:
        job.errors = [{"line": None, "reason": _("You may no longer import activity.")}]
    except ImportFileError as error:
        job.errors = [{"line": None, "reason": error.message}]
    else:
        job.errors = result.errors
        job.created_rows, job.updated_rows = result.created, result.updated
    job.status = ImportStatus.FAILED if job.errors else ImportStatus.DONE
    job.finished_at = timezone.now()
    job.save()
    return job


@shared_task(
    name="accounts.activity_import.run_activity_import",  # the name it was first registered under
    acks_late=True,
    autoretry_for=(JobBusy,),
    default_retry_delay=10,
    max_retries=6 * 60 * 2,
)
def run_activity_import(import_id):
    process_stored_import(import_id)
