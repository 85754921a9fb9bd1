"""The final archive of an account before it is closed (issue 19; R3, R15, R25): the worker's side,
and the closing requirement it meets (accounts/closing.py).

The run (records.tasks.run_final_archive):
1. CAPTURING: one last sync of each of the account's connections that is not removed, one after
   the other, in this task, through capture's own entry point (capture.tasks.sync_connection, with
   its locks and its handling of the platforms' errors). A connection that fails (a refused token,
   a platform that is down or asks to wait, a connection already stopped) is recorded with its
   error and the run goes on: what was captured before stays in the archive, and the page says
   which connection failed. An account without connections has nothing to capture.
2. EXPORTING: a records export of the account's whole history (no period, the complete records,
   not a public copy), built in this task.
3. DONE once the export is done; FAILED with the export's error when it failed.

A run that is interrupted (the worker stopped) starts again from the top when its task is delivered
again or the sweep queues it (falkoping_some.waiting_jobs): a second capture finds only what is new,
and an export already made is reused.

When is the account archived? When its latest final archive is done and nothing was captured
after its export began: no item new, edited or found missing since then. A later capture that
changed something (beat's hourly sync goes on until the account is closed) means the export lacks
it: the close page asks for the final archive again.
"""

import logging

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.closing import Requirement
from capture import tasks as capture_tasks
from capture.models import CapturedItem, Connection, ConnectionState
from falkoping_some.locks import JobBusy, exclusive

from .export.archive import build_export
from .models import ExportStatus, FinalArchive, FinalArchiveState, RecordsExport

logger = logging.getLogger(__name__)

# capture.tasks.sync_connection's answers other than a result, stored as these codes and said in
# plain words when shown (with the connection's own last error where it has one).
NOT_CAPTURED = {
    "skipped": gettext_lazy(
        "The connection is stopped: the platform refused its token or no longer knows the account."
    ),
    "stopped": gettext_lazy(
        "The platform refused the token or no longer knows the account: the connection is stopped."
    ),
    "waiting": gettext_lazy("The platform did not answer as it should: not captured now."),
    "failed": gettext_lazy("The capture failed."),
    "paused": gettext_lazy("The platform asked the portal to wait: not captured now."),
    "busy": gettext_lazy("Another capture of this connection, or of its platform, was running: not captured now."),
}


def run(archive_id) -> FinalArchive | None:
    """Run a final archive (the worker's side). A copy of the task that arrives while another worker
    runs it raises JobBusy; a done or failed one is left as it is."""
    with exclusive("final-archive", archive_id) as mine:
        if not mine:
            raise JobBusy(f"final archive {archive_id}")
        return _run(archive_id)


def _run(archive_id) -> FinalArchive | None:
    archive = FinalArchive.objects.select_related("account", "requested_by", "export").filter(pk=archive_id).first()
    if archive is None:
        logger.warning("Final archive %s does not exist", archive_id)
        return None
    if archive.finished:
        return archive
    with translation.override(settings.LANGUAGE_CODE):  # the error is kept in Swedish, as the export's
        return _capture_and_export(archive)


def _capture_and_export(archive) -> FinalArchive:
    try:
        _set_state(archive, FinalArchiveState.CAPTURING)
        archive.captures = capture_all(archive.account)
        archive.save(update_fields=["captures"])
        _set_state(archive, FinalArchiveState.EXPORTING)
        export = archive.export
        if export is None:
            export = RecordsExport.objects.create(account=archive.account, requested_by=archive.requested_by)
            archive.export = export
            archive.save(update_fields=["export"])
        export = archive.export = build_export(export.pk) or export
    except JobBusy:
        raise  # the export is being built by another worker: the task tries again later
    except Exception as error:
        logger.exception("Final archive %s failed", archive.pk)
        message = _(
            "The final archive stopped because of an unexpected error (%(error)s). Try again; if it happens again, "
            "tell the portal's administrator."
        ) % {"error": type(error).__name__}
        return _finish(archive, FinalArchiveState.FAILED, message)
    if export.status != ExportStatus.DONE:
        return _finish(archive, FinalArchiveState.FAILED, export.error)
    return _finish(archive, FinalArchiveState.DONE)


def _set_state(archive, state):
    archive.state = state
    archive.save(update_fields=["state"])


def _finish(archive, state, error="") -> FinalArchive:
    archive.state, archive.error, archive.finished_at = state, error, timezone.now()
    archive.save(update_fields=["state", "error", "finished_at"])
    return archive


def capture_all(account) -> list[dict]:
    """One last sync of each connection of the account that is not removed, each recorded."""
    captures = []
    for connection in Connection.objects.live().filter(account=account).order_by("kind", "pk"):
        captures.append(capture_one(connection))
    return captures


def capture_one(connection: Connection) -> dict:
    entry = {"connection": connection.pk, "kind": connection.kind, "ok": False, "error": ""}
    try:
        if connection.state == ConnectionState.BROKEN:
            outcome = "skipped"  # it stays stopped until comms gives it a new token; not asked again
        else:
            # Run in this process, now: capture's task with its locks and its handling of errors.
            outcome = capture_tasks.sync_connection(connection.pk)
    except Exception as error:  # a bug or a database error in one connection must not stop the others
        logger.exception("Final capture of connection %s failed", connection.pk)
        outcome, entry["error"] = "failed", type(error).__name__
    connection.refresh_from_db()
    if isinstance(outcome, dict):
        entry.update(ok=True, new=outcome["new"], edited=outcome["edited"], missing=outcome["missing"])
        entry["error"] = connection.last_error  # a note: messages not read for want of a permission
    else:
        entry["outcome"] = outcome
        entry["error"] = entry["error"] or connection.last_error
    entry["items"] = CapturedItem.objects.filter(connection=connection).count()
    return entry


def last_capture_change(account):
    """When a capture last changed anything of the account's: an item new, edited or found missing."""
    changes = CapturedItem.objects.filter(account=account).aggregate(
        changed=Max("changed_at"), missing=Max("missing_since")
    )
    moments = [moment for moment in changes.values() if moment is not None]
    return max(moments) if moments else None


def is_current(archive: FinalArchive) -> bool:
    """Done, and nothing captured after its export began (the export holds everything captured)."""
    if archive.state != FinalArchiveState.DONE or archive.export is None:
        return False
    changed = last_capture_change(archive.account)
    return changed is None or changed <= archive.export.requested_at


def latest(account) -> FinalArchive | None:
    archives = FinalArchive.objects.filter(account=account).select_related("export")
    return archives.order_by("-requested_at", "-pk").first()


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def describe(archive: FinalArchive) -> str:
    """ "Final archive done 2026-12-03 14:05: records export no. 12, 140 captured items." """
    return ngettext(
        "Final archive done %(when)s: records export no. %(export)s, %(items)s captured item.",
        "Final archive done %(when)s: records export no. %(export)s, %(items)s captured items.",
        archive.items_exported,
    ) % {"when": _when(archive.finished_at), "export": archive.export_id, "items": archive.items_exported}


def closing_requirement(account) -> Requirement:
    """Issue 19: nothing is closed unarchived (R3, R25). Registered with accounts.closing."""
    archive = latest(account)
    start = {
        "action_url": reverse("records:final_archive_start", args=[account.pk]),
        "action_label": _("Run the final archive"),
    }
    if archive is None:
        return Requirement(
            False, _("No final archive has been made: the platforms' last capture and the export of every record."),
            **start,
        )  # fmt: skip
    show = {"url": archive.get_absolute_url(), "url_label": _("Show the final archive")}
    if not archive.finished:
        return Requirement(
            False, _("The final archive started %(when)s is not finished yet.") % {"when": _when(archive.requested_at)},
            **show,
        )  # fmt: skip
    if archive.state == FinalArchiveState.FAILED:
        return Requirement(
            False, _("The final archive of %(when)s failed.") % {"when": _when(archive.requested_at)}, **show, **start
        )
    if not is_current(archive):
        return Requirement(
            False,
            _("Something new was captured after the final archive of %(when)s: run it again.")
            % {"when": _when(archive.finished_at)},
            **show, **start,
        )  # fmt: skip
    return Requirement(True, describe(archive), **show)
