"""The public page of R16: every account the municipality uses, at falkoping.se/socialamedier, for
anyone and without signing in; the same list as open data (JSON, CSV); and the citizen's check "is
this account really the municipality's?".

Nothing here may show staff data: the page and the exports read only the rows of
`selectors.public_accounts()`, which hold public fields alone, and the check shows an account's
name, platform, unit and link (or, for a closed one, its closing date) and nothing more.
"""

import csv
import io
import uuid

from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie

from .selectors import PUBLIC_PAGE_GENERATION_KEY, group_public_accounts, public_accounts, verify_account

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
    become a live link or command in the office's Excel.
    """
    value = "" if value is None else str(value)
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value


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
        **extra,
    }


# The page as an anonymous visitor sees it, rendered once per change of the list and language:
# the bytes before and after each place the visitor's CSRF token goes (the language switch's form),
# in the shared cache and in this process's memory. The only other parts that differ between
# visitors (the signed-in header, messages, the address with its query string) rule the copy out.
# Nothing else in the page is per request: the CSP has no nonce (no inline script or style).
_CSRF_PLACEHOLDER = "csrf-placeholder-9d0c61b2"
_rendered_pages: dict[tuple, list[bytes]] = {}


def _page_generation() -> str:
    generation = cache.get(PUBLIC_PAGE_GENERATION_KEY)
    if generation is None:
        cache.add(PUBLIC_PAGE_GENERATION_KEY, uuid.uuid4().hex, settings.PUBLIC_LIST_CACHE_SECONDS)
        # Another process may have added its own meanwhile; theirs wins. With the cache down, a
        # fresh one each time, so every request renders the page.
        generation = cache.get(PUBLIC_PAGE_GENERATION_KEY) or uuid.uuid4().hex
    return generation


def _rendered_anonymous_page(request, form) -> list[bytes]:
    # The stylesheet's hashed name and demo mode: a release or another setup renders its own.
    key = (_page_generation(), get_language(), request.path, static("css/portal.css"), settings.DEMO_MODE)
    parts = _rendered_pages.get(key)
    if parts is None:
        cache_key = "public-page:v1:" + ":".join(str(part) for part in key)
        parts = cache.get(cache_key)
        if parts is None:
            html = render_to_string(
                "public/list.html",
                _list_context(public_accounts(), form, csrf_token=_CSRF_PLACEHOLDER),
                request,
            )
            parts = [part.encode() for part in html.split(_CSRF_PLACEHOLDER)]
            cache.set(cache_key, parts, settings.PUBLIC_LIST_CACHE_SECONDS)
        _rendered_pages.clear()  # only the current generation is kept
        _rendered_pages[key] = parts
    return parts


def _anonymous_page_applies(request, form) -> bool:
    return (
        not form.is_bound
        and not request.META.get("QUERY_STRING")
        and not request.user.is_authenticated
        and not get_messages(request)
    )


@require_safe
@vary_on_cookie  # the language cookie picks the page's language, the session the header's link
def public_list(request):
    form = VerifyAccountForm(request.GET if "konto" in request.GET else None)
    if _anonymous_page_applies(request, form):
        # get_token() sets the CSRF cookie when needed, as {% csrf_token %} does in a render.
        response = HttpResponse(get_token(request).encode().join(_rendered_anonymous_page(request, form)))
    else:
        rows = public_accounts()
        extra = {}
        if form.is_bound and form.is_valid():
            verification = verify_account(form.cleaned_data["konto"])
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
    if form.is_bound:
        # A citizen's check is answered from the registry as it is now, and is nobody else's.
        add_never_cache_headers(response)
    else:
        # Not `public`: base.html's language switch carries this visitor's CSRF token (and sets
        # its cookie), so a shared cache must not hand the page to others.
        patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
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
        writer.writerow([escape_csv_cell(row[field]) for field in OPEN_DATA_FIELDS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="socialamedier.csv"'
    return _open_data_response(response)
