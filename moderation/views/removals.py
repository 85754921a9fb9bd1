"""Content removed on the platform (R21, R22): the list of captured items that disappeared or that
the account hid and that no editor has explained yet, for the account's editors and comms; the
editor's explanation, which opens a case with the captured copy as evidence where it was a breach.
Nothing here deletes or changes what was captured."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import mfa_redirect
from accounts.models import SocialAccount
from accounts.rules import needs_mfa_step
from capture.models import CapturedItem
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from moderation.forms.removals import RemovalExplanationForm
from moderation.selectors import gone_at, unexplained_removals
from moderation.services.removals import explain_removal

PAGE_SIZE = 50


@login_required
@require_safe
def removal_list(request, account_pk=None):
    """Of one account (its editors and comms), or of every account the user edits (comms: every
    account)."""
    user = request.user
    account = None
    if account_pk is not None:
        account = get_object_for_user(request, SocialAccount.objects.all(), "moderation.view_removals", pk=account_pk)
    elif not user.has_perm("moderation.index"):
        if needs_mfa_step(user):
            return mfa_redirect(request)
        raise PermissionDenied
    page = Paginator(unexplained_removals(user, account), PAGE_SIZE).get_page(request.GET.get("sida"))
    for item in page.object_list:
        item.gone_at = gone_at(item)
        item.can_explain = user.has_perm("moderation.explain_removal", item)
    return render(request, "moderation/removal_list.html", {"account": account, "page": page, "query": ""})


@login_required
@require_http_methods(["GET", "POST"])
def removal_explain(request, pk):
    """R21: the account's editor says why the item is gone; a category opens a case (R22)."""
    item = get_object_for_user(
        request,
        CapturedItem.objects.gone().select_related("account", "platform_removal"),
        "moderation.explain_removal",
        pk=pk,
    )
    if hasattr(item, "platform_removal"):
        messages.info(request, _("An editor has already explained why this item is gone."))
        return redirect("capture:item", item.account_id, item.pk)
    form = RemovalExplanationForm(request.POST or None, initial={"description": item.text})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                removal = explain_removal(
                    request.user,
                    item,
                    data["reason"],
                    note=data["note"],
                    description=data["description"],
                    is_criminal=data["is_criminal"],
                    not_criminal_reason=data["not_criminal_reason"],
                )
            except DomainError as error:
                messages.error(request, error.message)
                status = 400
            else:
                if removal.case is not None:
                    messages.success(
                        request, _("The case is opened, with the captured copy as evidence from before the removal.")
                    )
                    return redirect("moderation:case", pk=removal.case.pk)
                messages.success(request, _("The explanation is recorded."))
                return redirect("moderation:account_removals", account_pk=item.account_id)
        else:
            messages.error(request, _("Nothing was recorded. Correct the fields marked below."))
            status = 400
    item.gone_at = gone_at(item)
    return render(request, "moderation/removal_explain.html", {"item": item, "form": form}, status=status)
