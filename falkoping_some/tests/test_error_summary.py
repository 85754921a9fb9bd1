"""One pattern for every form that fails (issue 17, point 4): a summary at the top of the page
that links to each field in error, the page title starting with "Fel:", and the fields' own
messages still beside them."""

import re

import pytest
from django.urls import reverse

from moderation.models import Inquiry


def summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return found.group(0) if found else ""


@pytest.mark.django_db
class TestErrorSummary:
    def test_a_failing_account_request_lists_each_field_with_a_link(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.post(reverse("accounts:request"), {"platform": "facebook", "name": ""})
        assert response.status_code == 200
        box = summary(response.text)
        assert "Det finns fel i formuläret" in box
        assert 'tabindex="-1" autofocus' in box
        # A link to each field in error, a group of checkboxes to its first box.
        assert '<a href="#id_name">Föreslaget namn på kontot: Detta fält måste fyllas i.</a>' in box
        assert 'href="#id_purposes_0"' in box
        assert 'href="#id_justification"' in box
        assert "<title>Fel: Begär ett nytt konto" in response.text
        # The field keeps its own message beside it.
        assert response.text.count("Detta fält måste fyllas i.") > box.count("Detta fält måste fyllas i.")

    def test_a_form_that_succeeds_or_was_not_sent_shows_none(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.get(reverse("accounts:request"))
        assert summary(response.text) == ""
        assert "<title>Fel:" not in response.text

    def test_a_bad_filter_value_is_ignored_not_reported(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.get(reverse("accounts:list"), {"unit": "nonsense", "status": "nonsense"})
        assert response.status_code == 200
        assert summary(response.text) == ""

    def test_the_question_log_uses_the_same_summary(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(reverse("moderation:inquiries", args=[library_account.pk]), {"summary": ""})
        assert 'href="#id_summary"' in summary(response.text)
        assert "<title>Fel:" in response.text
        assert not Inquiry.objects.exists()

    def test_the_public_check_of_an_account_too(self, client):
        response = client.get(reverse("public:list"), {"konto": "x" * 600})  # over its 500 characters
        assert 'href="#id_konto"' in summary(response.text)
        assert response.text.count("<title>Fel: ") == 1
