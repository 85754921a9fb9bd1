"""Weekly activity (R19): an editor logs a week's posts; comms imports the history from a CSV file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.access import comms_required
from accounts.models import SocialAccount
from activity import sources
from activity.csv_import import SYNC_ROW_LIMIT, ImportFileError, count_rows, import_activity, run_activity_import
from activity.forms import ActivityImportForm, ActivityLogForm, import_max_bytes
from activity.models import ActivityImport
from activity.services import log_activity, recent_weeks, week_label
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.queueing import enqueue_on_commit

RECENT_WEEKS = 12
# A week saved from the start page's one-number form is confirmed beside that account's row, not at
# the top of the page, and the page opens there (the row's fragment): the person goes on with the
# next account's field a Tab away. The message carries this tag so that the start page finds it.
SAVED_TAG = "activity-saved-{pk}"


def saved_fragment(pk) -> str:
    """The id of the confirmation in the start page's row of this account (_activity_dashboard.html)."""
    return SAVED_TAG.format(pk=pk)


def confirmations_in_rows(request, rows) -> list:
    """The success messages of weeks saved from the start page whose account has a row there: each
    row gets its own (row.saved), and the list is what base.html does not show again at the top."""
    by_tag = {message.extra_tags: message for message in messages.get_messages(request) if message.extra_tags}
    shown = []
    for row in rows:
        row.saved = by_tag.get(saved_fragment(row.account.pk))
        if row.saved is not None:
            shown.append(row.saved)
    return shown


def _next_url(request) -> str | None:
    """Where to go back to after saving (the dashboard), if it is one of ours."""
    url = request.POST.get("next") or request.GET.get("next")
    # A path of ours only: redirect() would take anything else without a slash for a view name.
    if not url or not url.startswith("/") or url.startswith("//"):
        return None
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return None


@login_required
@require_http_methods(["GET", "POST"])
def activity_log(request, pk):
    """Log (or correct) one week's posts for an account the user is editor of (R10, R19)."""
    account = get_object_for_user(request, SocialAccount.objects.select_related("unit"), "activity.log", pk=pk)
    today = timezone.localdate()
    back = _next_url(request)
    if request.method == "POST":
        form = ActivityLogForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            # The dashboard's one-number form has no note: leave a note logged earlier as it is.
            note = data["note"] if "note" in request.POST else None
            try:
                activity, created = log_activity(request.user, account, data["week"], data["posts"], note)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                values = {"account": str(account), "week": week_label(activity.week), "posts": activity.posts}
                if created:
                    message = _("Saved: %(posts)s posts for %(account)s in %(week)s.")
                else:
                    message = _("Changed: %(account)s now has %(posts)s posts in %(week)s.")
                if back:
                    # Back where the person was: the confirmation in this account's row takes the focus.
                    messages.success(request, message % values, extra_tags=saved_fragment(account.pk))
                    return redirect(f"{back}#{saved_fragment(account.pk)}")
                messages.success(request, message % values)
                return redirect("activity:log", account.pk)
        else:
            messages.error(request, _("The week was not saved. Correct the fields marked below."))
    else:
        initial = {}
        if request.GET.get("vecka"):
            initial["week"] = request.GET["vecka"]
        form = ActivityLogForm(initial=initial)
    return render(
        request,
        "activity/activity_log.html",
        {
            "account": account,
            "form": form,
            "next": back or "",
            "recent": recent_weeks(account, today, RECENT_WEEKS),
            "platform_from": sources.platform_from(account),
            "last_capture_at": sources.last_capture_at(account),
            "today": today,
        },
    )


@comms_required
@require_http_methods(["GET", "POST"])
def activity_import(request):
    """R19 history: comms uploads a CSV file of weekly activity. A small file is imported at once;
    a larger one goes to the worker, and the browser follows it on the status page."""
    result = None
    form = ActivityImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            text = form.cleaned_data["text"]
            dry_run = form.cleaned_data["dry_run"]
            upload = form.cleaned_data["file"]
            rows = count_rows(text)
            if rows > SYNC_ROW_LIMIT:
                with transaction.atomic():
                    job = ActivityImport.objects.create(
                        file_name=upload.name[:255],
                        content=text,
                        dry_run=dry_run,
                        total_rows=rows,
                        created_by=request.user,
                    )
                    enqueue_on_commit(run_activity_import, job.pk)
                return redirect("activity:import_status", pk=job.pk)
            try:
                result = import_activity(request.user, text, dry_run=dry_run)
            except ImportFileError as error:
                messages.error(request, error.message)
            else:
                if result.ok and not dry_run:
                    messages.success(request, imported_message(result.created, result.updated))
                    return redirect("activity:import")
                if result.ok:
                    messages.success(
                        request,
                        ngettext(
                            "The file is correct: its %(rows)s row can be imported.",
                            "The file is correct: all %(rows)s rows can be imported.",
                            result.rows,
                        )
                        % {"rows": result.rows},
                    )
                else:
                    messages.error(request, _("Nothing was imported: correct the rows listed below and try again."))
        else:
            messages.error(request, _("The file was not imported. Correct the fields marked below."))
    return render(
        request,
        "activity/activity_import.html",
        {"form": form, "result": result, "max_bytes": import_max_bytes(), "sync_limit": SYNC_ROW_LIMIT},
    )


def imported_message(created: int, updated: int) -> str:
    return _("Imported: %(created)s weeks added, %(updated)s weeks updated.") % {
        "created": created,
        "updated": updated,
    }


@comms_required
def activity_import_status(request, pk):
    job = get_object_or_404(ActivityImport.objects.select_related("created_by"), pk=pk)
    return render(
        request,
        "activity/activity_import_status.html",
        {
            "job": job,
            "summary": imported_message(job.created_rows, job.updated_rows) if job.finished else "",
        },
    )
