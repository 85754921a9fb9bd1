"""The final archive of an account before it is closed (issue 19; R3, R15, R25): comms starts it
from the close page ("Slutarkivera"), and its status page follows the worker through the last
capture of each platform connection and the export of the whole history."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import comms_required
from accounts.models import AccountStatus, SocialAccount
from capture.services import connector_label, plain_error
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from records.final_archive import NOT_CAPTURED, is_current
from records.models import ExportStatus, FinalArchive, FinalArchiveState
from records.services import request_final_archive


@comms_required
@require_POST
def final_archive_start(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.all(), "account.close", pk=pk)
    try:
        archive = request_final_archive(request.user, account)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:close", pk=account.pk)
    messages.success(request, _("The final archive has started. This page follows it until it is done."))
    return redirect(archive)


def _captures(archive) -> list[dict]:
    """Each connection's row, its outcome in words."""
    rows = []
    for capture in archive.captures:
        row = {**capture, "label": connector_label(capture.get("kind", ""))}
        problems = []
        if not capture.get("ok"):
            problems.append(str(NOT_CAPTURED.get(capture.get("outcome"), _("The capture failed."))))
        if capture.get("error"):
            problems.append(plain_error(capture["error"]))
        row["problem"] = " ".join(problems)
        rows.append(row)
    return rows


@comms_required
@require_safe
def final_archive_detail(request, pk):
    queryset = FinalArchive.objects.select_related("account", "requested_by", "export")
    archive = get_object_for_user(request, queryset, "records.export", pk=pk)
    export = archive.export
    exporting = archive.state == FinalArchiveState.EXPORTING and export is not None and export.total_steps
    percent = round(100 * export.done_steps / export.total_steps) if exporting else 0
    return render(
        request,
        "records/final_archive_detail.html",
        {
            "archive": archive,
            "export": export,
            "export_done": export is not None and export.status == ExportStatus.DONE,
            "exporting": exporting,
            "percent": min(percent, 100),
            "captures": _captures(archive),
            "current": is_current(archive),
            "account_active": archive.account.status == AccountStatus.ACTIVE,
        },
    )
