"""Issue 17 in the registry: labels without rule codes, wording that reads naturally, the
timeline's roles stored as codes and shown in the reader's language, and the employee's own
requests on the start page."""

import datetime
import re

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from accounts.forms.registry import AccountRequestForm, CloseForm
from accounts.models import AccountDecision, AccountStatus, DecisionRole
from accounts.services import lifecycle
from accounts.tests.test_lifecycle import REQUEST
from moderation.deadlines import STOCKHOLM

NOW = datetime.datetime(2026, 11, 20, 17, 48, tzinfo=STOCKHOLM)
ROLE_MIGRATION = __import__("importlib").import_module("accounts.migrations.0022_decision_role_code")


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setattr(lifecycle, "notify", lambda *args: None)


def labels(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<(?:label|legend)[^>]*>(.*?)</", html, re.S)]


@pytest.mark.django_db
class TestLabels:
    def test_the_request_form_labels_carry_no_rule_codes(self, client, medarbetare):
        client.force_login(medarbetare)
        found = labels(client.get(reverse("accounts:request")).text)
        assert "Syften:" in found
        assert not [label for label in found if re.search(r"\bR\d+\b", label)]

    def test_the_self_check_puts_its_rule_in_the_help_text(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.get(reverse("review:self_check", args=[library_account.pk]))
        assert response.status_code == 200
        found = labels(response.text)
        assert found and not [label for label in found if re.search(r"\bR\d+\b", label)]
        assert "Rutinens regel R5" in response.text

    def test_the_activation_form_for_comms_keeps_the_rule_in_its_help(self):
        from accounts.forms.registry import ActivationForm
        from accounts.models import User

        form = ActivationForm(account=None, editors=User.objects.none())
        assert "R13" not in str(form.fields["login_holders"].label)
        assert "R13" in str(form.fields["login_holders"].help_text)


@pytest.mark.django_db
class TestWording:
    def test_other_agrees_with_its_noun(self, medarbetare):
        with translation.override("sv"):
            close = CloseForm().as_div()
            request = AccountRequestForm(requester=medarbetare).as_div()
        assert "Annat</label>" in close  # skälet: annat
        assert ">Annan</option>" in request  # plattformen: annan

    def test_the_sign_in_form_has_no_misspelled_placeholder(self, client):
        response = client.get(reverse("account_login"))
        assert "Epost" not in response.text
        assert "placeholder" not in response.text

    def test_a_wrong_password_is_told_in_the_portals_spelling(self, client, medarbetare):
        response = client.post(reverse("account_login"), {"login": medarbetare.email, "password": "fel"})
        assert "E-postadressen och/eller lösenordet är felaktigt." in response.text


@pytest.mark.django_db
class TestTimeline:
    @pytest.fixture
    def decided(self, medarbetare, chef):
        with time_machine.travel(NOW, tick=False):
            account = lifecycle.request_account(medarbetare, REQUEST)
            lifecycle.manager_decide(chef, account, approve=False, comment="Använd bibliotekets konto.")
        return account

    def test_roles_are_stored_as_codes(self, decided):
        assert list(decided.decisions.values_list("step", "role")) == [
            ("request", DecisionRole.EMPLOYEE),
            ("manager", DecisionRole.MANAGER),
        ]

    def test_the_timeline_reads_as_sentences_in_swedish(self, client, medarbetare, decided):
        client.force_login(medarbetare)
        text = client.get(decided.get_absolute_url()).text
        first = f'<strong>Kontot begärdes</strong>\n    <span class="hint">2026-11-20 17:48 · {medarbetare}'
        assert first + " (Medarbetare)" in text
        assert "<strong>Avslaget av chefen</strong>" in text and "(Chef)" in text
        assert "Begäran: genomfört" not in text

    def test_the_english_timeline_shows_english_roles(self, client, medarbetare, chef, decided):
        client.cookies["django_language"] = "en"
        client.force_login(medarbetare)
        text = client.get(decided.get_absolute_url()).text
        assert "<strong>The account was requested</strong>" in text
        assert f"2026-11-20 17:48 · {medarbetare} (Employee)" in text
        assert f"{chef} (Manager)" in text
        assert "Medarbetare" not in text and "(Chef)" not in text


@pytest.mark.django_db
class TestRoleMigration:
    def test_names_in_either_language_become_codes_and_back(self, decided_by_names):
        ROLE_MIGRATION.names_to_codes(apps, None)
        assert dict(AccountDecision.objects.values_list("step", "role")) == {
            "request": "employee",
            "manager": "manager",
            "comms": "comms",
        }
        ROLE_MIGRATION.codes_to_names(apps, None)
        assert dict(AccountDecision.objects.values_list("step", "role")) == {
            "request": "Medarbetare",
            "manager": "Chef",
            "comms": "Kommunikationsavdelningen",
        }

    def test_the_records_export_still_writes_the_roles_name(self, decided_by_names):
        from records.export.fields import DECISION_FIELDS

        ROLE_MIGRATION.names_to_codes(apps, None)
        role = next(field for field in DECISION_FIELDS if field.name == "role")
        with translation.override("sv"):
            names = [role.raw(decision, None) for decision in AccountDecision.objects.order_by("pk")]
        assert names == ["Medarbetare", "Chef", "Kommunikationsavdelningen"]  # version 1: a string, as before

    @pytest.fixture
    def decided_by_names(self, medarbetare, chef, kommunikator):
        account = lifecycle.request_account(medarbetare, REQUEST)
        lifecycle.manager_decide(chef, account, approve=True)
        lifecycle.comms_decide(kommunikator, account, approve=True)
        # As the portal stored them before: the name in the language of whoever decided.
        for step, name in [("request", "Medarbetare"), ("manager", "Manager"), ("comms", "Communications department")]:
            AccountDecision.objects.filter(account=account, step=step).update(role=name)
        return account


@pytest.mark.django_db
class TestMyRequests:
    def test_the_start_page_lists_my_requests_and_where_each_stands(self, client, medarbetare, chef):
        with time_machine.travel(NOW, tick=False):
            waiting = lifecycle.request_account(medarbetare, REQUEST)
            rejected = lifecycle.request_account(medarbetare, {**REQUEST, "name": "Biblioteket på TikTok"})
            lifecycle.manager_decide(chef, rejected, approve=False, comment="Nej.")
        client.force_login(medarbetare)
        text = client.get(reverse("dashboard")).text
        section = text[text.index('id="my-requests-heading"') :]
        assert "Dina begäranden" in text
        assert f'<a href="{waiting.get_absolute_url()}">Biblioteket för unga</a>' in section
        assert "Din chef beslutar om begäran." in section
        assert f'<a href="{rejected.get_absolute_url()}">Biblioteket på TikTok</a>' in section
        assert "Avslaget: kontots sida säger varför." in section
        assert "2026-11-20" in section

    def test_nobody_elses_requests(self, client, medarbetare, redaktor):
        lifecycle.request_account(medarbetare, REQUEST)
        client.force_login(redaktor)
        text = client.get(reverse("dashboard")).text
        assert "my-requests-heading" not in text and "Biblioteket för unga" not in text

    def test_a_closed_account_is_history(self, client, medarbetare):
        account = lifecycle.request_account(medarbetare, REQUEST)
        type(account).objects.filter(pk=account.pk).update(
            status=AccountStatus.CLOSED, closed_on=datetime.date(2026, 11, 20), closing_reason="on_request"
        )
        client.force_login(medarbetare)
        assert "my-requests-heading" not in client.get(reverse("dashboard")).text

    def test_a_long_list_says_it_shows_the_latest(self, client, medarbetare, monkeypatch):
        from falkoping_some import pages

        monkeypatch.setattr(pages, "DASHBOARD_LIST_LIMIT", 1)
        lifecycle.request_account(medarbetare, REQUEST)
        newest = lifecycle.request_account(medarbetare, {**REQUEST, "name": "Biblioteket på TikTok"})
        client.force_login(medarbetare)
        text = client.get(reverse("dashboard")).text
        section = text[text.index('id="my-requests-heading"') :]
        assert "Visar din senaste begäran." in section
        assert newest.name in section and "Biblioteket för unga" not in section
