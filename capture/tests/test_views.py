"""The platforms' record in the browser (issue 18 items 1 and 3): comms connects an account to the
toy platform over real HTTP, renews and removes the connection; the archive, an item's page, its
media and the search show what was captured, to whom they may (R3, R10)."""

import datetime
import json

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountStatus
from accounts.tests.factories import SocialAccountFactory
from capture import crypto, selectors
from capture.connectors import registry
from capture.connectors.base import Identity
from capture.models import CapturedItem, CapturedMedia, Connection, ConnectionState, ItemVersion
from capture.sync import Sync
from moderation.tests.files.storage import private_media

from .toy import ToyConnector, served

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
TOKEN = "good-token-abcdefgh"  # noqa: S105 (the toy's)


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setattr(registry, "kinds_for", lambda platform: ["toy", registry.FEED])
    with served(monkeypatch) as platform:
        platform.token = TOKEN
        yield platform


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private"):
        yield


def signed_in(client, user):
    client.force_login(user)
    return client


def connect_form(toy, **extra):
    return {"kind": "toy", "base_url": toy.url, "token": TOKEN, "handle": "", **extra}


def make_connection(toy, account, user, **fields):
    fields = {"external_id": "toy-1", "external_name": "Biblioteket", **fields}
    return Connection.objects.create(
        account=account, kind="toy", base_url=toy.url, token_encrypted=crypto.encrypt(TOKEN),
        token_hint=crypto.hint(TOKEN), created_by=user, **fields,
    )  # fmt: skip


def item(connection, platform_id, text, *, kind="post", days_ago=0, thread=None, parent=None, **fields):
    return CapturedItem.objects.create(
        connection=connection, account=connection.account, platform=connection.kind, platform_id=platform_id,
        kind=kind, text=text, raw={"id": platform_id, "text": text}, raw_sha256="a" * 64,
        published_at=NOW - datetime.timedelta(days=days_ago), thread=thread, parent=parent,
        thread_platform_id=thread.platform_id if thread else "",
        parent_platform_id=parent.platform_id if parent else "",
        **fields,
    )  # fmt: skip


# Connecting ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestConnect:
    def test_comms_connects_the_toy_platform_and_the_token_is_never_shown(
        self, client, toy, kommunikator, library_account
    ):
        signed_in(client, kommunikator)
        page = client.get(reverse("capture:connect", args=[library_account.pk]) + "?typ=toy")
        assert page.status_code == 200
        assert 'type="password"' in page.text and "Toy" in page.text

        response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))

        assert response.status_code == 302
        connection = Connection.objects.get()
        assert connection.account == library_account and connection.external_id == "toy-1"
        assert connection.external_name == "Biblioteket" and connection.created_by == kommunikator
        assert connection.state == ConnectionState.ACTIVE
        assert TOKEN not in connection.token_encrypted and crypto.decrypt(connection.token_encrypted) == TOKEN
        assert connection.token_hint == "efgh"
        # The platform was asked with the token, over HTTP.
        assert any(request.path == "/me" for request in toy.requests)
        account_page = client.get(library_account.get_absolute_url())
        assert TOKEN not in account_page.text
        assert "…efgh" in account_page.text
        assert "Biblioteket" in account_page.text
        # Who connected is in the audit trail, without the token.
        entry = LogEntry.objects.get_for_object(connection).get()
        assert entry.actor == kommunikator and TOKEN not in json.dumps(entry.changes)

    def test_the_form_keeps_no_token_when_shown_again(self, client, toy, kommunikator, library_account):
        signed_in(client, kommunikator)
        toy.token = "another-token-entirely"  # noqa: S105
        response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))
        assert response.status_code == 200
        assert TOKEN not in response.text
        assert "Plattformen vägrade åtkomsttoken" in response.text  # the error summary, in Swedish
        assert not Connection.objects.exists()

    def test_a_page_that_is_not_the_accounts_is_refused_with_what_the_platform_said(
        self, client, toy, kommunikator, library_account
    ):
        library_account.platform_id = "1234567890"
        library_account.save()
        signed_in(client, kommunikator)
        response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))
        assert response.status_code == 200
        assert "Biblioteket, id toy-1" in response.text and "1234567890" in response.text
        assert not Connection.objects.exists()

    def test_a_token_expired_already_is_refused(self, client, toy, kommunikator, library_account, monkeypatch):
        expired = Identity(
            platform_id="toy-1", name="Biblioteket", expires_at=timezone.now() - datetime.timedelta(days=1)
        )
        monkeypatch.setattr(ToyConnector, "verify", lambda self, handle="": expired)
        signed_in(client, kommunikator)
        response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))
        assert response.status_code == 200
        assert not Connection.objects.exists()

    def test_an_address_that_is_not_the_platforms_is_refused_before_anything_is_sent(
        self, client, toy, kommunikator, library_account, settings
    ):
        settings.CAPTURE_ALLOW_SIMULATORS = False
        signed_in(client, kommunikator)
        response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))
        assert response.status_code == 200
        assert not Connection.objects.exists()
        assert toy.requests == []

    def test_the_same_page_cannot_be_connected_to_two_accounts(
        self, client, toy, kommunikator, library_account, social_account
    ):
        make_connection(toy, social_account, kommunikator)
        signed_in(client, kommunikator)
        response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))
        assert response.status_code == 200
        assert social_account.name in response.text
        assert Connection.objects.count() == 1

    def test_only_an_active_account_is_connected(self, client, toy, kommunikator, library_account):
        requested = SocialAccountFactory(
            status=AccountStatus.REQUESTED, unit=library_account.unit, url="", activated_on=None
        )
        signed_in(client, kommunikator)
        response = client.get(reverse("capture:connect", args=[requested.pk]))
        assert response.status_code == 302
        response = client.post(reverse("capture:connect", args=[requested.pk]), connect_form(toy))
        assert response.status_code == 302
        assert not Connection.objects.exists()
        assert "typ=toy" not in client.get(requested.get_absolute_url()).text

    @pytest.mark.parametrize("role", ["redaktor", "chef", "medarbetare"])
    def test_nobody_but_comms_connects(self, client, toy, library_account, role, request):
        signed_in(client, request.getfixturevalue(role))
        response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))
        assert response.status_code == 403
        assert not Connection.objects.exists()


@pytest.mark.django_db
class TestRenewAndRemove:
    def test_a_new_token_revives_a_stopped_connection_and_keeps_its_cursor(
        self, client, toy, kommunikator, library_account
    ):
        cursor = {"phase": "posts", "page": "2", "started": NOW.isoformat(), "until": None}
        connection = make_connection(
            toy, library_account, kommunikator, state=ConnectionState.BROKEN, cursor=cursor, failures=3,
            last_error="The platform refused the access token: it has expired or been revoked.",
        )  # fmt: skip
        signed_in(client, kommunikator)
        page = client.get(library_account.get_absolute_url())
        assert "Plattformen vägrade åtkomsttoken" in page.text  # the last error in plain (Swedish) words
        toy.token = "the-new-token-wxyz"  # noqa: S105

        response = client.post(
            reverse("capture:renew", args=[library_account.pk, connection.pk]), {"token": "the-new-token-wxyz"}
        )

        assert response.status_code == 302
        connection.refresh_from_db()
        assert connection.state == ConnectionState.ACTIVE and connection.cursor == cursor
        assert connection.failures == 0 and connection.last_error == ""
        assert crypto.decrypt(connection.token_encrypted) == "the-new-token-wxyz"
        assert connection.token_hint == "wxyz"
        assert Connection.objects.count() == 1

    def test_a_token_for_another_page_is_refused(self, client, toy, kommunikator, library_account):
        connection = make_connection(toy, library_account, kommunikator, external_id="toy-99")
        signed_in(client, kommunikator)
        response = client.post(reverse("capture:renew", args=[library_account.pk, connection.pk]), {"token": TOKEN})
        assert response.status_code == 200
        assert TOKEN not in response.text
        connection.refresh_from_db()
        assert connection.external_id == "toy-99"

    def test_removing_keeps_the_connection_and_its_items(self, client, toy, kommunikator, library_account):
        connection = make_connection(toy, library_account, kommunikator)
        item(connection, "p1", "Välkommen")
        signed_in(client, kommunikator)
        url = reverse("capture:remove", args=[library_account.pk, connection.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {}).status_code == 200  # not confirmed
        assert Connection.objects.get().state == ConnectionState.ACTIVE

        response = client.post(url, {"confirm": "on"})

        assert response.status_code == 302
        connection.refresh_from_db()
        assert connection.state == ConnectionState.REMOVED
        assert connection.removed_by == kommunikator and connection.removed_at is not None
        assert CapturedItem.objects.filter(connection=connection).count() == 1
        assert client.get(reverse("capture:archive", args=[library_account.pk])).text.count("Välkommen") == 1
        assert client.post(url, {"confirm": "on"}).status_code == 404  # a removed connection is not live

    def test_the_connection_of_another_account_is_not_found(
        self, client, toy, kommunikator, library_account, social_account
    ):
        connection = make_connection(toy, social_account, kommunikator)
        signed_in(client, kommunikator)
        url = reverse("capture:remove", args=[library_account.pk, connection.pk])
        assert client.post(url, {"confirm": "on"}).status_code == 404
        assert Connection.objects.get().state == ConnectionState.ACTIVE


# The archive --------------------------------------------------------------------------------------


@pytest.fixture
def captured(toy, kommunikator, library_account):
    connection = make_connection(toy, library_account, kommunikator)
    old = item(connection, "p1", "Gammalt inlägg", days_ago=10)
    new = item(connection, "p2", "Nytt inlägg om biblioteket", days_ago=1, version_count=2)
    comment = item(connection, "c1", "När öppnar ni?", kind="comment", thread=new, parent=new, author_name="Anna")
    item(connection, "c2", "Klockan tio", kind="comment", thread=new, parent=comment, by_account=True)
    item(connection, "c3", "Borttagen kommentar", kind="comment", thread=old, parent=old, missing_since=NOW)
    ItemVersion.objects.create(item=new, text="Första lydelsen", raw={"id": "p2"}, raw_sha256="b" * 64, captured_at=NOW)
    return connection


@pytest.mark.django_db
class TestArchive:
    def test_posts_newest_first_with_their_comments_nested(self, client, captured, redaktor, library_account):
        signed_in(client, redaktor)
        response = client.get(reverse("capture:archive", args=[library_account.pk]))
        assert response.status_code == 200
        text = response.text
        assert text.index("Nytt inlägg") < text.index("När öppnar ni?") < text.index("Klockan tio")
        assert text.index("Klockan tio") < text.index("Gammalt inlägg") < text.index("Borttagen kommentar")
        # The reply to the comment sits in a list inside the comment's.
        between = text[text.index("När öppnar ni?") : text.index("Klockan tio")]
        assert '<ul class="thread">' in between

    def test_filters(self, client, captured, kommunikator, library_account):
        signed_in(client, kommunikator)
        url = reverse("capture:archive", args=[library_account.pk])
        comments = client.get(url, {"typ": "comment"}).text
        assert "När öppnar ni?" in comments and "Gammalt inlägg" not in comments
        removed = client.get(url, {"typ": "comment", "borttagna": "ja"}).text
        assert "Borttagen kommentar" in removed and "När öppnar ni?" not in removed
        edited = client.get(url, {"andrade": "ja"}).text
        assert "Nytt inlägg" in edited and "Gammalt inlägg" not in edited
        period = client.get(
            url, {"fran": (NOW - datetime.timedelta(days=20)).date(), "till": (NOW - datetime.timedelta(days=5)).date()}
        ).text
        assert "Gammalt inlägg" in period and "Nytt inlägg" not in period
        assert client.get(url, {"fran": "inte ett datum"}).status_code == 200

    def test_paginated_by_fifty(self, client, toy, kommunikator, library_account):
        connection = make_connection(toy, library_account, kommunikator)
        for n in range(51):
            item(connection, f"p{n}", f"Inlägg nummer {n}.", days_ago=n)
        signed_in(client, kommunikator)
        url = reverse("capture:archive", args=[library_account.pk])
        first = client.get(url).text
        assert "Inlägg nummer 0." in first and "Inlägg nummer 50." not in first
        assert "Inlägg nummer 50." in client.get(url, {"sida": 2}).text

    def test_an_items_page(self, client, captured, redaktor, library_account):
        post = CapturedItem.objects.get(platform_id="p2")
        signed_in(client, redaktor)
        response = client.get(reverse("capture:item", args=[library_account.pk, post.pk]))
        assert response.status_code == 200
        assert "Första lydelsen" in response.text and "b" * 64 in response.text and "a" * 64 in response.text
        assert '<div class="raw-box"' in response.text and "&quot;id&quot;: &quot;p2&quot;" in response.text

    def test_an_item_of_another_account_is_not_found(self, client, toy, captured, kommunikator, social_account):
        post = CapturedItem.objects.get(platform_id="p2")
        signed_in(client, kommunikator)
        assert client.get(reverse("capture:item", args=[social_account.pk, post.pk])).status_code == 404

    @pytest.mark.parametrize("role", ["annan_redaktor", "chef", "medarbetare", "kommunikator_utan_mfa"])
    def test_only_the_accounts_editors_and_comms_read_it(self, client, captured, library_account, role, request):
        post = CapturedItem.objects.get(platform_id="p2")
        signed_in(client, request.getfixturevalue(role))
        assert client.get(reverse("capture:archive", args=[library_account.pk])).status_code == 403
        assert client.get(reverse("capture:item", args=[library_account.pk, post.pk])).status_code == 403
        page = client.get(library_account.get_absolute_url())
        assert (
            "När öppnar ni?" not in page.text and reverse("capture:archive", args=[library_account.pk]) not in page.text
        )

    def test_media_is_served_to_those_who_may_see_the_item(
        self, client, captured, media, redaktor, medarbetare, library_account
    ):
        post = CapturedItem.objects.get(platform_id="p2")
        stored = CapturedMedia(
            item=post, source_url="https://example.com/a.png", sha256="c" * 64, size=3, content_type="image/png"
        )
        stored.file.save("c" * 64, ContentFile(b"png"), save=True)
        url = reverse("capture:media", args=[library_account.pk, post.pk, stored.pk])
        signed_in(client, redaktor)
        assert "c" * 64 in client.get(reverse("capture:item", args=[library_account.pk, post.pk])).text
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"png"
        assert response["Cache-Control"] == "private, no-store"
        other = CapturedItem.objects.get(platform_id="p1")
        assert client.get(reverse("capture:media", args=[library_account.pk, other.pk, stored.pk])).status_code == 404
        signed_in(client, medarbetare)
        assert client.get(url).status_code == 403

    def test_nothing_can_be_deleted_through_the_pages(self, client, captured, kommunikator, library_account):
        signed_in(client, kommunikator)
        post = CapturedItem.objects.get(platform_id="p2")
        before = CapturedItem.objects.count()
        assert client.post(reverse("capture:item", args=[library_account.pk, post.pk])).status_code == 405
        assert client.post(reverse("capture:archive", args=[library_account.pk])).status_code == 405
        assert CapturedItem.objects.count() == before


# The search ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestSearch:
    def test_comms_searches_every_account(self, client, captured, toy, kommunikator, social_account):
        other = make_connection(toy, social_account, kommunikator, external_id="toy-2")
        item(other, "s1", "Socialtjänsten om biblioteket")
        signed_in(client, kommunikator)
        response = client.get(reverse("capture:search"), {"q": "biblioteket"})
        assert response.status_code == 200
        assert "Nytt inlägg om biblioteket" in response.text and "Socialtjänsten om biblioteket" in response.text
        assert "Gammalt inlägg" not in response.text
        post = CapturedItem.objects.get(platform_id="s1")
        assert reverse("capture:item", args=[social_account.pk, post.pk]) in response.text
        menu = client.get(reverse("dashboard")).text
        assert reverse("capture:search") in menu

    @pytest.mark.parametrize("role", ["redaktor", "chef", "medarbetare"])
    def test_nobody_else_searches(self, client, captured, role, request):
        signed_in(client, request.getfixturevalue(role))
        assert client.get(reverse("capture:search"), {"q": "biblioteket"}).status_code == 403
        assert reverse("capture:search") not in client.get(reverse("dashboard")).text

    @pytest.mark.postgres
    def test_swedish_word_forms_on_postgresql(self, client, captured, kommunikator):
        """PostgreSQL's Swedish stemmer: "biblioteket" finds "bibliotekets" too, "lokal" finds
        "lokaler". (Snowball's Swedish leaves the definite "-et" alone: "bibliotek" does not find
        "biblioteket".)"""
        item(captured, "p3", "Välkommen till bibliotekets nya lokaler", days_ago=2)
        signed_in(client, kommunikator)
        url = reverse("capture:search")
        both = client.get(url, {"q": "biblioteket"}).text
        assert "Nytt inlägg om biblioteket" in both and "bibliotekets nya lokaler" in both
        assert "När öppnar ni?" not in both
        assert "bibliotekets nya lokaler" in client.get(url, {"q": "lokal"}).text
        phrase = client.get(url, {"q": '"nya lokaler" -inlägg'}).text
        assert "bibliotekets nya lokaler" in phrase and "Nytt inlägg om biblioteket" not in phrase

    def test_a_search_with_more_hits_than_are_counted_says_so_and_pages_newest_first(
        self, client, captured, kommunikator, monkeypatch
    ):
        """Beyond COMMON_MATCHES the hits are not all counted; each page is read with the plan that
        fits (selectors.SearchHits), and it is the same page the plain query gives."""
        for n in range(4):
            item(captured, f"v{n}", f"Vintervägen plogas nummer {n}", days_ago=n + 3)
        monkeypatch.setattr(selectors, "COMMON_MATCHES", 2)
        signed_in(client, kommunikator)
        response = client.get(reverse("capture:search"), {"q": "vintervägen"})
        assert "Mer än 2 poster hittades" in response.text
        hits = selectors.SearchHits("vintervägen")
        assert hits.more_than_counted and hits.count() == 3
        assert [i.text for i in hits[0:4]] == [f"Vintervägen plogas nummer {n}" for n in range(4)]
        assert [i.pk for i in hits[1:3]] == [i.pk for i in selectors.search("vintervägen")[1:3]]
        few = selectors.SearchHits("vintervägen 3")
        assert not few.more_than_counted and [i.text for i in few[0:50]] == ["Vintervägen plogas nummer 3"]

    def test_the_contains_fallback_finds_parts_of_words(self, client, captured, kommunikator):
        if selectors.full_text_available():
            pytest.skip("the fallback is SQLite's")
        signed_in(client, kommunikator)
        response = client.get(reverse("capture:search"), {"q": "öppna"})
        assert "När öppnar ni?" in response.text and "Nytt inlägg" not in response.text
        assert "Nothing" not in client.get(reverse("capture:search")).text


# The state of the connections ----------------------------------------------------------------------


@pytest.mark.django_db
def test_health_shows_each_connection_without_its_token(client, captured):
    Connection.objects.filter(pk=captured.pk).update(
        last_success_at=NOW, last_error="The platform asked the portal to wait (rate limit)."
    )
    response = client.get(reverse("health"))
    body = response.json()
    [row] = body["capture"]
    assert "items" not in row and row["last_success"] is not None and "rate limit" in row["last_error"]
    assert TOKEN not in response.text and captured.token_encrypted not in response.text
    assert captured.token_hint not in json.dumps(row)


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_a_sync_shows_on_the_account_page(client, toy, kommunikator, library_account):
    toy.add_post("p1", "Välkommen till biblioteket")
    toy.add_comment("p1", "c1", "Tack!")
    connection = make_connection(toy, library_account, kommunikator)
    Sync(connection).run()
    signed_in(client, kommunikator)
    page = client.get(library_account.get_absolute_url()).text
    assert "Hämtar" in page  # the state
    assert "<dd>2</dd>" in page  # the items captured
    assert "Inte än" not in page  # a last successful capture


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["archive", "search"])
def test_the_archive_and_the_search_cost_the_same_queries_whatever_their_size(
    client, toy, kommunikator, library_account, page
):
    connection = make_connection(toy, library_account, kommunikator)
    signed_in(client, kommunikator)
    url = reverse("capture:archive", args=[library_account.pk]) if page == "archive" else reverse("capture:search")
    params = {} if page == "archive" else {"q": "biblioteket"}
    counts = []
    for size in (3, 30):
        start = CapturedItem.objects.count()
        for n in range(start, start + size):
            post = item(connection, f"p{n}", f"Inlägg {n} om biblioteket", days_ago=n)
            reply = item(connection, f"c{n}", "Fråga", kind="comment", thread=post, parent=post)
            item(connection, f"r{n}", "Svar om biblioteket", kind="comment", thread=post, parent=reply, by_account=True)
        client.get(url, params)
        with CaptureQueriesContext(db) as queries:
            assert client.get(url, params).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_an_answer_the_connector_cannot_read_is_refused_in_plain_words(
    client, toy, kommunikator, library_account, monkeypatch
):
    def unreadable(self, handle=""):
        raise KeyError("id")

    monkeypatch.setattr(ToyConnector, "verify", unreadable)
    signed_in(client, kommunikator)
    response = client.post(reverse("capture:connect", args=[library_account.pk]), connect_form(toy))
    assert response.status_code == 200 and "Plattformen svarade inte som väntat" in response.text
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_a_platform_without_a_connector_keeps_the_manual_log(client, kommunikator, library_account, monkeypatch):
    monkeypatch.setattr(registry, "kinds_for", lambda platform: ["linkedin"])
    signed_in(client, kommunikator)
    assert "anslut/" not in client.get(library_account.get_absolute_url()).text
    response = client.get(reverse("capture:connect", args=[library_account.pk]))
    assert "fortsätt att logga aktiviteten för hand" in response.text and "Kontrollera och anslut" not in response.text
    response = client.post(reverse("capture:connect", args=[library_account.pk]), {"kind": "linkedin"})
    assert response.status_code == 200 and not Connection.objects.exists()


@pytest.mark.django_db
def test_a_token_that_expires_within_14_days_is_to_be_renewed(client, toy, kommunikator, library_account):
    connection = make_connection(
        toy, library_account, kommunikator, token_expires_at=timezone.now() + datetime.timedelta(days=20)
    )
    signed_in(client, kommunikator)
    assert "förnya den nu" not in client.get(library_account.get_absolute_url()).text
    Connection.objects.filter(pk=connection.pk).update(token_expires_at=timezone.now() + datetime.timedelta(days=13))
    assert "förnya den nu" in client.get(library_account.get_absolute_url()).text
