"""Every page costs the same number of queries whatever the size of the registry.

Each page is asked with a small data set and again with three times as many accounts (and their
open flags, requests, questions answered late and mandates); the number of queries must be the
same, and under a fixed ceiling, so that a query per row that creeps back in fails here. The
timings are in the benchmark (bench/pages.py), never in a test.
"""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountStatus, Mandate
from accounts.tests.factories import OrgUnitFactory, SocialAccountFactory
from moderation.models import Inquiry, InquiryChannel
from review.models import FlagKind, FlagStatus, ReviewFlag

SMALL = 8
FACTOR = 3

# The ceilings: today's counts with one to spare, never a count per row.
PUBLIC_LIST_MAX = 2  # empty cache: all units, then the active accounts with their unit
ACCOUNT_LIST_MAX = 12  # 11 today
REVIEW_QUEUE_MAX = 15  # 14: with the dismissals waiting for their review date (a count and a page)
DASHBOARD_MAX = 26  # comms 26 (one is the count of what was removed on the platform, R21); a manager, an editor fewer
MODERATION_INDEX_MAX = 12  # 11
COUNCIL_INDEX_MAX = 14  # 13

_counter = itertools.count()


def grow(n, *, units, comms, editor):
    """n more active accounts spread over `units`, each with an open flag and a question answered
    late; for every other one a request waiting for its manager and one waiting for comms, and a
    dismissed flag waiting for its review date; the editor holds a mandate for every fourth."""
    now = timezone.now()
    for _i in range(n):
        k = next(_counter)
        unit = units[k % len(units)]
        account = SocialAccountFactory(unit=unit)
        kind = FlagKind.values[k % len(FlagKind.values)]
        flag = ReviewFlag(account=account, kind=kind, evidence={})
        if k % 2:
            flag.status, flag.acknowledged_at, flag.decided_by = FlagStatus.ACKNOWLEDGED, now, comms
        flag.save()
        if k % 2 == 0:
            ReviewFlag.objects.create(
                account=account, kind=FlagKind.values[(k + 1) % len(FlagKind.values)], status=FlagStatus.DISMISSED,
                reason="Säsongskonto", closed_at=now, decided_by=comms, review_on=datetime.date(2099, 1, 1),
            )  # fmt: skip
        received = now - datetime.timedelta(days=3)
        Inquiry.objects.create(
            account=account,
            channel=InquiryChannel.COMMENT,
            received_at=received,
            summary="Fråga om öppettider",
            deadline=received + datetime.timedelta(hours=24),
            answered_at=received + datetime.timedelta(hours=30),
            answered_by=editor,
            logged_by=editor,
        )
        if k % 2 == 0:
            SocialAccountFactory(unit=unit, status=AccountStatus.REQUESTED, activated_on=None, requested_by=editor)
            SocialAccountFactory(unit=unit, status=AccountStatus.MANAGER_APPROVED, activated_on=None)
        if k % 4 == 0:
            Mandate.objects.create(user=editor, account=account, valid_from=datetime.date(2024, 1, 1))


def count_queries(client, url):
    cache.clear()
    client.get(url)  # the first request fills what is cached (the public list, the session's user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


@pytest.fixture
def registry(kultur, biblioteket, social, library_account, kommunikator, redaktor, chef):
    """Units of two levels under Kultur (the manager's) and Social, and a function that grows it."""
    units = [biblioteket, social, OrgUnitFactory(name="Musikskolan", parent=kultur)]
    return lambda n: grow(n, units=units, comms=kommunikator, editor=redaktor)


def assert_constant(client, url, registry, ceiling, django_assert_max_num_queries):
    registry(SMALL)
    small, _response = count_queries(client, url)
    registry(SMALL * (FACTOR - 1))
    large, response = count_queries(client, url)
    assert small == large, f"{url}: {small} queries for {SMALL} accounts, {large} for {SMALL * FACTOR}"
    with django_assert_max_num_queries(ceiling):
        client.get(url)
    return response


@pytest.mark.django_db
class TestStaffPages:
    @pytest.mark.parametrize("who", ["kommunikator", "redaktor", "chef"])
    def test_account_list(self, client, request, registry, who, django_assert_max_num_queries):
        client.force_login(request.getfixturevalue(who))
        response = assert_constant(
            client, reverse("accounts:list"), registry, ACCOUNT_LIST_MAX, django_assert_max_num_queries
        )
        assert response.context["page"].paginator.count > SMALL * FACTOR  # all of them, a page at a time

    def test_review_queue(self, client, kommunikator, registry, django_assert_max_num_queries):
        client.force_login(kommunikator)
        response = assert_constant(
            client, reverse("review:queue"), registry, REVIEW_QUEUE_MAX, django_assert_max_num_queries
        )
        assert response.context["page"].paginator.count == SMALL * FACTOR
        # Who acknowledged a flag is on the page, read with the page's flags.
        assert kommunikator.get_full_name() in response.text or str(kommunikator) in response.text

    @pytest.mark.parametrize("who", ["kommunikator", "redaktor", "chef"])
    def test_dashboard(self, client, request, registry, who, django_assert_max_num_queries):
        client.force_login(request.getfixturevalue(who))
        assert_constant(client, reverse("dashboard"), registry, DASHBOARD_MAX, django_assert_max_num_queries)

    def test_dashboard_lists_stay_short(self, client, kommunikator, registry, settings):
        from falkoping_some import pages as registry_views

        client.force_login(kommunikator)
        registry(2 * SMALL * FACTOR)
        context = client.get(reverse("dashboard")).context
        # Half of the accounts have a request waiting for comms: more than a dashboard shows.
        assert len(context["pending"]) == registry_views.DASHBOARD_LIST_LIMIT
        assert context["pending_more"]["total"] > registry_views.DASHBOARD_LIST_LIMIT
        assert len(context["answer_stats"]) == registry_views.ANSWER_STATS_SHOWN
        assert all(in_time < total for _account, total, in_time, _share in context["answer_stats"])

    def test_moderation_index(self, client, kommunikator, registry, django_assert_max_num_queries):
        client.force_login(kommunikator)
        assert_constant(
            client, reverse("moderation:index"), registry, MODERATION_INDEX_MAX, django_assert_max_num_queries
        )

    def test_council_index(self, client, kommunikator, registry, django_assert_max_num_queries):
        client.force_login(kommunikator)
        assert_constant(client, reverse("council:index"), registry, COUNCIL_INDEX_MAX, django_assert_max_num_queries)


@pytest.mark.django_db
class TestPublicPage:
    def test_uncached(self, client, registry, django_assert_max_num_queries):
        url = reverse("public:list")
        registry(SMALL)
        cache.clear()
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        registry(SMALL * (FACTOR - 1))
        cache.clear()
        with django_assert_max_num_queries(PUBLIC_LIST_MAX) as large:
            response = client.get(url)
        assert len(small) == len(large.captured_queries)
        assert response.text.count('class="account-list"') >= 1

    def test_cached_costs_no_query(self, client, registry, django_assert_num_queries):
        url = reverse("public:list")
        registry(SMALL * FACTOR)
        client.get(url)
        with django_assert_num_queries(0):
            client.get(url)


def test_review_queue_index_follows_the_queue_order():
    """The partial index that reads a page of the review queue in order (0015_review_queue_index)
    repeats the queue's SEVERITY: if one changes without the other, the index is no longer used."""
    from review.flags import SEVERITY

    index = next(index for index in ReviewFlag._meta.indexes if index.name == "flag_queue_order")
    assert index.expressions[0] == SEVERITY
