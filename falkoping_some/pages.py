"""Pages that gather from every part of the routine: the signed-in start page. They live in the
project, above the apps, so that no app imports one above it (README, "How the code is laid out")."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts import rules
from accounts.models import AccountStatus, Mandate, OrgUnit, SocialAccount
from accounts.services.lifecycle import pending_for
from activity.services import dashboard_rows
from activity.views import confirmations_in_rows
from council.views.meetings import next_meeting
from moderation.selectors import unexplained_removals
from moderation.services.inquiries import answer_stats, most_late_answers
from review.flags import flag_counts
from review.selfcheck import self_checks_due_for

# The dashboard's lists show this many rows at most, with a link to the whole list.
DASHBOARD_LIST_LIMIT = 20
ANSWER_STATS_SHOWN = 10


def _first(queryset, limit, url):
    """At most `limit` rows of a list that grows with the registry, with its total and where the
    whole list is (the account list, filtered): the dashboard stays the same size at any scale."""
    total = queryset.count()
    return list(queryset[:limit]), {"shown": min(limit, total), "total": total, "url": url}


@login_required
def dashboard(request):
    """The signed-in start page: a section for each role the user holds."""
    user = request.user
    today = timezone.localdate()
    list_url = reverse("accounts:list")
    activity_rows = dashboard_rows(user, today)
    context = {
        "is_comms": user.has_perm("portal.comms"),
        "activity_rows": activity_rows,
        "messages_in_place": confirmations_in_rows(request, activity_rows),
        "self_checks_due": self_checks_due_for(user, today),
    }
    context["pending"], context["pending_more"] = _first(pending_for(user), DASHBOARD_LIST_LIMIT, list_url)
    # The requests this person made (R11) and where each stands; closed ones are history. One
    # query: a row more than shown tells that there are more (the account list has no filter by
    # requester to link to).
    my_requests = list(
        SocialAccount.objects.filter(requested_by=user)
        .exclude(status=AccountStatus.CLOSED)
        .select_related("unit")
        .order_by("-created_at", "-pk")[: DASHBOARD_LIST_LIMIT + 1]
    )
    context["my_requests"] = my_requests[:DASHBOARD_LIST_LIMIT]
    context["my_requests_cut"] = len(my_requests) > DASHBOARD_LIST_LIMIT
    context["next_meeting"], context["my_invitation"] = next_meeting(user)
    if user.has_perm("moderation.index"):
        # R21: what disappeared from the platforms of this editor's accounts (comms: every account)
        # and is not yet explained, so that nobody has to search for it.
        context["removals_waiting"] = unexplained_removals(user).count()
    context["my_mandates"] = (
        Mandate.objects.active_on(today)
        .filter(user=user)
        .select_related("account", "account__unit")
        .order_by("account__name")
    )
    # R14: mandates that take effect once this editor's training is recorded.
    context["my_mandates_awaiting_training"] = (
        Mandate.objects.awaiting_training(today).filter(user=user).select_related("account").order_by("account__name")
    )
    paths = rules.managed_paths(user)
    if paths:
        units = list(OrgUnit.objects.filter(managers=user))
        context["managed_units"] = units
        context["managed_accounts"], context["managed_more"] = _first(
            SocialAccount.objects.for_units(units).select_related("unit").order_by("name", "platform", "pk"),
            DASHBOARD_LIST_LIMIT,
            f"{list_url}?unit={units[0].pk}" if len(units) == 1 else list_url,
        )
    if context["is_comms"]:
        context["flag_counts"] = flag_counts()
        # R20: not every account (tens of thousands at national scale) but those with the most
        # questions answered late or not at all; the moderation pages show any account's figures.
        context["answer_stats"] = answer_stats(most_late_answers(ANSWER_STATS_SHOWN))
        counts = dict(SocialAccount.objects.values_list("status").annotate(n=Count("pk")))
        context["status_counts"] = [(value, label, counts.get(value, 0)) for value, label in AccountStatus.choices]
    if user.unit_id and not paths:
        # A manager already sees their units' accounts above; everyone else sees their own unit's.
        context["unit_accounts"], context["unit_more"] = _first(
            SocialAccount.objects.active().for_units([user.unit]).select_related("unit").order_by("name", "pk"),
            DASHBOARD_LIST_LIMIT,
            f"{list_url}?unit={user.unit_id}&status={AccountStatus.ACTIVE}",
        )
    return render(request, "dashboard.html", context)
