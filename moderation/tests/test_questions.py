"""R20 from the captured items: the question rule, the answer, the deadline and the overdue check
without anyone logging, "not a question", the signature rule and the reply times per month."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.tests.factories import UserFactory
from capture.models import CapturedItem, Connection
from falkoping_some.lib.errors import DomainError
from moderation.deadlines import STOCKHOLM
from moderation.models import Inquiry, InquiryChannel, InquirySource, QuestionScan
from moderation.question_rules import asks, is_signed, rules
from moderation.services.inquiries import answered_in_time_share, find_inquiry_overdue
from moderation.services.questions import (
    account_signature,
    find_questions,
    mark_not_question,
    monthly_reply_times,
    unmark_not_question,
    unsigned_answers,
)
from review.models import FlagKind, ReviewFlag
from review.scheduled_checks import run_checks

# A Tuesday.
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=STOCKHOLM)


def at(day, hour=0, minute=0, month=3):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def connection(library_account):
    return Connection.objects.create(
        account=library_account, kind="facebook", base_url="http://127.0.0.1:1", external_id="page-1",
        created_by=UserFactory(), created_at=at(1),
    )  # fmt: skip


_ids = iter(range(1, 10_000))


def item(connection, text, *, kind="comment", published_at=None, thread=None, parent=None, **fields):
    """A captured item; a comment on `thread` (a post) answering `parent` (the post by default)."""
    platform_id = f"{kind}-{next(_ids)}"
    parent = parent if parent is not None else thread
    return CapturedItem.objects.create(
        connection=connection, account=connection.account, platform=connection.kind, platform_id=platform_id,
        kind=kind, text=text, raw={"id": platform_id}, raw_sha256="a" * 64,
        published_at=published_at or at(9, 10), thread=thread, parent=parent if kind == "comment" else None,
        thread_platform_id=fields.pop("conversation", thread.platform_id if thread else ""),
        parent_platform_id=parent.platform_id if parent and kind == "comment" else "",
        **fields,
    )  # fmt: skip


@pytest.fixture
def post(connection):
    return item(connection, "Sagostund varje onsdag kl. 10!", kind="post", published_at=at(8, 9), by_account=True)


def questions(account):
    return Inquiry.objects.filter(account=account).order_by("received_at", "pk")


# The rule. ----------------------------------------------------------------------------------------


class TestTheRule:
    @pytest.mark.parametrize(
        ("text", "direct", "expected"),
        [
            ("Har biblioteket i Stenstorp öppet i mellandagarna?", False, True),  # (a) a question mark
            ("Vilken ålder passar den för？", False, True),  # a full-width question mark
            ("Hur gör man för att låna e-böcker", True, True),  # (b) a question word, straight to the account
            ("Finns det parkering vid biblioteket", True, True),
            ("Hur gör man för att låna e-böcker", False, False),  # the same to another citizen: not
            ("Tack för en fin sagostund!", True, False),
            ("Var där i går, toppen", True, True),  # a question word that is not one: "not a question"
            ("", True, False),
        ],
    )
    def test_asks(self, text, direct, expected):
        assert asks(text, direct, rules()) is expected

    def test_the_settings_tune_it(self, settings):
        settings.QUESTION_RULES = {"question_words": ["Undrar"], "history_days": 7}
        rule = rules()
        assert rule.history == datetime.timedelta(days=7)
        assert asks("Undrar när ni öppnar", True, rule)
        assert not asks("Hur gör man", True, rule)


@pytest.mark.django_db
class TestFindingQuestions:
    def test_a_comment_with_a_question_mark_is_a_question_due_in_24_weekday_hours(
        self, connection, post, library_account
    ):
        comment = item(connection, "Vilken ålder passar sagostunden för?", thread=post, published_at=at(6, 15))
        result = find_questions(connection)
        assert result.found == 1
        (inquiry,) = questions(library_account)
        assert inquiry.item == comment
        assert inquiry.source == InquirySource.PLATFORM
        assert inquiry.channel == InquiryChannel.COMMENT
        assert inquiry.logged_by is None
        assert inquiry.summary == "Vilken ålder passar sagostunden för?"
        assert inquiry.received_at == at(6, 15)
        assert inquiry.deadline == at(9, 15)  # Friday 15:00 → Monday 15:00 (R20)

    def test_what_is_not_a_question(self, connection, post, library_account):
        item(connection, "Tack för en fin sagostund!", thread=post)
        item(connection, "Hur gick det?", thread=post, by_account=True)  # the account's own
        item(connection, "Köp följare billigt?", thread=post, hidden=True)  # hidden by the account (R21)
        other = item(connection, "Vi var där med barnen.", thread=post)
        item(connection, "Kan man ta med barnvagn", thread=post, parent=other)  # to another citizen, no "?"
        item(connection, "Hur gör man för att låna e-böcker", thread=post)  # (b): straight to the account
        assert find_questions(connection).found == 1
        assert [q.summary for q in questions(library_account)] == ["Hur gör man för att låna e-böcker"]

    def test_a_reply_to_the_accounts_comment_that_opens_with_a_question_word(self, connection, post, library_account):
        first = item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 9))
        answer = item(connection, "Ja, 10–14. /Rebecka, Biblioteket", thread=post, parent=first, by_account=True,
                      published_at=at(9, 10))  # fmt: skip
        item(connection, "Gäller det filialerna också", thread=post, parent=answer, published_at=at(9, 11))
        find_questions(connection)
        assert [q.summary for q in questions(library_account)] == ["Öppet i påsk?", "Gäller det filialerna också"]

    def test_history_before_the_connection_is_left(self, connection, post, library_account):
        item(connection, "Öppet i jul?", thread=post, published_at=at(20, 10, month=1))  # 40 days before
        item(connection, "Öppet i påsk?", thread=post, published_at=at(1, 10, month=2))  # 28 days before
        find_questions(connection)
        assert [q.summary for q in questions(library_account)] == ["Öppet i påsk?"]

    def test_messages_each_turn_of_the_person_is_one_question(self, connection, library_account):
        def message(text, hour, by_account=False):
            return item(connection, text, kind="message", published_at=at(9, hour), by_account=by_account,
                        conversation="t_1")  # fmt: skip

        first = message("Hej", 8)
        message("Jag undrar om jag kan förlänga mina lån", 9)  # the same turn: the same question
        answer = message("Hej! Ja, på Mina sidor. /Rebecka, Biblioteket", 10, by_account=True)
        second = message("Tack. Och reservationerna", 11)
        find_questions(connection)
        found = list(questions(library_account))
        assert [q.item for q in found] == [first, second]
        assert found[0].channel == InquiryChannel.MESSAGE
        assert (found[0].answer_item, found[0].answered_at) == (answer, at(9, 10))
        assert found[1].answered_at is None

    def test_idempotent_and_reads_only_what_is_new(self, connection, post, library_account):
        item(connection, "Öppet i påsk?", thread=post)
        assert find_questions(connection).found == 1
        assert find_questions(connection).found == 0
        assert QuestionScan.objects.get(connection=connection).seen_until == NOW
        # Captured before what the last run read (changed_at): not read again.
        item(connection, "Öppet i maj?", thread=post, changed_at=NOW - datetime.timedelta(hours=1))
        item(connection, "Öppet i juni?", thread=post)
        find_questions(connection)
        assert [q.summary for q in questions(library_account)] == ["Öppet i påsk?", "Öppet i juni?"]

    def test_an_inactive_account_gets_none(self, connection, post, library_account):
        item(connection, "Öppet i påsk?", thread=post)
        library_account.status, library_account.closed_on = "closed", NOW.date()
        library_account.closing_reason = "on_request"
        library_account.save()
        assert find_questions(connection).found == 0


@pytest.mark.django_db
class TestTheAnswer:
    def test_the_accounts_reply_to_the_comment_answers_it(self, connection, post, library_account):
        question = item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 10))
        other = item(connection, "Var ligger filialen?", thread=post, published_at=at(9, 10, 30))
        item(connection, "Hej! Vid torget.", thread=post, parent=other, by_account=True, published_at=at(9, 11))
        reply = item(connection, "Ja!", thread=post, parent=question, by_account=True, published_at=at(10, 9))
        item(connection, "Och i maj.", thread=post, parent=question, by_account=True, published_at=at(10, 10))
        find_questions(connection)
        inquiry = Inquiry.objects.get(item=question)
        assert (inquiry.answer_item, inquiry.answered_at, inquiry.answered_by) == (reply, at(10, 9), None)

    def test_a_reply_later_in_the_same_chain_answers_a_reply(self, connection, post, library_account):
        # Facebook keeps a conversation under a comment one level deep: the account's answer to a
        # reply has the first comment as its parent.
        top = item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 9))
        follow_up = item(connection, "Och filialerna?", thread=post, parent=top, published_at=at(9, 10))
        reply = item(connection, "Stängt där.", thread=post, parent=top, by_account=True, published_at=at(9, 11))
        find_questions(connection)
        assert Inquiry.objects.get(item=follow_up).answer_item == reply
        assert Inquiry.objects.get(item=top).answer_item == reply

    def test_an_answer_captured_later_is_found_on_the_next_run(self, connection, post, library_account):
        question = item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 10))
        find_questions(connection)
        assert Inquiry.objects.get(item=question).answered_at is None
        item(connection, "Ja!", thread=post, parent=question, by_account=True, published_at=at(10, 9))
        assert find_questions(connection).answered == 1
        assert Inquiry.objects.get(item=question).answered_at == at(10, 9)


@pytest.mark.django_db
class TestOverdueWithoutAnyoneLogging:
    def test_the_overdue_check_finds_the_questions_first_and_flags(self, connection, post, library_account, frozen):
        question = item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 10))  # due Tue 10:00
        frozen.move_to(at(10, 10, 1))
        run_checks(only=["inquiry_overdue"])
        inquiry = Inquiry.objects.get(item=question)
        assert find_inquiry_overdue(at(10).date()) == {
            library_account.pk: {"inquiries": [{"id": inquiry.pk, "deadline": at(10, 10).isoformat()}], "count": 1}
        }
        flag = ReviewFlag.objects.get(account=library_account, kind=FlagKind.INQUIRY_OVERDUE)
        assert flag.evidence["count"] == 1

    def test_not_before_the_deadline(self, connection, post, library_account, frozen):
        item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 10))
        frozen.move_to(at(10, 9, 59))
        run_checks(only=["inquiry_overdue"])
        assert Inquiry.objects.filter(account=library_account).count() == 1
        assert not ReviewFlag.objects.filter(account=library_account, kind=FlagKind.INQUIRY_OVERDUE).exists()

    def test_the_hourly_check_reads_again_only_connections_attempted_since(self, connection, post, frozen):
        """R20 at scale: a connection read after its last sync attempt is not asked again (nothing was
        stored since); a new attempt brings it back, and what it stored is found."""
        from moderation.services.questions import connections_to_scan

        Connection.objects.filter(pk=connection.pk).update(last_attempt_at=at(10, 11))
        item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 10))
        assert list(connections_to_scan()) == [connection]
        run_checks(only=["inquiry_overdue"])
        assert Inquiry.objects.count() == 1
        assert list(connections_to_scan()) == []

        frozen.move_to(at(10, 14))
        Connection.objects.filter(pk=connection.pk).update(last_attempt_at=at(10, 13, 30))
        item(connection, "Och på annandagen?", thread=post, published_at=at(10, 13), changed_at=at(10, 13, 31))
        assert list(connections_to_scan()) == [connection]
        run_checks(only=["inquiry_overdue"])
        assert Inquiry.objects.count() == 2 and list(connections_to_scan()) == []

    def test_a_dry_run_finds_nothing_new(self, connection, post, library_account):
        item(connection, "Öppet i påsk?", thread=post, published_at=at(2, 10))
        run_checks(only=["inquiry_overdue"], dry_run=True)
        assert not Inquiry.objects.exists()


@pytest.mark.django_db
class TestNotAQuestion:
    def test_an_editor_marks_it_with_a_reason_and_it_leaves_the_check_and_the_stats(
        self, connection, post, library_account, redaktor
    ):
        item(connection, "Var där i går, toppen", thread=post, published_at=at(2, 10))
        find_questions(connection)
        inquiry = Inquiry.objects.get()
        assert library_account.pk in find_inquiry_overdue(NOW.date())
        with pytest.raises(DomainError):
            mark_not_question(redaktor, inquiry, "  ")
        mark_not_question(redaktor, inquiry, "Ett omdöme, ingen fråga.")
        inquiry.refresh_from_db()
        assert (inquiry.not_question_by, inquiry.not_question_at) == (redaktor, NOW)
        assert inquiry.not_question_reason == "Ett omdöme, ingen fråga."
        assert find_inquiry_overdue(NOW.date()) == {}
        assert answered_in_time_share([library_account], since=at(1))[0][1] == 0
        # Kept, and recorded; found again it is not made a question anew.
        entry = LogEntry.objects.get_for_object(inquiry).filter(action=LogEntry.Action.UPDATE).get()
        assert entry.changes_dict["not_question_reason"] == ["", "Ett omdöme, ingen fråga."]
        QuestionScan.objects.all().delete()
        find_questions(connection)
        assert Inquiry.objects.count() == 1

    def test_undone_it_counts_again(self, connection, post, library_account, redaktor):
        item(connection, "Öppet i påsk?", thread=post, published_at=at(2, 10))
        find_questions(connection)
        inquiry = mark_not_question(redaktor, Inquiry.objects.get(), "Dubblett.")
        with pytest.raises(DomainError):
            mark_not_question(redaktor, inquiry, "Igen.")
        unmark_not_question(redaktor, inquiry)
        inquiry.refresh_from_db()
        assert (inquiry.not_question_at, inquiry.not_question_by, inquiry.not_question_reason) == (None, None, "")
        assert library_account.pk in find_inquiry_overdue(NOW.date())

    def test_only_the_accounts_editors(self, connection, post, annan_redaktor, kommunikator):
        item(connection, "Öppet i påsk?", thread=post)
        find_questions(connection)
        for user in (annan_redaktor, kommunikator):
            with pytest.raises(PermissionDenied):
                mark_not_question(user, Inquiry.objects.get(), "Inte en fråga.")


# The signature (R20). --------------------------------------------------------------------------


class TestSignature:
    @pytest.mark.parametrize(
        ("text", "signed"),
        [
            ("Hej Ulla! Ranliden plogas under eftermiddagen. /Karin, kommunikatör", True),
            ("Hej Emma!\nDen passar barn mellan 3 och 6 år.\n/Rebecka Redaktör, Biblioteket", True),
            ("Hej Emma! Den passar barn mellan 3 och 6 år.\nHälsningar Rebecka på Biblioteket", True),
            ("Hej Emma! Den passar barn mellan 3 och 6 år. /Rebecka", False),  # no department
            ("Hej! Läs mer på falkoping.se/bibliotek", False),  # a link is no signature
            ("Ja, kl. 12–14 vid Trätorget!", False),
            ("/Rebecka, Biblioteket\nPS. Välkommen!", False),  # the signature must end the answer
        ],
    )
    def test_is_signed(self, text, signed):
        assert is_signed(text, ["Rebecka"], ["Biblioteket", "Kultur- och fritidsförvaltningen"]) is signed

    @pytest.mark.django_db
    def test_the_unsigned_answers_are_listed_with_the_signature_to_paste(
        self, connection, post, library_account, redaktor
    ):
        signed_q = item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 9))
        unsigned_q = item(connection, "Öppet i maj?", thread=post, published_at=at(9, 9, 30))
        item(connection, f"Ja! Hälsningar {redaktor.first_name}, Biblioteket", thread=post, parent=signed_q,
             by_account=True, published_at=at(9, 10))  # fmt: skip
        item(connection, "Ja, som vanligt.", thread=post, parent=unsigned_q, by_account=True, published_at=at(9, 11))
        find_questions(connection)
        assert [q.item for q in unsigned_answers(library_account)] == [unsigned_q]
        assert account_signature(redaktor, library_account) == f"/{redaktor.get_full_name()}, Biblioteket"


# Reply times per month. --------------------------------------------------------------------------


@pytest.mark.django_db
def test_reply_times_per_month(library_account, social_account, redaktor):
    def question(received_at, answered_after=None, account=library_account, **fields):
        from moderation.deadlines import answer_deadline

        return Inquiry.objects.create(
            account=account, channel=InquiryChannel.COMMENT, received_at=received_at, summary="?",
            deadline=answer_deadline(received_at), logged_by=redaktor,
            answered_at=received_at + answered_after if answered_after else None,
            answered_by=redaktor if answered_after else None, **fields,
        )  # fmt: skip

    hours = datetime.timedelta(hours=1)
    question(at(2, 10, month=2), 1 * hours)  # February: in time
    question(at(3, 10, month=2), 3 * hours)  # in time
    question(at(6, 10, month=2), 80 * hours)  # Friday → due Monday 10:00; answered Monday 18:00: late
    question(at(5, 10), 2 * hours)  # March: in time
    question(at(10, 11))  # open, still within its deadline: not judged yet
    question(at(2, 10))  # open after its deadline: judged, not in time
    question(at(4, 10), 1 * hours, not_question_at=NOW, not_question_by=redaktor, not_question_reason="Nej.")
    question(at(4, 10), 1 * hours, account=social_account)  # another account
    months = monthly_reply_times([library_account])
    assert len(months) == 12
    assert months[0].month == datetime.date(2025, 4, 1)
    february, march = months[-2], months[-1]
    assert (february.received, february.answered, february.judged, february.in_time) == (3, 3, 3, 2)
    assert february.median == 3 * hours
    assert february.percent == 67
    assert (march.received, march.answered, march.judged, march.in_time) == (3, 1, 2, 1)
    assert (march.median, march.percent) == (2 * hours, 50)
    assert months[0].share is None and months[0].median is None
    assert [m.received for m in monthly_reply_times(None)][-1] == 4  # every account


# The pages. --------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestPages:
    @pytest.fixture
    def found(self, connection, post, redaktor):
        redaktor.first_name, redaktor.last_name = "Rebecka", "Redaktör"
        redaktor.save()
        question = item(connection, "Öppet i påsk?", thread=post, published_at=at(9, 9))
        item(connection, "Ja, som vanligt.", thread=post, parent=question, by_account=True, published_at=at(9, 11))
        item(connection, "Var ligger filialen?", thread=post, published_at=at(10, 9))
        find_questions(connection)
        return question

    def test_the_list_shows_where_each_came_from_and_the_unsigned_answers(
        self, client, found, redaktor, library_account
    ):
        client.force_login(redaktor)
        response = client.get(reverse("moderation:inquiries", args=[library_account.pk]))
        text = response.text
        assert "Hittad automatiskt" in text
        assert "hittas automatiskt" in text  # the account is connected: logging is for the rest
        assert reverse("capture:item", args=[library_account.pk, found.pk]) in text
        assert "Svar utan namn och avdelning (R20)" in text
        assert 'readonly value="/Rebecka Redaktör, Biblioteket"' in text
        assert 'id="reply-times-' in text and "<table" in text

    def test_an_editor_marks_one_not_a_question_and_undoes_it(self, client, found, redaktor):
        inquiry = Inquiry.objects.get(item__text="Var ligger filialen?")
        url = reverse("moderation:inquiry", args=[inquiry.pk])
        client.force_login(redaktor)
        assert "Markera som inte en fråga" in client.get(url).text
        response = client.post(url, {"action": "not_question", "reason": ""})
        assert response.status_code == 200
        inquiry.refresh_from_db()
        assert inquiry.not_question_at is None
        response = client.post(url, {"action": "not_question", "reason": "En upplysning, ingen fråga."})
        assert response.status_code == 302
        inquiry.refresh_from_db()
        assert (inquiry.not_question_by, inquiry.not_question_reason) == (redaktor, "En upplysning, ingen fråga.")
        listing = client.get(reverse("moderation:inquiries", args=[inquiry.account_id])).text
        assert "Markerad som inte en fråga" in listing
        assert client.post(url, {"action": "undo_not_question"}).status_code == 302
        inquiry.refresh_from_db()
        assert inquiry.not_question_at is None

    def test_comms_reads_but_does_not_mark(self, client, found, kommunikator):
        inquiry = Inquiry.objects.get(item=found)
        client.force_login(kommunikator)
        url = reverse("moderation:inquiry", args=[inquiry.pk])
        assert "Markera som inte en fråga" not in client.get(url).text
        assert client.post(url, {"action": "not_question", "reason": "Nej."}).status_code == 403

    def test_the_account_page_and_comms_overview_chart_the_reply_times(
        self, client, found, redaktor, kommunikator, library_account
    ):
        client.force_login(redaktor)
        assert f'id="reply-times-{library_account.pk}"' in client.get(library_account.get_absolute_url()).text
        client.force_login(kommunikator)
        overview = client.get(reverse("moderation:index")).text
        assert 'id="reply-times-overview"' in overview


# Running it: after each sync. --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sync_queues_the_finder_which_makes_the_questions(
    monkeypatch, library_account, django_capture_on_commit_callbacks
):
    from capture import crypto
    from capture.sync import sync_connection
    from capture.tests.toy import served
    from moderation import tasks

    queued = []
    monkeypatch.setattr(tasks.find_questions, "delay", queued.append)
    with served(monkeypatch) as toy:
        toy.add_post("p0", "Sagostund på onsdag!", days_ago=1)
        toy.add_comment("p0", "c1", "När öppnar ni?")
        toy.add_comment("p0", "c2", "Tack!")
        connection = Connection.objects.create(
            account=library_account, kind="toy", base_url=toy.url, external_id="toy-1",
            token_encrypted=crypto.encrypt("good-token"), created_by=UserFactory(),
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            sync_connection(connection)
    assert queued == [connection.pk]
    assert tasks.find_questions(connection.pk) == {"found": 1, "answered": 0}
    (inquiry,) = Inquiry.objects.all()
    assert inquiry.item.platform_id == "c1" and inquiry.deadline > inquiry.received_at
