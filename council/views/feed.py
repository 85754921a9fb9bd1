"""Council meetings in the calendar: the .ics download of one meeting, and the personal feed
(a secret address that Outlook subscribes to) with its settings page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from falkoping_some.lib.access import get_object_for_user

from ..ical import feed_ical, meeting_ical
from ..models import CalendarFeed, CouncilMeeting, MeetingStatus, new_token

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


@login_required
@require_GET
def meeting_ics(request, pk):
    """One meeting as an .ics file, to open in Outlook (the same as the invitation's attachment)."""
    meeting = get_object_for_user(
        request, CouncilMeeting.objects.prefetch_related("agenda_items"), "council.view", pk=pk
    )
    if meeting.status == MeetingStatus.DRAFT and not request.user.has_perm("council.manage"):
        raise Http404  # a draft is comms' own until it is published
    response = HttpResponse(meeting_ical(meeting), content_type=ICS_CONTENT_TYPE)
    day = timezone.localtime(meeting.starts_at).date()
    response["Content-Disposition"] = f'attachment; filename="someradet-{day:%Y-%m-%d}.ics"'
    return response


def _feed_url(calendar_feed) -> str:
    return settings.SITE_URL + reverse("council:feed", args=[calendar_feed.token])


@login_required
@require_GET
def feed_settings(request):
    """The person's secret calendar address (created on the first visit), how to subscribe to it
    in Outlook, and the button that renews it."""
    calendar_feed, _created = CalendarFeed.objects.get_or_create(user=request.user)
    return render(request, "council/feed_settings.html", {"feed_url": _feed_url(calendar_feed)})


@login_required
@require_POST
def feed_renew(request):
    """A new secret address; the old one stops working at once (for a leaked address, or a
    calendar one no longer uses)."""
    CalendarFeed.objects.update_or_create(
        user=request.user, defaults={"token": new_token(), "created_at": timezone.now()}
    )
    messages.success(
        request,
        _("Your calendar has a new address. The old one no longer works: add the new one to your calendar."),
    )
    return redirect("council:feed_settings")


@require_GET
def feed(request, token):
    """The personal feed. No sign-in: calendar programs cannot sign in, so the secret token is the
    key. A wrong, renewed-away or deactivated person's token gives 404, which reveals nothing."""
    calendar_feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not calendar_feed.user.is_active:
        raise Http404
    meetings = (
        CouncilMeeting.objects.filter(
            invitations__user=calendar_feed.user,
            status__in=[MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED],
        )
        .prefetch_related("agenda_items")
        .order_by("starts_at", "pk")
    )
    response = HttpResponse(feed_ical(meetings), content_type=ICS_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="someradet.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
