"""Staff pages of the account registry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from council.views.meetings import next_meeting
from falkoping_some.lib.access import get_object_for_user
from moderation.services_inquiries import answer_stats
from moderation.services_legal import legal_overview

from .. import rules
from ..access import comms_required
from ..forms import AccountFilterForm, AccountRegistryForm, DecisionForm
from ..models import AccountDecision, AccountStatus, Mandate, OrgUnit, SocialAccount, Training
from ..selectors import most_late_answers
from ..services.activity import dashboard_rows
from ..services.flags import flag_counts
from ..services.lifecycle import pending_for, separation_refusal
from ..services.selfcheck import self_check_status, self_checks_due_for

PAGE_SIZE = 50
# The dashboard's lists show this many rows at most, with a link to the whole list.
DASHBOARD_LIST_LIMIT = 20
ANSWER_STATS_SHOWN = 10


def _first(queryset, limit, url):
    """At most `limit` rows of a list that grows with the registry, with its total and where the
    whole list is (the account list, filtered): the dashboard stays the same size at any scale."""
    total = queryset.count()
    return list(queryset[:limit]), {"shown": min(limit, total), "total": total, "url": url}


@login_required
def dashboard(request):
    """The signed-in start page: a section for each role the user holds."""
    user = request.user
    today = timezone.localdate()
    list_url = reverse("accounts:list")
    context = {
        "is_comms": user.has_perm("portal.comms"),
        "activity_rows": dashboard_rows(user, today),
        "self_checks_due": self_checks_due_for(user, today),
    }
    context["pending"], context["pending_more"] = _first(pending_for(user), DASHBOARD_LIST_LIMIT, list_url)
    context["next_meeting"], context["my_invitation"] = next_meeting(user)
    context["my_mandates"] = (
        Mandate.objects.active_on(today)
        .filter(user=user)
        .select_related("account", "account__unit")
        .order_by("account__name")
    )
    # R14: mandates that take effect once this editor's training is recorded.
    context["my_mandates_awaiting_training"] = (
        Mandate.objects.awaiting_training(today).filter(user=user).select_related("account").order_by("account__name")
    )
    paths = rules.managed_paths(user)
    if paths:
        units = list(OrgUnit.objects.filter(managers=user))
        context["managed_units"] = units
        context["managed_accounts"], context["managed_more"] = _first(
            SocialAccount.objects.for_units(units).select_related("unit").order_by("name", "platform", "pk"),
            DASHBOARD_LIST_LIMIT,
            f"{list_url}?unit={units[0].pk}" if len(units) == 1 else list_url,
        )
    if context["is_comms"]:
        context["flag_counts"] = flag_counts()
        # R20: not every account (tens of thousands at national scale) but those with the most
        # questions answered late or not at all; the moderation pages show any account's figures.
        context["answer_stats"] = answer_stats(most_late_answers(ANSWER_STATS_SHOWN))
        counts = dict(SocialAccount.objects.values_list("status").annotate(n=Count("pk")))
        context["status_counts"] = [(value, label, counts.get(value, 0)) for value, label in AccountStatus.choices]
    if user.unit_id and not paths:
        # A manager already sees their units' accounts above; everyone else sees their own unit's.
        context["unit_accounts"], context["unit_more"] = _first(
            SocialAccount.objects.active().for_units([user.unit]).select_related("unit").order_by("name", "pk"),
            DASHBOARD_LIST_LIMIT,
            f"{list_url}?unit={user.unit_id}&status={AccountStatus.ACTIVE}",
        )
    return render(request, "accounts/dashboard.html", context)


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
    # Moderation (R20–R23): for the account's editors, and for comms, who reviews every account.
    context["can_moderate"] = user.has_perm("moderation.open_case", account)
    if context["can_moderate"] or user.has_perm("moderation.review"):
        context["moderation_links"] = True
        context["answer_stats"] = answer_stats([account])
        if user.has_perm("moderation.review"):
            context["legal_overview"] = legal_overview([account])
    # The yearly self-check (R4, R5, R7–R9): for its editors, the unit's managers and comms.
    if user.has_perm("selfcheck.view", account):
        context["self_check"] = self_check_status(account, today)
        context["can_answer_self_check"] = account.status == AccountStatus.ACTIVE and user.has_perm(
            "selfcheck.answer", account
        )
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
