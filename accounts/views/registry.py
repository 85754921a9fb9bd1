"""Staff pages of the account registry: the list, an account's page (with the sections other apps
add to it, sections.py) and editing its registry entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms.registry import AccountFilterForm, AccountRegistryForm, DecisionForm
from falkoping_some.lib.access import get_object_for_user

from ..access import comms_required
from ..models import AccountDecision, AccountStatus, Mandate, SocialAccount, Training
from ..sections import ACCOUNT_PAGE, sections_context
from ..services.lifecycle import separation_refusal

PAGE_SIZE = 50


@login_required
def account_list(request):
    if not request.user.has_perm("account.list"):
        raise PermissionDenied
    form = AccountFilterForm(request.GET or None)
    accounts = SocialAccount.objects.select_related("unit").order_by("name", "pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            accounts = accounts.search(data["q"])
        if data["status"]:
            accounts = accounts.filter(status=data["status"])
        if data["unit"]:
            accounts = accounts.for_units([data["unit"]])
        if data["platform"]:
            accounts = accounts.filter(platform=data["platform"])
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "accounts/account_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_edit": request.user.has_perm("account.edit")},
    )


def account_page(request, account_pk, *, status=200, **forms):
    """The account's page: its registry entry, the timeline of decisions, its editors and
    trainings, and the actions this user may take now. Lifecycle views render it again with
    their bound form when the input needs correcting, so nothing typed is lost."""
    today = timezone.localdate()
    queryset = SocialAccount.objects.select_related("unit", "requested_by").prefetch_related(
        "login_holders",
        "proposed_editors",
        Prefetch("decisions", queryset=AccountDecision.objects.select_related("actor")),
        Prefetch(
            "mandates",
            queryset=Mandate.objects.with_training()
            .select_related("user", "granted_by", "on_behalf_of")
            .order_by("-valid_from"),
        ),
        Prefetch("trainings", queryset=Training.objects.select_related("trainee", "trainer")),
    )
    account = get_object_for_user(request, queryset, "account.view", pk=account_pk)
    user = request.user
    mandates = list(account.mandates.all())
    context = {
        "account": account,
        "mandates": mandates,
        "active_mandates": [m for m in mandates if m.is_active_on(today)],
        "trainings": account.trainings.all(),
        "can_edit": user.has_perm("account.edit", account),
        "can_grant": user.has_perm("mandate.grant", account)
        and account.status not in (AccountStatus.CLOSED, AccountStatus.REJECTED),
        "can_audit": user.has_perm("account.audit", account),
        "can_log_activity": account.status == AccountStatus.ACTIVE and user.has_perm("activity.log", account),
    }
    if account.status == AccountStatus.REQUESTED and user.has_perm("account.decide_as_manager", account):
        context["manager_form"] = forms.get("manager_form") or DecisionForm()
    if account.status == AccountStatus.MANAGER_APPROVED and user.has_perm("account.decide_as_comms", account):
        context["comms_form"] = forms.get("comms_form") or DecisionForm()
    # R11: who took a step of the request already is told why someone else decides, not offered the form.
    if "manager_form" in context or "comms_form" in context:
        context["decision_refusal"] = separation_refusal(user, account)
        if context["decision_refusal"]:
            context.pop("manager_form", None)
            context.pop("comms_form", None)
    # Moderation (R20–R23), the yearly self-check (R4, R5, R7–R9): added by their apps (sections.py).
    context.update(sections_context(ACCOUNT_PAGE, request, account, today))
    context["can_activate"] = account.status == AccountStatus.APPROVED and user.has_perm("account.activate", account)
    context["can_close"] = account.status == AccountStatus.ACTIVE and user.has_perm("account.close", account)
    return render(request, "accounts/account_detail.html", context, status=status)


@login_required
def account_detail(request, pk):
    return account_page(request, pk)


@comms_required
@require_http_methods(["GET", "POST"])
def account_edit(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.all(), "account.edit", pk=pk)
    form = AccountRegistryForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The account's details were saved."))
        return redirect(account)
    if request.method == "POST":
        messages.error(request, _("The details were not saved. Correct the fields marked below."))
    return render(request, "accounts/account_edit.html", {"account": account, "form": form})
