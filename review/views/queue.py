"""The review queue (granskning, R6, R15, R19): comms reads the flags of the scheduled checks and
acts on each with a small form. The services decide; these views read the input, call them and
show their answer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import comms_required
from accounts.closing import requirements
from accounts.forms.registry import CloseForm
from accounts.models import AccountStatus, ClosingReason
from accounts.services.training import untrained_editors
from falkoping_some.lib.errors import DomainError
from review.flags import (
    acknowledge_flag,
    check_closes_account,
    close_account_for_inactivity,
    describe_evidence,
    dismiss_flag,
    queue,
    resolve_flag,
    review_dates,
    waiting_dismissals,
)
from review.forms import FlagDismissForm, FlagFilterForm, FlagNoteForm
from review.models import FlagKind, FlagStatus, ReviewFlag


@comms_required
def review_queue(request):
    if not request.user.has_perm("flag.review"):
        raise PermissionDenied
    form = FlagFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = queue(filters, request.GET.get("sida"))
    # Who acknowledged each flag, for the whole page in one query (not one per flag).
    prefetch_related_objects(list(page), "decided_by")
    for flag in page:
        flag.shown_evidence = describe_evidence(flag)
        flag.can_acknowledge = flag.status == FlagStatus.OPEN
        flag.can_close_account = flag.kind == FlagKind.INACTIVE_6_MONTHS and flag.account.status == AccountStatus.ACTIVE
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(filters and any(filters.values())),
    }
    # The dismissals waiting for their review date, with pages of their own ("avfardade").
    dismissed_query = request.GET.copy()
    dismissed_query.pop("avfardade", None)
    context["dismissed"] = waiting_dismissals(filters, request.GET.get("avfardade"))
    context["dismissed_query"] = dismissed_query.urlencode()
    context["review_dates"] = review_dates()
    if not filters.get("kind"):
        # R14: editors whose mandate waits for their training, until comms records it.
        context["untrained"], context["untrained_count"] = untrained_editors(filters.get("unit"))
    return render(request, "review/review_queue.html", context)


def _back(request) -> str:
    """The queue as the user left it (its filters and page), if the address is one of ours."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return reverse("review:queue")


def _acknowledge(request, flag):
    acknowledge_flag(request.user, flag)
    return _("The flag for %(account)s is acknowledged. It stays in the queue until it is resolved or dismissed.")


def _resolve(request, flag):
    form = FlagNoteForm(request.POST)
    resolve_flag(request.user, flag, form.cleaned_data["note"] if form.is_valid() else "")
    return _("The flag for %(account)s is resolved.")


def _dismiss(request, flag):
    form = FlagDismissForm(request.POST)
    if not form.is_valid():
        raise DomainError(" ".join(error for errors in form.errors.values() for error in errors))
    flag = dismiss_flag(request.user, flag, form.cleaned_data["reason"], form.cleaned_data["review_on"])
    until = formats.date_format(flag.review_on, "SHORT_DATE_FORMAT")
    # The account's name is put in by flag_action.
    return _(
        "The flag for %(account)s is dismissed until %(date)s: it is raised again then if its cause is still there."
    ) % {"account": "%(account)s", "date": until}


# The action in the address (Swedish, as the rest of the portal's addresses) and what it does.
ACTIONS = {
    "kvittera": _acknowledge,
    "los": _resolve,
    "avfarda": _dismiss,
}


@require_POST
@comms_required
def flag_action(request, pk, action):
    if not request.user.has_perm("flag.review"):
        raise PermissionDenied
    act = ACTIONS.get(action)
    if act is None:
        raise Http404
    flag = get_object_or_404(ReviewFlag.objects.select_related("account"), pk=pk)
    try:
        message = act(request, flag)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message % {"account": flag.account.name})
    return redirect(_back(request))


@comms_required
@require_http_methods(["GET", "POST"])
def flag_close_account(request, pk):
    """R15: close an account inactive for more than six months from its flag, as on the account's
    own close form: comms confirms, with the reason (and a comment when it is "other"), and the
    flag is resolved with it. Never in one click from the queue."""
    if not request.user.has_perm("flag.review"):
        raise PermissionDenied
    flag = get_object_or_404(ReviewFlag.objects.select_related("account__unit"), pk=pk)
    back = _back(request)
    try:
        check_closes_account(flag)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    account = flag.account
    found = requirements(account)  # issue 19: the final archive, as on the account's close page
    form = CloseForm(
        request.POST or None,
        initial={"reason": ClosingReason.INACTIVE_6_MONTHS},
        unarchived=any(not requirement.met for requirement in found),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            close_account_for_inactivity(
                request.user, flag, data["note"], reason=data["reason"], waiver=data.get("waiver", "")
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(back)
        messages.success(
            request,
            _("%(account)s is closed and no longer on the public list (R15). Its flag is resolved.")
            % {"account": account.name},
        )
        return redirect(back)
    return render(
        request,
        "accounts/account_close.html",
        {
            "account": account,
            "form": form,
            "flag": flag,
            "evidence": describe_evidence(flag),
            "back": back,
            "requirements": found,
        },  # fmt: skip
    )
