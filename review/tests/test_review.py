"""The review queue (granskning, R6, R15, R19): the services that act on a flag and refuse what
its state does not allow, the queue's order and filters, the comms dashboard's counts, and the
pages, with forged POSTs that must change nothing.

Page texts are checked in English (the language cookie): the Swedish catalogue is compiled apart."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AccountStatus, ClosingReason
from accounts.selectors import public_accounts
from accounts.tests.factories import OrgUnitFactory, SocialAccountFactory
from falkoping_some.lib.errors import DomainError
from review import flags as service
from review.models import FlagKind, FlagStatus, ReviewFlag

STOCKHOLM = ZoneInfo("Europe/Stockholm")
INACTIVE = {"last_post": "2025-09-01", "since": "2025-09-01", "activated_on": "2024-01-15"}
SHORTFALL = {"weeks": ["2026-W40", "2026-W41", "2026-W42", "2026-W43"], "posts": 3, "average": 0.75, "window": 4}
EXPIRING = {"mandates": [{"editor": "Anna Berg", "valid_until": "2026-12-01"}]}
# Issue 19: these closings are about the flag, not the final archive (records/tests/test_final_archive.py),
# so comms gives the reason for closing without one.
UNARCHIVED = "Kontot är redan borttaget från plattformen."


def flag_for(account, kind=FlagKind.POSTING_SHORTFALL, evidence=None, **fields):
    default = {FlagKind.INACTIVE_6_MONTHS: INACTIVE, FlagKind.POSTING_SHORTFALL: SHORTFALL}.get(kind, {})
    return ReviewFlag.objects.create(
        account=account, kind=kind, evidence=default if evidence is None else evidence, **fields
    )


def state(flag):
    return ReviewFlag.objects.values().get(pk=flag.pk)


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def in_english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def shortfall(library_account):
    return flag_for(library_account, FlagKind.POSTING_SHORTFALL)


@pytest.fixture
def inactive(library_account):
    return flag_for(library_account, FlagKind.INACTIVE_6_MONTHS)


SOON = datetime.date(2099, 3, 2)  # a review date to come, whenever the tests run
JUST_AFTER_MIDNIGHT = datetime.datetime(2026, 6, 1, 0, 30, tzinfo=STOCKHOLM)  # 31 May, 22:30 in UTC


@pytest.mark.django_db
class TestServices:
    def test_acknowledge(self, kommunikator, shortfall):
        flag = service.acknowledge_flag(kommunikator, shortfall)
        flag.refresh_from_db()
        assert flag.status == FlagStatus.ACKNOWLEDGED
        assert flag.acknowledged_at is not None and flag.closed_at is None
        assert flag.decided_by == kommunikator

    def test_acknowledge_twice_is_refused(self, kommunikator, shortfall):
        service.acknowledge_flag(kommunikator, shortfall)
        before = state(shortfall)
        with pytest.raises(DomainError):
            service.acknowledge_flag(kommunikator, shortfall)
        assert state(shortfall) == before

    @pytest.mark.parametrize("acknowledged_first", [False, True])
    def test_resolve_open_or_acknowledged(self, kommunikator, shortfall, acknowledged_first):
        if acknowledged_first:
            service.acknowledge_flag(kommunikator, shortfall)
        service.resolve_flag(kommunikator, shortfall, note="  Redaktörerna har fått en påminnelse.  ")
        shortfall.refresh_from_db()
        assert shortfall.status == FlagStatus.RESOLVED
        assert shortfall.closed_at is not None and shortfall.decided_by == kommunikator
        assert shortfall.reason == "Redaktörerna har fått en påminnelse."

    def test_dismiss_with_a_reason(self, kommunikator, shortfall):
        service.dismiss_flag(kommunikator, shortfall, "  Sommaruppehåll, som varje år.  ")
        shortfall.refresh_from_db()
        assert shortfall.status == FlagStatus.DISMISSED
        assert shortfall.reason == "Sommaruppehåll, som varje år."
        assert shortfall.closed_at is not None and shortfall.decided_by == kommunikator
        assert shortfall.lapsed_at is None

    @pytest.mark.parametrize(
        ("review_on", "kept"),
        [
            (None, datetime.date(2026, 9, 1)),  # three months by default
            (datetime.date(2026, 6, 2), datetime.date(2026, 6, 2)),  # tomorrow: the first day allowed
            (datetime.date(2027, 6, 1), datetime.date(2027, 6, 1)),  # a year ahead: the last
        ],
    )
    def test_the_review_date(self, kommunikator, shortfall, review_on, kept):
        with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
            service.dismiss_flag(kommunikator, shortfall, "Sommaruppehåll", review_on)
        shortfall.refresh_from_db()
        assert shortfall.review_on == kept

    @pytest.mark.parametrize(
        ("review_on", "says"),
        [
            (datetime.date(2026, 6, 1), "must be after today"),  # today in Falköping, still 31 May in UTC
            (datetime.date(2026, 5, 1), "must be after today"),
            (datetime.date(2027, 6, 2), "at most a year ahead, 2027-06-01"),
        ],
    )
    def test_a_review_date_out_of_range_is_refused(self, kommunikator, shortfall, review_on, says):
        before = state(shortfall)
        with (
            time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False),
            pytest.raises(DomainError) as refused,
            translation.override("en"),
        ):
            service.dismiss_flag(kommunikator, shortfall, "Sommaruppehåll", review_on)
        assert says in refused.value.message
        assert state(shortfall) == before

    def test_a_new_dismissal_ends_an_earlier_one_of_the_account_and_kind(self, kommunikator, library_account):
        # As if a check had raised the flag again while the earlier dismissal still stood.
        earlier = flag_for(
            library_account, status=FlagStatus.DISMISSED, reason="Säsong", review_on=datetime.date(2099, 1, 1)
        )
        later = flag_for(library_account)
        service.dismiss_flag(kommunikator, later, "Säsong igen")
        earlier.refresh_from_db()
        later.refresh_from_db()
        assert earlier.lapsed_at is not None and later.lapsed_at is None

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_dismiss_without_a_reason_is_refused_and_changes_nothing(self, kommunikator, shortfall, reason):
        before = state(shortfall)
        with pytest.raises(DomainError) as refused, translation.override("en"):
            service.dismiss_flag(kommunikator, shortfall, reason)
        assert "reason" in refused.value.message
        assert state(shortfall) == before

    @pytest.mark.parametrize(
        "act",
        [
            lambda actor, flag: service.acknowledge_flag(actor, flag),
            lambda actor, flag: service.resolve_flag(actor, flag),
            lambda actor, flag: service.dismiss_flag(actor, flag, "Igen"),
            lambda actor, flag: service.close_account_for_inactivity(actor, flag),
        ],
        ids=["acknowledge", "resolve", "dismiss", "close"],
    )
    @pytest.mark.parametrize("closed_by", ["resolve", "dismiss"])
    def test_a_closed_flag_cannot_be_acted_on_again(self, kommunikator, inactive, act, closed_by):
        if closed_by == "resolve":
            service.resolve_flag(kommunikator, inactive)
        else:
            service.dismiss_flag(kommunikator, inactive, "Kontot används vid evenemang.")
        before = state(inactive)
        with pytest.raises(DomainError):
            act(kommunikator, inactive)
        assert state(inactive) == before
        inactive.account.refresh_from_db()
        assert inactive.account.status == AccountStatus.ACTIVE

    def test_a_stale_copy_is_refused(self, kommunikator, shortfall):
        # Two comms members had the queue open: the second acts on what the first already closed.
        stale = ReviewFlag.objects.get(pk=shortfall.pk)
        service.dismiss_flag(kommunikator, shortfall, "Sommaruppehåll")
        with pytest.raises(DomainError):
            service.resolve_flag(kommunikator, stale)
        assert ReviewFlag.objects.get(pk=shortfall.pk).status == FlagStatus.DISMISSED

    def test_close_for_inactivity_closes_the_account_and_resolves_the_flag(self, kommunikator, inactive):
        account = inactive.account
        assert account.name in {row["name"] for row in public_accounts()}
        with translation.override("en"):
            service.close_account_for_inactivity(
                kommunikator, inactive, note="Inga inlägg sedan september.", waiver=UNARCHIVED
            )
        account.refresh_from_db()
        inactive.refresh_from_db()
        assert account.status == AccountStatus.CLOSED
        assert account.closing_reason == ClosingReason.INACTIVE_6_MONTHS
        assert account.closing_note == "Inga inlägg sedan september."
        assert account.name not in {row["name"] for row in public_accounts()}
        assert inactive.status == FlagStatus.RESOLVED and inactive.decided_by == kommunikator
        assert inactive.reason == "The account was closed (R15)"

    @pytest.mark.parametrize("kind", [FlagKind.POSTING_SHORTFALL, FlagKind.NO_ACTIVE_EDITOR, FlagKind.MANDATE_EXPIRING])
    def test_close_for_inactivity_only_from_an_inactivity_flag(self, kommunikator, library_account, kind):
        flag = flag_for(library_account, kind)
        before = state(flag)
        with pytest.raises(DomainError):
            service.close_account_for_inactivity(kommunikator, flag)
        assert state(flag) == before
        library_account.refresh_from_db()
        assert library_account.status == AccountStatus.ACTIVE

    def test_an_account_already_closed_leaves_the_flag_as_it_was(self, kommunikator, inactive):
        # Closed meanwhile on its own page: closing refuses, and so nothing is resolved either.
        from accounts.services.lifecycle import close_account

        close_account(kommunikator, inactive.account, ClosingReason.ON_REQUEST, waiver=UNARCHIVED)
        before = state(inactive)
        with pytest.raises(DomainError):
            service.close_account_for_inactivity(kommunikator, inactive)
        assert state(inactive) == before

    @pytest.mark.parametrize("role", ["kommunikator_utan_mfa", "chef", "redaktor", "medarbetare"])
    def test_only_comms_with_mfa_reviews(self, request, role, inactive):
        actor = request.getfixturevalue(role)
        before = state(inactive)
        for act in (
            lambda: service.acknowledge_flag(actor, inactive),
            lambda: service.resolve_flag(actor, inactive),
            lambda: service.dismiss_flag(actor, inactive, "Nej"),
            lambda: service.close_account_for_inactivity(actor, inactive),
        ):
            with pytest.raises(PermissionDenied):
                act()
        assert state(inactive) == before
        assert inactive.account.status == AccountStatus.ACTIVE


@pytest.mark.django_db
class TestQueue:
    def test_open_flags_most_serious_first_then_newest(self, library_account, social_account):
        other = SocialAccountFactory()
        day = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
        expiring = flag_for(library_account, FlagKind.MANDATE_EXPIRING, EXPIRING, raised_at=day.replace(day=9))
        old_shortfall = flag_for(library_account, FlagKind.POSTING_SHORTFALL, raised_at=day.replace(day=2))
        new_shortfall = flag_for(social_account, FlagKind.POSTING_SHORTFALL, raised_at=day.replace(day=8))
        no_editor = flag_for(other, FlagKind.NO_ACTIVE_EDITOR, raised_at=day.replace(day=7))
        inactive = flag_for(social_account, FlagKind.INACTIVE_6_MONTHS, raised_at=day.replace(day=1))
        acknowledged = flag_for(
            other, FlagKind.INACTIVE_6_MONTHS, status=FlagStatus.ACKNOWLEDGED, raised_at=day.replace(month=2)
        )
        flag_for(other, FlagKind.POSTING_SHORTFALL, status=FlagStatus.RESOLVED)
        flag_for(other, FlagKind.MANDATE_EXPIRING, status=FlagStatus.DISMISSED, reason="Förlängs", review_on=day.date())

        assert list(service.queue()) == [
            inactive,
            acknowledged,
            no_editor,
            new_shortfall,
            old_shortfall,
            expiring,
        ]

    def test_filter_by_kind_and_by_unit_with_its_subtree(self, kultur, biblioteket, library_account, social_account):
        filial = OrgUnitFactory(name="Filialen", parent=biblioteket)
        branch_account = SocialAccountFactory(unit=filial)
        in_library = flag_for(library_account, FlagKind.POSTING_SHORTFALL)
        in_branch = flag_for(branch_account, FlagKind.NO_ACTIVE_EDITOR)
        elsewhere = flag_for(social_account, FlagKind.POSTING_SHORTFALL)

        assert set(service.queue({"kind": FlagKind.POSTING_SHORTFALL})) == {in_library, elsewhere}
        assert set(service.queue({"unit": kultur})) == {in_library, in_branch}
        assert set(service.queue({"unit": filial})) == {in_branch}
        assert set(service.queue({"unit": kultur, "kind": FlagKind.NO_ACTIVE_EDITOR})) == {in_branch}

    def test_pages_of_fifty(self):
        for _ in range(service.PAGE_SIZE + 1):
            flag_for(SocialAccountFactory())
        assert len(service.queue()) == service.PAGE_SIZE
        assert len(service.queue({}, 2)) == 1

    def test_flag_counts_in_one_query(self, django_assert_num_queries, library_account, social_account):
        flag_for(library_account, FlagKind.POSTING_SHORTFALL)
        flag_for(social_account, FlagKind.POSTING_SHORTFALL, status=FlagStatus.ACKNOWLEDGED)
        flag_for(library_account, FlagKind.INACTIVE_6_MONTHS)
        flag_for(social_account, FlagKind.NO_ACTIVE_EDITOR, status=FlagStatus.RESOLVED)
        with django_assert_num_queries(1):
            counts = service.flag_counts()
        assert [(kind, n) for kind, _label, n in counts] == [
            (FlagKind.CRIMINAL_NOT_REPORTED, 0),
            (FlagKind.INACTIVE_6_MONTHS, 1),
            (FlagKind.INQUIRY_OVERDUE, 0),
            (FlagKind.CONNECTION_BROKEN, 0),
            (FlagKind.NO_ACTIVE_EDITOR, 0),
            (FlagKind.SELF_CHECK_ANSWERED_NO, 0),
            (FlagKind.POSTING_SHORTFALL, 2),
            (FlagKind.SELF_CHECK_OVERDUE, 0),
            (FlagKind.PROFILE_DESCRIPTION_DIFFERS, 0),
            (FlagKind.MANDATE_EXPIRING, 0),
            (FlagKind.TOKEN_EXPIRING, 0),
        ]

    def test_the_dismissals_waiting_the_next_review_date_first(self, library_account, social_account, kultur):
        later = flag_for(library_account, status=FlagStatus.DISMISSED, reason="Säsong", review_on=SOON.replace(day=20))
        sooner = flag_for(social_account, status=FlagStatus.DISMISSED, reason="Säsong", review_on=SOON)
        # A dismissal that lapsed (its condition went away, or its day came) no longer waits.
        flag_for(
            SocialAccountFactory(), status=FlagStatus.DISMISSED, reason="Säsong", review_on=SOON,
            lapsed_at=timezone.now(),
        )  # fmt: skip
        flag_for(SocialAccountFactory())  # open
        assert list(service.waiting_dismissals()) == [sooner, later]
        assert list(service.waiting_dismissals({"unit": kultur})) == [later]
        assert list(service.waiting_dismissals({"kind": FlagKind.NO_ACTIVE_EDITOR})) == []

    def test_counts_link_to_the_filtered_queue(self, library_account):
        flag_for(library_account, FlagKind.POSTING_SHORTFALL)
        html = render_to_string("review/_flag_counts.html", {"flag_counts": service.flag_counts()})
        assert f'href="{reverse("review:queue")}?kind=posting_shortfall"' in html


class TestEvidence:
    def describe(self, kind, evidence):
        with translation.override("sv"):
            return service.describe_evidence(ReviewFlag(kind=kind, evidence=evidence))

    def test_inactivity(self):
        assert self.describe(FlagKind.INACTIVE_6_MONTHS, INACTIVE)["last_post"] == "2025-09-01"
        never = self.describe(FlagKind.INACTIVE_6_MONTHS, {"last_post": None, "activated_on": "2024-01-15"})
        assert never["never_posted"] and never["activated_on"] == "2024-01-15"

    def test_shortfall_in_swedish_number_format(self):
        assert self.describe(FlagKind.POSTING_SHORTFALL, SHORTFALL) == {
            "average": "0,75",
            "weeks": "40–43",
            "posts": "3",
            "source": None,  # a flag raised before the figures said where they came from
        }

    def test_shortfall_says_where_each_week_was_read(self):
        evidence = {**SHORTFALL, "source": "both", "platform_from": "2026-W42"}
        described = self.describe(FlagKind.POSTING_SHORTFALL, evidence)
        assert (described["manual_weeks"], described["platform_weeks"]) == ("40–41", "42–43")

    def test_shortfall_across_a_new_year(self):
        evidence = {"weeks": ["2025-W52", "2026-W01"], "posts": 1, "average": 0.5}
        assert self.describe(FlagKind.POSTING_SHORTFALL, evidence)["weeks"] == "52 (2025)–1 (2026)"

    @pytest.mark.parametrize("evidence", [{}, None, [], {"weeks": "x", "average": "many", "mandates": "x"}])
    def test_missing_or_odd_values_show_a_dash(self, evidence):
        assert self.describe(FlagKind.POSTING_SHORTFALL, evidence) == {
            "average": "–",
            "weeks": "–",
            "posts": "–",
            "source": None,
        }
        assert self.describe(FlagKind.INACTIVE_6_MONTHS, evidence)["last_post"] == "–"
        assert self.describe(FlagKind.MANDATE_EXPIRING, evidence) == {"mandates": []}

    def test_expiring_mandates(self):
        evidence = {"mandates": [{"editor": "Anna Berg", "valid_until": "2026-12-01"}, {"valid_until": "bad"}]}
        assert self.describe(FlagKind.MANDATE_EXPIRING, evidence) == {
            "mandates": [{"editor": "Anna Berg", "valid_until": "2026-12-01"}, {"editor": "–", "valid_until": "bad"}]
        }


@pytest.mark.django_db
class TestQueuePage:
    def test_the_source_of_the_figures(self, client, kommunikator, library_account, social_account):
        # activity/sources.py: a captured post is exact to the day, a logged week only to the week.
        flag_for(library_account, FlagKind.INACTIVE_6_MONTHS, {**INACTIVE, "source": "platform"})
        flag_for(social_account, FlagKind.INACTIVE_6_MONTHS, {**INACTIVE, "source": "manual"})
        flag_for(
            library_account, FlagKind.POSTING_SHORTFALL, {**SHORTFALL, "source": "both", "platform_from": "2026-W42"}
        )
        in_english(client).force_login(kommunikator)
        html = client.get(reverse("review:queue")).content.decode()
        assert "Read from the platform: the date of the last captured post, exact to the day." in html
        assert "From the manual log: the Sunday of the last week logged with posts, exact only to the week." in html
        assert "Weeks 40–41 from the manual log, weeks 42–43 read from the platform." in html

    def test_comms_sees_the_flags_with_their_evidence(self, client, kommunikator, library_account, social_account):
        flag_for(library_account, FlagKind.POSTING_SHORTFALL)
        flag_for(social_account, FlagKind.INACTIVE_6_MONTHS, {"last_post": None, "activated_on": "2024-01-15"})
        flag_for(SocialAccountFactory(name="Turism"), FlagKind.NO_ACTIVE_EDITOR)
        flag_for(SocialAccountFactory(name="Musikskolan"), FlagKind.MANDATE_EXPIRING, EXPIRING)
        in_english(client).force_login(kommunikator)
        response = client.get(reverse("review:queue"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "on average 0.75 posts/week in weeks 40–43 (3 posts)" in html
        # Dates in the language's short format (Swedish: 2024-01-15; checked in TestEvidence).
        assert "No post since the activation on 2024-01-15" in html
        assert "No mandate in force" in html
        assert "Anna Berg until 2026-12-01" in html
        # Closing the account is offered only on the inactivity flag.
        assert html.count("/avsluta/") == 1

    def test_the_dismiss_form_offers_three_months(self, client, kommunikator, shortfall):
        in_english(client).force_login(kommunikator)
        with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
            html = client.get(reverse("review:queue")).content.decode()
        assert (
            f'<input type="date" id="granska-igen-{shortfall.pk}" name="review_on" value="2026-09-01" '
            'min="2026-06-02" max="2027-06-01"'
        ) in html

    def test_dismissed_flags_show_when_they_are_looked_at_again(
        self, client, kommunikator, library_account, social_account
    ):
        waiting = flag_for(
            library_account, status=FlagStatus.DISMISSED, reason="Sommaruppehåll, som varje år.",
            review_on=SOON, closed_at=timezone.now(), decided_by=kommunikator,
        )  # fmt: skip
        flag_for(
            social_account, status=FlagStatus.DISMISSED, reason="Gammalt", review_on=SOON, lapsed_at=timezone.now()
        )
        in_english(client).force_login(kommunikator)
        response = client.get(reverse("review:queue"))
        assert list(response.context["dismissed"]) == [waiting]
        html = response.content.decode()
        assert "Dismissed, to be looked at again" in html
        assert "1 dismissed flag waiting for its review date" in html
        row = html[html.index(f'id="avfardad-{waiting.pk}"') :].split("</tr>")[0]
        assert "Falköpings bibliotek" in row and "Sommaruppehåll, som varje år." in row
        assert "2099-03-02" in row and f"by {kommunikator}" in row
        assert "Gammalt" not in html  # lapsed: it waits for nothing
        # Not among the open flags.
        assert list(response.context["page"]) == []

    def test_a_flag_raised_again_tells_of_its_dismissal(self, client, kommunikator, library_account):
        evidence = {
            **SHORTFALL,
            "dismissed_before": {
                "flag": 1, "dismissed_on": "2026-08-25", "dismissed_by": "Anna Andersson",
                "reason": "Sommaruppehåll <b>", "review_on": "2026-11-25",
            },
        }  # fmt: skip
        flag_for(library_account, FlagKind.POSTING_SHORTFALL, evidence)
        in_english(client).force_login(kommunikator)
        html = client.get(reverse("review:queue")).content.decode()
        assert "on average 0.75 posts/week in weeks 40–43 (3 posts)" in html
        assert "Dismissed on 2026-08-25 by Anna Andersson: Sommaruppehåll &lt;b&gt;" in html
        assert "Raised again on its review date, 2026-11-25, as the cause is still there." in html

    def test_the_filter_form(self, client, kommunikator, library_account, social_account, social):
        flag_for(library_account, FlagKind.POSTING_SHORTFALL)
        flag_for(social_account, FlagKind.POSTING_SHORTFALL)
        client.force_login(kommunikator)
        response = client.get(reverse("review:queue"), {"unit": social.pk, "kind": "posting_shortfall"})
        assert [f.account for f in response.context["page"]] == [social_account]
        # A bad value is ignored rather than refused.
        response = client.get(reverse("review:queue"), {"kind": "nonsense"})
        assert response.status_code == 200 and len(response.context["page"]) == 2

    def test_queries_do_not_grow_with_the_flags(self, client, kommunikator, django_assert_max_num_queries):
        client.force_login(kommunikator)
        kinds = list(FlagKind)

        def make(n):
            # Flags are records (R3, R25): close the earlier ones instead of deleting them.
            ReviewFlag.objects.filter(status__in=["open", "acknowledged"]).update(
                status=FlagStatus.RESOLVED, closed_at=timezone.now()
            )
            for i in range(n):
                flag_for(SocialAccountFactory(), kinds[i % len(kinds)], EXPIRING if i % 4 == 3 else None)
                flag_for(
                    SocialAccountFactory(), kinds[i % len(kinds)], status=FlagStatus.DISMISSED, reason="Säsong",
                    review_on=SOON, closed_at=timezone.now(), decided_by=kommunikator,
                )  # fmt: skip

        make(3)
        with django_assert_max_num_queries(50) as few:
            client.get(reverse("review:queue"))
        make(40)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(reverse("review:queue"))
        assert len(response.context["page"]) == 40

    @pytest.mark.parametrize("role", ["chef", "redaktor", "medarbetare"])
    def test_others_are_refused(self, client, request, role):
        client.force_login(request.getfixturevalue(role))
        assert client.get(reverse("review:queue")).status_code == 403

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, kommunikator_utan_mfa):
        client.force_login(kommunikator_utan_mfa)
        response = client.get(reverse("review:queue"))
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(reverse("review:queue"))
        assert response.status_code == 302 and "next=" in response.url


def action(flag, name):
    return reverse("review:flag_action", args=[flag.pk, name])


@pytest.mark.django_db
class TestFlagActions:
    def test_acknowledge(self, client, kommunikator, shortfall):
        client.force_login(kommunikator)
        response = client.post(action(shortfall, "kvittera"))
        assert response.status_code == 302 and response.url == reverse("review:queue")
        assert ReviewFlag.objects.get(pk=shortfall.pk).status == FlagStatus.ACKNOWLEDGED

    def test_resolve_with_a_note(self, client, kommunikator, shortfall):
        client.force_login(kommunikator)
        client.post(action(shortfall, "los"), {"note": "Påmint"})
        shortfall.refresh_from_db()
        assert (shortfall.status, shortfall.reason) == (FlagStatus.RESOLVED, "Påmint")

    def test_dismiss_returns_to_the_filtered_queue(self, client, kommunikator, shortfall):
        in_english(client).force_login(kommunikator)
        back = f"{reverse('review:queue')}?kind=posting_shortfall&unit="
        with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
            response = client.post(
                action(shortfall, "avfarda"), {"reason": "Sommaruppehåll", "review_on": "2026-08-17", "next": back}
            )
        assert response.url == back
        assert shown(response) == [
            f"The flag for {shortfall.account.name} is dismissed until 2026-08-17: "
            "it is raised again then if its cause is still there."
        ]
        shortfall.refresh_from_db()
        assert (shortfall.status, shortfall.reason) == (FlagStatus.DISMISSED, "Sommaruppehåll")
        assert shortfall.review_on == datetime.date(2026, 8, 17)
        assert list(client.get(back).context["page"]) == []

    @pytest.mark.parametrize(
        ("review_on", "says"),
        [
            ("2026-06-01", "The day to look at the flag again must be after today."),
            ("1 juni", "Give the day to look at the flag again as a date, 2026-03-01."),
        ],
    )
    def test_dismiss_with_a_wrong_review_date_shows_why(self, client, kommunikator, shortfall, review_on, says):
        in_english(client).force_login(kommunikator)
        before = state(shortfall)
        with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
            response = client.post(action(shortfall, "avfarda"), {"reason": "Sommaruppehåll", "review_on": review_on})
        assert shown(response) == [says]
        assert state(shortfall) == before

    def test_dismiss_without_a_reason_shows_why_and_changes_nothing(self, client, kommunikator, shortfall):
        in_english(client).force_login(kommunikator)
        before = state(shortfall)
        response = client.post(action(shortfall, "avfarda"), {"reason": "   "})
        assert response.status_code == 302
        assert shown(response) == ["Give the reason for dismissing the flag."]
        assert state(shortfall) == before

    def test_close_the_inactive_account(self, client, kommunikator, inactive):
        client.force_login(kommunikator)
        response = client.post(
            action(inactive, "avsluta"), {"reason": ClosingReason.INACTIVE_6_MONTHS, "waiver": UNARCHIVED}
        )
        assert response.status_code == 302
        inactive.refresh_from_db()
        inactive.account.refresh_from_db()
        assert inactive.status == FlagStatus.RESOLVED
        assert inactive.account.status == AccountStatus.CLOSED
        assert inactive.account.closing_reason == ClosingReason.INACTIVE_6_MONTHS
        assert inactive.account.name not in {row["name"] for row in public_accounts()}

    def test_a_refusal_is_shown_and_changes_nothing(self, client, kommunikator, shortfall):
        in_english(client).force_login(kommunikator)
        before = state(shortfall)
        response = client.post(action(shortfall, "avsluta"))
        assert response.status_code == 302 and response.url == reverse("review:queue")
        assert shown(response) == [
            "Only a flag for an account inactive for more than six months closes the account (R15)."
        ]
        assert state(shortfall) == before

    @pytest.mark.parametrize("next_url", ["https://evil.example.com/", "//evil.example.com/granskning/"])
    def test_next_must_be_of_this_site(self, client, kommunikator, shortfall, next_url):
        client.force_login(kommunikator)
        response = client.post(action(shortfall, "kvittera"), {"next": next_url})
        assert response.url == reverse("review:queue")

    def test_unknown_action_is_404(self, client, kommunikator, shortfall):
        client.force_login(kommunikator)
        before = state(shortfall)
        assert client.post(action(shortfall, "radera")).status_code == 404
        assert client.post(reverse("review:flag_action", args=[999999, "kvittera"])).status_code == 404
        assert state(shortfall) == before

    def test_get_is_405(self, client, kommunikator, shortfall):
        client.force_login(kommunikator)
        assert client.get(action(shortfall, "kvittera")).status_code == 405
        assert state(shortfall)["status"] == FlagStatus.OPEN

    @pytest.mark.parametrize("role", ["chef", "redaktor", "medarbetare"])
    @pytest.mark.parametrize("name", ["kvittera", "los", "avfarda", "avsluta"])
    def test_forged_post_is_refused_and_changes_nothing(self, client, request, inactive, role, name):
        client.force_login(request.getfixturevalue(role))
        before = state(inactive)
        response = client.post(action(inactive, name), {"reason": "Kapning", "note": "Kapning"})
        assert response.status_code == 403
        assert state(inactive) == before
        inactive.account.refresh_from_db()
        assert inactive.account.status == AccountStatus.ACTIVE

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, kommunikator_utan_mfa, inactive):
        client.force_login(kommunikator_utan_mfa)
        before = state(inactive)
        response = client.post(action(inactive, "avsluta"))
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
        assert state(inactive) == before


@pytest.mark.django_db
class TestClosingFromTheQueueIsConfirmedR15:
    """Closing an account from its flag asks for confirmation and the reason, as the account's own
    close form does: one click on the queue closes nothing."""

    def test_the_queue_links_to_a_confirmation_instead_of_closing(self, client, kommunikator, inactive):
        in_english(client).force_login(kommunikator)
        html = client.get(reverse("review:queue")).content.decode()
        close_url = reverse("review:flag_close", args=[inactive.pk])
        assert f'<a class="button" href="{close_url}?next=' in html
        assert f'action="{close_url}"' not in html

    def test_one_click_closes_nothing(self, client, kommunikator, inactive):
        in_english(client).force_login(kommunikator)
        before = state(inactive)
        response = client.post(action(inactive, "avsluta"), {"next": reverse("review:queue")})
        assert response.status_code == 200 and response.context["form"].errors["reason"]
        assert state(inactive) == before
        inactive.account.refresh_from_db()
        assert inactive.account.status == AccountStatus.ACTIVE
        assert inactive.account.name in {row["name"] for row in public_accounts()}

    def test_the_confirmation_shows_the_flag_and_asks_the_reason(self, client, kommunikator, inactive):
        in_english(client).force_login(kommunikator)
        back = f"{reverse('review:queue')}?kind=inactive_6_months"
        page = client.get(reverse("review:flag_close", args=[inactive.pk]), {"next": back})
        assert page.status_code == 200
        assert page.context["form"]["reason"].value() == ClosingReason.INACTIVE_6_MONTHS
        assert "Last post: 2025-09-01" in page.text and f'href="{back}"' in page.text.replace("&amp;", "&")
        # "Other" needs its comment, as on the account's own form.
        response = client.post(page.wsgi_request.get_full_path(), {"reason": "other", "next": back})
        assert response.status_code == 200 and response.context["form"].errors["note"]
        response = client.post(
            page.wsgi_request.get_full_path(),
            {"reason": "other", "note": "Flyttat till Instagram", "waiver": UNARCHIVED, "next": back},
        )
        assert response.status_code == 302 and response.url == back
        inactive.refresh_from_db()
        inactive.account.refresh_from_db()
        assert inactive.status == FlagStatus.RESOLVED
        assert (inactive.account.status, inactive.account.closing_reason) == (AccountStatus.CLOSED, "other")
        assert inactive.account.closing_note == "Flyttat till Instagram"

    def test_a_flag_of_another_kind_offers_no_closing(self, client, kommunikator, shortfall):
        in_english(client).force_login(kommunikator)
        response = client.get(reverse("review:flag_close", args=[shortfall.pk]))
        assert response.status_code == 302 and response.url == reverse("review:queue")
        assert shown(response) == [
            "Only a flag for an account inactive for more than six months closes the account (R15)."
        ]


@pytest.mark.django_db
class TestEditorsAwaitingTrainingR14:
    def test_the_queue_lists_them_until_their_training_is_recorded(
        self, client, kommunikator, redaktor, library_account, social_account
    ):
        from accounts.services.training import record_training
        from accounts.tests.factories import MandateFactory

        waiting = MandateFactory(account=library_account, trained=False)
        also = MandateFactory(user=waiting.user, account=social_account, trained=False)
        in_english(client).force_login(kommunikator)
        response = client.get(reverse("review:queue"))
        [person] = response.context["untrained"]
        assert person == waiting.user and person.waiting == [waiting, also]
        assert response.context["untrained_count"] == 1
        html = response.content.decode()
        assert "Editors awaiting training (R14)" in html
        assert f"{reverse('accounts:training_create')}?person={person.pk}&amp;kind=general" in html
        assert str(redaktor) not in html.split("Editors awaiting training")[1]  # trained already
        # The link opens the form for this person and this kind.
        form = client.get(reverse("accounts:training_create"), {"person": person.pk, "kind": "general"}).context["form"]
        assert form["trainee"].value() == person.pk and form["kind"].value() == "general"
        # Filtered by another unit's accounts, the library's editor is not listed.
        response = client.get(reverse("review:queue"), {"unit": social_account.unit_id})
        assert [p.waiting for p in response.context["untrained"]] == [[also]]

        record_training(kommunikator, waiting.user, "general", timezone.localdate())
        response = client.get(reverse("review:queue"))
        assert response.context["untrained"] == [] and response.context["untrained_count"] == 0
        assert "Every editor with a mandate has a recorded training." in response.content.decode()

    def test_revoked_and_ended_mandates_wait_for_nothing(self, client, kommunikator, library_account):
        from accounts.tests.factories import MandateFactory

        MandateFactory(account=library_account, trained=False, revoked_at=timezone.now(), revoke_reason="Slut")
        MandateFactory(account=library_account, trained=False, valid_until=datetime.date(2024, 6, 30))
        client.force_login(kommunikator)
        assert client.get(reverse("review:queue")).context["untrained"] == []
