"""An account's lifecycle in the browser: request (R11), the manager's and the communications
department's decisions (R11), activation (R13, R14) and closing (R15). The services decide;
these views only read forms, call them and show their answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms.registry import AccountRequestForm, ActivationForm, CloseForm, DecisionForm
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError

from ..access import comms_required
from ..closing import requirements
from ..models import Mandate, SocialAccount, User
from ..services.lifecycle import (
    activate_account,
    close_account,
    comms_decide,
    has_startup_training,
    manager_decide,
    request_account,
)
from .registry import account_page


@login_required
@require_http_methods(["GET", "POST"])
def account_request(request):
    if not request.user.has_perm("account.request"):
        raise PermissionDenied
    form = AccountRequestForm(request.POST or None, requester=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = request_account(
                request.user, form.cleaned_data, proposed_editors=form.cleaned_data["proposed_editors"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request was sent to your manager, who decides first (R11)."))
            return redirect(account)
    return render(request, "accounts/account_request.html", {"form": form})


def _decision_view(request, pk, service, form_name):
    account = get_object_or_404(SocialAccount, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            service(request.user, account, form.cleaned_data["decision"] == "approve", form.cleaned_data["comment"])
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(account)
        messages.success(request, _("Your decision was recorded."))
        return redirect(account)
    messages.error(request, _("The decision was not recorded. Correct the fields marked below."))
    return account_page(request, pk, **{form_name: form})


@login_required
@require_POST
def manager_decision(request, pk):
    return _decision_view(request, pk, manager_decide, "manager_form")


@comms_required
@require_POST
def comms_decision(request, pk):
    return _decision_view(request, pk, comms_decide, "comms_form")


@comms_required
@require_http_methods(["GET", "POST"])
def account_activate(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.select_related("unit"), "account.activate", pk=pk)
    # Granted for today, trained or not: the start-up training may be recorded with the activation (R14).
    today = timezone.localdate()
    editors = User.objects.filter(pk__in=Mandate.objects.valid_on(today).filter(account=account).values("user"))
    initial = {"handle": account.handle, "url": account.url, "login_holders": [request.user.pk]}
    form = ActivationForm(request.POST or None, account=account, editors=editors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activate_account(
                request.user, account, handle=data["handle"], url=data["url"], login_holders=data["login_holders"],
                first_editor=data["first_editor"],
                record_training_on=data["training_date"] if data["record_training"] else None,
                comment=data["comment"],
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The account is active and listed on the public page."))
            return redirect(account)
    trained = {user.pk for user in editors if has_startup_training(user, account)}
    return render(
        request,
        "accounts/account_activate.html",
        {"account": account, "form": form, "editors": editors, "trained": trained},
    )


@comms_required
@require_http_methods(["GET", "POST"])
def account_close(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.all(), "account.close", pk=pk)
    # Issue 19: what the closing needs (the final archive), met or not, with the way to meet it.
    found = requirements(account)
    form = CloseForm(request.POST or None, unarchived=any(not requirement.met for requirement in found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            close_account(request.user, account, data["reason"], data["note"], waiver=data.get("waiver", ""))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The account is closed and no longer on the public list. Its records stay."))
            return redirect(account)
    return render(request, "accounts/account_close.html", {"account": account, "form": form, "requirements": found})
