"""Weekly activity (R19): logging a week as a service at the exact edges of the rule, the pages
(with forged POSTs that must change nothing), the dashboard's one-number form and the chart."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountStatus, ClosingReason, Mandate
from accounts.tests.factories import MandateFactory, SocialAccountFactory
from activity.models import WeeklyActivity
from activity.services import dashboard_rows, log_activity, missing_weeks
from activity.templatetags.activity_chart import CHART_WEEKS
from falkoping_some.lib.errors import DomainError

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime.date(2026, 3, 11)  # a Wednesday
THIS_MONDAY = datetime.date(2026, 3, 9)
WEEK = datetime.timedelta(weeks=1)
ACTIVATED = datetime.date(2024, 1, 15)  # library_account's activation, a Monday (2024-W03)


def fresh(user):
    """Role facts are cached per user object (per request); a test that changes data asks anew."""
    user.__dict__.pop("_portal_roles", None)
    return user


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 11, 12, 0, tzinfo=STOCKHOLM), tick=False)
    return TODAY


@pytest.mark.django_db
class TestLogActivity:
    def test_this_week_is_allowed_and_stored_as_its_monday(self, redaktor, library_account):
        activity, created = log_activity(redaktor, library_account, TODAY, 3, "Påskläger")
        assert created
        assert (activity.week, activity.posts, activity.note, activity.logged_by) == (
            THIS_MONDAY,
            3,
            "Påskläger",
            redaktor,
        )

    def test_a_future_week_is_refused(self, redaktor, library_account):
        with pytest.raises(DomainError) as refused:
            log_activity(redaktor, library_account, THIS_MONDAY + WEEK, 1)
        assert "2026-W12" in refused.value.message
        assert not WeeklyActivity.objects.exists()

    def test_the_week_of_activation_is_allowed_and_the_one_before_refused(self, redaktor, library_account):
        log_activity(redaktor, library_account, ACTIVATED + datetime.timedelta(days=6), 2)  # Sunday of 2024-W03
        with pytest.raises(DomainError) as refused:
            log_activity(redaktor, library_account, ACTIVATED - datetime.timedelta(days=1), 2)  # Sunday of W02
        assert "2024-W03" in refused.value.message
        assert list(WeeklyActivity.objects.values_list("week", flat=True)) == [ACTIVATED]

    @pytest.mark.parametrize("posts", [0, 500])
    def test_zero_and_the_maximum_are_allowed(self, redaktor, library_account, posts):
        activity, _created = log_activity(redaktor, library_account, TODAY, posts)
        assert activity.posts == posts

    @pytest.mark.parametrize("posts", [-1, 501])
    def test_implausible_numbers_are_refused(self, redaktor, library_account, posts):
        with pytest.raises(DomainError):
            log_activity(redaktor, library_account, TODAY, posts)
        assert not WeeklyActivity.objects.exists()

    def test_a_second_entry_edits_the_first_and_is_audited(self, redaktor, library_account):
        first, created = log_activity(redaktor, library_account, THIS_MONDAY, 1, "Första")
        second, created_again = log_activity(redaktor, library_account, TODAY, 4, "Rättat")
        assert created and not created_again
        assert second.pk == first.pk
        assert WeeklyActivity.objects.get().posts == 4
        update = LogEntry.objects.get_for_object(first).filter(action=LogEntry.Action.UPDATE).get()
        assert update.changes_dict["posts"] == [1, 4]

    def test_no_note_keeps_the_note_logged_earlier(self, redaktor, library_account):
        log_activity(redaktor, library_account, TODAY, 1, "Viktigt")
        log_activity(redaktor, library_account, TODAY, 2)
        assert WeeklyActivity.objects.values_list("posts", "note").get() == (2, "Viktigt")

    def test_without_a_mandate_permission_is_denied(self, medarbetare, annan_redaktor, library_account):
        for user in (medarbetare, annan_redaktor):
            with pytest.raises(PermissionDenied):
                log_activity(user, library_account, TODAY, 1)
        assert not WeeklyActivity.objects.exists()

    def test_a_revoked_mandate_gives_no_right(self, redaktor, library_account, chef):
        Mandate.objects.filter(user=redaktor).update(revoked_at=timezone.now(), revoked_by=chef, revoke_reason="Slutat")
        with pytest.raises(PermissionDenied):
            log_activity(fresh(redaktor), library_account, TODAY, 1)

    def test_a_closed_account_is_refused(self, redaktor, library_account):
        library_account.status = AccountStatus.CLOSED
        library_account.closed_on = TODAY
        library_account.closing_reason = ClosingReason.ON_REQUEST
        library_account.save()
        with pytest.raises(DomainError):
            log_activity(redaktor, library_account, TODAY, 1)
        assert not WeeklyActivity.objects.exists()


@pytest.mark.django_db
class TestMissingWeeks:
    def test_this_week_and_the_recent_weeks_without_a_log(self, redaktor, library_account):
        log_activity(redaktor, library_account, THIS_MONDAY - WEEK, 1)
        missing = missing_weeks(library_account, TODAY, weeks=3)
        assert missing == [THIS_MONDAY, THIS_MONDAY - 2 * WEEK, THIS_MONDAY - 3 * WEEK]

    def test_never_before_the_activation(self, biblioteket):
        account = SocialAccountFactory(unit=biblioteket, activated_on=THIS_MONDAY - WEEK + datetime.timedelta(days=3))
        assert missing_weeks(account, TODAY) == [THIS_MONDAY, THIS_MONDAY - WEEK]

    def test_dashboard_rows_for_the_editor_s_accounts(
        self, redaktor, library_account, social_account, django_assert_num_queries
    ):
        log_activity(redaktor, library_account, TODAY, 2)
        with django_assert_num_queries(3):  # the accounts, their logs, their connections
            rows = dashboard_rows(fresh(redaktor), TODAY)
        assert [row.account for row in rows] == [library_account]
        assert rows[0].logged.posts == 2
        assert rows[0].missing[0] == THIS_MONDAY - WEEK and THIS_MONDAY not in rows[0].missing


@pytest.mark.django_db
class TestActivityLogPage:
    def url(self, account):
        return reverse("activity:log", args=[account.pk])

    @pytest.mark.parametrize("who", ["medarbetare", "annan_redaktor", "kommunikator"])
    def test_forged_posts_without_a_mandate_are_forbidden(self, client, request, library_account, who):
        client.force_login(request.getfixturevalue(who))
        response = client.post(self.url(library_account), {"week": "2026-W11", "posts": "3"})
        assert response.status_code == 403
        assert client.get(self.url(library_account)).status_code == 403
        assert not WeeklyActivity.objects.exists()

    def test_anonymous_is_sent_to_sign_in(self, client, library_account):
        assert client.get(self.url(library_account)).status_code == 302

    def test_logs_an_iso_week_and_shows_the_recent_weeks(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(
            self.url(library_account), {"week": "2026-W10", "posts": "5", "note": "Bokrea"}, follow=True
        )
        assert response.redirect_chain[-1][0] == self.url(library_account)
        assert WeeklyActivity.objects.values_list("week", "posts", "note").get() == (
            THIS_MONDAY - WEEK,
            5,
            "Bokrea",
        )
        content = response.content.decode()
        assert "Bokrea" in content
        assert len(response.context["recent"]) == 12

    def test_keeps_the_input_when_the_week_is_refused(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(self.url(library_account), {"week": "2026-W13", "posts": "7", "note": "Planerat"})
        assert response.status_code == 200
        content = response.content.decode()
        assert 'value="2026-W13"' in content and 'value="7"' in content and "Planerat" in content
        assert any("2026-W13" in str(m) for m in response.context["messages"])
        assert not WeeklyActivity.objects.exists()

    def test_a_missing_week_link_prefills_the_form(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.get(self.url(library_account), {"vecka": "2026-03-04"})
        assert '<input type="week" name="week" value="2026-W10"' in response.content.decode()

    def test_the_dashboard_s_one_number_form(self, client, redaktor, library_account):
        client.force_login(redaktor)
        rendered = render_to_string(
            "activity/_activity_dashboard.html",
            {"activity_rows": dashboard_rows(fresh(redaktor), TODAY)},
            request=RequestFactory().get("/"),
        )
        form = re.search(r'<form method="post" action="([^"]+)".*?</form>', rendered, re.S)
        assert form[1] == self.url(library_account)
        field = f'id="activity-posts-{library_account.pk}"'
        assert f'<label for="activity-posts-{library_account.pk}">' in form[0]
        assert 'type="number"' in form[0] and 'min="0"' in form[0] and 'max="500"' in form[0] and field in form[0]
        assert f"?vecka={(THIS_MONDAY - WEEK).isoformat()}" in rendered
        # The one click: what the form sends.
        response = client.post(form[1], {"week": THIS_MONDAY.isoformat(), "next": "/", "posts": "2"})
        assert response.status_code == 302 and response.url == f"/#activity-saved-{library_account.pk}"
        assert WeeklyActivity.objects.values_list("week", "posts").get() == (THIS_MONDAY, 2)

    def test_after_saving_the_start_page_opens_at_the_row_with_its_confirmation(
        self, client, redaktor, library_account
    ):
        other = SocialAccountFactory(name="Bibliotekets Instagram", unit=library_account.unit)
        MandateFactory(account=other, user=redaktor)
        client.force_login(redaktor)
        response = client.post(
            self.url(library_account), {"week": THIS_MONDAY.isoformat(), "next": "/", "posts": "3"}, follow=True
        )
        page = response.content.decode()
        saved = f"Sparat: 3 inlägg för {library_account} vecka 11, 2026."
        row = re.search(rf'<li class="activity-row" id="activity-row-{library_account.pk}">.*?</li>', page, re.S)
        assert row, page
        # In the row it is about, focusable as the fragment's target; not again at the top.
        confirmation = f'<p id="activity-saved-{library_account.pk}" class="message message-success activity-saved"'
        assert f'{confirmation} tabindex="-1">{saved}</p>' in row[0]
        assert page.count(saved) == 1
        assert f"activity-saved-{other.pk}" not in page
        # Once: the next visit has no confirmation.
        assert saved not in client.get("/").content.decode()

    def test_saved_from_the_account_s_own_page_the_confirmation_is_at_the_top(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(self.url(library_account), {"week": THIS_MONDAY.isoformat(), "posts": "3"}, follow=True)
        assert response.redirect_chain == [(self.url(library_account), 302)]
        assert '<p class="message message-success">Sparat: 3 inlägg' in response.content.decode()

    def test_next_must_be_of_this_site(self, client, redaktor, library_account):
        client.force_login(redaktor)
        response = client.post(
            self.url(library_account), {"week": "2026-W11", "posts": "1", "next": "https://evil.example/"}
        )
        assert response.url == self.url(library_account)


@pytest.mark.django_db
class TestChart:
    def render(self, account):
        return Template("{% load activity_chart %}{% activity_chart account %}").render(Context({"account": account}))

    def test_bars_line_and_text_alternative_in_two_queries(self, redaktor, library_account, django_assert_num_queries):
        WeeklyActivity.objects.bulk_create(
            [
                WeeklyActivity(account=library_account, week=THIS_MONDAY - WEEK, posts=3, logged_by=redaktor),
                WeeklyActivity(account=library_account, week=THIS_MONDAY - 2 * WEEK, posts=0, logged_by=redaktor),
                WeeklyActivity(account=library_account, week=THIS_MONDAY - 30 * WEEK, posts=9, logged_by=redaktor),
                WeeklyActivity(account=library_account, week=THIS_MONDAY, posts=7, logged_by=redaktor),
            ]
        )
        with django_assert_num_queries(2):  # the logs, and the connections (activity/sources.py)
            html = self.render(library_account)
        assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html
        assert "<figcaption>" in html and 'aria-labelledby="chart-title-' in html
        assert html.count('class="chart-bar') == CHART_WEEKS
        assert html.count("chart-bar-under") == CHART_WEEKS - 1
        assert 'class="chart-target"' in html and "(R19)" in html
        # The summary: 26 weeks, 3 posts in all, 25 weeks under one post.
        desc = re.search(r"<desc[^>]*>(.*?)</desc>", html)[1]
        assert desc.startswith("26 ") and "0,1" in desc and "25 " in desc
        table = re.search(r"<details.*?</details>", html, re.S)[0]
        assert re.search(r"week 10, 2026</th><td>3</td>|vecka 10, 2026</th><td>3</td>", table)
        assert re.search(r"2026</th><td>0</td>", table)
        assert ">9<" not in table and ">7<" not in table  # outside the 26 full weeks

    def test_the_line_at_one_post(self, library_account):
        html = self.render(library_account)
        line_y = float(re.search(r'class="chart-target" x1="\d+" y1="([\d.]+)"', html)[1])
        baseline = float(re.search(r'class="chart-axis" x1="\d+" y1="([\d.]+)"', html)[1])
        top = int(
            re.search(r'text-anchor="end" dominant-baseline="middle">(\d+)</text>\s*{?', html.split("0</text>", 1)[1])[
                1
            ]
        )
        assert baseline - line_y == pytest.approx(150 / top)

    def test_weeks_before_activation_are_not_drawn(self, biblioteket):
        account = SocialAccountFactory(
            unit=biblioteket, activated_on=THIS_MONDAY - 4 * WEEK + datetime.timedelta(days=2)
        )
        html = self.render(account)
        assert html.count('class="chart-bar') == 4

    def test_an_account_without_a_full_week(self, biblioteket):
        account = SocialAccountFactory(unit=biblioteket, activated_on=TODAY)
        html = self.render(account)
        assert "<svg" not in html and "<figure" in html
