"""The legal basis of posts with personal data (R23): the account's editors record it and add
consent forms; comms sees every account's records but records nothing (the editors document)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import rules as account_rules
from accounts.access import mfa_redirect
from accounts.models import AccountStatus, SocialAccount
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from moderation.forms.legal import ConsentEvidenceForm, LegalBasisForm
from moderation.services.legal import add_consent_evidence, record_legal_basis

from ..models import LegalBasisRecord


def _records(queryset):
    return queryset.select_related("account", "recorded_by")


@login_required
@require_http_methods(["GET", "POST"])
def legal_list(request, account_pk):
    """The account's records, newest publication first, and for its editors the form to record one."""
    account = get_object_or_404(SocialAccount.objects.select_related("unit"), pk=account_pk)
    user = request.user
    # Two perms open this page (editors record, comms reviews), so get_object_for_user's one
    # perm does not fit: the same 404-then-403 order, asked by hand.
    can_record = user.has_perm("moderation.record_legal_basis", account)
    if not can_record and not user.has_perm("moderation.review"):
        if account_rules.needs_mfa_step(user):
            return mfa_redirect(request)
        raise PermissionDenied
    can_record = can_record and account.status == AccountStatus.ACTIVE
    form = LegalBasisForm(request.POST or None, request.FILES or None) if can_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied  # comms, or an account that no longer takes records
        if form.is_valid():
            try:
                record = record_legal_basis(user, account, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The legal basis is recorded."))
                return redirect("moderation:legal_basis", pk=record.pk)
        else:
            messages.error(request, _("The legal basis was not recorded. Correct the fields marked below."))
        if request.FILES:
            # The other fields keep what was typed, but a browser never fills in a file field again.
            messages.info(request, _("Choose the consent forms again: files are not kept between attempts."))
    records = _records(account.legal_basis_records.order_by("-published_at", "-pk"))
    return render(
        request,
        "moderation/legal_list.html",
        {"account": account, "records": records, "form": form, "can_record": can_record},
    )


@login_required
@require_http_methods(["GET"])
def legal_detail(request, pk):
    record = get_object_for_user(request, _records(LegalBasisRecord.objects), "moderation.view_record", pk=pk)
    return _render_detail(request, record, ConsentEvidenceForm())


def _render_detail(request, record, form):
    can_add = request.user.has_perm("moderation.change_record", record)
    return render(
        request,
        "moderation/legal_detail.html",
        {
            "record": record,
            "account": record.account,
            "evidence_list": record.evidence.select_related("uploaded_by"),
            "form": form if can_add else None,
        },
    )


@login_required
@require_POST
def legal_evidence_upload(request, pk):
    record = get_object_for_user(request, _records(LegalBasisRecord.objects), "moderation.change_record", pk=pk)
    form = ConsentEvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = add_consent_evidence(request.user, record, form.cleaned_data["files"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            count = len(stored)
            messages.success(
                request,
                ngettext("%(count)s consent form added.", "%(count)s consent forms added.", count) % {"count": count},
            )
            return redirect("moderation:legal_basis", pk=record.pk)
    else:
        messages.error(request, _("No file was added. Correct the fields marked below."))
    return _render_detail(request, record, form)
