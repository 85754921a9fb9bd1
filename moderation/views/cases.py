"""Removed content and criminal material (R21, R22): the editors of an account open cases with
their screenshots, mark the content removed and report it to the police; comms follows every
account's cases. Evidence files are served only here, to whom may see them (never from a public
URL), and no view changes or deletes them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import mfa_redirect
from accounts.models import SocialAccount
from accounts.rules import mandate_account_ids, needs_mfa_step
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import clean_original_name, private_file_response
from moderation.forms.cases import (
    AttestForm,
    CaseFilterForm,
    CaseForm,
    EvidenceUploadForm,
    NotCriminalForm,
    PoliceReportForm,
    RemovedForm,
)
from moderation.services.cases import (
    add_evidence,
    attest_evidence,
    mark_removed,
    open_case,
    report_to_police,
    unmark_criminal,
)
from moderation.services.questions import monthly_reply_times

from ..models import Evidence, EvidenceAttestation, ModerationCase

RECENT_CASES = 100
CASES = ModerationCase.objects.select_related("account", "opened_by", "captured_item")


def _with_steps(case):
    """R22's steps as the pages show them."""
    case.documented = bool(getattr(case, "evidence_count", None) or case.evidence.exists())
    case.awaiting_report = case.is_criminal and case.removed_at is not None and case.police_reported_on is None
    return case


@login_required
def moderation_index(request):
    """An editor: their accounts, each with its open cases and a link to open one. Comms: the
    recent cases of every account, filtered by account, criminal or not yet reported. Nobody else:
    a comms member still without MFA is sent to activate it."""
    user = request.user
    if not user.has_perm("moderation.index"):
        if needs_mfa_step(user):
            return mfa_redirect(request)
        raise PermissionDenied
    account_ids = mandate_account_ids(user)
    editor_accounts = list(SocialAccount.objects.filter(pk__in=account_ids).order_by("name"))
    open_cases = CASES.filter(account_id__in=account_ids).filter(
        Q(removed_at__isnull=True) | Q(is_criminal=True, police_reported_on__isnull=True)
    )
    by_account = {}
    for case in open_cases.annotate(evidence_count=Count("evidence")):
        by_account.setdefault(case.account_id, []).append(_with_steps(case))
    for account in editor_accounts:
        account.open_cases = by_account.get(account.pk, [])

    context = {"editor_accounts": editor_accounts, "is_reviewer": user.has_perm("moderation.review")}
    if context["is_reviewer"]:
        form = CaseFilterForm(request.GET or None, accounts=SocialAccount.objects.order_by("name"))
        cases = CASES.annotate(evidence_count=Count("evidence"))
        if form.is_valid():
            if form.cleaned_data["account"]:
                cases = cases.filter(account=form.cleaned_data["account"])
            if form.cleaned_data["criminal"]:
                cases = cases.filter(is_criminal=True)
            if form.cleaned_data["unreported"]:
                cases = cases.filter(is_criminal=True, police_reported_on__isnull=True)
        context["filter_form"] = form
        context["cases"] = [_with_steps(case) for case in cases[:RECENT_CASES]]
        # R20: comms' view of the reply times, of every account or of the one filtered on.
        chosen = form.cleaned_data["account"] if form.is_valid() else None
        context["reply_times"] = monthly_reply_times([chosen] if chosen else None)
        context["reply_times_name"] = chosen.name if chosen else _("every account")
    return render(request, "moderation/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request, account_pk):
    """R21/R22 in one form, as an editor fills it in on the phone: what, why, and the screenshots."""
    account = get_object_for_user(
        request, SocialAccount.objects.select_related("unit"), "moderation.open_case", pk=account_pk
    )
    form = CaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data.copy()
            files = data.pop("screenshots")
            taken_at = data.pop("screenshots_taken_at")
            try:
                case = open_case(request.user, account, data, files=files, taken_at=taken_at)
            except DomainError as error:
                messages.error(request, error.message)
            except ValidationError as error:
                form.add_error("screenshots", error)
                messages.error(
                    request, _("The case was not opened and no file was stored. Correct the fields marked below.")
                )
            else:
                messages.success(request, _("The case is opened."))
                return redirect("moderation:case", pk=case.pk)
        else:
            messages.error(
                request, _("The case was not opened and no file was stored. Correct the fields marked below.")
            )
    return render(request, "moderation/case_create.html", {"account": account, "form": form})


def _detail_context(request, case, **forms):
    user = request.user
    attestations = EvidenceAttestation.objects.select_related("attested_by")
    evidence = list(
        case.evidence.select_related("uploaded_by").prefetch_related(Prefetch("attestations", queryset=attestations))
    )
    for item in evidence:
        item.case = case  # the permission asks for the account: no query per file
        # R22: a colleague attests a screenshot, once; the uploader is not offered it.
        if user.has_perm("moderation.attest_evidence", item) and all(
            attestation.attested_by_id != user.pk for attestation in item.attestations.all()
        ):
            item.attest_form = AttestForm(auto_id=f"id_attest_{item.pk}_%s")
    _with_steps(case)
    context = {
        "case": case,
        "evidence_list": evidence,
        "can_change": user.has_perm("moderation.change_record", case),
        "upload_form": EvidenceUploadForm(),
        "removed_form": RemovedForm(),
        "police_form": PoliceReportForm(),
        "not_criminal_form": NotCriminalForm(),
    }
    context.update(forms)
    return context


@login_required
@require_safe
def case_detail(request, pk):
    case = get_object_for_user(request, CASES, "moderation.view_record", pk=pk)
    return render(request, "moderation/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def evidence_upload(request, pk):
    case = get_object_for_user(request, CASES, "moderation.change_record", pk=pk)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = add_evidence(
                request.user, case, form.cleaned_data["files"], taken_at=form.cleaned_data["taken_at"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            form.add_error("files", error)
        else:
            messages.success(request, _("%(count)d files were added as evidence.") % {"count": len(stored)})
            return redirect("moderation:case", pk=case.pk)
    messages.error(request, _("No file was stored. Correct the fields marked below."))
    return render(request, "moderation/case_detail.html", _detail_context(request, case, upload_form=form), status=400)


@login_required
@require_POST
def case_mark_removed(request, pk):
    case = get_object_for_user(request, CASES, "moderation.change_record", pk=pk)
    form = RemovedForm(request.POST)
    if form.is_valid():
        try:
            mark_removed(request.user, case, form.cleaned_data["removed_at"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The content is marked as removed."))
    else:
        messages.error(request, _("The case was not changed. Correct the fields marked below."))
        return render(
            request, "moderation/case_detail.html", _detail_context(request, case, removed_form=form), status=400
        )
    return redirect("moderation:case", pk=case.pk)


@login_required
@require_POST
def case_police_report(request, pk):
    case = get_object_for_user(request, CASES, "moderation.change_record", pk=pk)
    form = PoliceReportForm(request.POST)
    if form.is_valid():
        try:
            report_to_police(request.user, case, form.cleaned_data["reported_on"], form.cleaned_data["reference"])
        except DomainError as error:
            messages.error(request, error.message)
            return render(
                request, "moderation/case_detail.html", _detail_context(request, case, police_form=form), status=400
            )
        messages.success(request, _("The police report is recorded."))
        return redirect("moderation:case", pk=case.pk)
    messages.error(request, _("The police report was not recorded. Correct the fields marked below."))
    return render(request, "moderation/case_detail.html", _detail_context(request, case, police_form=form), status=400)


@login_required
@require_POST
def case_not_criminal(request, pk):
    """R22: the material is not criminal after all; the reason is asked for and shown on the case."""
    case = get_object_for_user(request, CASES, "moderation.change_record", pk=pk)
    form = NotCriminalForm(request.POST)
    if form.is_valid():
        try:
            unmark_criminal(request.user, case, form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The case is no longer marked as criminal."))
            return redirect("moderation:case", pk=case.pk)
    else:
        messages.error(request, _("The case was not changed. Correct the fields marked below."))
    return render(
        request, "moderation/case_detail.html", _detail_context(request, case, not_criminal_form=form), status=400
    )


@login_required
@require_POST
def evidence_attest(request, pk):
    """R22: a colleague attests that a screenshot is unaltered (the police ask that someone can)."""
    # A case's screenshots only: a legal basis's consent forms are not attested (404).
    evidence = get_object_for_user(
        request,
        Evidence.objects.filter(case__isnull=False).select_related("case__account"),
        "moderation.attest_evidence",
        pk=pk,
    )
    form = AttestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the statement to attest the screenshot."))
        case = CASES.get(pk=evidence.case_id)
        return render(request, "moderation/case_detail.html", _detail_context(request, case), status=400)
    try:
        attest_evidence(request.user, evidence)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You attested “%(name)s”.") % {"name": clean_original_name(evidence.original_name)})
    return redirect("moderation:case", pk=evidence.case_id)


@login_required
@require_safe
def evidence_file(request, pk):
    """The evidence file itself, to the account's editors and comms only (R22), never cached."""
    evidence = get_object_for_user(
        request,
        Evidence.objects.select_related("case__account", "legal_basis__account"),
        "moderation.view_evidence",
        pk=pk,
    )
    return private_file_response(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        filename=clean_original_name(evidence.original_name),
    )
