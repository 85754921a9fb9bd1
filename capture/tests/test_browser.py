"""Comms connects an account to the toy platform in a real Chromium on a 360 px phone, a sync runs,
and the archive and an item's page fit the phone and pass axe (issue 18 item 3; issue 17's rules,
falkoping_some/tests/test_browser_every_page.py). Without Chromium, the same pages are at least
parsed as a browser parses them."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from capture import crypto
from capture.models import CapturedItem, Connection
from capture.sync import Sync
from falkoping_some.tests.test_browser_every_page import PHONE, check_page, html_errors, sign_in_as

from .test_views import TOKEN, toy  # noqa: F401 (the toy platform, a fixture)

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def seed(platform):
    platform.add_post("p1", "Välkommen till biblioteket! " * 12)
    platform.add_post("p2", "Sommarens lästips", days_ago=3)
    platform.add_comment("p1", "c1", "När öppnar ni på lördag? " + "https://example.com/" + "x" * 120)
    platform.add_comment("p1", "c2", "Tack!", author="Bertil Långnamn-Efternamnsson")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_comms_connects_syncs_and_reads_the_archive_on_a_phone(
    live_server,
    browser,
    toy,  # noqa: F811 (the fixture imported above)
    kommunikator,
    library_account,
):
    seed(toy)
    page = sign_in_as(browser, live_server, kommunikator, PHONE)
    page.goto(live_server.url + library_account.get_absolute_url())
    page.get_by_role("link", name="Anslut via Toy").click()
    assert check_page(page, page.url) == []
    page.get_by_label("Plattformens adress").fill(toy.url)
    page.get_by_label("Åtkomsttoken").fill(TOKEN)
    page.get_by_role("button", name="Kontrollera och anslut").click()
    assert TOKEN not in page.content()
    connection = Connection.objects.get(account=library_account)

    with time_machine.travel(NOW, tick=False):
        Sync(connection).run()

    for path in (
        library_account.get_absolute_url(),
        reverse("capture:archive", args=[library_account.pk]),
        reverse("capture:item", args=[library_account.pk, CapturedItem.objects.get(platform_id="p1").pk]),
        reverse("capture:item", args=[library_account.pk, CapturedItem.objects.get(platform_id="c1").pk]),
        reverse("capture:search") + "?q=biblioteket",
    ):
        assert check_page(page, live_server.url + path) == [], path
        assert TOKEN not in page.content()
    page.goto(live_server.url + reverse("capture:archive", args=[library_account.pk]))
    assert page.get_by_text("Tack!").is_visible()
    page.context.close()


@pytest.mark.django_db
def test_the_pages_parse_without_an_error(client: Client, toy, kommunikator, library_account):  # noqa: F811
    """The html5lib half of the walk, which runs without Chromium."""
    seed(toy)
    connection = Connection.objects.create(
        account=library_account, kind="toy", base_url=toy.url, external_id="toy-1", created_by=kommunikator,
        token_encrypted=crypto.encrypt(TOKEN),
    )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        Sync(connection).run()
    client.force_login(kommunikator)
    post = CapturedItem.objects.get(platform_id="p1")
    for path in (
        library_account.get_absolute_url(),
        reverse("capture:archive", args=[library_account.pk]),
        reverse("capture:archive", args=[library_account.pk]) + "?typ=comment",
        reverse("capture:item", args=[library_account.pk, post.pk]),
        reverse("capture:search") + "?q=biblioteket",
        reverse("capture:connect", args=[library_account.pk]),
        reverse("capture:renew", args=[library_account.pk, connection.pk]),
        reverse("capture:remove", args=[library_account.pk, connection.pk]),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert html_errors(response.text) == [], path
    sent = client.post(reverse("capture:connect", args=[library_account.pk]), {"kind": "toy"})
    assert html_errors(sent.text) == []
