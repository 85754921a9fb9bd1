"""Retention and recorded disposal (gallring, R25): the date that counts for each kind of record,
the months at their edges (month ends, leap years) with a frozen clock, the monthly proposal
(idempotent, refreshed, withdrawn, comms told), the confirmation (exactly the due records go, with
their evidence files and audit entries, and the disposal stays as their record; refused when it
must be), and the pages as a Swedish comms member sees them."""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import (
    AccountDecision,
    AccountStatus,
    ClosingReason,
    DecisionOutcome,
    DecisionStep,
    Mandate,
    Notification,
    Training,
    TrainingKind,
)
from accounts.tests.factories import SocialAccountFactory, UserFactory
from activity.models import WeeklyActivity
from capture.models import CapturedItem, Connection
from falkoping_some.lib.errors import DomainError
from moderation.evidence import store_evidence
from moderation.models import Evidence, Inquiry, LegalBasisRecord, ModerationCase
from moderation.tests.files import png
from moderation.tests.files.storage import private_media
from records import retention
from records.models import (
    RETENTION_KINDS,
    Disposal,
    DisposalStatus,
    ExportStatus,
    RecordKind,
    RecordsExport,
    RetentionRule,
)
from records.retention import (
    confirm_disposal,
    cutoff_for,
    describe_records,
    due_records,
    is_due,
    kept_until,
    propose_disposals,
)
from review.models import FlagKind, FlagStatus, ReviewFlag, SelfCheck

STHLM = ZoneInfo("Europe/Stockholm")
D = datetime.date


def at(day, hour=12, minute=0):
    """A moment on `day`, local time."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=STHLM)


def frozen(day, hour=5):
    """The clock on `day` (the monthly check runs at 05:00)."""
    return time_machine.travel(at(day, hour), tick=False)


def rule(kind, months, reference="KS dokumenthanteringsplan 2024, 3.2.4"):
    return RetentionRule.objects.update_or_create(
        kind=kind, defaults={"retain_months": months, "plan_reference": reference}
    )[0]


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def entries_about(records):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(records[0])),
        object_pk__in=[str(r.pk) for r in records],
    )


@pytest.fixture
def media(tmp_path):
    with private_media(tmp_path / "private") as path:
        yield path


# The months at their edges ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record_date", "months", "kept"),
    [
        (D(2024, 8, 31), 6, D(2025, 2, 28)),  # no 31 February: the month's last day
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # a leap year's last day of February
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # a leap day, a year on
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 3, 15), 6, D(2024, 9, 15)),
    ],
)
def test_kept_through_the_same_day_n_calendar_months_on(record_date, months, kept):
    assert kept_until(record_date, months) == kept
    # Kept on that day, due the day after.
    assert not is_due(record_date, months, kept)
    assert is_due(record_date, months, kept + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("today", "months", "cutoff"),
    [
        # 31 August + 6 months is 28 February: kept on 28 February, due on 1 March.
        (D(2025, 2, 28), 6, D(2024, 8, 28)),  # 28–31 August are all kept through 28 February
        (D(2025, 3, 1), 6, D(2024, 9, 1)),  # ... and all due on 1 March
        (D(2024, 2, 29), 6, D(2023, 8, 29)),  # leap year: 29 August is kept through 29 February
        (D(2024, 3, 1), 6, D(2023, 9, 1)),
        (D(2025, 3, 1), 12, D(2024, 3, 1)),  # the leap day + 12 months is 28 February: due on 1 March
        (D(2025, 3, 31), 1, D(2025, 3, 1)),  # 28 February + 1 month is 28 March: due long before 31 March
        (D(2025, 6, 16), 120, D(2015, 6, 16)),  # ten years: kept through the same day, due the day after
    ],
)
def test_cutoff_at_month_ends_and_leap_years(today, months, cutoff):
    assert cutoff_for(today, months) == cutoff
    assert is_due(cutoff - datetime.timedelta(days=1), months, today)
    assert not is_due(cutoff, months, today)


def test_cutoff_draws_the_same_edge_as_the_day_count_every_day_for_years():
    """Every day of 2023–2025 (two month-end years, one leap year), for the usual retention times:
    a record is dated before the cutoff exactly when its retention has run out."""
    day = D(2023, 1, 1)
    while day <= D(2025, 12, 31):
        for months in (1, 3, 6, 12, 13, 24, 120):
            cutoff = cutoff_for(day, months)
            for offset in range(-3, 3):
                record_date = cutoff + datetime.timedelta(days=offset)
                assert is_due(record_date, months, day) == (record_date < cutoff), (day, months, record_date)
        day += datetime.timedelta(days=1)


# The date that counts for each kind of record --------------------------------------------------

# 6 months on 2 March 2025: records dated before Monday 2 September 2024 are due.
TODAY = D(2025, 3, 2)
CUTOFF = D(2024, 9, 2)
MONTHS = 6
LAST_DUE = CUTOFF - datetime.timedelta(days=1)  # Sunday 1 September 2024


@dataclass
class Ctx:
    account: object
    comms: object
    editor: object


def make_decisions(ctx, day):
    """A closed account's case: its request, and its closing on `day`."""
    account = SocialAccountFactory(
        unit=ctx.account.unit, status=AccountStatus.CLOSED, closed_on=day, closing_reason=ClosingReason.ON_REQUEST
    )
    return [
        AccountDecision.objects.create(
            account=account, step=DecisionStep.REQUEST, outcome=DecisionOutcome.DONE, actor=ctx.editor,
            role="Redaktör", decided_at=at(day - datetime.timedelta(days=400)),
        ),
        AccountDecision.objects.create(
            account=account, step=DecisionStep.CLOSING, outcome=DecisionOutcome.DONE, actor=ctx.comms,
            role="Kommunikationsavdelningen", decided_at=at(day, 16),
        ),
    ]  # fmt: skip


def make_mandate(ctx, day):
    return [
        Mandate.objects.create(
            user=UserFactory(), account=ctx.account, valid_from=day - datetime.timedelta(days=90), valid_until=day
        )
    ]


def make_training(ctx, day):
    return [
        Training.objects.create(
            trainee=UserFactory(), trainer=ctx.comms, kind=TrainingKind.GENERAL, date=day, recorded_by=ctx.comms
        )
    ]


def make_week(ctx, day):
    assert day.weekday() == 6, "a week is dated by its Sunday"
    monday = day - datetime.timedelta(days=6)
    return [WeeklyActivity.objects.create(account=ctx.account, week=monday, posts=3, logged_by=ctx.editor)]


def make_flag(ctx, day):
    return [
        ReviewFlag.objects.create(
            account=ctx.account, kind=FlagKind.POSTING_SHORTFALL, status=FlagStatus.RESOLVED,
            raised_at=at(day - datetime.timedelta(days=20)), closed_at=at(day, 23, 59), decided_by=ctx.comms,
        )
    ]  # fmt: skip


def make_self_check(ctx, day):
    return [
        SelfCheck.objects.create(
            account=ctx.account, sender_clear=True, profile_description=True, no_political_stance=True,
            no_dialogue_elsewhere=True, follows_relevant_only=True, answered_by=ctx.editor, answered_at=at(day, 23, 59),
        )
    ]  # fmt: skip


def make_case(ctx, day):
    return [
        ModerationCase.objects.create(
            account=ctx.account, content_kind="comment", category="spam", description="Reklam för solglasögon",
            opened_by=ctx.editor, opened_at=at(day - datetime.timedelta(days=1)), removed_at=at(day, 23, 59),
        )
    ]  # fmt: skip


def make_inquiry(ctx, day):
    return [
        Inquiry.objects.create(
            account=ctx.account, channel="comment", received_at=at(day - datetime.timedelta(days=2)),
            summary="När öppnar biblioteket efter sommaren?", deadline=at(day - datetime.timedelta(days=1)),
            answered_at=at(day, 0, 0), answered_by=ctx.editor, logged_by=ctx.editor,
        )
    ]  # fmt: skip


def make_legal_basis(ctx, day):
    return [
        LegalBasisRecord.objects.create(
            account=ctx.account, post="Bild från sommarlovsaktiviteten", basis="consent",
            published_at=at(day - datetime.timedelta(days=3)), recorded_by=ctx.editor, recorded_at=at(day, 20),
        )
    ]  # fmt: skip


def make_captured(ctx, day):
    """A post captured three days after it was published, last changed on `day` (its thread's latest date)."""
    connection, _created = Connection.objects.get_or_create(
        account=ctx.account, kind="facebook",
        defaults={"base_url": "https://graph.facebook.com", "external_id": "page-1", "created_by": ctx.comms},
    )  # fmt: skip
    number = CapturedItem.objects.count() + 1
    return [
        CapturedItem.objects.create(
            connection=connection, account=ctx.account, platform="facebook", platform_id=f"post-{number}",
            kind="post", text=f"Inlägg {number}", by_account=True, published_at=at(day - datetime.timedelta(days=3)),
            raw={"id": f"post-{number}"}, raw_sha256="0" * 64, captured_at=at(day - datetime.timedelta(days=3)),
            changed_at=at(day, 20), last_seen_at=at(day, 20),
        )
    ]  # fmt: skip


MAKERS = {
    RecordKind.DECISIONS: make_decisions,
    RecordKind.MANDATES: make_mandate,
    RecordKind.TRAININGS: make_training,
    RecordKind.WEEKLY_ACTIVITY: make_week,
    RecordKind.FLAGS: make_flag,
    RecordKind.SELF_CHECKS: make_self_check,
    RecordKind.MODERATION_CASES: make_case,
    RecordKind.INQUIRIES: make_inquiry,
    RecordKind.LEGAL_BASIS: make_legal_basis,
    RecordKind.CAPTURED_ITEMS: make_captured,
}
# The kinds whose records the audit trail does not follow (capture writes them, not a person).
UNAUDITED_KINDS = (RecordKind.CAPTURED_ITEMS,)


# The kinds whose latest record of an open account is in force, never due (see TestNeverDue).
IN_FORCE_KINDS = (RecordKind.WEEKLY_ACTIVITY, RecordKind.SELF_CHECKS)


def first_kept_day(kind):
    """The first day whose record is kept: the cutoff, or for a week the first Sunday on or after it."""
    return CUTOFF + datetime.timedelta(days=6) if kind == RecordKind.WEEKLY_ACTIVITY else CUTOFF


@pytest.fixture
def ctx(kommunikator, redaktor, library_account):
    return Ctx(account=library_account, comms=kommunikator, editor=redaktor)


def test_every_retainable_kind_has_its_date():
    assert set(retention.RECORD_DATES) == {kind for kind, _label in RETENTION_KINDS}
    assert set(MAKERS) == set(retention.RECORD_DATES)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(MAKERS))
def test_due_exactly_before_the_cutoff(ctx, kind):
    old = MAKERS[kind](ctx, LAST_DUE)
    new = MAKERS[kind](ctx, first_kept_day(kind))
    if kind in IN_FORCE_KINDS:  # the account's latest is in force: make it a later one
        MAKERS[kind](ctx, first_kept_day(kind) + datetime.timedelta(days=364))
    due = list(due_records(kind, CUTOFF))
    assert sorted(r.pk for r in due) == sorted(r.pk for r in old)
    # The page shows the date that counts, and it agrees with the database's condition.
    assert {row.date for row in describe_records(kind, due)} == {LAST_DUE}
    later = list(due_records(kind, first_kept_day(kind) + datetime.timedelta(days=1)))
    assert {r.pk for r in later} == {r.pk for r in old + new}


@pytest.mark.django_db
def test_a_moment_is_dated_by_its_local_day(ctx):
    """23:59 on the last due day is due; 00:00 the next day (local time, 22:00 UTC the day before) is not."""
    (late,) = make_self_check(ctx, LAST_DUE)
    (midnight,) = make_self_check(ctx, CUTOFF)
    SelfCheck.objects.filter(pk=midnight.pk).update(answered_at=at(CUTOFF, 0, 0))
    make_self_check(ctx, CUTOFF + datetime.timedelta(days=30))  # the latest, kept in force
    assert [r.pk for r in due_records(RecordKind.SELF_CHECKS, CUTOFF)] == [late.pk]


@pytest.mark.django_db
class TestNeverDue:
    """Records still open or in force are never due, however old."""

    FAR = D(2100, 1, 1)

    def test_decisions_of_a_live_account(self, ctx):
        AccountDecision.objects.create(
            account=ctx.account, step=DecisionStep.REQUEST, outcome=DecisionOutcome.DONE, actor=ctx.editor,
            role="Redaktör", decided_at=at(D(2019, 1, 1)),
        )  # fmt: skip
        assert not due_records(RecordKind.DECISIONS, self.FAR).exists()

    def test_decisions_of_a_rejected_request_are_due_together(self, ctx):
        account = SocialAccountFactory(status=AccountStatus.REJECTED, activated_on=None)
        for step, day, actor in (
            (DecisionStep.REQUEST, D(2019, 1, 1), ctx.editor),  # R11: the requester is not the decider
            (DecisionStep.MANAGER, D(2019, 2, 1), ctx.comms),
        ):
            AccountDecision.objects.create(
                account=account, step=step, outcome=DecisionOutcome.REJECTED, actor=actor, role="Chef",
                decided_at=at(day),
            )  # fmt: skip
        assert due_records(RecordKind.DECISIONS, D(2019, 2, 1)).count() == 0  # counted from the last one
        assert due_records(RecordKind.DECISIONS, D(2019, 2, 2)).count() == 2

    def test_mandate_in_force_or_open_ended(self, ctx):
        Mandate.objects.create(user=UserFactory(), account=ctx.account, valid_from=D(2019, 1, 1))
        Mandate.objects.create(user=UserFactory(), account=ctx.account, valid_from=D(2019, 1, 1), valid_until=self.FAR)
        assert not due_records(RecordKind.MANDATES, self.FAR).exists()

    def test_revoked_mandate_counts_from_its_revocation(self, ctx):
        mandate = Mandate.objects.create(
            user=UserFactory(), account=ctx.account, valid_from=D(2019, 1, 1), valid_until=D(2030, 1, 1),
            revoked_at=at(D(2020, 5, 4)), revoke_reason="Bytt tjänst", revoked_by=ctx.comms,
        )  # fmt: skip
        assert not due_records(RecordKind.MANDATES, D(2020, 5, 4)).exists()
        due = list(due_records(RecordKind.MANDATES, D(2020, 5, 5)))
        assert due == [mandate] and describe_records(RecordKind.MANDATES, due)[0].date == D(2020, 5, 4)

    @pytest.mark.parametrize("status", [FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED])
    def test_open_flag(self, ctx, status):
        ReviewFlag.objects.create(
            account=ctx.account, kind=FlagKind.POSTING_SHORTFALL, status=status, raised_at=at(D(2019, 1, 1))
        )
        assert not due_records(RecordKind.FLAGS, self.FAR).exists()

    def test_unanswered_question(self, ctx):
        Inquiry.objects.create(
            account=ctx.account, channel="message", received_at=at(D(2019, 1, 1)), summary="Fråga",
            deadline=at(D(2019, 1, 2)), logged_by=ctx.editor,
        )  # fmt: skip
        assert not due_records(RecordKind.INQUIRIES, self.FAR).exists()

    def test_case_not_removed_or_criminal_not_reported(self, ctx):
        common = {"account": ctx.account, "content_kind": "comment", "opened_by": ctx.editor}
        ModerationCase.objects.create(
            **common, category="spam", description="Ej borttagen", opened_at=at(D(2019, 1, 1))
        )
        ModerationCase.objects.create(
            **common, category="incitement", description="Hets mot folkgrupp", is_criminal=True,
            opened_at=at(D(2019, 1, 1)), removed_at=at(D(2019, 1, 1)),
        )  # fmt: skip
        assert not due_records(RecordKind.MODERATION_CASES, self.FAR).exists()

    def test_criminal_case_counts_from_its_police_report(self, ctx):
        case = ModerationCase.objects.create(
            account=ctx.account, content_kind="comment", opened_by=ctx.editor, category="incitement",
            description="Hets mot folkgrupp", is_criminal=True, opened_at=at(D(2019, 1, 1)),
            removed_at=at(D(2019, 1, 1)), police_reported_on=D(2019, 3, 1), police_reference="5000-K123-19",
        )  # fmt: skip
        assert not due_records(RecordKind.MODERATION_CASES, D(2019, 3, 1)).exists()
        assert list(due_records(RecordKind.MODERATION_CASES, D(2019, 3, 2))) == [case]

    def test_evidence_added_later_moves_the_case(self, ctx, media):
        (case,) = make_case(ctx, LAST_DUE)
        with frozen(CUTOFF, 9):
            store_evidence(ctx.editor, png(), case=case)
        assert not due_records(RecordKind.MODERATION_CASES, CUTOFF).exists()
        row = describe_records(RecordKind.MODERATION_CASES, due_records(RecordKind.MODERATION_CASES, self.FAR))[0]
        assert row.date == CUTOFF

    def test_legal_basis_recorded_late_counts_from_the_record(self, ctx):
        record = LegalBasisRecord.objects.create(
            account=ctx.account, post="Bild", basis="consent", published_at=at(D(2019, 1, 1)),
            recorded_by=ctx.editor, recorded_at=at(D(2020, 6, 1)),
        )  # fmt: skip
        assert not due_records(RecordKind.LEGAL_BASIS, D(2020, 6, 1)).exists()
        assert list(due_records(RecordKind.LEGAL_BASIS, D(2020, 6, 2))) == [record]

    def test_latest_self_check_of_an_open_account_is_in_force(self, ctx):
        (older,) = make_self_check(ctx, D(2019, 1, 1))
        make_self_check(ctx, D(2020, 1, 1))
        assert [r.pk for r in due_records(RecordKind.SELF_CHECKS, self.FAR)] == [older.pk]

    def test_latest_self_check_of_a_closed_account_is_due(self, ctx):
        closed = SocialAccountFactory(
            status=AccountStatus.CLOSED, closed_on=D(2020, 6, 1), closing_reason=ClosingReason.ON_REQUEST
        )
        (check,) = make_self_check(Ctx(closed, ctx.comms, ctx.editor), D(2020, 1, 1))
        assert list(due_records(RecordKind.SELF_CHECKS, self.FAR)) == [check]

    def test_latest_week_with_posts_of_an_open_account_is_kept(self, ctx):
        """R6 counts inactivity from it: disposing of it would make the account look abandoned."""
        (older,) = make_week(ctx, D(2019, 1, 6))
        (latest,) = make_week(ctx, D(2019, 1, 13))
        WeeklyActivity.objects.create(account=ctx.account, week=D(2019, 1, 14), posts=0, logged_by=ctx.editor)
        due = set(due_records(RecordKind.WEEKLY_ACTIVITY, self.FAR).values_list("pk", flat=True))
        assert older.pk in due and latest.pk not in due and len(due) == 2


# The monthly proposal -------------------------------------------------------------------------


@pytest.mark.django_db
class TestPropose:
    def test_no_rule_or_a_rule_without_time_keeps_everything(self, ctx):
        make_training(ctx, D(2000, 1, 1))
        with frozen(TODAY):
            assert propose_disposals() == []
            rule(RecordKind.TRAININGS, None)
            assert propose_disposals() == []
        # (The editor of the fixtures has a training of their own, kept while their mandate runs, R14.)
        assert not Disposal.objects.exists() and Training.objects.filter(trainer=ctx.comms).count() == 1

    def test_day_before_on_and_after_the_edge(self, ctx):
        """A training on 31 August, kept 6 months: kept through 28 February, proposed from 1 March."""
        rule(RecordKind.TRAININGS, 6)
        make_training(ctx, D(2024, 8, 31))
        with frozen(D(2025, 2, 27)):
            assert propose_disposals() == []
        with frozen(D(2025, 2, 28)):
            assert propose_disposals() == []
        with frozen(D(2025, 3, 1)):
            (proposal,) = propose_disposals()
        assert proposal.status == DisposalStatus.PROPOSED and proposal.proposed_count == 1
        assert proposal.cutoff == D(2024, 9, 1) and proposal.kind == RecordKind.TRAININGS

    def test_proposal_copies_the_rule(self, ctx):
        the_rule = rule(RecordKind.TRAININGS, 24, "KF dokumenthanteringsplan 2022, 4.1")
        make_training(ctx, D(2020, 1, 1))
        with frozen(TODAY):
            (proposal,) = propose_disposals()
        assert (proposal.rule, proposal.plan_reference, proposal.retain_months) == (
            the_rule, "KF dokumenthanteringsplan 2022, 4.1", 24,
        )  # fmt: skip

    def test_idempotent_and_refreshed(self, ctx, mailoutbox):
        rule(RecordKind.TRAININGS, 6)
        make_training(ctx, D(2024, 1, 10))
        with frozen(TODAY):
            (first,) = propose_disposals()
            (again,) = propose_disposals()
        assert again.pk == first.pk and Disposal.objects.count() == 1 and again.proposed_count == 1
        assert Notification.objects.count() == 1  # nothing new the second time: no second notice
        # A month later more is due: the same proposal is refreshed, and comms is told again.
        make_training(ctx, D(2024, 9, 20))
        with frozen(D(2025, 4, 1)):
            (refreshed,) = propose_disposals()
        assert refreshed.pk == first.pk and refreshed.proposed_count == 2 and refreshed.cutoff == D(2024, 10, 1)
        assert Disposal.objects.count() == 1 and Notification.objects.count() == 2

    def test_withdrawn_when_the_rule_is_made_longer_or_set_to_keep(self, ctx):
        the_rule = rule(RecordKind.TRAININGS, 6)
        make_training(ctx, D(2024, 6, 1))
        with frozen(TODAY):
            (proposal,) = propose_disposals()
            the_rule.retain_months = 12
            the_rule.save()
            assert propose_disposals() == []
        proposal.refresh_from_db()
        assert proposal.status == DisposalStatus.WITHDRAWN
        the_rule.retain_months = 6
        the_rule.save()
        with frozen(TODAY):
            (new,) = propose_disposals()
            assert new.pk != proposal.pk
            the_rule.retain_months = None
            the_rule.save()
            assert propose_disposals() == []
        new.refresh_from_db()
        assert new.status == DisposalStatus.WITHDRAWN and Training.objects.filter(trainer=ctx.comms).count() == 1

    def test_one_proposal_per_kind(self, ctx):
        rule(RecordKind.TRAININGS, 6)
        rule(RecordKind.INQUIRIES, 6)
        rule(RecordKind.FLAGS, 6)  # nothing of this kind is due
        make_training(ctx, D(2024, 1, 1))
        make_inquiry(ctx, D(2024, 1, 1))
        make_inquiry(ctx, D(2024, 2, 1))
        with frozen(TODAY):
            proposals = propose_disposals()
        assert {(p.kind, p.proposed_count) for p in proposals} == {
            (RecordKind.TRAININGS, 1), (RecordKind.INQUIRIES, 2),
        }  # fmt: skip

    def test_comms_is_told_in_swedish_with_a_link(self, ctx, kommunikator_utan_mfa, chef):
        rule(RecordKind.TRAININGS, 6, "KS DHP 2024, 3.2.4")
        make_training(ctx, D(2024, 1, 10))
        make_training(ctx, D(2024, 2, 10))
        with frozen(TODAY):
            propose_disposals()
        notices = Notification.objects.order_by("recipient__email")
        assert {n.recipient for n in notices} == {ctx.comms, kommunikator_utan_mfa}  # comms only, not the manager
        notice = notices[0]
        assert notice.subject == "En gallring att bekräfta i SoMe-portalen"
        assert "Utbildningar: 2 handlingar daterade före 2024-09-02 (KS DHP 2024, 3.2.4)" in notice.body
        assert "Ingenting gallras förrän någon på kommunikationsavdelningen bekräftar det." in notice.body
        assert re.search(r"https?://\S+/arkiv/gallring/\n", notice.body)

    def test_the_monthly_task_runs_the_check(self, ctx):
        from records.tasks import propose_disposals as task

        rule(RecordKind.TRAININGS, 6)
        make_training(ctx, D(2024, 1, 10))
        with frozen(TODAY):
            ids = task()
        assert ids == list(Disposal.objects.values_list("pk", flat=True))


# The confirmation ------------------------------------------------------------------------------


def proposed(kind, months=MONTHS):
    rule(kind, months)
    with frozen(TODAY):
        proposals = [p for p in propose_disposals() if p.kind == kind]
    assert len(proposals) == 1
    return proposals[0]


def confirm(user, disposal, **kwargs):
    with frozen(TODAY, 10):
        return confirm_disposal(user, disposal, **kwargs)


@pytest.mark.django_db
class TestConfirm:
    @pytest.mark.parametrize("kind", list(MAKERS))
    def test_deletes_exactly_the_due_records_and_their_audit_entries(self, ctx, kind, social_account):
        old = MAKERS[kind](ctx, LAST_DUE)
        new = MAKERS[kind](ctx, first_kept_day(kind))
        elsewhere = MAKERS[kind](Ctx(social_account, ctx.comms, ctx.editor), first_kept_day(kind))
        # Another kind, as old: untouched.
        other_kind = RecordKind.INQUIRIES if kind != RecordKind.INQUIRIES else RecordKind.TRAININGS
        bystander = MAKERS[other_kind](ctx, D(2019, 1, 6))
        audited = len(old) if kind not in UNAUDITED_KINDS else 0
        assert entries_about(old).count() == audited  # auditlog recorded each creation
        disposal = proposed(kind)
        entries_before = LogEntry.objects.count()

        done = confirm(ctx.comms, disposal, note="Enligt DHP")

        model = type(old[0])
        assert not model.objects.filter(pk__in=[r.pk for r in old]).exists()
        assert model.objects.filter(pk__in=[r.pk for r in new + elsewhere]).count() == len(new + elsewhere)
        assert type(bystander[0]).objects.filter(pk__in=[r.pk for r in bystander]).count() == len(bystander)
        assert not entries_about(old).exists() and entries_about(new).count() == (audited and len(new))
        assert entries_about(bystander).count() == len(bystander)
        # No "deleted" entry copies the data again; the disposal's own change is in the trail.
        assert not LogEntry.objects.filter(action=LogEntry.Action.DELETE).exists()
        assert LogEntry.objects.count() == entries_before - audited + 1
        done.refresh_from_db()
        assert done.status == DisposalStatus.DONE and done.confirmed_by == ctx.comms
        assert done.confirmed_at == at(TODAY, 10) and done.note == "Enligt DHP"
        assert done.counts == {kind: len(old), "audit_events": audited}
        assert entries_about([done]).filter(action=LogEntry.Action.UPDATE).exists()

    def test_evidence_rows_and_files_go_after_commit(
        self, ctx, media, social_account, django_capture_on_commit_callbacks
    ):
        (old,) = make_case(ctx, LAST_DUE)
        with frozen(LAST_DUE, 9):
            old_evidence = [store_evidence(ctx.editor, png(), case=old), store_evidence(ctx.editor, png(), case=old)]
        (new,) = make_case(ctx, CUTOFF)
        with frozen(CUTOFF, 9):
            kept_evidence = store_evidence(ctx.editor, png(), case=new)
        (legal,) = make_legal_basis(ctx, D(2019, 1, 6))
        legal_evidence = store_evidence(ctx.editor, png(), legal_basis=legal)
        old_files = [media / e.file.name for e in old_evidence]
        assert all(path.exists() for path in old_files) and len(stored_files(media)) == 4
        disposal = proposed(RecordKind.MODERATION_CASES)

        with django_capture_on_commit_callbacks(execute=True):
            done = confirm(ctx.comms, disposal)

        assert not ModerationCase.objects.filter(pk=old.pk).exists()
        assert not Evidence.objects.filter(pk__in=[e.pk for e in old_evidence]).exists()
        assert not any(path.exists() for path in old_files)
        assert stored_files(media) == sorted([media / kept_evidence.file.name, media / legal_evidence.file.name])
        assert not entries_about(old_evidence).exists() and entries_about([kept_evidence]).exists()
        assert done.counts == {"moderation_cases": 1, "evidence_files": 2, "audit_events": 3}

    def test_legal_basis_evidence_goes_with_its_record(self, ctx, media, django_capture_on_commit_callbacks):
        (old,) = make_legal_basis(ctx, LAST_DUE)
        with frozen(LAST_DUE, 21):
            evidence = store_evidence(ctx.editor, png(), legal_basis=old)
        disposal = proposed(RecordKind.LEGAL_BASIS)
        with django_capture_on_commit_callbacks(execute=True):
            done = confirm(ctx.comms, disposal)
        assert not Evidence.objects.exists() and stored_files(media) == []
        assert done.counts == {"legal_basis": 1, "evidence_files": 1, "audit_events": 2}
        assert not LogEntry.objects.filter(object_pk=str(evidence.pk), content_type__model="evidence").exists()

    def test_a_rollback_loses_no_file(self, ctx, media, monkeypatch, django_capture_on_commit_callbacks):
        (old,) = make_case(ctx, LAST_DUE)
        with frozen(LAST_DUE, 9):
            evidence = store_evidence(ctx.editor, png(), case=old)
        disposal = proposed(RecordKind.MODERATION_CASES)

        def fail(*args, **kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(Disposal, "save", fail)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            confirm(ctx.comms, disposal)
        assert ModerationCase.objects.filter(pk=old.pk).exists() and Evidence.objects.filter(pk=evidence.pk).exists()
        assert (media / evidence.file.name).exists()
        assert entries_about([old]).exists()
        assert Disposal.objects.get(pk=disposal.pk).status == DisposalStatus.PROPOSED

    def test_names_the_export_before_it(self, ctx):
        make_training(ctx, D(2024, 1, 10))
        export = RecordsExport.objects.create(requested_by=ctx.comms, status=ExportStatus.DONE)
        done = confirm(ctx.comms, proposed(RecordKind.TRAININGS), export=export)
        assert Disposal.objects.get(pk=done.pk).export == export

    @pytest.mark.parametrize("status", [ExportStatus.PENDING, ExportStatus.RUNNING, ExportStatus.FAILED])
    def test_refused_with_an_unfinished_export(self, ctx, status):
        (training,) = make_training(ctx, D(2024, 1, 10))
        export = RecordsExport.objects.create(requested_by=ctx.comms, status=status)
        disposal = proposed(RecordKind.TRAININGS)
        with pytest.raises(DomainError, match="Bara en färdig export"):
            confirm(ctx.comms, disposal, export=export)
        assert Training.objects.filter(pk=training.pk).exists()

    @pytest.mark.parametrize("who", ["redaktor", "chef", "medarbetare", "kommunikator_utan_mfa"])
    def test_refused_for_anyone_but_comms(self, ctx, who, request):
        user = request.getfixturevalue(who)
        (training,) = make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        with pytest.raises(PermissionDenied):
            confirm(user, disposal)
        assert Training.objects.filter(pk=training.pk).exists()
        assert Disposal.objects.get(pk=disposal.pk).status == DisposalStatus.PROPOSED

    def test_refused_once_done(self, ctx):
        make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        confirm(ctx.comms, disposal)
        (kept,) = make_training(ctx, D(2024, 2, 10))  # due too, but not part of that disposal
        with pytest.raises(DomainError, match="väntar inte längre på bekräftelse: den är ”Gallrad”"):
            confirm(ctx.comms, disposal)
        assert Training.objects.filter(pk=kept.pk).exists()

    def test_refused_when_the_rule_now_keeps(self, ctx):
        (training,) = make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        RetentionRule.objects.filter(kind=RecordKind.TRAININGS).update(retain_months=None)
        with pytest.raises(DomainError, match="Gallringsregeln för utbildningar säger nu att handlingarna bevaras"):
            confirm(ctx.comms, disposal)
        assert Training.objects.filter(pk=training.pk).exists()

    def test_a_longer_rule_since_the_proposal_keeps_what_it_keeps(self, ctx):
        (older,) = make_training(ctx, D(2023, 12, 31))
        (newer,) = make_training(ctx, D(2024, 6, 1))
        disposal = proposed(RecordKind.TRAININGS)
        assert disposal.proposed_count == 2
        RetentionRule.objects.filter(kind=RecordKind.TRAININGS).update(retain_months=12, plan_reference="DHP 2025")
        done = confirm(ctx.comms, disposal)
        assert not Training.objects.filter(pk=older.pk).exists() and Training.objects.filter(pk=newer.pk).exists()
        assert (done.cutoff, done.retain_months, done.plan_reference) == (D(2024, 3, 2), 12, "DHP 2025")

    def test_nothing_newer_than_the_proposal_is_touched(self, ctx):
        """A shorter rule or a later day does not widen what comms saw and confirms."""
        (older,) = make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        (since,) = make_training(ctx, D(2024, 10, 1))  # due under the 3-month rule below, not proposed
        RetentionRule.objects.filter(kind=RecordKind.TRAININGS).update(retain_months=3)
        with frozen(D(2025, 6, 1)):
            done = confirm_disposal(ctx.comms, disposal)
        assert done.cutoff == CUTOFF and done.counts["trainings"] == 1
        assert Training.objects.filter(pk=since.pk).exists() and not Training.objects.filter(pk=older.pk).exists()


# The pages -------------------------------------------------------------------------------------


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def comms_client(client, kommunikator):
    client.force_login(kommunikator)
    return client


@pytest.mark.django_db
class TestPages:
    def test_list_shows_proposals_rules_and_history_in_swedish(self, comms_client, ctx):
        rule(RecordKind.FLAGS, 24, "KS DHP 2024, 5.1")
        make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        response = comms_client.get(reverse("records:disposal_list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Gallring</h1>" in html
        assert "Väntar på bekräftelse" in html and disposal.get_absolute_url() in html
        # Every kind of record has a row; without a rule it is kept.
        assert html.count('<th scope="row">') == 1 + len(RETENTION_KINDS)
        assert "Bevaras" in html and "24 månader" in html and "KS DHP 2024, 5.1" in html
        flags_rule = RetentionRule.objects.get(kind=RecordKind.FLAGS)
        assert reverse("admin:records_retentionrule_change", args=[flags_rule.pk]) in html
        assert reverse("admin:records_retentionrule_add") + "?kind=decisions" in html
        assert "Ingenting har gallrats ännu." in html

    def test_detail_lists_what_is_due_and_asks_for_confirmation(self, comms_client, ctx):
        make_training(ctx, D(2024, 1, 10))
        (inquiry,) = make_inquiry(ctx, D(2024, 2, 1))
        disposal = proposed(RecordKind.INQUIRIES)
        with frozen(TODAY, 10):
            response = comms_client.get(disposal.get_absolute_url())
        html = response.content.decode()
        assert "Gallring: Frågor" in html and "1 handling att gallra" in html
        assert "När öppnar biblioteket efter sommaren?" in html and ctx.account.name in html
        assert "Jag bekräftar att handlingarna får gallras enligt dokumenthanteringsplanen." in html
        assert reverse("records:export_create") in html
        assert 'name="confirm"' in html and "Gallra handlingarna" in html

    def test_confirm_requires_the_box(self, comms_client, ctx):
        (training,) = make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        with frozen(TODAY, 10):
            response = comms_client.post(disposal.get_absolute_url(), {"note": "x"})
        assert response.status_code == 200
        assert "Kryssa i rutan för att bekräfta gallringen." in response.content.decode()
        assert shown(response) == ["Ingenting gallrades. Rätta fälten som är markerade nedan."]
        assert Training.objects.filter(pk=training.pk).exists()

    def test_confirm_and_see_the_record(self, comms_client, ctx):
        (training,) = make_training(ctx, D(2024, 1, 10))
        export = RecordsExport.objects.create(requested_by=ctx.comms, status=ExportStatus.DONE)
        disposal = proposed(RecordKind.TRAININGS)
        with frozen(TODAY, 10):
            response = comms_client.post(
                disposal.get_absolute_url(), {"confirm": "on", "export": export.pk, "note": "Levererat till arkivet"}
            )
        assert response.status_code == 302 and response.url == disposal.get_absolute_url()
        assert not Training.objects.filter(pk=training.pk).exists()
        with frozen(TODAY, 10):
            response = comms_client.get(response.url)
        html = response.content.decode()
        assert shown(response) == ["Gallrat: 1 handling av typen ”utbildningar”. Gallringen är dokumenterad nedan."]
        assert "Vad som gallrades" in html and "Levererat till arkivet" in html and str(ctx.comms) in html
        assert export.get_absolute_url() in html and 'name="confirm"' not in html
        listing = comms_client.get(reverse("records:disposal_list")).content.decode()
        assert "Genomförda gallringar" in listing and "Gallrad" in listing

    def test_post_to_a_done_disposal_changes_nothing(self, comms_client, ctx):
        make_training(ctx, D(2024, 1, 10))
        disposal = confirm(ctx.comms, proposed(RecordKind.TRAININGS))
        (kept,) = make_training(ctx, D(2024, 1, 11))
        response = comms_client.post(disposal.get_absolute_url(), {"confirm": "on"})
        assert response.status_code == 302
        assert shown(response) == ["Gallringen väntar inte längre på bekräftelse: den är ”Gallrad”."]
        assert Training.objects.filter(pk=kept.pk).exists()

    def test_rule_now_keeps_hides_the_form(self, comms_client, ctx):
        make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        RetentionRule.objects.filter(kind=RecordKind.TRAININGS).update(retain_months=None)
        html = comms_client.get(disposal.get_absolute_url()).content.decode()
        assert "säger nu att handlingarna bevaras" in html and 'name="confirm"' not in html

    @pytest.mark.parametrize("who", ["redaktor", "chef", "medarbetare", "annan_redaktor"])
    def test_others_get_403_and_delete_nothing(self, client, ctx, who, request):
        (training,) = make_training(ctx, D(2024, 1, 10))
        disposal = proposed(RecordKind.TRAININGS)
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("records:disposal_list")).status_code == 403
        assert client.get(disposal.get_absolute_url()).status_code == 403
        assert client.post(disposal.get_absolute_url(), {"confirm": "on"}).status_code == 403
        assert Training.objects.filter(pk=training.pk).exists()

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, kommunikator_utan_mfa):
        client.force_login(kommunikator_utan_mfa)
        response = client.get(reverse("records:disposal_list"))
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(reverse("records:disposal_list"))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_comms_sets_a_rule_in_the_admin_and_its_kind_stays(client, kommunikator):
    client.force_login(kommunikator)
    add = reverse("admin:records_retentionrule_add")
    assert 'value="flags" selected' in client.get(add + "?kind=flags").content.decode()
    response = client.post(add, {"kind": "flags", "retain_months": "24", "plan_reference": "KS DHP 2024, 5.1"})
    assert response.status_code == 302
    flags_rule = RetentionRule.objects.get(kind=RecordKind.FLAGS)
    change = reverse("admin:records_retentionrule_change", args=[flags_rule.pk])
    client.post(change, {"kind": "trainings", "retain_months": "", "plan_reference": "KS DHP 2024, 5.1"})
    flags_rule.refresh_from_db()
    # The disposals made under a rule refer to it: it stays the rule of its kind; emptied, it keeps.
    assert flags_rule.kind == RecordKind.FLAGS and flags_rule.retain_months is None
    assert (
        client.post(reverse("admin:records_retentionrule_delete", args=[flags_rule.pk]), {"post": "yes"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_an_editors_latest_training_is_kept_while_a_mandate_of_theirs_runs_r14(ctx):
    """Disposing of it would silently end the editor's rights: the mandate is in force because of it."""
    from accounts.models import Mandate

    editor = ctx.editor
    [first] = editor.trainings.all()  # the fixture's, from before the mandate
    latest = make_training(ctx, D(2025, 5, 1))[0]
    Training.objects.filter(pk=latest.pk).update(trainee=editor)
    due = set(due_records(RecordKind.TRAININGS, D(2100, 1, 1)).values_list("pk", flat=True))
    assert latest.pk not in due and first.pk in due
    Mandate.objects.filter(user=editor).update(valid_until=D(2024, 6, 30))  # it has ended
    due = set(due_records(RecordKind.TRAININGS, D(2100, 1, 1)).values_list("pk", flat=True))
    assert {first.pk, latest.pk} <= due
