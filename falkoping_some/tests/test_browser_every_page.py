"""Every page of every role, in a real Chromium on a 360 px phone (issue 17, WCAG 2.1 AA).

The pages are the permission matrix's (test_permission_matrix.py): every URL name a role may GET
as a page, in the same world of real objects, plus allauth's pages and the error pages. Each page
must

- fit the phone: the document no wider than the 360 px viewport (WCAG 1.4.10, reflow);
- pass axe-core's WCAG 2.1 A and AA rules (the file vendored in assets/axe-core, no CDN);
- parse without a single error in html5lib, as a browser's parser reads it.

One test per role; each fails once, listing every page and what was wrong with it.
"""

import json
from pathlib import Path

import html5lib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import SocialAccount
from conftest import give_mfa
from falkoping_some.tests.test_permission_matrix import (
    FIXTURES,
    KWARGS,
    MATRIX,
    OK,
    build_world,
    revoked_editor,  # noqa: F401 (a fixture of the world)
    superuser_utan_mfa,  # noqa: F401 (a fixture of the world)
)
from moderation.tests.files.storage import private_media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
AXE = (Path(__file__).parent / "assets" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What a role GETs that is not a page: files, feeds, data, redirects and a language switch.
NOT_PAGES = {
    "public:json",
    "public:csv",
    "publicinfo:verify",
    "health",
    "set_language",
    "council:meeting_ics",
    "council:attachment_file",
    "council:feed",
    "records:export_download",
    "moderation:evidence_file",
    "capture:media",
    "favicon",
}
# The roles of the walk: the mirrored roles (another unit's editor and manager) see the same pages
# of their own unit; comms without MFA sees the MFA pages, which every signed-in role sees too.
WALKING_ROLES = ("anonymous", "employee", "editor", "manager", "comms", "superuser")
# allauth's pages, with the roles that see them as pages.
ALLAUTH_PAGES = {
    "account_login": ("anonymous",),
    "account_reset_password": ("anonymous",),
    "mfa_index": WALKING_ROLES[1:],
    "mfa_activate_totp": ("employee", "editor", "manager"),
}


def pages_of(role, world):
    """(label, path) of every page `role` may GET."""
    for name, spec in sorted(MATRIX.items()):
        if name in NOT_PAGES or spec["GET"][role] != OK:
            continue
        kwargs = KWARGS[name](world, world.this) if name in KWARGS else None
        yield name, reverse(name, kwargs=kwargs)
    for name, roles in ALLAUTH_PAGES.items():
        if role in roles:
            yield name, reverse(name)
    yield "404", "/finns-inte/"


def html_errors(source: str) -> list[str]:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"))
    parser.parse(source)
    return [f"line {line}:{col} {code} {data or ''}".strip() for (line, col), code, data in parser.errors]


def axe_violations(page) -> list[str]:
    page.evaluate(AXE)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    found = []
    for violation in results["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
        found.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def too_wide(page) -> list[str]:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return []
    # The widest elements that stick out, so the fix is easy to find.
    culprits = page.evaluate(
        """limit => {
            const scrolls = a => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX);
            const clipped = e => {
                for (let a = e.parentElement; a; a = a.parentElement) { if (scrolls(a)) return true; }
                return false;
            };
            const out = e => e.getClientRects().length && e.getBoundingClientRect().right > limit + 1 && !clipped(e);
            return [...document.querySelectorAll('body *')]
                .filter(e => out(e) && !(e.parentElement && out(e.parentElement)))
                .slice(0, 3)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (typeof e.className === 'string' && e.className.trim()
                        ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                    + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
        }""",
        PHONE["width"],
    )
    return [f"{width} px wide (viewport {PHONE['width']}): {', '.join(culprits)}"]


def check_page(page, url) -> list[str]:
    response = page.goto(url)
    problems = []
    if response.status not in (200, 404):
        return [f"HTTP {response.status}"]
    problems += html_errors(response.text())
    problems += too_wide(page)
    problems += axe_violations(page)
    return problems


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private"):
        yield


def sign_in_as(browser, live_server, user, viewport):
    """A page in a browser of its own, signed in as `user` (with the MFA step for those who have it,
    conftest.py), or signed out for None."""
    context = browser.new_context(viewport=viewport, locale="sv-SE")
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = {"name": settings.SESSION_COOKIE_NAME, "url": live_server.url}
        context.add_cookies([{**cookie, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context.new_page()


@pytest.mark.parametrize("role", WALKING_ROLES)
def test_every_page_fits_a_phone_and_passes_axe(role, request, live_server, browser, media, library_account):
    users = {name: request.getfixturevalue(fixture) for name, fixture in FIXTURES.items()}
    give_mfa(users["superuser"])
    world = build_world(users, library_account, request.getfixturevalue("social_account"))
    # The employee asked for the account waiting for its manager: their start page lists it.
    SocialAccount.objects.filter(pk=world.this.requested.pk).update(requested_by=users["employee"])
    page = sign_in_as(browser, live_server, users.get(role), PHONE)
    report, visited = [], 0
    for label, path in pages_of(role, world):
        problems = check_page(page, live_server.url + path)
        visited += 1
        report += [f"{label} {path}: {problem}" for problem in problems]
    page.context.close()
    assert visited >= 3, f"{role} walked {visited} pages only"
    assert not report, f"{len(report)} problems on the pages of {role}:\n" + "\n".join(report)


def test_axe_finds_what_it_should(live_server, page):
    """The check can fail: a page with an unlabelled field and a too-wide table fails it."""
    page.set_viewport_size(PHONE)
    page.set_content(
        '<html lang="sv"><title>x</title><main><input>'
        '<table style="width:900px"><tr><td>x</td></tr></table></main></html>'
    )
    assert any(problem.startswith("axe label") for problem in axe_violations(page)), json.dumps(axe_violations(page))
    assert too_wide(page)
    assert html_errors("<p><div></span>") != []


def test_the_comms_menu_is_one_line_on_a_laptop_and_folds_on_a_phone(browser, live_server, kommunikator):
    page = sign_in_as(browser, live_server, kommunikator, {"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    menu = page.get_by_role("navigation", name="Huvudmeny")
    items = menu.get_by_role("listitem")
    assert items.count() >= 9  # comms' whole menu
    tops = {round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(items.count()))}
    assert len(tops) == 1, f"the menu wraps to {len(tops)} lines at 1280 px"
    assert not menu.get_by_role("button", name="Meny").is_visible()

    page.set_viewport_size(PHONE)
    toggle = menu.get_by_role("button", name="Meny")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not menu.get_by_role("link", name="Granskning").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    menu.get_by_role("link", name="Granskning").focus()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.textContent.trim()").startswith("Meny")
    toggle.click()
    menu.get_by_role("link", name="Granskning").click()
    assert page.locator("h1").inner_text() == "Granskning"


def contrast(rgb_a, rgb_b):
    def luminance(rgb):
        def channel(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_stands_out_on_the_page_and_in_the_header(browser, live_server, redaktor):
    """WCAG 1.4.11: the ring that shows where the keyboard is has 3:1 against what is beside it."""
    page = sign_in_as(browser, live_server, redaktor, {"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    rgb = "s => s.match(/\\d+/g).slice(0, 3).map(Number)"
    for where, background in (("main a", (255, 255, 255)), (".site-nav a", None), (".site-header .brand", None)):
        link = page.locator(where).first
        page.keyboard.press("Tab")  # the ring shows for the keyboard (:focus-visible)
        link.focus()
        style = link.evaluate("e => getComputedStyle(e).outlineStyle + '|' + getComputedStyle(e).outlineColor")
        outline_style, colour = style.split("|")
        assert outline_style == "solid", where
        ring = page.evaluate(f"({rgb})('{colour}')")
        behind = background or link.evaluate(
            "e => { for (let a = e; a; a = a.parentElement) { const c = getComputedStyle(a).backgroundColor;"
            " if (c !== 'rgba(0, 0, 0, 0)') return c.match(/\\d+/g).slice(0, 3).map(Number); }"
            " return [255, 255, 255]; }"
        )
        assert contrast(ring, behind) >= 3, f"{where}: the ring {ring} on {behind} is {contrast(ring, behind):.2f}:1"


# Forms sent empty, by a role that may send them: the page that answers, with its error summary
# and its fields' messages, must pass as every other page does.
FORMS_WITH_ERRORS = {
    "employee": ["accounts:request"],
    "editor": ["moderation:case_create", "activity:log"],
    "manager": ["accounts:mandate_grant"],
    "comms": [
        "accounts:training_create",
        "council:meeting_create",
        "publicinfo:statement_edit",
        "accounts:edit",
        "capture:connect",
        "capture:remove",
    ],
}


@pytest.mark.parametrize("role", sorted(FORMS_WITH_ERRORS))
def test_a_form_sent_with_errors_fits_a_phone_and_passes_axe(role, request, live_server, browser, media):
    users = {name: request.getfixturevalue(fixture) for name, fixture in FIXTURES.items()}
    world = build_world(users, request.getfixturevalue("library_account"), request.getfixturevalue("social_account"))
    page = sign_in_as(browser, live_server, users[role], PHONE)
    report = []
    for name in FORMS_WITH_ERRORS[role]:
        path = reverse(name, kwargs=KWARGS[name](world, world.this) if name in KWARGS else None)
        page.goto(live_server.url + path)
        form = page.locator("main form[method=post]").last
        with page.expect_navigation():
            # Empty every field the person fills in, and send without the browser's own checks.
            form.evaluate(
                "f => { f.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea')"
                ".forEach(i => { i.value = ''; });"
                " f.querySelectorAll('select').forEach(s => { s.selectedIndex = -1; });"
                " f.querySelectorAll('input[type=checkbox], input[type=radio]').forEach(i => { i.checked = false; });"
                " HTMLFormElement.prototype.submit.call(f); }"
            )
        summary = page.get_by_role("heading", name="Det finns fel i formuläret")
        if not summary.count():
            report.append(f"{name}: no error summary after an empty form")
        response_html = page.content()
        problems = html_errors(response_html) + too_wide(page) + axe_violations(page)
        report += [f"{name} (sent empty): {problem}" for problem in problems]
    assert not report, "\n".join(report)
