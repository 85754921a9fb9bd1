"""The accessibility statement of /socialamedier: public to read, comms to edit."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import comms_required
from falkoping_some.lib.errors import DomainError

from .forms import StatementForm
from .models import DIGG_REPORT_URL, AccessibilityStatement
from .services import update_statement

# How many of the statement's changes the edit page lists (the admin's audit trail has them all).
HISTORY_SHOWN = 20


@require_safe
def statement(request):
    """For anyone, without signing in (lag 2018:1937, 13 §: linked from every page of the list)."""
    return render(
        request,
        "publicinfo/statement.html",
        {"statement": AccessibilityStatement.current(), "digg_report_url": DIGG_REPORT_URL},
    )


@comms_required
@require_http_methods(["GET", "POST"])
def statement_edit(request):
    current = AccessibilityStatement.current()
    form = StatementForm(request.POST or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                update_statement(request.user, form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The accessibility statement is saved."))
                return redirect("publicinfo:statement")
        else:
            messages.error(request, _("The statement was not saved. Correct the fields marked below."))
    history = (
        LogEntry.objects.get_for_model(AccessibilityStatement)
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:HISTORY_SHOWN]
    )
    return render(request, "publicinfo/statement_form.html", {"form": form, "history": history})
