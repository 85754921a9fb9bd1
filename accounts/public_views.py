"""The public page of R16: every account the municipality uses, at falkoping.se/socialamedier, for
anyone and without signing in; the same list as open data (JSON, CSV); and the citizen's check "is
this account really the municipality's?".

Nothing here may show staff data: the page and the exports read only the rows of
`selectors.public_accounts()`, which hold public fields alone, and the check shows an account's
name, platform, unit and link (or, for a closed one, its closing date) and nothing more.
"""

import csv
import io

from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie

from .public_page_cache import CHECK_PARAMETER, mark_shareable
from .selectors import group_public_accounts, public_accounts, verify_account

# The fields of the open data, in this order (the CSV's columns).
OPEN_DATA_FIELDS = ("name", "platform", "platform_name", "url", "handle", "description", "unit", "administration")
# How long browsers and proxies may keep the list. The server-side cache is dropped on every change;
# this bounds how long a visitor may still see an account after it was closed.
PUBLIC_MAX_AGE = 300

# A spreadsheet reads a cell that begins with one of these as a formula (OWASP, "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value) -> str:
    """A cell that a spreadsheet would run as a formula, made inert by a leading single quote.

    The open data comes from what staff typed; a description such as `=HYPERLINK(...)` must not
    become a live link or command in the office's Excel. Only such cells get the quote: every
    other cell is exactly what the registry holds.
    """
    value = "" if value is None else str(value)
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value


def csv_cell(field: str, value) -> str:
    """One cell of the CSV. A user name is written without its leading @ (`falkopingskommun`), as
    the page's open-data note says: a cell beginning with @ is a formula to Excel (OWASP), and the
    quote that would guard it would stand before every user name in the file. The address beside
    it names the platform, and the JSON keeps the user name as the registry holds it."""
    if field == "handle" and value:
        value = str(value).lstrip("@")
    return escape_csv_cell(value)


class VerifyAccountForm(forms.Form):
    konto = forms.CharField(
        label=_("Link to the account, or its user name"),
        max_length=500,
        # Django points the field's aria-describedby at this hint and, when there is one, the error.
        help_text=_("For example https://www.facebook.com/… or @falkopingskommun"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )


def _open_data_rows() -> list[dict]:
    return [{field: row[field] for field in OPEN_DATA_FIELDS} for row in public_accounts()]


def _official_rows(verification, rows: list[dict]) -> list[dict]:
    """The matched active accounts as public rows: the same words as the list, and no field the
    list does not show. The unit's administration comes from the (cached) list, so the check costs
    one query; an account missing from the list (changed this very moment) still shows its unit."""
    by_url = {row["url"]: row for row in rows}
    return [
        by_url.get(account.url)
        or {
            "name": account.name,
            "platform_name": account.platform_name,
            "url": account.url,
            "handle": account.handle,
            "unit": account.unit.name,
            "administration": "",
        }
        for account in verification.official
    ]


def _list_context(rows: list[dict], form, **extra) -> dict:
    return {
        "groups": group_public_accounts(rows),
        "total": len(rows),
        "form": form,
        "verification": None,
        "official": None,
        "official_platforms": "",
        "closed": None,
        "comms_email": settings.COMMS_CONTACT_EMAIL,
        # R3: where the public asks for public records, in the notice beside the list.
        "records_contact": settings.PORTAL_RECORDS_CONTACT,
        **extra,
    }


@require_safe
@vary_on_cookie  # the language cookie picks the page's language, the session the header's link
def public_list(request):
    form = VerifyAccountForm(request.GET if CHECK_PARAMETER in request.GET else None)
    rows = public_accounts()
    if not form.is_bound:
        # The language switch comes back to the page without the query string (a link's
        # ?fbclid=… and the like), so that the page is the same for every anonymous visitor.
        response = render(request, "public/list.html", _list_context(rows, form, language_next=request.path))
        if request.user.is_authenticated or get_messages(request):
            # The header names the signed-in user (whose pages are never stored at all:
            # falkoping_some.middleware.SignedInNotStoredMiddleware); a message is for this visitor alone.
            patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
        else:
            # The same bytes for every anonymous visitor (public_page_cache.py): no CSRF token, no name.
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            mark_shareable(response)
        return response
    extra = {}
    if form.is_valid():
        verification = verify_account(form.cleaned_data[CHECK_PARAMETER])
        if verification:
            official = _official_rows(verification, rows)
            extra = {
                "verification": verification,
                "official": official,
                "official_platforms": ", ".join(sorted({row["platform_name"] for row in official})),
                # A closed account shows its name, platform and closing date, nothing else.
                "closed": [
                    {"name": a.name, "platform_name": a.platform_name, "closed_on": a.closed_on}
                    for a in verification.closed
                ],
            }
    response = render(request, "public/list.html", _list_context(rows, form, **extra))
    # A citizen's check is answered from the registry as it is now, and is nobody else's.
    add_never_cache_headers(response)
    return response


def _open_data_response(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    # Open data: any web page may read it (it is public and sent without cookies).
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def public_json(request):
    accounts = _open_data_rows()
    data = {
        "source": request.build_absolute_uri(reverse("public:list")),
        "count": len(accounts),
        "accounts": accounts,
    }
    response = JsonResponse(
        data,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    return _open_data_response(response)


@require_safe
def public_csv(request):
    buffer = io.StringIO()
    # The byte order mark tells Excel the file is UTF-8, so å, ä and ö survive.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(OPEN_DATA_FIELDS)
    for row in _open_data_rows():
        writer.writerow([csv_cell(field, row[field]) for field in OPEN_DATA_FIELDS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="socialamedier.csv"'
    return _open_data_response(response)
