"""Public records (R3): comms exports what the portal holds about an account, or about every
account, in a period, as one ZIP (records/export.py). The archive page starts an export
and lists the earlier ones; the status page follows the worker; the download is logged."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import comms_required
from accounts.models import SocialAccount
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.private_files import private_file_response
from records.export.archive import download_name, record_download
from records.export.files import FILES
from records.forms import ExportForm
from records.models import ExportStatus, RecordsExport
from records.services import request_export

PAGE_SIZE = 25


def _may_export(request):
    if not request.user.has_perm("records.export"):
        raise PermissionDenied


def _initial(request) -> dict:
    """?konto=<pk> (the account page's "Exportera handlingar") chooses the account."""
    konto = request.GET.get("konto", "")
    if konto.isdigit() and SocialAccount.objects.filter(pk=konto).exists():
        return {"account": int(konto)}
    return {}


@comms_required
@require_safe
def records_index(request):
    """Arkiv: a new export, the earlier ones, and the ways to retention and disposal (R25)."""
    _may_export(request)
    exports = RecordsExport.objects.select_related("account", "requested_by").order_by("-requested_at", "-pk")
    page = Paginator(exports, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "records/index.html", {"form": ExportForm(initial=_initial(request)), "page": page})


@comms_required
@require_http_methods(["GET", "POST"])
def export_create(request):
    """Ask for an export: recorded, queued for the worker once committed, then its status page."""
    _may_export(request)
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            export = request_export(
                request.user,
                account=data["account"],
                period_from=data["period_from"],
                period_until=data["period_until"],
                public_copy=data["public_copy"],
            )
            messages.success(request, _("The export has started. This page follows it until the file is ready."))
            return redirect(export)
        messages.error(request, _("The export was not started. Correct the fields marked below."))
    else:
        form = ExportForm(initial=_initial(request))
    return render(request, "records/export_form.html", {"form": form})


def _count_rows(export) -> list[tuple[str, str, int]]:
    """(label, file, count) of every file the export wrote, in the order of the files."""
    return [(f.title, f.path, export.counts[f.name]) for f in FILES if f.name in export.counts]


@comms_required
@require_safe
def export_detail(request, pk):
    queryset = RecordsExport.objects.select_related("account", "requested_by")
    export = get_object_for_user(request, queryset, "records.export", pk=pk)
    percent = round(100 * export.done_steps / export.total_steps) if export.total_steps else 0
    return render(
        request,
        "records/export_detail.html",
        {
            "export": export,
            "rows": _count_rows(export) if export.status == ExportStatus.DONE else [],
            "percent": min(percent, 100),
            "retry": ExportForm(
                initial={
                    "account": export.account_id,
                    "period_from": export.period_from,
                    "period_until": export.period_until,
                    "public_copy": export.public_copy,
                }
            ),
        },
    )


@comms_required
@require_safe
def export_download(request, pk):
    """The ZIP of a finished export, as an attachment, never from a public URL; each download is
    in the audit trail (R3: who took out which records)."""
    export = get_object_for_user(request, RecordsExport.objects.select_related("account"), "records.export", pk=pk)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404(_("The export is not finished."))
    try:
        stream = export.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The export's file is missing.")) from None
    record_download(request.user, export)
    return private_file_response(
        stream, content_type="application/zip", filename=download_name(export), as_attachment=True
    )
