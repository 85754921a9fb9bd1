"""Issue 17 on the moderation pages: one date and time format per language, the questions log
(R20) reachable from the moderation page, the signature's copy button, and the removal form's
wording."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from moderation.deadlines import STOCKHOLM
from moderation.models import Inquiry, InquiryChannel

NOW = datetime.datetime(2026, 11, 20, 18, 0, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def inquiry(redaktor, library_account):
    return Inquiry.objects.create(
        account=library_account,
        channel=InquiryChannel.COMMENT,
        received_at=datetime.datetime(2026, 11, 20, 17, 48, tzinfo=STOCKHOLM),
        summary="Öppettider i jul?",
        deadline=datetime.datetime(2026, 11, 23, 17, 48, tzinfo=STOCKHOLM),
        logged_by=redaktor,
    )


@pytest.mark.django_db
class TestDates:
    @pytest.mark.parametrize("language", ["sv", "en"])
    def test_a_moderation_page_shows_the_portals_date_and_time(self, client, redaktor, inquiry, language):
        client.cookies["django_language"] = language
        client.force_login(redaktor)
        response = client.get(reverse("moderation:inquiry", args=[inquiry.pk]))
        assert response.status_code == 200
        assert "2026-11-20 17:48" in response.text  # received
        assert "2026-11-23 17:48" in response.text  # answer by
        assert "11/20/2026" not in response.text and "p.m." not in response.text

    def test_running_text_spells_the_month_in_each_language(self, settings):
        from django.utils import formats, translation

        day = datetime.date(2026, 11, 20)
        with translation.override("sv"):
            assert formats.date_format(day, "DATE_FORMAT") == "20 november 2026"
        with translation.override("en"):
            assert formats.date_format(day, "DATE_FORMAT") == "20 November 2026"


@pytest.mark.django_db
class TestQuestionsLog:
    def test_the_moderation_page_links_each_of_the_editors_accounts_questions(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.get(reverse("moderation:index"))
        url = reverse("moderation:inquiries", args=[library_account.pk])
        assert f'<a href="{url}">Frågor och svar<span class="visually-hidden">: {library_account}</span></a>' in (
            response.text
        )

    def test_comms_gets_the_chosen_accounts_questions(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        url = reverse("moderation:inquiries", args=[library_account.pk])
        assert url not in client.get(reverse("moderation:index")).text
        response = client.get(reverse("moderation:index"), {"account": library_account.pk})
        assert f'<a href="{url}">Frågor till {library_account}</a>' in response.text

    def test_the_editors_start_page_links_the_questions(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.get(reverse("dashboard"))
        assert reverse("moderation:inquiries", args=[library_account.pk]) in response.text


@pytest.mark.django_db
class TestSignature:
    def test_a_copy_button_beside_the_signature(self, client, redaktor, inquiry):
        client.force_login(redaktor)
        response = client.get(reverse("moderation:inquiry", args=[inquiry.pk]))
        assert '<script src="/static/js/copy.js" defer></script>' in response.text
        # Hidden until the script shows it: without JavaScript no button that does nothing.
        assert 'data-copy="signature" data-copied="Kopierat"' in response.text
        assert ">Kopiera</button>" in response.text
        assert 'data-copy-status="signature" role="status" aria-live="polite"' in response.text

    def test_no_button_for_whoever_does_not_answer(self, client, kommunikator, inquiry):
        client.force_login(kommunikator)
        response = client.get(reverse("moderation:inquiry", args=[inquiry.pk]))
        assert response.status_code == 200
        assert "copy.js" not in response.text and "data-copy" not in response.text


def test_the_removal_form_asks_when():
    from django.utils import translation

    from moderation.forms.cases import RemovedForm

    with translation.override("sv"):
        html = RemovedForm().as_div()
    assert "När det togs bort" in html and "Lämna tomt om du tog bort det nyss." in html
    assert "Tog bort" not in html and "för nu" not in html
