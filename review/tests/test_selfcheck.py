"""The yearly self-check (R4, R5, R7, R8, R9): the checklist page and its service, who may answer
and who may read, the two scheduled checks at their edges (a frozen clock, calendar months, the
local date), the flags in comms' review queue in Swedish, and the reminders on the dashboard and
the account page."""

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccountStatus, ClosingReason
from accounts.tests.factories import MandateFactory, SocialAccountFactory, UserFactory
from falkoping_some.lib.errors import DomainError
from review import scheduled_checks as checks
from review.models import FlagKind, FlagStatus, ReviewFlag, SelfCheck
from review.selfcheck import record_self_check, self_check_status, self_checks_due_for

pytestmark = pytest.mark.django_db

D = datetime.date
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NAMES = [name for name, _rule in SelfCheck.QUESTIONS]
ALL_YES = dict.fromkeys(NAMES, "yes")


def at(year, month, day, hour=10, minute=0):
    """A frozen moment, Swedish time."""
    return time_machine.travel(datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM), tick=False)


def answered(account, when: datetime.datetime, by=None, comment="", **answers):
    values = {name: answers.get(name, True) for name in NAMES}
    return SelfCheck.objects.create(
        account=account, answered_by=by or UserFactory(), answered_at=when, comment=comment, **values
    )


def local(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def open_flag(account, kind):
    return ReviewFlag.objects.filter(account=account, kind=kind, status__in=["open", "acknowledged"]).first()


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(account):
    return reverse("review:self_check", args=[account.pk])


def error_of(html: str, field: str) -> str:
    """The error list Django ties to a field (id="id_<field>_error", named by aria-describedby)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


class TestTheChecklist:
    def test_the_page_asks_the_five_questions_in_swedish_with_nothing_chosen(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.get(url(library_account))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Årlig egenkontroll av Falköpings bibliotek" in html
        legends = re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)
        assert [legend.strip() for legend in legends] == [
            "Det framgår tydligt att Falköpings kommun är avsändare och kommunens grafiska profil (eller den "
            "godkända särprofileringen) används.",
            "En beskrivning av verksamheten finns i kontots profil.",
            "Inläggen innehåller inga politiska ställningstaganden eller debattinlägg (politiska beslut får skildras).",
            "Kontot deltar inte i dialogen på andras konton i sociala medier.",
            "Kontot följer endast andra relevanta konton inom verksamhetsområdet och inga privatpersoner.",
        ]
        # The rule beside each question, in its help text, not in the label (issue 17).
        for rule in ["R4", "R5", "R7", "R8", "R9"]:
            assert f">Rutinens regel {rule}</div>" in html
        assert html.count('type="radio"') == 10
        assert "checked" not in html.split('<form method="post"', 1)[1].split("</form>", 1)[0]
        assert re.search(r'<label for="id_sender_clear_0">\s*<input[^>]*value="yes"[^>]*>\s*Ja</label>', html)
        assert re.search(r'<label for="id_sender_clear_1">\s*<input[^>]*value="no"[^>]*>\s*Nej</label>', html)
        assert "Obligatorisk om du svarar nej på någon fråga" in html  # next to the comment

    def test_all_yes_saves(self, client, redaktor, library_account):
        client.force_login(redaktor)
        with at(2026, 3, 10):
            response = client.post(url(library_account), ALL_YES)
        assert response.status_code == 302
        check = SelfCheck.objects.get()
        assert (check.account, check.answered_by, check.comment) == (library_account, redaktor, "")
        assert all(getattr(check, name) for name in NAMES)
        assert shown(response) == [
            "Egenkontrollen för Falköpings bibliotek är sparad. Nästa egenkontroll ska vara gjord senast 2027-03-10."
        ]
        assert not ReviewFlag.objects.exists()

    def test_a_no_without_comment_is_refused_next_to_the_comment(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(url(library_account), {**ALL_YES, "follows_relevant_only": "no", "comment": "  "})
        html = response.content.decode()
        assert response.status_code == 400
        assert error_of(html, "comment") == (
            "Du har svarat nej på en fråga: skriv i kommentaren vad som brister och vad som ska göras."
        )
        assert 'aria-describedby="id_comment_helptext id_comment_error"' in html
        assert "Egenkontrollen sparades inte." in html
        # What was answered is kept: the "no" stays chosen.
        assert re.search(r'<input[^>]*name="follows_relevant_only"[^>]*value="no"[^>]*checked', html)
        assert not SelfCheck.objects.exists()
        assert not ReviewFlag.objects.exists()

    def test_every_question_needs_an_answer(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(url(library_account), {"sender_clear": "yes", "comment": "Allt bra."})
        html = response.content.decode()
        assert response.status_code == 400
        for name in NAMES[1:]:
            assert error_of(html, name) == "Svara ja eller nej."
        assert error_of(html, "sender_clear") == ""
        assert not SelfCheck.objects.exists()

    def test_a_no_with_a_comment_saves_and_raises_the_flag_for_comms(self, client, redaktor, library_account):
        redaktor.first_name, redaktor.last_name = "Rut", "Redaktör"
        redaktor.save()
        client.force_login(redaktor)
        with at(2026, 3, 10, 23, 30):  # late in the evening: the Swedish date counts
            response = client.post(
                url(library_account),
                {
                    **ALL_YES,
                    "no_political_stance": "no",
                    "follows_relevant_only": "no",
                    "comment": " Följer en butik. ",
                },
            )
        assert response.status_code == 302
        check = SelfCheck.objects.get()
        assert (check.no_political_stance, check.follows_relevant_only, check.sender_clear) == (False, False, True)
        assert check.comment == "Följer en butik."
        assert shown(response) == [
            "Egenkontrollen för Falköpings bibliotek är sparad. Du svarade nej på R7, R9: kommunikationsavdelningen "
            "har fått veta det och ser det i sin granskningskö. Nästa egenkontroll ska vara gjord senast 2027-03-10."
        ]
        flag = open_flag(library_account, FlagKind.SELF_CHECK_ANSWERED_NO)
        assert flag.evidence == {
            "self_check": check.pk,
            "answered_on": "2026-03-10",
            "answered_by": "Rut Redaktör",
            "rules": ["R7", "R9"],
            "comment": "Följer en butik.",
        }

    def test_a_later_all_yes_resolves_the_flag(self, redaktor, library_account):
        with at(2026, 3, 10):
            record_self_check(
                redaktor, library_account, {**dict.fromkeys(NAMES, True), "sender_clear": False}, "Ny logga."
            )
        flag = open_flag(library_account, FlagKind.SELF_CHECK_ANSWERED_NO)
        assert flag.evidence["rules"] == ["R4"]
        with at(2026, 4, 2):
            record_self_check(redaktor, library_account, dict.fromkeys(NAMES, True))
        flag.refresh_from_db()
        assert (flag.status, flag.reason) == (FlagStatus.RESOLVED, "The condition is gone.")
        assert open_flag(library_account, FlagKind.SELF_CHECK_ANSWERED_NO) is None
        # The daily check agrees the next morning: nothing to raise again.
        with at(2026, 4, 3, 6):
            (run,) = checks.run_checks(only=["self_check_no"])
        assert (run.found, run.raised) == (0, 0)

    def test_a_second_no_refreshes_the_open_flag(self, redaktor, library_account):
        no = {**dict.fromkeys(NAMES, True), "sender_clear": False}
        with at(2026, 3, 10):
            record_self_check(redaktor, library_account, no, "Ny logga.")
        with at(2026, 3, 20):
            record_self_check(redaktor, library_account, {**no, "profile_description": False}, "Ingen text än.")
        (flag,) = ReviewFlag.objects.filter(kind=FlagKind.SELF_CHECK_ANSWERED_NO)
        assert flag.status == FlagStatus.OPEN
        assert (flag.evidence["rules"], flag.evidence["comment"]) == (["R4", "R5"], "Ingen text än.")

    def test_answering_resolves_the_overdue_flag_at_once_and_only_for_this_account(
        self, redaktor, library_account, social_account
    ):
        with at(2026, 3, 10, 6):
            checks.run_checks(only=["self_check_overdue"])  # both activated 2024-01-15, never checked
        assert open_flag(library_account, FlagKind.SELF_CHECK_OVERDUE)
        assert open_flag(social_account, FlagKind.SELF_CHECK_OVERDUE)
        runs = checks.CheckRun.objects.count()
        with at(2026, 3, 10):
            record_self_check(redaktor, library_account, dict.fromkeys(NAMES, True))
        assert open_flag(library_account, FlagKind.SELF_CHECK_OVERDUE) is None
        assert open_flag(social_account, FlagKind.SELF_CHECK_OVERDUE)  # another account's flag is left alone
        assert checks.CheckRun.objects.count() == runs  # not recorded as a scheduled run

    def test_the_database_refuses_a_no_without_comment(self, redaktor, library_account):
        with pytest.raises(IntegrityError), transaction.atomic():
            answered(library_account, local(2026, 3, 10), by=redaktor, profile_description=False)


class TestTheService:
    def test_only_an_editor_with_a_mandate_in_force(self, library_account, chef, kommunikator, annan_redaktor):
        for user in (chef, kommunikator, annan_redaktor):
            with pytest.raises(DomainError) as refused:
                record_self_check(user, library_account, dict.fromkeys(NAMES, True))
            assert refused.value.message == (
                "Bara en redaktör för kontot med ett gällande uppdrag svarar på kontots egenkontroll (R10)."
            )
        ended = UserFactory()
        MandateFactory(user=ended, account=library_account, valid_until=D(2025, 12, 31))
        with at(2026, 3, 10), pytest.raises(DomainError):
            record_self_check(ended, library_account, dict.fromkeys(NAMES, True))
        assert not SelfCheck.objects.exists()

    def test_refuses_missing_answers_and_a_no_without_comment(self, redaktor, library_account):
        with pytest.raises(DomainError, match="Svara ja eller nej på varje fråga."):
            record_self_check(redaktor, library_account, {"sender_clear": True})
        with pytest.raises(DomainError, match="Där du svarar nej"):
            record_self_check(redaktor, library_account, {**dict.fromkeys(NAMES, True), "sender_clear": False}, " ")
        assert not SelfCheck.objects.exists()

    def test_a_closed_account_has_no_self_check(self, redaktor, library_account):
        SocialAccountFactory._meta.model.objects.filter(pk=library_account.pk).update(
            status=AccountStatus.CLOSED, closed_on=D(2026, 1, 1), closing_reason=ClosingReason.ON_REQUEST
        )
        with pytest.raises(
            DomainError, match="Bara ett aktivt konto har en årlig egenkontroll; det här kontot är ”Avslutat”."
        ):
            record_self_check(redaktor, library_account, dict.fromkeys(NAMES, True))


class TestWhoMay:
    def test_the_editor_reads_and_answers(self, client, redaktor, library_account):
        client.force_login(redaktor)
        assert client.get(url(library_account)).status_code == 200
        assert client.post(url(library_account), ALL_YES).status_code == 302
        assert SelfCheck.objects.count() == 1

    @pytest.mark.parametrize("who", ["annan_redaktor", "medarbetare", "annan_chef"])
    def test_others_may_neither_read_nor_answer(self, client, request, library_account, who):
        client.force_login(request.getfixturevalue(who))
        assert client.get(url(library_account)).status_code == 403
        assert client.post(url(library_account), ALL_YES).status_code == 403
        assert not SelfCheck.objects.exists()

    @pytest.mark.parametrize("who", ["chef", "kommunikator"])
    def test_the_manager_and_comms_read_but_do_not_answer(self, client, request, library_account, who):
        client.force_login(request.getfixturevalue(who))
        response = client.get(url(library_account))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Spara egenkontrollen" not in html
        assert "Bara en redaktör för kontot med ett gällande uppdrag svarar på egenkontrollen (R10)." in html
        assert client.post(url(library_account), ALL_YES).status_code == 403
        assert not SelfCheck.objects.exists()

    def test_an_ended_mandate_no_longer_answers(self, client, library_account):
        former = UserFactory()
        MandateFactory(user=former, account=library_account, valid_until=D(2025, 12, 31))
        client.force_login(former)
        with at(2026, 3, 10):
            assert client.post(url(library_account), ALL_YES).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client, library_account):
        response = client.get(url(library_account))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert client.post(url(library_account), ALL_YES).status_code == 302
        assert not SelfCheck.objects.exists()

    def test_the_history_shows_who_when_the_answers_and_comments(self, client, chef, library_account):
        anna = UserFactory(first_name="Anna", last_name="Berg")
        answered(library_account, local(2025, 3, 3), by=anna)
        answered(
            library_account, local(2026, 3, 2), by=anna, comment="Vi följer en restaurang.", follows_relevant_only=False
        )
        client.force_login(chef)
        with at(2026, 3, 10):
            html = client.get(url(library_account)).content.decode()
        rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
        cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</t[hd]>", row)][:-1] for row in rows]
        assert cells == [
            ["2026-03-02", "Anna Berg", "Ja", "Ja", "Ja", "Ja", "Nej", "Vi följer en restaurang."],
            ["2025-03-03", "Anna Berg", "Ja", "Ja", "Ja", "Ja", "Ja", "–"],
        ]
        assert "Nästa egenkontroll ska vara gjord senast 2027-03-02." in html


class TestOverdueCheck:
    """More than twelve calendar months after the last self-check's Swedish date, or after the
    activation when the account was never checked."""

    @pytest.mark.parametrize(
        ("today", "flagged"),
        [(D(2026, 3, 9), False), (D(2026, 3, 10), False), (D(2026, 3, 11), True)],  # exactly 12 months: in time
    )
    def test_twelve_months_after_the_last_self_check(self, library_account, today, flagged):
        answered(library_account, local(2024, 2, 1))
        answered(library_account, local(2025, 3, 10, 23, 30))  # late evening: still 10 March in Sweden
        found = checks.find_self_check_overdue(today)
        assert (library_account.pk in found) is flagged
        if flagged:
            assert found[library_account.pk] == {
                "last_self_check": "2025-03-10",
                "due": "2026-03-10",
                "activated_on": "2024-01-15",
            }

    def test_the_swedish_date_counts_not_utc(self, library_account):
        answered(library_account, local(2025, 3, 11, 0, 30))  # 10 March in UTC
        assert checks.find_self_check_overdue(D(2026, 3, 11)) == {}
        assert library_account.pk in checks.find_self_check_overdue(D(2026, 3, 12))

    @pytest.mark.parametrize(("today", "flagged"), [(D(2026, 5, 20), False), (D(2026, 5, 21), True)])
    def test_never_checked_counts_from_the_activation(self, today, flagged):
        account = SocialAccountFactory(activated_on=D(2025, 5, 20))
        found = checks.find_self_check_overdue(today)
        assert (account.pk in found) is flagged
        if flagged:
            assert found[account.pk] == {"last_self_check": None, "due": "2026-05-20", "activated_on": "2025-05-20"}

    def test_an_account_activated_three_months_ago_is_not_overdue(self):
        SocialAccountFactory(activated_on=D(2025, 12, 10))
        assert checks.find_self_check_overdue(D(2026, 3, 10)) == {}

    @pytest.mark.parametrize(
        ("answered_on", "today", "flagged"),
        [
            (D(2028, 2, 29), D(2029, 2, 28), False),  # due on 28 February the year after
            (D(2028, 2, 29), D(2029, 3, 1), True),
            (D(2027, 2, 28), D(2028, 2, 28), False),
            (D(2027, 2, 28), D(2028, 2, 29), True),  # a leap day is a day more than twelve months
        ],
    )
    def test_the_leap_day(self, library_account, answered_on, today, flagged):
        answered(library_account, local(answered_on.year, answered_on.month, answered_on.day))
        assert (library_account.pk in checks.find_self_check_overdue(today)) is flagged

    def test_closed_and_requested_accounts_are_not_flagged(self, library_account):
        SocialAccountFactory(
            status=AccountStatus.CLOSED, closed_on=D(2025, 6, 1), closing_reason=ClosingReason.ON_REQUEST
        )
        SocialAccountFactory(status=AccountStatus.REQUESTED, activated_on=None)
        assert list(checks.find_self_check_overdue(D(2026, 3, 10))) == [library_account.pk]

    def test_one_query_each(self, library_account, social_account):
        for account in (library_account, social_account, SocialAccountFactory()):
            answered(account, local(2025, 1, 1), comment="Nej.", sender_clear=False)
        with CaptureQueriesContext(connection) as queries:
            overdue = checks.find_self_check_overdue(D(2026, 3, 10))
            no = checks.find_self_check_no(D(2026, 3, 10))
        assert (len(overdue), len(no), len(queries)) == (3, 3, 2)

    def test_the_daily_run_raises_and_a_self_check_resolves(self, redaktor, library_account):
        with at(2026, 3, 11, 6):
            (run,) = checks.run_checks(only=["self_check_overdue"])
        assert (run.found, run.raised) == (1, 1)
        assert open_flag(library_account, FlagKind.SELF_CHECK_OVERDUE).evidence == {
            "last_self_check": None,
            "due": "2025-01-15",
            "activated_on": "2024-01-15",
        }
        with at(2026, 3, 11, 9):
            record_self_check(redaktor, library_account, dict.fromkeys(NAMES, True))
        assert open_flag(library_account, FlagKind.SELF_CHECK_OVERDUE) is None


class TestAnsweredNoCheck:
    def test_only_the_latest_self_check_counts(self, library_account, social_account):
        answered(library_account, local(2025, 3, 1), comment="Saknar text.", profile_description=False)
        answered(library_account, local(2026, 3, 1))
        answered(social_account, local(2025, 3, 1))
        latest = answered(
            social_account, local(2026, 3, 1), comment="Debatt i en kommentar.", no_political_stance=False
        )
        found = checks.find_self_check_no(D(2026, 3, 10))
        assert list(found) == [social_account.pk]
        assert found[social_account.pk]["self_check"] == latest.pk
        assert found[social_account.pk]["rules"] == ["R7"]

    def test_a_closed_account_is_not_flagged(self):
        closed = SocialAccountFactory(
            status=AccountStatus.CLOSED, closed_on=D(2026, 2, 1), closing_reason=ClosingReason.ON_REQUEST
        )
        answered(closed, local(2026, 1, 10), comment="Nej.", sender_clear=False)
        assert checks.find_self_check_no(D(2026, 3, 10)) == {}

    def test_both_checks_are_scheduled_daily(self):
        from django_celery_beat.models import PeriodicTask

        scheduled = {
            name
            for task in PeriodicTask.objects.filter(task="accounts.tasks.run_scheduled_checks", enabled=True)
            for name in json.loads(task.kwargs).get("only", [])
        }
        assert {"self_check_overdue", "self_check_no"} <= scheduled
        assert checks.CHECKS["self_check_overdue"].kind == FlagKind.SELF_CHECK_OVERDUE
        assert checks.CHECKS["self_check_no"].kind == FlagKind.SELF_CHECK_ANSWERED_NO


class TestReviewQueue:
    def test_both_flags_read_in_swedish(self, client, kommunikator, library_account, social_account):
        berit = UserFactory(first_name="Berit", last_name="Ek")
        answered(library_account, local(2025, 2, 1))
        answered(
            social_account, local(2026, 3, 2), by=berit, comment="Vi följer en lokal butik.", no_political_stance=False,
            follows_relevant_only=False,
        )  # fmt: skip
        with at(2026, 3, 10, 6):
            checks.run_checks(only=["self_check_overdue", "self_check_no"])
        client.force_login(kommunikator)
        with at(2026, 3, 10):
            html = client.get(reverse("review:queue")).content.decode()
        rows = {
            name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
            for row in re.findall(r'<tr id="flagga-\d+">(.*?)</tr>', html, re.S)
            for name in ("Falköpings bibliotek", "Socialförvaltningen informerar")
            if name in row
        }
        assert "Årlig egenkontroll försenad" in rows["Falköpings bibliotek"]
        assert "Senaste egenkontroll: 2025-02-01, skulle vara gjord senast 2026-02-01" in rows["Falköpings bibliotek"]
        social = rows["Socialförvaltningen informerar"]
        assert "Egenkontroll med nej-svar" in social
        assert "Nej-svar 2026-03-02 av Berit Ek:" in social
        assert "R7 – Inga politiska ställningstaganden" in social
        assert "R9 – Följer bara relevanta konton" in social
        assert "Kommentar: Vi följer en lokal butik." in social
        assert f'href="{url(social_account)}"' in html

    def test_never_checked_reads_from_the_activation(self, client, kommunikator, library_account):
        with at(2026, 3, 10, 6):
            checks.run_checks(only=["self_check_overdue"])
        client.force_login(kommunikator)
        html = client.get(reverse("review:queue")).content.decode()
        assert "Ingen egenkontroll sedan aktiveringen 2024-01-15, skulle vara gjord senast 2025-01-15" in html


class TestReminders:
    def test_the_dashboard_shows_an_editor_what_is_due_within_30_days(self, client, redaktor, library_account):
        answered(library_account, local(2025, 4, 1))  # due 2026-04-01
        other = SocialAccountFactory(name="Stadsbiblioteket på Instagram", activated_on=D(2024, 1, 15))
        MandateFactory(user=redaktor, account=other)  # never checked: overdue since 2025-01-15
        SocialAccountFactory(name="Någon annans konto", activated_on=D(2024, 1, 15))
        client.force_login(redaktor)

        with at(2026, 3, 1):  # 31 days before: not yet
            rows = self_checks_due_for(redaktor)
            html = client.get(reverse("dashboard")).content.decode()
        assert [row.account for row in rows] == [other]
        assert "Falköpings bibliotek</a><span" not in html.split("self-checks-heading", 1)[1].split("</section>", 1)[0]

        with at(2026, 3, 2):  # 30 days before
            html = client.get(reverse("dashboard")).content.decode()
        section = html.split('id="self-checks-heading"', 1)[1].split("</section>", 1)[0]
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
        assert "Årliga egenkontroller att svara på" in text
        assert "Stadsbiblioteket på Instagram Facebook 2025-01-15 – försenad Ingen ännu" in text
        assert "Falköpings bibliotek Facebook 2026-04-01 2025-04-01" in text
        assert "Någon annans konto" not in text
        assert f'href="{url(library_account)}"' in section
        assert text.count("Svara på egenkontrollen") == 2

    def test_nothing_due_no_section(self, client, redaktor, medarbetare, library_account):
        answered(library_account, local(2026, 3, 1))
        for user in (redaktor, medarbetare):
            client.force_login(user)
            with at(2026, 3, 10):
                html = client.get(reverse("dashboard")).content.decode()
            assert "Årliga egenkontroller att svara på" not in html

    def test_the_account_page(self, client, redaktor, chef, medarbetare, kommunikator, library_account):
        answered(library_account, local(2025, 3, 1), by=redaktor, comment="Saknar text.", profile_description=False)
        page = library_account.get_absolute_url()
        texts = {}
        for user in (redaktor, chef, medarbetare, kommunikator):
            client.force_login(user)
            with at(2026, 3, 10):
                html = client.get(page).content.decode()
            texts[user.email] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
            texts[user.email + " html"] = html
        for user in (redaktor, chef, kommunikator):
            text = texts[user.email]
            assert "Årlig egenkontroll" in text
            assert f"Senaste egenkontroll 2025-03-01, {redaktor}: nej på R5" in text
            assert "Nästa egenkontroll senast 2026-03-01 – försenad" in text
            assert "Kontots alla egenkontroller" in text
        assert "Svara på egenkontrollen" in texts[redaktor.email]
        assert "Svara på egenkontrollen" not in texts[chef.email]
        assert "Årlig egenkontroll" not in texts[medarbetare.email]
        # Comms exports the account's records from its page.
        export = f'href="{reverse("records:export_create")}?konto={library_account.pk}">Exportera handlingar</a>'
        assert export in texts[kommunikator.email + " html"]
        assert "Exportera handlingar" not in texts[chef.email]

    def test_status(self, library_account):
        with at(2026, 3, 10):
            status = self_check_status(library_account)
        assert (status.latest, status.due, status.overdue) == (None, D(2025, 1, 15), True)
        answered(library_account, local(2026, 3, 1))
        with at(2026, 3, 10):
            status = self_check_status(library_account)
        assert (status.due, status.overdue, status.due_soon) == (D(2027, 3, 1), False, False)
