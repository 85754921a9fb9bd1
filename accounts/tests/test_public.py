"""R16: the public list at /socialamedier, its open data, and the citizen's check "is this account
really the municipality's?".

Assertions are on data and structure, not on wording (the lead translates the UI into Swedish).
"""

import csv
import datetime
import io
import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts.links import normalize_handle, normalize_url
from accounts.models import AccountStatus, ClosingReason, Platform, SocialAccount, User
from accounts.public_views import OPEN_DATA_FIELDS, csv_cell, escape_csv_cell
from accounts.tests.factories import OrgUnitFactory, SocialAccountFactory, UserFactory

LIST_URL = reverse("public:list")
JSON_URL = reverse("public:json")
CSV_URL = reverse("public:csv")

# The list costs two queries (all units, then the active accounts with their unit) when the
# cache is empty, none when it holds the list; a check costs one more, whatever the registry's size.
LIST_QUERIES = 2
CHECK_QUERIES = 1


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: the file cache under var/test is shared by every test run in
    the tree, and another run clearing or filling it would make the query counts below flaky."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-public"}
    }
    cache.clear()
    yield
    cache.clear()


class PageOutline(HTMLParser):
    """The headings and links of a page, in document order, with their text."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self._open: list[list] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "h4", "a"):
            self._open.append([tag, dict(attrs).get("href"), ""])

    def handle_data(self, data):
        for item in self._open:
            item[2] += data

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            name, href, text = self._open.pop()
            text = " ".join(text.split())
            if name == "a":
                self.links.append((href, text))
            else:
                self.headings.append((name, text))

    def link_text(self, href: str) -> list[str]:
        return [text for h, text in self.links if h == href]


def page(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return response, PageOutline(response.content.decode())


def open_data(client):
    """The three outputs, as text: the page, the JSON and the CSV."""
    html = client.get(LIST_URL).content.decode()
    data = client.get(JSON_URL).content.decode("utf-8")
    table = client.get(CSV_URL).content.decode("utf-8-sig")
    return html, data, table


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def bulk_active_accounts(units, n):
    """n active accounts in one query. bulk_create skips save(), so set the normalised fields."""
    accounts = []
    for i in range(n):
        url = f"https://www.instagram.com/massa{i}"
        handle = f"@massa{i}"
        accounts.append(
            SocialAccount(
                platform=Platform.INSTAGRAM,
                name=f"Massa {i:03}",
                handle=handle,
                url=url,
                normalized_url=normalize_url(url),
                normalized_handle=normalize_handle(handle),
                unit=units[i % len(units)],
                description=f"Konto nummer {i}.",
                purposes=["services"],
                status=AccountStatus.ACTIVE,
                activated_on=datetime.date(2024, 1, 15),
            )
        )
    SocialAccount.objects.bulk_create(accounts)


@pytest.fixture
def kultur_account(kultur):
    """An account of the administration itself, not of a unit below it."""
    return SocialAccountFactory(
        name="Kultur i Falköping",
        platform=Platform.INSTAGRAM,
        handle="@kulturifalkoping",
        url="https://www.instagram.com/kulturifalkoping",
        description="Evenemang och mötesplatser.",
        unit=kultur,
    )


@pytest.fixture
def closed_account(biblioteket):
    return SocialAccountFactory(
        name="Bokbussen",
        platform=Platform.X,
        handle="@bokbussen",
        url="https://x.com/bokbussen",
        unit=biblioteket,
        status=AccountStatus.CLOSED,
        closed_on=datetime.date(2024, 5, 31),
        closing_reason=ClosingReason.INACTIVE_6_MONTHS,
        closing_note="HEMLIG-ANTECKNING om bokbussen",
    )


@pytest.fixture
def staff_data(biblioteket, library_account, closed_account):
    """Everything the public must never see: people, notes, and accounts not (or no longer) in use."""
    holder = UserFactory(
        email="inloggning.hemlig@example.falkoping.se", first_name="Hemlighetsfull", last_name="Inloggningsdottir"
    )
    requester = UserFactory(
        email="bestallare.hemlig@example.falkoping.se", first_name="Beställarlina", last_name="Hemligström"
    )
    library_account.login_holders.add(holder)
    library_account.requested_by = requester
    library_account.save()
    hidden = {}
    for status in (
        AccountStatus.REQUESTED,
        AccountStatus.MANAGER_APPROVED,
        AccountStatus.APPROVED,
        AccountStatus.REJECTED,
    ):
        hidden[status] = SocialAccountFactory(
            name=f"Ej publicerat {status}",
            handle=f"ejpublicerat_{status}",
            url=f"https://www.facebook.com/ejpublicerat-{status}",
            description=f"Hemlig beskrivning {status}",
            unit=biblioteket,
            status=status,
            activated_on=None,
            requested_by=requester,
        )
    return {"holder": holder, "requester": requester, "hidden": hidden, "closed": closed_account}


@pytest.mark.django_db
class TestPublicList:
    def test_lists_active_accounts_grouped_by_administration_and_unit(
        self, client, library_account, social_account, kultur_account, closed_account, staff_data
    ):
        response, outline = page(client)

        # h1, the check (h2), then an h2 per administration with an h3 per unit below it, then the
        # notice on how comments and messages are handled (h2) and the check as open data (h2).
        assert outline.headings[0][0] == "h1"
        assert outline.headings[1][0] == "h2"
        assert outline.headings[2:] == [
            ("h2", "Kultur- och fritidsförvaltningen"),
            ("h3", "Biblioteket"),
            ("h2", "Socialförvaltningen"),
            ("h2", "Så hanterar vi kommentarer och meddelanden"),
            ("h2", "För utvecklare"),
        ]
        # Each account: its name and platform as the text of a link to its address.
        for account in (library_account, social_account, kultur_account):
            [text] = outline.link_text(account.url)
            assert account.name in text
            assert account.platform_name in text
        html = response.content.decode()
        assert "Evenemang och mötesplatser." in html
        # The administration's own account comes before its units' accounts.
        assert html.index(kultur_account.url) < html.index("Biblioteket") < html.index(library_account.url)
        # Only the active ones.
        assert [row["name"] for row in response.context["groups"][0].units[0][1]] == [kultur_account.name]
        assert closed_account.url not in html
        for hidden in staff_data["hidden"].values():
            assert hidden.url not in html
            assert hidden.name not in html

    def test_deeper_units_are_named_by_their_path(self, client, kultur, biblioteket):
        barn = OrgUnitFactory(name="Barnavdelningen", parent=biblioteket)
        SocialAccountFactory(name="Sagostunden", unit=barn)
        SocialAccountFactory(name="Biblioteket på Facebook", unit=biblioteket)
        _, outline = page(client)
        assert outline.headings[2:-2] == [
            ("h2", kultur.name),
            ("h3", "Biblioteket"),
            ("h3", "Biblioteket – Barnavdelningen"),
        ]

    def test_swedish_alphabetical_order(self, client):
        for name in ("Östra förvaltningen", "Äldreförvaltningen", "Åsarps förvaltning", "Zeta förvaltning"):
            SocialAccountFactory(unit=OrgUnitFactory(name=name))
        _, outline = page(client)
        assert [text for level, text in outline.headings if level == "h2"][1:-2] == [
            "Zeta förvaltning",
            "Åsarps förvaltning",
            "Äldreförvaltningen",
            "Östra förvaltningen",
        ]

    def test_the_check_as_open_data_is_documented_for_developers(self, client, library_account):
        response, outline = page(client)
        assert ("h2", "För utvecklare") in outline.headings
        example = [href for href, _ in outline.links if href.startswith(reverse("publicinfo:verify") + "?url=")]
        assert len(example) == 1
        assert client.get(example[0]).json()["kind"] in ("account", None)

    def test_plain_page_for_the_public(self, client, library_account):
        response, outline = page(client)
        html = response.content.decode()
        assert '<html lang="sv">' in html
        # No staff menu: only a way to sign in.
        staff_pages = {reverse("dashboard"), reverse("accounts:list"), reverse("admin:index"), reverse("mfa_index")}
        assert not staff_pages & {href for href, _ in outline.links}
        assert reverse("account_login") in {href for href, _ in outline.links}
        # The open data is linked.
        assert outline.link_text(JSON_URL)
        assert outline.link_text(CSV_URL)
        # The check: a GET form with a labelled field `konto`.
        assert 'method="get"' in html
        assert '<label for="id_konto">' in html
        assert 'name="konto"' in html
        assert 'id="id_konto"' in html

    def test_english_on_request(self, client, library_account):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response, outline = page(client)
        assert '<html lang="en">' in response.content.decode()
        assert ("h2", "Is the account really the municipality's?") in outline.headings
        assert outline.link_text(library_account.url) == ["Falköpings bibliotek on Facebook"]

    def test_signed_in_staff_see_no_staff_menu_either(self, client, medarbetare, library_account):
        client.force_login(medarbetare)
        _, outline = page(client)
        hrefs = {href for href, _ in outline.links}
        assert reverse("accounts:list") not in hrefs
        assert reverse("dashboard") in hrefs  # the way back to the portal

    def test_no_accounts(self, client, db):
        response, _ = page(client)
        assert response.context["groups"] == []

    def test_cache_headers(self, client, library_account):
        response = client.get(LIST_URL)
        cache_control = response["Cache-Control"]
        assert "max-age=300" in cache_control
        assert "public" in cache_control  # the same bytes for every anonymous visitor
        assert "Cookie" in response["Vary"]
        for url in (JSON_URL, CSV_URL):
            cache_control = client.get(url)["Cache-Control"]
            assert "public" in cache_control
            assert "max-age=300" in cache_control

    def test_only_reading(self, client, library_account):
        for url in (LIST_URL, JSON_URL, CSV_URL):
            assert client.post(url).status_code == 405
            assert client.head(url).status_code == 200


@pytest.mark.django_db
class TestOpenData:
    def expected(self, *accounts):
        return [
            {
                "name": a.name,
                "platform": a.platform,
                "platform_name": a.platform_name,
                "url": a.url,
                "handle": a.handle,
                "description": a.description,
                "unit": a.unit.name,
                "administration": a.unit.parent.name if a.unit.parent else a.unit.name,
            }
            for a in accounts
        ]

    def test_json_is_the_active_set(self, client, library_account, social_account, kultur_account, staff_data):
        response = client.get(JSON_URL)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        data = json.loads(response.content.decode("utf-8"))
        assert set(data) == {"source", "count", "accounts"}
        assert data["source"].endswith(LIST_URL)
        assert data["count"] == 3
        assert data["accounts"] == self.expected(kultur_account, library_account, social_account)
        # UTF-8 as it is, not \u00f6.
        assert "Falköpings bibliotek".encode() in response.content
        assert b"\\u00f6" not in response.content

    def test_csv_is_the_active_set(self, client, library_account, social_account, kultur_account, staff_data):
        response = client.get(CSV_URL)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "socialamedier.csv" in response["Content-Disposition"]
        assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM, for Excel
        text = response.content.decode("utf-8-sig")
        assert next(csv.reader(io.StringIO(text))) == list(OPEN_DATA_FIELDS)
        expected = self.expected(kultur_account, library_account, social_account)
        # The cells as the registry holds them, the user names without their @ (see below).
        for row in expected:
            row["handle"] = row["handle"].lstrip("@")
        assert csv_rows(response) == expected
        assert csv_rows(response)[0]["handle"] == "kulturifalkoping"
        assert "'" not in response.content.decode("utf-8-sig")

    def test_csv_cells_cannot_be_formulas(self, client, biblioteket):
        SocialAccountFactory(
            name='=HYPERLINK("https://fake.example","Klicka")',
            handle="@falkopingsbibliotek",
            description="-2+3",
            unit=biblioteket,
        )
        SocialAccountFactory(name="@SUM(1+1)", handle="@+46515885000", description="Hej", unit=biblioteket)
        rows = {row["description"]: row for row in csv_rows(client.get(CSV_URL))}
        row = rows["'-2+3"]
        assert row["name"] == '\'=HYPERLINK("https://fake.example","Klicka")'
        # A user name loses its @ and so needs no guard.
        assert row["handle"] == "falkopingsbibliotek"
        # Only the cells that need it are guarded: a name beginning with @, a user name that
        # would still begin with a formula character without its @.
        assert rows["Hej"]["name"] == "'@SUM(1+1)"
        assert rows["Hej"]["handle"] == "'+46515885000"
        assert rows["Hej"]["unit"] == "Biblioteket"
        assert row["url"].startswith("https://")
        # The JSON is data, not a spreadsheet: as typed.
        accounts = {a["description"]: a for a in client.get(JSON_URL).json()["accounts"]}
        assert accounts["-2+3"]["name"].startswith("=HYPERLINK")
        assert accounts["-2+3"]["handle"] == "@falkopingsbibliotek"

    def test_empty(self, client, db):
        assert client.get(JSON_URL).json() == {"source": "http://testserver/socialamedier", "count": 0, "accounts": []}
        assert csv_rows(client.get(CSV_URL)) == []


class TestEscapeCsvCell:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("=1+2", "'=1+2"),
            ("+46 515 88 50 00", "'+46 515 88 50 00"),
            ("-1", "'-1"),
            ("@falkoping", "'@falkoping"),
            ("\tdold", "'\tdold"),
            ("\rdold", "'\rdold"),
            ("Falköpings bibliotek", "Falköpings bibliotek"),
            ("a=b", "a=b"),
            ("https://x.com/falkoping", "https://x.com/falkoping"),
            ("", ""),
            (None, ""),
        ],
    )
    def test_escape(self, value, expected):
        assert escape_csv_cell(value) == expected

    @pytest.mark.parametrize(
        ("field", "value", "expected"),
        [
            ("handle", "@falkopingskommun", "falkopingskommun"),
            ("handle", "falkopingskommun", "falkopingskommun"),
            ("handle", "@biblioteket@mastodon.example", "biblioteket@mastodon.example"),
            ("handle", "@=1+2", "'=1+2"),
            ("handle", "", ""),
            ("name", "@falkopingskommun", "'@falkopingskommun"),
            ("description", "@kommunen svarar", "'@kommunen svarar"),
        ],
    )
    def test_csv_cell(self, field, value, expected):
        assert csv_cell(field, value) == expected


@pytest.mark.django_db
class TestPublicNotice:
    """What the eSam guidance on social media expects beside the list, in the routine's words."""

    def notice(self, html: str) -> str:
        return html[html.index('id="sa-hanterar-vi"') : html.index("</section>", html.index('id="sa-hanterar-vi"'))]

    def test_the_notice_says_the_routines_rules(self, client, library_account):
        response, outline = page(client)
        html = response.content.decode()
        notice = self.notice(html)
        # Beside the list: after the last administration's accounts.
        assert html.index(library_account.url) < html.index('id="sa-hanterar-vi"')
        assert 'aria-labelledby="notice-heading"' in notice
        # R3: comments and messages are public records.
        assert "blir enligt offentlighetsprincipen allmänna handlingar" in notice
        # R20: questions answered on weekdays within 24 hours, signed.
        assert "besvaras under vardagar inom 24 timmar" in notice
        assert "namn och avdelning" in notice
        # R21, R22: what is removed and why, with the routine's nine categories.
        assert "strider mot lagar eller kommunens regler för sociala medier" in notice
        assert "polisanmäls" in notice
        categories = [
            "Förtal, personliga angrepp eller förolämpningar",
            "Nedsättande kommentarer baserade på kulturell bakgrund eller etnicitet",
            "Hets mot folkgrupp eller andra trakasserier",
            "Olovliga våldsskildringar eller pornografi",
            "Uppmaningar till brott eller annan brottslig verksamhet",
            "Olovligt bruk av upphovsrättsligt skyddat material",
            "Svordomar eller obscena ord",
            "Kommersiella budskap, reklam eller spam",
        ]
        for category in categories:
            assert f"<li>{category}</li>" in notice, category
        assert notice.count("<li>") == 9
        # How to request records: the registry's address.
        assert outline.link_text(f"mailto:{settings.PORTAL_RECORDS_CONTACT}") == [settings.PORTAL_RECORDS_CONTACT]

    def test_in_english(self, client, library_account):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response, outline = page(client)
        assert ("h2", "How we handle comments and messages") in outline.headings
        notice = self.notice(response.content.decode())
        assert "on weekdays within 24 hours" in notice
        assert "<li>Profanity or obscene words</li>" in notice

    def test_also_without_accounts(self, client, db):
        response, outline = page(client)
        assert ("h2", "Så hanterar vi kommentarer och meddelanden") in outline.headings

    def test_the_records_contact_is_a_setting(self, client, library_account, settings):
        settings.PORTAL_RECORDS_CONTACT = "registrator@example.falkoping.se"
        response, outline = page(client)
        assert outline.link_text("mailto:registrator@example.falkoping.se") == ["registrator@example.falkoping.se"]

    def test_the_open_data_note_says_how_the_csv_is_encoded(self, client, library_account):
        html = client.get(LIST_URL).content.decode()
        assert "CSV-filen är kommaavgränsad text i UTF-8 med byte order mark (BOM)" in html
        # What it says is what the file is.
        response = client.get(CSV_URL)
        assert response.content.startswith(b"\xef\xbb\xbf")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(OPEN_DATA_FIELDS)


@pytest.mark.django_db
class TestNoStaffDataLeaks:
    def test_absent_from_page_json_and_csv(self, client, staff_data, kommunikator, chef):
        secrets = [
            staff_data["holder"].email,
            staff_data["holder"].first_name,
            staff_data["holder"].last_name,
            staff_data["requester"].email,
            staff_data["requester"].first_name,
            staff_data["requester"].last_name,
            kommunikator.email,
            chef.email,
            "HEMLIG-ANTECKNING",
            staff_data["closed"].name,
            staff_data["closed"].url,
            "example.falkoping.se",
        ]
        for account in staff_data["hidden"].values():
            secrets += [account.name, account.url, account.handle, account.description]
        for output in open_data(client):
            for secret in secrets:
                assert secret not in output
        # The exports carry the public fields and nothing else.
        assert all(set(a) == set(OPEN_DATA_FIELDS) for a in client.get(JSON_URL).json()["accounts"])

    def test_absent_from_the_check(self, client, staff_data):
        for value in (staff_data["closed"].url, "@bokbussen", "https://www.facebook.com/falkopingsbibliotek"):
            html = client.get(LIST_URL, {"konto": value}).content.decode()
            assert "HEMLIG-ANTECKNING" not in html
            assert staff_data["holder"].email not in html
            assert staff_data["requester"].last_name not in html
            assert "example.falkoping.se" not in html


@pytest.mark.django_db
class TestVerification:
    def check(self, client, value):
        response = client.get(LIST_URL, {"konto": value})
        assert response.status_code == 200
        return response

    @pytest.mark.parametrize(
        "value",
        [
            "https://www.facebook.com/falkopingsbibliotek",
            "facebook.com/falkopingsbibliotek",
            "www.facebook.com/falkopingsbibliotek",
            "https://m.facebook.com/falkopingsbibliotek",
            "https://www.facebook.com/falkopingsbibliotek/",
            "https://www.facebook.com/falkopingsbibliotek?ref=x",
            "https://www.facebook.com/FalkopingsBibliotek",
            "http://facebook.com/FALKOPINGSBIBLIOTEK/",
            "https://www.facebook.com/falkopingsbibliotek/posts/pfbid0123456789",
            "https://www.facebook.com/falkopingsbibliotek/photos/a.1/2/?type=3",
            "  https://www.facebook.com/falkopingsbibliotek  ",
        ],
    )
    def test_official_by_link(self, client, library_account, value):
        response = self.check(client, value)
        verification = response.context["verification"]
        assert verification.outcome == "official"
        assert not verification.by_handle
        assert verification.official == [library_account]
        outline = PageOutline(response.content.decode())
        # The result says which account: name and platform as a link, and its unit.
        assert outline.link_text(library_account.url)[0] == outline.link_text(library_account.url)[-1]
        assert len(outline.link_text(library_account.url)) == 2  # in the result and in the list
        html = response.content.decode()
        assert 'id="resultat"' in html
        assert 'role="status"' in html
        assert html.index('id="resultat"') < html.index("Kultur- och fritidsförvaltningen</h2>")
        result = html[html.index('id="resultat"') : html.index("Kultur- och fritidsförvaltningen</h2>")]
        assert "Biblioteket" in result
        assert "Kultur- och fritidsförvaltningen" in result

    @pytest.mark.parametrize("value", ["@falkopingsbibliotek", "@FalkopingsBibliotek", "falkopingsbibliotek"])
    def test_official_by_handle_names_the_platforms(self, client, library_account, biblioteket, value):
        instagram = SocialAccountFactory(
            name="Biblioteket på Instagram",
            platform=Platform.INSTAGRAM,
            handle="@falkopingsbibliotek",
            url="https://www.instagram.com/falkopingsbibliotek",
            unit=biblioteket,
        )
        response = self.check(client, value)
        verification = response.context["verification"]
        assert verification.outcome == "official"
        assert verification.by_handle
        assert set(verification.official) == {library_account, instagram}
        assert response.context["official_platforms"] == "Facebook, Instagram"
        html = response.content.decode()
        result = html[html.index('id="resultat"') :]
        assert "Facebook, Instagram" in result
        assert instagram.url in result

    def test_handle_of_an_active_and_a_closed_account(self, client, closed_account, biblioteket):
        SocialAccountFactory(handle="@bokbussen", url="https://www.facebook.com/bokbussen", unit=biblioteket)
        response = self.check(client, "@bokbussen")
        assert response.context["verification"].outcome == "official"
        assert response.context["closed"] == [
            {"name": "Bokbussen", "platform_name": "X", "closed_on": datetime.date(2024, 5, 31)}
        ]

    @pytest.mark.parametrize(
        "value", ["https://x.com/bokbussen", "https://twitter.com/Bokbussen/status/1", "@bokbussen"]
    )
    def test_closed(self, client, closed_account, value):
        response = self.check(client, value)
        assert response.context["verification"].outcome == "closed"
        # Name, platform, closing date: nothing else.
        assert response.context["closed"] == [
            {"name": "Bokbussen", "platform_name": "X", "closed_on": datetime.date(2024, 5, 31)}
        ]
        html = response.content.decode()
        result = html[html.index('id="resultat"') :]
        assert "Bokbussen" in result
        assert "2024" in result
        assert "HEMLIG-ANTECKNING" not in html
        assert closed_account.unit.name not in result
        # The closed account is not offered as a link to follow.
        assert f'href="{closed_account.url}"' not in html

    @pytest.mark.parametrize(
        "value",
        [
            "facebook.com",
            "https://www.facebook.com",
            "www.facebook.com/",
            "@someoneelse",
            "https://www.facebook.com/falkopingsbibliotek-officiell",
            "https://www.facebook.com/falkopingsbibliotek/../falska.biblioteket",
            "https://falska.example\\@facebook.com/falkopingsbibliotek",
            "https://facebook.com.falska.example/falkopingsbibliotek",
            "https://www.instagram.com/falkopingsbibliotek",
            "Falköpings bibliotek",
        ],
    )
    def test_unknown(self, client, library_account, value):
        response = self.check(client, value)
        verification = response.context["verification"]
        assert verification.outcome == "unknown"
        assert verification.official == verification.closed == []
        html = response.content.decode()
        result = html[html.index('id="resultat"') :]
        # The advice names where to report a fake account.
        assert f'href="mailto:{settings.COMMS_CONTACT_EMAIL}"' in result

    def test_unknown_in_english(self, client, library_account):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.check(client, "https://www.facebook.com/falska.biblioteket")
        outline = PageOutline(response.content.decode())
        assert ("h3", "The account is not in the municipality's list") in outline.headings
        assert "<title>Unknown account" in response.content.decode()

    def test_accounts_not_in_use_are_unknown(self, client, staff_data):
        for account in staff_data["hidden"].values():
            for value in (account.url, account.handle):
                response = self.check(client, value)
                assert response.context["verification"].outcome == "unknown", (account.status, value)
                assert account.name not in response.content.decode()

    def test_profile_ids_stay_apart(self, client, biblioteket):
        account = SocialAccountFactory(handle="", url="https://www.facebook.com/profile.php?id=1", unit=biblioteket)
        assert self.check(client, "https://www.facebook.com/profile.php?id=2").context["verification"].outcome == (
            "unknown"
        )
        assert self.check(client, "facebook.com/profile.php").context["verification"].outcome == "unknown"
        response = self.check(client, "https://m.facebook.com/profile.php?id=1&ref=bookmarks")
        assert response.context["verification"].official == [account]

    def test_empty_or_too_long_is_an_error_not_a_result(self, client, library_account):
        for value in ("", "   ", "x" * 501):
            response = self.check(client, value)
            assert response.context["verification"] is None
            assert response.context["form"].errors
            assert 'aria-invalid="true"' in response.content.decode()

    def test_no_result_without_a_value(self, client, library_account):
        assert 'id="resultat"' not in self.check(client, "").content.decode()
        response, _ = page(client)
        assert response.context["verification"] is None
        assert not response.context["form"].is_bound
        assert 'id="resultat"' not in response.content.decode()

    @pytest.mark.parametrize("value", ["\u202egro.elpmaxe//:sptth", "@falska\u2067biblioteket"])
    def test_pasted_text_is_echoed_in_isolation(self, client, library_account, value):
        """A right-to-left override in what the visitor pasted must not turn the municipality's
        sentence around it (the screenshot of a "confirmed" fake account): <bdi> isolates it."""
        result = self.check(client, value).content.decode()
        assert f"<strong><bdi>{value}</bdi></strong>" in result

    def test_a_handle_found_is_echoed_in_isolation(self, client, library_account):
        result = self.check(client, "@falkopingsbibliotek").content.decode()
        assert "<strong><bdi>@falkopingsbibliotek</bdi></strong>" in result

    def test_result_is_not_cached(self, client, library_account):
        response = self.check(client, "@falkopingsbibliotek")
        assert "no-store" in response["Cache-Control"]
        library_account.status = AccountStatus.CLOSED
        library_account.closed_on = datetime.date(2025, 3, 1)
        library_account.closing_reason = ClosingReason.ON_REQUEST
        library_account.save()
        assert self.check(client, "@falkopingsbibliotek").context["verification"].outcome == "closed"


CHANNEL = "UCabcdefghijklmnopqrstuv"  # a YouTube channel's id: UC and 22 characters
PAGE_NUMBER = "100064512345678"  # a Facebook page's number


@pytest.mark.django_db
class TestWhatTheLinkTells:
    """Issue 17, 6: links that name an account by the platform's id, redirect links, and links that
    name no account (a video) are judged for what they are, never called fake when they cannot be."""

    def check(self, client, value):
        response = client.get(LIST_URL, {"konto": value})
        assert response.status_code == 200
        return response

    @pytest.fixture
    def facebook_page(self, biblioteket):
        return SocialAccountFactory(
            name="Falköpings kommun",
            platform=Platform.FACEBOOK,
            handle="falkopingskommun",
            url="https://www.facebook.com/falkopingskommun",
            platform_id=PAGE_NUMBER,
            unit=biblioteket,
        )

    @pytest.fixture
    def youtube_channel(self, biblioteket):
        return SocialAccountFactory(
            name="Falköpings kommun på YouTube",
            platform=Platform.YOUTUBE,
            handle="@falkopingskommun",
            url="https://www.youtube.com/@falkopingskommun",
            platform_id=CHANNEL,
            unit=biblioteket,
        )

    @pytest.mark.parametrize(
        "value",
        [
            f"https://www.facebook.com/profile.php?id={PAGE_NUMBER}",
            f"https://m.facebook.com/profile.php?id={PAGE_NUMBER}&mibextid=abc",
            f"https://www.facebook.com/permalink.php?story_fbid=pfbid02abc&id={PAGE_NUMBER}",
            f"https://www.facebook.com/{PAGE_NUMBER}/posts/pfbid02abc",
            f"https://www.facebook.com/people/Falkopings-kommun/{PAGE_NUMBER}/",
            # Redirect links around the page's link: judged by the link inside.
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.facebook.com%2Ffalkopingskommun%2Fposts%2F1&h=AT0",
            f"https://lm.facebook.com/l.php?u=https%3A%2F%2Fwww.facebook.com%2Fprofile.php%3Fid%3D{PAGE_NUMBER}",
        ],
    )
    def test_facebook_links_by_the_pages_number_or_redirected(self, client, facebook_page, value):
        verification = self.check(client, value).context["verification"]
        assert verification.outcome == "official"
        assert verification.official == [facebook_page]

    @pytest.mark.parametrize(
        "value",
        [
            f"https://www.youtube.com/channel/{CHANNEL}",
            f"https://m.youtube.com/channel/{CHANNEL}/videos",
            "https://www.youtube.com/@FalkopingsKommun/videos",
            "https://www.youtube.com/@falkopingskommun",
        ],
    )
    def test_youtube_links_by_the_channels_id_or_handle(self, client, youtube_channel, value):
        verification = self.check(client, value).context["verification"]
        assert verification.outcome == "official"
        assert verification.official == [youtube_channel]

    @pytest.mark.parametrize(
        "value",
        [
            "https://youtu.be/dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/shorts/abcdefghijk",
            "https://fb.watch/abcDEF123/",
            "https://www.facebook.com/watch/?v=1234567890",
            "https://www.facebook.com/share/p/1AbCdEf/",
            "https://www.instagram.com/p/C1a2b3c4d5e/",
            # A redirect around a video link.
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fyoutu.be%2FdQw4w9WgXcQ",
        ],
    )
    def test_a_video_or_post_link_that_names_no_account_cannot_be_judged(
        self, client, facebook_page, youtube_channel, value
    ):
        response = self.check(client, value)
        verification = response.context["verification"]
        assert verification.outcome == "undetermined"
        assert verification.official == verification.closed == []
        html = response.content.decode()
        result = html[html.index('id="resultat"') : html.index("</section>")]
        assert "<h3>Länken visar inte vems den är</h3>" in result
        assert "Det betyder inte att den är falsk." in result
        assert "kan vara falskt" not in result
        assert "<title>Kunde inte avgöras" in html
        assert f'href="mailto:{settings.COMMS_CONTACT_EMAIL}"' in result

    def test_cannot_be_judged_in_english(self, client, youtube_channel):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.check(client, "https://youtu.be/dQw4w9WgXcQ")
        assert ("h3", "The link alone does not tell whose it is") in PageOutline(response.content.decode()).headings

    @pytest.mark.parametrize(
        "value",
        [
            # Another page's number, and the page's number on a lookalike host.
            "https://www.facebook.com/profile.php?id=100099999999999",
            f"https://www.faceb00k.com/profile.php?id={PAGE_NUMBER}",
            f"https://facebook.com.falska.example/profile.php?id={PAGE_NUMBER}",
            f"https://youtube.com.falska.example/channel/{CHANNEL}",
            "https://youtu.be.falska.example/dQw4w9WgXcQ",
            # Another channel, and the id of the YouTube channel pasted as a Facebook page.
            "https://www.youtube.com/channel/UCzzzzzzzzzzzzzzzzzzzzzz",
            # A redirect wrapping a fake link is the fake link.
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.facebook.com%2Ffalkopingskommun.official",
            "https://l.facebook.com/l.php?u=https%3A%2F%2Ffalska.example%2Ffalkopingskommun",
            # A post whose permalink names another page.
            "https://www.facebook.com/permalink.php?story_fbid=1&id=100099999999999",
        ],
    )
    def test_lookalikes_and_other_accounts_stay_unknown(self, client, facebook_page, youtube_channel, value):
        verification = self.check(client, value).context["verification"]
        assert verification.outcome == "unknown"

    def test_the_redirects_link_is_named(self, client, facebook_page):
        response = self.check(client, "https://l.facebook.com/l.php?u=https%3A%2F%2Ffalska.example%2Fkommunen&h=x")
        verification = response.context["verification"]
        assert verification.unwrapped == "https://falska.example/kommunen"
        html = response.content.decode()
        assert "<bdi>https://falska.example/kommunen</bdi>" in html

    def test_a_closed_accounts_number_is_closed(self, client, facebook_page):
        facebook_page.status = AccountStatus.CLOSED
        facebook_page.closed_on = datetime.date(2025, 3, 1)
        facebook_page.closing_reason = ClosingReason.ON_REQUEST
        facebook_page.save()
        verification = self.check(client, f"https://www.facebook.com/profile.php?id={PAGE_NUMBER}").context[
            "verification"
        ]
        assert verification.outcome == "closed"

    def test_accounts_not_in_use_are_not_revealed_by_their_number(self, client, biblioteket):
        SocialAccountFactory(
            platform=Platform.FACEBOOK,
            url="https://www.facebook.com/ejpublicerat",
            platform_id=PAGE_NUMBER,
            unit=biblioteket,
            status=AccountStatus.REQUESTED,
            activated_on=None,
        )
        verification = self.check(client, f"https://www.facebook.com/profile.php?id={PAGE_NUMBER}").context[
            "verification"
        ]
        assert verification.outcome == "unknown"


@pytest.mark.django_db
class TestPlatformIdInTheRegistry:
    def form(self, account, kommunikator, **changes):
        from accounts.forms.registry import AccountRegistryForm

        data = {
            "name": account.name, "platform": account.platform, "platform_other": "",
            "handle": account.handle, "url": account.url, "unit": account.unit_id, "platform_id": "",
            "description": "", "purposes": ["tips"], "graphic_profile": "municipal",
            "special_profile_reference": "", "login_holders": [kommunikator.pk],
        }  # fmt: skip
        return AccountRegistryForm({**data, **changes}, instance=account)

    def test_comms_store_a_facebook_pages_number(self, client, library_account, kommunikator):
        client.force_login(kommunikator)
        form = self.form(library_account, kommunikator, platform_id=f" {PAGE_NUMBER} ")
        response = client.post(reverse("accounts:edit", args=[library_account.pk]), form.data)
        assert response.status_code == 302
        library_account.refresh_from_db()
        assert library_account.platform_id == PAGE_NUMBER
        client.logout()
        verification = client.get(LIST_URL, {"konto": f"facebook.com/profile.php?id={PAGE_NUMBER}"}).context[
            "verification"
        ]
        assert verification.official == [library_account]

    @pytest.mark.parametrize("value", ["falkopingsbibliotek", CHANNEL, "12 34"])
    def test_a_facebook_account_takes_only_a_number(self, library_account, kommunikator, value):
        form = self.form(library_account, kommunikator, platform_id=value)
        assert not form.is_valid()
        assert set(form.errors) == {"platform_id"}

    def test_one_number_one_live_account(self, library_account, social_account, kommunikator):
        social_account.platform_id = PAGE_NUMBER
        social_account.save()
        form = self.form(library_account, kommunikator, platform_id=PAGE_NUMBER)
        assert not form.is_valid()
        assert form.errors == {"__all__": ["Ett annat konto i registret har redan detta id på plattformen."]}


@pytest.mark.django_db
class TestQueries:
    """The page costs the same number of queries for 10 accounts as for 500."""

    @pytest.mark.parametrize("n", [10, 500])
    def test_list(self, client, n, django_assert_num_queries):
        bulk_active_accounts([OrgUnitFactory(), OrgUnitFactory()], n)
        cache.clear()
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(LIST_URL)
        assert response.content.decode().count("https://www.instagram.com/massa") == n
        # The second request is served from the cache: not one query.
        with django_assert_num_queries(0):
            client.get(LIST_URL)
        with django_assert_num_queries(0):
            assert client.get(JSON_URL).json()["count"] == n
        with django_assert_num_queries(0):
            assert len(csv_rows(client.get(CSV_URL))) == n

    @pytest.mark.parametrize("n", [10, 500])
    @pytest.mark.parametrize(
        "value",
        [
            "https://www.instagram.com/massa7/",
            "@massa7",
            "https://x.com/okand",
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.instagram.com%2Fmassa7",
            "https://www.facebook.com/profile.php?id=100064512345678",
            f"https://www.youtube.com/channel/{CHANNEL}",
            "https://youtu.be/dQw4w9WgXcQ",
        ],
    )
    def test_list_with_a_check(self, client, n, value, django_assert_num_queries):
        bulk_active_accounts([OrgUnitFactory(), OrgUnitFactory()], n)
        cache.clear()
        # A link to a post or video is first looked up in the archive (capture/selectors.py,
        # public_post): one query more when the archive does not hold it.
        check_queries = CHECK_QUERIES + (1 if "youtu.be/" in value else 0)
        with django_assert_num_queries(LIST_QUERIES + check_queries):
            client.get(LIST_URL, {"konto": value})
        # The list stays cached; the check is asked anew.
        with django_assert_num_queries(check_queries):
            client.get(LIST_URL, {"konto": value})


@pytest.mark.django_db
class TestCacheInvalidation:
    def test_closed_account_leaves_the_list(self, client, library_account, social_account):
        assert client.get(JSON_URL).json()["count"] == 2  # now cached
        library_account.status = AccountStatus.CLOSED
        library_account.closed_on = datetime.date(2025, 2, 1)
        library_account.closing_reason = ClosingReason.ON_REQUEST
        library_account.save()
        html, data, table = open_data(client)
        for output in (html, data, table):
            assert library_account.url not in output
            assert social_account.url in output

    def test_renamed_account_shows_its_new_name(self, client, library_account):
        assert library_account.name in client.get(LIST_URL).content.decode()
        library_account.name = "Stadsbiblioteket Falköping"
        library_account.save()
        for output in open_data(client):
            assert "Stadsbiblioteket Falköping" in output
            assert "Falköpings bibliotek" not in output

    def test_renamed_unit_shows_its_new_name(self, client, library_account, biblioteket):
        client.get(LIST_URL)
        biblioteket.name = "Stadsbiblioteket"
        biblioteket.save()
        _, outline = page(client)
        assert ("h3", "Stadsbiblioteket") in outline.headings

    def test_new_active_account_appears(self, client, library_account, social):
        client.get(LIST_URL)
        account = SocialAccountFactory(name="Nytt konto", unit=social)
        assert account.url in client.get(LIST_URL).content.decode()


# Unicode's bidi controls and zero-width characters: they turn a name around or hide a difference.
HIDDEN = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"] + [
    "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"
]  # fmt: skip
ACCOUNT_REQUEST = {
    "platform": "instagram", "platform_other": "", "name": "Biblioteket för unga", "purposes": ["tips"],
    "target_audience": "Unga 13–19 år", "justification": "Bibliotekets Facebook når inte unga.",
    "graphic_profile": "municipal", "special_profile_reference": "", "description": "Boktips för unga.",
}  # fmt: skip


@pytest.mark.django_db
class TestNoHiddenCharacters:
    """R16: the public list and the check show an account's name and handle as the registry holds
    them; a name that reads as another when shown, or a handle with an invisible difference, would
    let the list vouch for what it does not mean."""

    @pytest.mark.parametrize("character", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
    def test_name_and_handle_refuse_them(self, library_account, character):
        from django.core.exceptions import ValidationError

        for field, value in (("name", f"Falköpings{character} bibliotek"), ("handle", f"falkoping{character}s")):
            setattr(library_account, field, value)
            with pytest.raises(ValidationError) as refused:
                library_account.full_clean()
            assert set(refused.value.message_dict) == {field}
            library_account.refresh_from_db()

    def test_ordinary_text_in_any_script_passes(self, library_account):
        library_account.name = "Falköpings bibliotek – مكتبة Falköping (svenska/عربي)"
        library_account.handle = "@falkoping_bibliotek.2"
        library_account.full_clean()

    def test_the_request_form_shows_the_error(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.post(reverse("accounts:request"), {**ACCOUNT_REQUEST, "name": "Biblioteket\u202e"})
        assert response.status_code == 200
        assert "name" in response.context["form"].errors
        assert "U+202E" in response.text
        assert not SocialAccount.objects.filter(name__startswith="Biblioteket").exists()

    def test_the_registry_form_shows_the_error(self, library_account, kommunikator):
        from accounts.forms.registry import AccountRegistryForm

        data = {
            "name": library_account.name, "platform": library_account.platform, "platform_other": "",
            "handle": "falkoping\u200bsbibliotek", "url": library_account.url, "unit": library_account.unit_id,
            "description": "", "purposes": ["tips"], "graphic_profile": "municipal",
            "special_profile_reference": "", "login_holders": [kommunikator.pk],
        }  # fmt: skip
        form = AccountRegistryForm(data, instance=library_account)
        assert not form.is_valid()
        assert set(form.errors) == {"handle"}
        assert "U+200B" in form.errors["handle"][0]

    def test_the_activation_form_shows_the_error(self, library_account):
        from accounts.forms.registry import ActivationForm

        form = ActivationForm({"handle": "\u2066falkoping\u2069"}, account=library_account, editors=User.objects.none())
        assert not form.is_valid()
        assert "U+2066" in form.errors["handle"][0]
