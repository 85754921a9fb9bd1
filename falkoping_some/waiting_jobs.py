"""The exports, imports and final archives whose task message never reached the worker (falkoping_some.lib.queueing):
beat's sweep queues them again. In the project, not an app, because it gathers the jobs of two apps."""

import datetime

from django.utils import timezone

from activity.csv_import import run_activity_import
from activity.models import ActivityImport, ImportStatus
from falkoping_some.lib.queueing import enqueue
from records.models import ExportStatus, FinalArchive, FinalArchiveState, RecordsExport
from records.tasks import build_records_export, run_final_archive

# A job that has waited this long was most likely never queued. A copy queued while the first is
# only slow is harmless: the job's lock (falkoping_some.locks) lets one of them run it.
WAITING_GRACE = datetime.timedelta(minutes=5)


def requeue_waiting_jobs(now=None) -> dict:
    """Queue again the exports and imports that have waited to start for longer than WAITING_GRACE.
    Returns how many of each were queued."""
    cutoff = (now or timezone.now()) - WAITING_GRACE
    exports = RecordsExport.objects.filter(status=ExportStatus.PENDING, requested_at__lte=cutoff)
    imports = ActivityImport.objects.filter(status=ImportStatus.PENDING, created_at__lte=cutoff)
    # Issue 19: a final archive's own export is built by its task; one whose task never arrived waits here.
    archives = FinalArchive.objects.filter(state=FinalArchiveState.PENDING, requested_at__lte=cutoff)
    queued = {"exports": 0, "imports": 0, "final_archives": 0}
    for key, task, ids in (
        ("exports", build_records_export, exports.order_by("pk").values_list("pk", flat=True)),
        ("imports", run_activity_import, imports.order_by("pk").values_list("pk", flat=True)),
        ("final_archives", run_final_archive, archives.order_by("pk").values_list("pk", flat=True)),
    ):
        for pk in ids:
            if not enqueue(task, pk):
                return queued  # the broker is down again: the next sweep tries
            queued[key] += 1
    return queued
