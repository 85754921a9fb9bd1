"""Mandates (uppdrag, R10): managers and comms see, grant and revoke them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms.mandates import MandateFilterForm, MandateGrantForm, MandateRevokeForm
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError

from .. import rules
from ..access import mfa_redirect
from ..models import Mandate, OrgUnit, SocialAccount
from ..services.mandates import describe_period, grant_mandate, revocable, revoke_mandate

PAGE_SIZE = 50


def _below(field: str, paths) -> Q:
    """`field` (a unit's path) lies in the subtree of one of these paths."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


@login_required
def mandate_list(request):
    """A manager sees every mandate for the accounts of their units and the units below them;
    comms sees every unit's. In force first, those ending soonest at the top (a manager renews
    or lets them end), then those that start later, have ended or were revoked."""
    user = request.user
    if not user.has_perm("mandate.list"):
        if rules.needs_mfa_step(user):
            return mfa_redirect(request)
        raise PermissionDenied
    today = timezone.localdate()
    mandates = Mandate.objects.with_training().select_related("user__unit", "account__unit", "revoked_by")
    units = OrgUnit.objects.all()
    if not user.has_perm("portal.comms"):
        paths = rules.managed_paths(user)
        mandates = mandates.filter(_below("account__unit__path", paths))
        units = units.filter(_below("path", paths))
    form = MandateFilterForm(request.GET or None, units=units)
    if form.is_valid() and form.cleaned_data["unit"]:
        mandates = mandates.filter(account__unit__path__startswith=form.cleaned_data["unit"].path)

    in_force = list(
        mandates.active_on(today).order_by(
            F("valid_until").asc(nulls_last=True), "account__name", "user__first_name", "user__last_name", "pk"
        )
    )
    # The rest: starting later, ended or revoked. The latest start first puts those that start
    # later at the top, then the past as it recedes.
    others = Paginator(
        mandates.exclude(pk__in=Mandate.objects.active_on(today).values("pk")).order_by("-valid_from", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("sida"))
    for mandate in [*in_force, *others]:
        mandate.can_revoke = may_revoke(user, mandate, today)
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "accounts/mandate_list.html",
        {
            "form": form,
            "show_filter": units.count() > 1,
            "in_force": in_force,
            "others": others,
            "query": query.urlencode(),
        },
    )


def may_revoke(user, mandate, today) -> bool:
    """Whether to offer this user the mandate's revoke button."""
    return revocable(mandate, today) and user.has_perm("mandate.revoke", mandate)


@login_required
@require_http_methods(["GET", "POST"])
def mandate_grant(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.select_related("unit"), "mandate.grant", pk=pk)
    form = MandateGrantForm(request.POST or None, actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                mandate = grant_mandate(request.user, account, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("%(user)s is editor of %(account)s %(period)s.")
                    % {"user": mandate.user, "account": account.name, "period": describe_period(mandate)},
                )
                return redirect(account)
        else:
            messages.error(request, _("The mandate was not granted. Correct the fields marked below."))
    return render(request, "accounts/mandate_grant.html", {"account": account, "form": form})


def _next_url(request, default: str) -> str:
    """Where the revoke page came from (the list or the account's page), if it is one of ours."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return default


@login_required
@require_http_methods(["GET", "POST"])
def mandate_revoke(request, pk):
    mandate = get_object_for_user(
        request,
        Mandate.objects.select_related("user__unit", "account__unit", "granted_by", "revoked_by"),
        "mandate.revoke",
        pk=pk,
    )
    back = _next_url(request, reverse("accounts:mandate_list"))
    form = MandateRevokeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                revoke_mandate(request.user, mandate, form.cleaned_data["reason"])
            except DomainError as error:
                messages.error(request, error.message)
                mandate.refresh_from_db()  # someone may have revoked it meanwhile: show it as it is
            else:
                messages.success(
                    request,
                    _("The mandate of %(user)s for %(account)s is revoked: their rights as editor ended at once.")
                    % {"user": mandate.user, "account": mandate.account.name},
                )
                return redirect(back)
        else:
            messages.error(request, _("The mandate was not revoked. Correct the fields marked below."))
    return render(
        request,
        "accounts/mandate_revoke.html",
        {
            "mandate": mandate,
            "form": form,
            "back": back,
            "can_revoke": may_revoke(request.user, mandate, timezone.localdate()),
        },
    )
