"""R20's pages with found questions in a real Chromium on a 360 px phone: the question list (the
unsigned answers with the signature to paste, the reply times chart) and a found question with its
"not a question" form fit the phone, parse cleanly and pass axe (WCAG 2.1 A and AA)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from capture.models import CapturedItem, Connection
from falkoping_some.tests.test_browser_every_page import PHONE, check_page, sign_in_as
from moderation.models import Inquiry
from moderation.services.questions import find_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_question_pages_fit_a_phone_and_pass_axe(browser, live_server, redaktor, library_account):
    now = timezone.now()
    connection = Connection.objects.create(
        account=library_account, kind="facebook", base_url="http://127.0.0.1:1", external_id="page-1",
        created_by=UserFactory(), created_at=now - datetime.timedelta(days=3),
    )  # fmt: skip

    def item(key, text, hours_ago, **fields):
        return CapturedItem.objects.create(
            connection=connection, account=library_account, platform="facebook", platform_id=key, text=text,
            raw={"id": key}, raw_sha256="a" * 64, published_at=now - datetime.timedelta(hours=hours_ago), **fields,
        )  # fmt: skip

    post = item("p1", "Sagostund på onsdag!", 50, kind="post", by_account=True)
    question = item("c1", "Öppet i påsk?", 40, kind="comment", thread=post, parent=post, thread_platform_id="p1",
                    parent_platform_id="p1")  # fmt: skip
    item("c2", "Ja, som vanligt.", 39, kind="comment", thread=post, parent=question, by_account=True,
         thread_platform_id="p1", parent_platform_id="c1")  # fmt: skip
    item("c3", "Var ligger filialen?", 2, kind="comment", thread=post, parent=post, thread_platform_id="p1",
         parent_platform_id="p1")  # fmt: skip
    find_questions(connection)
    open_one = Inquiry.objects.get(item__platform_id="c3")

    page = sign_in_as(browser, live_server, redaktor, PHONE)
    problems = {}
    for url in (
        reverse("moderation:inquiries", args=[library_account.pk]),
        reverse("moderation:inquiry", args=[open_one.pk]),
    ):
        found = check_page(page, live_server.url + url)
        if found:
            problems[url] = found
    assert problems == {}
