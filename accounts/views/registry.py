"""Staff pages of the account registry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import rules
from ..access import comms_required, get_object_for_user
from ..forms import AccountFilterForm, AccountRegistryForm
from ..models import AccountStatus, Mandate, OrgUnit, SocialAccount

PAGE_SIZE = 50


@login_required
def dashboard(request):
    """The signed-in start page: a section for each role the user holds."""
    user = request.user
    today = timezone.localdate()
    context = {"is_comms": user.has_perm("portal.comms")}
    context["my_mandates"] = (
        Mandate.objects.active_on(today)
        .filter(user=user)
        .select_related("account", "account__unit")
        .order_by("account__name")
    )
    paths = rules.managed_paths(user)
    if paths:
        units = OrgUnit.objects.filter(managers=user)
        context["managed_units"] = units
        context["managed_accounts"] = (
            SocialAccount.objects.for_units(units).select_related("unit").order_by("name", "platform")
        )
    if context["is_comms"]:
        counts = dict(SocialAccount.objects.values_list("status").annotate(n=Count("pk")))
        context["status_counts"] = [(value, label, counts.get(value, 0)) for value, label in AccountStatus.choices]
    if user.unit_id and not paths:
        # A manager already sees their units' accounts above; everyone else sees their own unit's.
        context["unit_accounts"] = SocialAccount.objects.active().for_units([user.unit]).select_related("unit")
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


@login_required
def account_detail(request, pk):
    queryset = SocialAccount.objects.select_related("unit", "requested_by").prefetch_related(
        "login_holders",
        Prefetch(
            "mandates",
            queryset=Mandate.objects.active_on(timezone.localdate()).select_related("user"),
            to_attr="active_mandates",
        ),
    )
    account = get_object_for_user(request, queryset, "account.view", pk=pk)
    return render(
        request,
        "accounts/account_detail.html",
        {"account": account, "can_edit": request.user.has_perm("account.edit", account)},
    )


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
