"""The accessibility statement of /socialamedier (lag 2018:1937 om tillgänglighet till digital
offentlig service): anyone reads it, in DIGG's model's parts; only comms change it, and every change
is in the audit trail; the public page and the site's footer link to it."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse

from accounts.tests.test_public import PageOutline
from conftest import sign_in_without_mfa_step
from falkoping_some.lib.errors import DomainError
from publicinfo.models import DEFAULTS, DIGG_REPORT_URL, AccessibilityStatement, ComplianceStatus
from publicinfo.services import update_statement

STATEMENT_URL = reverse("publicinfo:statement")
EDIT_URL = reverse("publicinfo:statement_edit")
LIST_URL = reverse("public:list")


def form_data(**changes):
    data = {
        **DEFAULTS,
        "tested_on": "2026-11-20",
        "reviewed_on": "2026-12-01",
        "known_shortcomings": "Tabellen saknar rubrikceller.",
    }
    return {**data, **changes}


@pytest.mark.django_db
class TestReading:
    def test_anonymous_reads_it_in_swedish_with_every_part_of_diggs_model(self, client):
        response = client.get(STATEMENT_URL)
        assert response.status_code == 200
        html = response.content.decode()
        outline = PageOutline(html)
        assert [text for level, text in outline.headings] == [
            "Tillgänglighetsredogörelse",
            "Vad kan du göra om du inte kan använda delar av sidan?",
            "Tillsyn",
            "Teknisk information om sidans tillgänglighet",
            "Innehåll som inte är tillgängligt",
            "Innehåll som inte omfattas av lagen",
            "Hur vi testat sidan",
        ]
        # The law, its standard and the compliance in DIGG's words.
        assert "Den här sidan är delvis förenlig med lagen (2018:1937)" in html
        assert "EN 301 549" in html and "WCAG 2.1 på nivå AA" in html
        # How to report a shortcoming, and the supervisory authority with its notification route.
        assert outline.link_text(f"mailto:{DEFAULTS['contact_email']}") == [DEFAULTS["contact_email"]]
        assert outline.link_text(DIGG_REPORT_URL) == ["Anmäl bristande tillgänglighet till Digg"]
        assert "Myndigheten för digital förvaltning (Digg) ansvarar för tillsyn" in html
        # When it was tested and reviewed (the seeded default).
        assert "Vi bedömde senast sidan den 1 december 2026." in html
        assert "Redogörelsen uppdaterades senast den 1 december 2026." in html
        # No edit link for the public, and back to the list.
        assert EDIT_URL not in html
        assert outline.link_text(LIST_URL)

    def test_in_english_the_headings_translate_and_comms_text_is_marked_swedish(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = client.get(STATEMENT_URL).content.decode()
        headings = [text for level, text in PageOutline(html).headings]
        assert headings[:3] == [
            "Accessibility statement",
            "What can you do if you cannot use parts of the page?",
            "Enforcement",
        ]
        assert "This page is partially compliant with the law" in html
        # WCAG 3.1.2: the Swedish text comms wrote is marked as Swedish.
        assert '<div lang="sv"><p>Om du inte kan använda någon del av sidan' in html

    def test_the_page_is_never_empty(self, client):
        AccessibilityStatement.objects.all().delete()
        html = client.get(STATEMENT_URL).content.decode()
        assert "Vi bedömde senast sidan den 1 december 2026." in html
        assert DEFAULTS["contact_email"] in html

    def test_comms_sees_the_edit_link(self, client, kommunikator):
        client.force_login(kommunikator)
        assert PageOutline(client.get(STATEMENT_URL).content.decode()).link_text(EDIT_URL) == [
            "Ändra tillgänglighetsredogörelsen"
        ]


@pytest.mark.django_db
class TestLinks:
    def test_linked_from_the_public_page(self, client, library_account):
        outline = PageOutline(client.get(LIST_URL).content.decode())
        assert outline.link_text(STATEMENT_URL) == ["Tillgänglighetsredogörelse"]

    def test_linked_from_the_public_page_for_signed_in_staff_too(self, client, medarbetare):
        client.force_login(medarbetare)
        outline = PageOutline(client.get(LIST_URL).content.decode())
        assert outline.link_text(STATEMENT_URL) == ["Tillgänglighetsredogörelse"]

    def test_in_the_site_footer_for_anonymous_visitors(self, client):
        response = client.get(reverse("account_login"))
        assert PageOutline(response.content.decode()).link_text(STATEMENT_URL) == ["Tillgänglighetsredogörelse"]

    def test_not_on_staff_pages(self, client, medarbetare):
        client.force_login(medarbetare)
        assert STATEMENT_URL not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
class TestEditing:
    def test_comms_changes_it_and_the_public_sees_it_at_once(self, client, kommunikator):
        client.get(STATEMENT_URL)  # a render before the change
        client.force_login(kommunikator)
        response = client.post(EDIT_URL, form_data(compliance=ComplianceStatus.FULL, known_shortcomings=""))
        assert response.status_code == 302
        assert response["Location"] == STATEMENT_URL
        client.logout()
        html = client.get(STATEMENT_URL).content.decode()
        assert "Den här sidan är helt förenlig med lagen" in html
        assert "Vi känner inte till något innehåll som inte är tillgängligt." in html
        assert "Vi bedömde senast sidan den 20 november 2026." in html
        statement = AccessibilityStatement.objects.get()
        assert statement.compliance == ComplianceStatus.FULL
        assert statement.tested_on == datetime.date(2026, 11, 20)

    def test_every_change_is_in_the_audit_trail(self, client, kommunikator):
        client.force_login(kommunikator)
        with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 30, tzinfo=datetime.UTC), tick=False):
            client.post(EDIT_URL, form_data(contact_phone="0515-88 50 01"))
        [entry] = LogEntry.objects.get_for_model(AccessibilityStatement).filter(action=LogEntry.Action.UPDATE)
        assert entry.actor == kommunikator
        assert entry.timestamp == datetime.datetime(2026, 12, 2, 9, 30, tzinfo=datetime.UTC)
        assert entry.changes_dict["contact_phone"] == [DEFAULTS["contact_phone"], "0515-88 50 01"]
        assert entry.changes_dict["known_shortcomings"][1] == "Tabellen saknar rubrikceller."
        # The edit page lists who changed what and when.
        html = client.get(EDIT_URL).content.decode()
        assert "2 december 2026 10:30" in html  # Swedish time
        assert str(kommunikator) in html
        assert "telefon för kontakt" in html

    def test_a_wrong_form_changes_nothing(self, client, kommunikator):
        client.force_login(kommunikator)
        response = client.post(EDIT_URL, form_data(contact_email="inte en adress", feedback=""))
        assert response.status_code == 200
        assert response.context["form"].errors.keys() == {"contact_email", "feedback"}
        assert AccessibilityStatement.objects.get().contact_email == DEFAULTS["contact_email"]
        assert not LogEntry.objects.get_for_model(AccessibilityStatement).filter(action=LogEntry.Action.UPDATE)

    @pytest.mark.parametrize("role", ["medarbetare", "chef", "redaktor"])
    def test_only_comms(self, client, role, request):
        client.force_login(request.getfixturevalue(role))
        assert client.get(EDIT_URL).status_code == 403
        assert client.post(EDIT_URL, form_data(compliance=ComplianceStatus.NONE)).status_code == 403
        assert AccessibilityStatement.objects.get().compliance == ComplianceStatus.PARTIAL

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.post(EDIT_URL, form_data(compliance=ComplianceStatus.NONE))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert AccessibilityStatement.objects.get().compliance == ComplianceStatus.PARTIAL

    def test_comms_without_the_mfa_step_is_asked_for_it(self, client, kommunikator):
        sign_in_without_mfa_step(client, kommunikator)
        response = client.post(EDIT_URL, form_data(compliance=ComplianceStatus.NONE))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
        assert AccessibilityStatement.objects.get().compliance == ComplianceStatus.PARTIAL

    def test_the_service_refuses_anyone_else(self, medarbetare):
        with pytest.raises(DomainError):
            update_statement(medarbetare, {"compliance": ComplianceStatus.NONE})
        assert AccessibilityStatement.objects.get().compliance == ComplianceStatus.PARTIAL


@pytest.mark.django_db
class TestAdmin:
    URL = reverse("admin:publicinfo_accessibilitystatement_change", args=[1])

    def test_comms_change_it_in_the_admin_too_and_it_is_recorded(self, client, kommunikator):
        client.force_login(kommunikator)
        assert client.get(self.URL).status_code == 200
        # One statement: no second, no delete.
        assert client.get(reverse("admin:publicinfo_accessibilitystatement_add")).status_code == 403
        assert client.get(reverse("admin:publicinfo_accessibilitystatement_delete", args=[1])).status_code == 403
        response = client.post(self.URL, form_data(compliance=ComplianceStatus.NONE))
        assert response.status_code == 302
        assert AccessibilityStatement.objects.get().compliance == ComplianceStatus.NONE
        [entry] = LogEntry.objects.get_for_model(AccessibilityStatement).filter(action=LogEntry.Action.UPDATE)
        assert entry.actor == kommunikator
        assert entry.changes_dict["compliance"] == ["partial", "none"]
