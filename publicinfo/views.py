"""The accessibility statement of /socialamedier: public to read, comms to edit. The citizen's
check as JSON, /socialamedier/verify?url= (R16; publicinfo/verification.py)."""

from urllib.parse import urlsplit

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import comms_required
from accounts.public_views import PUBLIC_MAX_AGE
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.rate_limits import wait_seconds

from .forms import StatementForm
from .models import DIGG_REPORT_URL, AccessibilityStatement
from .services import update_statement
from .verification import MAX_URL_LENGTH, check_link

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


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Open data: any web page may ask (it is public and sent without cookies).
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(code: str, message: str, status: int = 400) -> JsonResponse:
    response = _json({"error": code, "message": message}, status=status)
    add_never_cache_headers(response)
    return response


def _url_problem(url: str) -> tuple[str, str] | None:
    if not url:
        return "missing_url", "Give the link to check as ?url=https://…"
    if len(url) > MAX_URL_LENGTH:
        return "url_too_long", f"The link may be at most {MAX_URL_LENGTH} characters long."
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not_a_web_link", "The link must be a web address beginning with https:// or http://."
    return None


@require_safe
def verify(request):
    """R16: "is this link really the municipality's?" as JSON for anyone (README, "The check as
    open data"). Limited per client address (PUBLIC_VERIFY_RATE_LIMIT); the answers are cached."""
    wait = wait_seconds(request, "public_verify", settings.PUBLIC_VERIFY_RATE_LIMIT)
    if wait:
        response = _error("rate_limited", f"Too many checks from this address: try again in {wait} s.", status=429)
        response["Retry-After"] = str(wait)
        return response
    url = request.GET.get("url", "").strip()
    problem = _url_problem(url)
    if problem:
        return _error(*problem)
    response = _json({"url": url, **check_link(url)})
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response
