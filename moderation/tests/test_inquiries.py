"""R20: logging questions, answering them, the signature, the share answered in time and the
overdue check."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccountStatus
from accounts.tests.factories import SocialAccountFactory
from falkoping_some.lib.errors import DomainError
from moderation.deadlines import STOCKHOLM
from moderation.models import Inquiry, InquiryChannel
from moderation.services.inquiries import (
    answer_inquiry,
    answer_stats,
    answered_in_time_share,
    find_inquiry_overdue,
    log_inquiry,
    signature,
)

# A Tuesday: a question received at 10:00 is due Wednesday 10:00.
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=STOCKHOLM)


def at(day, hour=0, minute=0, second=0, month=3):
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_inquiry(account, received_at, deadline, answered_at=None, by=None):
    return Inquiry.objects.create(
        account=account,
        channel=InquiryChannel.COMMENT,
        received_at=received_at,
        summary="Öppettider i påsk?",
        deadline=deadline,
        answered_at=answered_at,
        answered_by=by if answered_at else None,
        logged_by=by,
    )


# Services. --------------------------------------------------------------------------------------


class TestLogInquiry:
    def test_stores_the_deadline(self, redaktor, library_account):
        inquiry = log_inquiry(redaktor, library_account, InquiryChannel.MESSAGE, at(6, 15), "  Lånekort?  ")
        inquiry.refresh_from_db()
        assert inquiry.deadline == at(9, 15)  # Friday 15:00 → Monday 15:00
        assert inquiry.summary == "Lånekort?"
        assert inquiry.logged_by == redaktor and inquiry.answered_at is None

    def test_future_refused(self, redaktor, library_account):
        with pytest.raises(DomainError):
            log_inquiry(redaktor, library_account, InquiryChannel.COMMENT, NOW + datetime.timedelta(minutes=1), "x")
        assert not Inquiry.objects.exists()

    @pytest.mark.parametrize("summary", ["", "   ", "x" * 501])
    def test_summary_required_and_short(self, redaktor, library_account, summary):
        with pytest.raises(DomainError):
            log_inquiry(redaktor, library_account, InquiryChannel.COMMENT, at(10, 9), summary)
        assert not Inquiry.objects.exists()

    def test_summary_of_500_accepted(self, redaktor, library_account):
        log_inquiry(redaktor, library_account, InquiryChannel.COMMENT, at(10, 9), "x" * 500)

    def test_inactive_account_refused(self, redaktor, library_account):
        library_account.status = AccountStatus.APPROVED  # not yet active
        library_account.save(update_fields=["status"])
        with pytest.raises((DomainError, PermissionDenied)):
            log_inquiry(redaktor, library_account, InquiryChannel.COMMENT, at(10, 9), "x")
        assert not Inquiry.objects.exists()

    @pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef", "kommunikator"])
    def test_only_the_accounts_editors(self, request, library_account, role):
        with pytest.raises(PermissionDenied):
            log_inquiry(request.getfixturevalue(role), library_account, InquiryChannel.COMMENT, at(10, 9), "x")
        assert not Inquiry.objects.exists()


class TestAnswerInquiry:
    def test_answer_once(self, redaktor, library_account):
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)
        answer_inquiry(redaktor, inquiry)
        inquiry.refresh_from_db()
        assert inquiry.answered_at == NOW and inquiry.answered_by == redaktor
        with pytest.raises(DomainError):
            answer_inquiry(redaktor, inquiry, at(10, 11))
        inquiry.refresh_from_db()
        assert inquiry.answered_at == NOW

    def test_not_before_received_nor_in_future(self, redaktor, library_account):
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)
        for when in (at(10, 8, 59), NOW + datetime.timedelta(seconds=1)):
            with pytest.raises(DomainError):
                answer_inquiry(redaktor, inquiry, when)
        inquiry.refresh_from_db()
        assert inquiry.answered_at is None

    @pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef", "kommunikator"])
    def test_only_the_accounts_editors(self, request, redaktor, library_account, role):
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)
        with pytest.raises(PermissionDenied):
            answer_inquiry(request.getfixturevalue(role), inquiry)
        inquiry.refresh_from_db()
        assert inquiry.answered_at is None


def test_signature(redaktor):
    redaktor.first_name, redaktor.last_name = "Rebecka", "Redaktör"
    assert signature(redaktor) == "/Rebecka Redaktör, Biblioteket"
    redaktor.unit = None
    assert signature(redaktor) == "/Rebecka Redaktör"


# The share answered in time. -------------------------------------------------------------------


def test_answered_in_time_share(redaktor, library_account, social_account):
    make_inquiry(library_account, at(2, 9), at(3, 9), answered_at=at(3, 9), by=redaktor)  # in time, at the edge
    make_inquiry(library_account, at(4, 9), at(5, 9), answered_at=at(5, 9, 0, 1), by=redaktor)  # late
    make_inquiry(library_account, at(6, 9), at(9, 9), by=redaktor)  # open past its deadline
    make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)  # open, still within: not judged
    make_inquiry(library_account, at(1, 9, month=1), at(2, 9, month=1), by=redaktor)  # before `since`
    stats = answered_in_time_share([library_account, social_account], since=at(1))
    assert [(account, total, in_time) for account, total, in_time, _share in stats] == [
        (library_account, 3, 1),
        (social_account, 0, 0),
    ]
    assert stats[0][3] == pytest.approx(1 / 3)
    assert stats[1][3] is None


def test_answer_stats_queries_do_not_grow_with_accounts(redaktor, library_account):
    def queries(accounts):
        with CaptureQueriesContext(connection) as captured:
            answer_stats(accounts)
        return len(captured)

    make_inquiry(library_account, at(2, 9), at(3, 9), answered_at=at(3, 8), by=redaktor)
    one = queries([library_account])
    many = [SocialAccountFactory() for _ in range(5)]
    for account in many:
        make_inquiry(account, at(2, 9), at(3, 9), by=redaktor)
    assert queries([library_account, *many]) == one == 1


# The overdue check. ----------------------------------------------------------------------------


def test_find_inquiry_overdue_at_the_edge(redaktor, library_account, social_account, frozen):
    deadline = at(11, 10)
    inquiry = make_inquiry(library_account, at(10, 10), deadline, by=redaktor)
    make_inquiry(library_account, at(9, 10), at(10, 10), answered_at=at(10, 11), by=redaktor)  # answered late
    frozen.move_to(deadline - datetime.timedelta(seconds=1))
    assert find_inquiry_overdue(deadline.date()) == {}
    frozen.move_to(deadline)
    assert find_inquiry_overdue(deadline.date()) == {}
    frozen.move_to(deadline + datetime.timedelta(seconds=1))
    with CaptureQueriesContext(connection) as captured:
        found = find_inquiry_overdue(deadline.date())
    assert len(captured) == 1
    assert found == {
        library_account.pk: {"inquiries": [{"id": inquiry.pk, "deadline": deadline.isoformat()}], "count": 1}
    }


def test_find_inquiry_overdue_skips_inactive_accounts(redaktor, library_account):
    make_inquiry(library_account, at(2, 10), at(3, 10), by=redaktor)
    library_account.status = AccountStatus.APPROVED  # not yet active
    library_account.save(update_fields=["status"])
    assert find_inquiry_overdue(NOW.date()) == {}


# Views. ----------------------------------------------------------------------------------------


def list_url(account):
    return reverse("moderation:inquiries", kwargs={"account_pk": account.pk})


def detail_url(inquiry):
    return reverse("moderation:inquiry", kwargs={"pk": inquiry.pk})


class TestInquiryListView:
    def test_editor_sees_and_logs(self, client, redaktor, library_account):
        make_inquiry(library_account, at(6, 9), at(9, 9), by=redaktor)
        client.force_login(redaktor)
        response = client.get(list_url(library_account))
        assert response.status_code == 200
        assert 'type="datetime-local"' in response.text and 'type="radio"' in response.text
        assert "answer-stats" in response.text
        response = client.post(
            list_url(library_account),
            {"channel": "message", "received_at": "2026-03-06T15:00", "summary": "Lånekort?"},
        )
        assert response.status_code == 302
        inquiry = Inquiry.objects.get(summary="Lånekort?")
        assert inquiry.deadline == at(9, 15) and inquiry.logged_by == redaktor

    def test_domain_error_keeps_the_input(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(
            list_url(library_account),
            {"channel": "comment", "received_at": "2026-03-10T13:00", "summary": "Framtida fråga"},
        )
        assert response.status_code == 200
        assert "Framtida fråga" in response.text
        assert not Inquiry.objects.exists()

    def test_comms_sees_but_does_not_log(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        response = client.get(list_url(library_account))
        assert response.status_code == 200 and 'name="summary"' not in response.text
        response = client.post(
            list_url(library_account), {"channel": "comment", "received_at": "2026-03-10T09:00", "summary": "x"}
        )
        assert response.status_code == 403
        assert not Inquiry.objects.exists()

    @pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef"])
    def test_others_403(self, client, request, library_account, role):
        client.force_login(request.getfixturevalue(role))
        assert client.get(list_url(library_account)).status_code == 403
        response = client.post(
            list_url(library_account), {"channel": "comment", "received_at": "2026-03-10T09:00", "summary": "x"}
        )
        assert response.status_code == 403
        assert not Inquiry.objects.exists()

    def test_anonymous_to_login(self, client, library_account):
        assert client.get(list_url(library_account)).status_code == 302


class TestInquiryDetailView:
    def test_editor_answers_with_signature_offered(self, client, redaktor, library_account):
        redaktor.first_name, redaktor.last_name = "Rebecka", "Redaktör"
        redaktor.save()
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)
        client.force_login(redaktor)
        response = client.get(detail_url(inquiry))
        assert response.status_code == 200
        assert 'readonly value="/Rebecka Redaktör, Biblioteket"' in response.text
        response = client.post(detail_url(inquiry), {"answered_at": "2026-03-10T11:30"})
        assert response.status_code == 302
        inquiry.refresh_from_db()
        assert inquiry.answered_at == at(10, 11, 30) and inquiry.answered_by == redaktor

    def test_second_answer_refused(self, client, redaktor, library_account):
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), answered_at=at(10, 10), by=redaktor)
        client.force_login(redaktor)
        response = client.post(detail_url(inquiry), {"answered_at": "2026-03-10T11:30"})
        assert response.status_code == 200
        inquiry.refresh_from_db()
        assert inquiry.answered_at == at(10, 10)

    def test_answer_before_received_kept_and_refused(self, client, redaktor, library_account):
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)
        client.force_login(redaktor)
        response = client.post(detail_url(inquiry), {"answered_at": "2026-03-10T08:00"})
        assert response.status_code == 200 and "2026-03-10T08:00" in response.text
        inquiry.refresh_from_db()
        assert inquiry.answered_at is None

    def test_comms_views_but_cannot_answer(self, client, redaktor, kommunikator, library_account):
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)
        client.force_login(kommunikator)
        response = client.get(detail_url(inquiry))
        assert response.status_code == 200 and 'name="answered_at"' not in response.text
        assert client.post(detail_url(inquiry), {"answered_at": "2026-03-10T11:30"}).status_code == 403
        inquiry.refresh_from_db()
        assert inquiry.answered_at is None

    @pytest.mark.parametrize("role", ["annan_redaktor", "medarbetare", "chef"])
    def test_others_403(self, client, request, redaktor, library_account, role):
        inquiry = make_inquiry(library_account, at(10, 9), at(11, 9), by=redaktor)
        client.force_login(request.getfixturevalue(role))
        assert client.get(detail_url(inquiry)).status_code == 403
        assert client.post(detail_url(inquiry), {"answered_at": "2026-03-10T11:30"}).status_code == 403
        inquiry.refresh_from_db()
        assert inquiry.answered_at is None

    def test_editor_whose_mandate_is_elsewhere_403(self, client, redaktor, annan_redaktor, social_account):
        inquiry = make_inquiry(social_account, at(10, 9), at(11, 9), by=annan_redaktor)
        client.force_login(redaktor)
        assert client.get(detail_url(inquiry)).status_code == 403
