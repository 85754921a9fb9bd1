"""Retention and disposal (gallring, R25) for comms: the proposals of the monthly check awaiting
confirmation, the history of disposals, the retention rules in force, and one disposal's page
where comms confirms it. The records are deleted only by that confirmation
(records.retention.confirm_disposal); there is no other delete in the portal."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import comms_required
from falkoping_some.lib.errors import DomainError
from records import retention
from records.forms import DisposalConfirmForm
from records.models import RETENTION_KINDS, Disposal, DisposalStatus, RetentionRule

PAGE_SIZE = 50


def _rule_rows():
    """Each kind of record with its rule (None: kept), how its date is counted, and where comms
    changes it in the admin."""
    rules = {rule.kind: rule for rule in RetentionRule.objects.all()}
    rows = []
    for kind, label in RETENTION_KINDS:
        rule = rules.get(kind)
        if rule is not None:
            admin_url = reverse("admin:records_retentionrule_change", args=[rule.pk])
        else:
            admin_url = f"{reverse('admin:records_retentionrule_add')}?kind={kind}"
        rows.append(
            {
                "kind": kind,
                "label": label,
                "rule": rule,
                "kept": rule is None or rule.retain_months is None,
                "counted_from": retention.RECORD_DATES[kind].counted_from,
                "admin_url": admin_url,
            }
        )
    return rows


@comms_required
@require_safe
def disposal_list(request):
    proposals = Disposal.objects.filter(status=DisposalStatus.PROPOSED).select_related("rule").order_by("kind")
    history = (
        Disposal.objects.exclude(status=DisposalStatus.PROPOSED)
        .select_related("confirmed_by", "export")
        .order_by("-confirmed_at", "-proposed_at", "-pk")
    )
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("sida"))
    for disposal in page:
        disposal.disposed_count = disposal.counts.get(disposal.kind, 0)
    return render(
        request,
        "records/disposal_list.html",
        {"proposals": proposals, "page": page, "rules": _rule_rows()},
    )


@comms_required
@require_http_methods(["GET", "POST"])
def disposal_detail(request, pk):
    disposal = get_object_or_404(Disposal.objects.select_related("rule", "confirmed_by", "export"), pk=pk)
    form = None
    if disposal.status == DisposalStatus.PROPOSED:
        if request.method == "POST":
            form = DisposalConfirmForm(request.POST)
            if form.is_valid():
                try:
                    done = retention.confirm_disposal(
                        request.user, disposal, export=form.cleaned_data["export"], note=form.cleaned_data["note"]
                    )
                except DomainError as error:
                    messages.error(request, error.message)
                else:
                    count = done.counts.get(done.kind, 0)
                    messages.success(
                        request,
                        ngettext(
                            "Disposed of: %(count)s record of the kind “%(kind)s”. The disposal is recorded below.",
                            "Disposed of: %(count)s records of the kind “%(kind)s”. The disposal is recorded below.",
                            count,
                        )
                        % {"count": count, "kind": done.get_kind_display().lower()},
                    )
                    return redirect(done)
            else:
                messages.error(request, _("Nothing was disposed of. Correct the fields marked below."))
        else:
            form = DisposalConfirmForm()
    elif request.method == "POST":
        messages.error(
            request,
            _("This disposal is no longer awaiting confirmation: it is “%(status)s”.")
            % {"status": disposal.get_status_display()},
        )
        return redirect(disposal)

    context = {"disposal": disposal, "form": form}
    if disposal.status == DisposalStatus.PROPOSED:
        cutoff = retention.effective_cutoff(disposal, timezone.localdate())
        context["cutoff"] = cutoff
        if cutoff is not None:
            due = retention.due_records(disposal.kind, cutoff)
            page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("sida"))
            context["page"] = page
            context["rows"] = retention.describe_records(disposal.kind, page.object_list)
    else:
        context["counts"] = retention.counts_display(disposal)
    return render(request, "records/disposal_detail.html", context)
