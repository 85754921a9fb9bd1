"""The SoMe council's meetings (R17: comms convenes and drives it; R24: every editor takes part).

Every change of a meeting or an answer goes through a function here: it checks permission
(PermissionDenied, the view answers 403) and state (DomainError with a message for the user),
writes inside a transaction and queues the notices, each with the meeting's .ics.

Who is invited (R24), precisely:
- at publication: every active user holding a mandate in force on that day
  (Mandate.objects.active_on(today)), once each however many accounts they edit. A mandate that
  ends before the meeting's day still invites: the invitation follows "holds a mandate now".
  So does a mandate already granted that starts later but is in force on the meeting's day
  (the same rule as for a new grant below; otherwise nothing would ever invite its editor);
- afterwards, a newly granted mandate invites its editor to every published meeting still to
  come on whose day the mandate is in force (valid_from <= the meeting's day <= valid_until,
  or no end). A mandate granted after publication that ends before the meeting's day does not.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Mandate
from accounts.notifications import notify
from council.ical import meeting_ical
from council.models import AgendaItem, CouncilMeeting, Invitation, MeetingStatus, Response
from council.rules import is_invitee
from falkoping_some.lib.errors import DomainError

ICS_NAME = "someradet.ics"
ICS_TYPE = "text/calendar; method=%s; charset=utf-8"
# The fields whose change makes the invitees' calendars out of date: they are told (and SEQUENCE bumps).
WHEN_AND_WHERE = ("starts_at", "ends_at", "place", "online_link")
MEETING_FIELDS = ("title", *WHEN_AND_WHERE)


def _require_manage(actor):
    if not actor.has_perm("council.manage"):
        raise PermissionDenied


def _check_data(data):
    if data["ends_at"] <= data["starts_at"]:
        raise DomainError(_("The meeting must end after it starts."))
    if not (data.get("place") or "").strip() and not (data.get("online_link") or "").strip():
        raise DomainError(_("Give a place, a link to the online meeting, or both."))


def _set_agenda(meeting, agenda):
    """Replace the agenda with `agenda`: a list of (title, presenter), in order."""
    meeting.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, order=position, title=title.strip(), presenter=(presenter or "").strip())
            for position, (title, presenter) in enumerate(agenda, start=1)
            if title and title.strip()
        ]
    )


def _attachment(meeting, method="REQUEST"):
    return (ICS_NAME, meeting_ical(meeting, method=method), ICS_TYPE % method)


def _answer_links(invitation) -> dict:
    url = settings.SITE_URL + reverse("council:respond_by_token", args=[invitation.token])
    return {"yes_url": f"{url}?svar=ja", "no_url": f"{url}?svar=nej", "delegate_url": f"{url}?svar=ombud"}


def _send_invitations(meeting, invitations):
    """One email per invitee: each carries their own answer links, all the same .ics."""
    attachment = _attachment(meeting)
    for invitation in invitations:
        notify(
            [invitation.user],
            "council_invitation",
            {"meeting": meeting, "url": meeting.get_absolute_url(), **_answer_links(invitation)},
            attachment=attachment,
        )


def _invitees(meeting):
    return [i.user for i in meeting.invitations.select_related("user")]


def plan_meeting(actor, data, agenda) -> CouncilMeeting:
    """R17: comms plans a meeting, as a draft that nobody is invited to yet."""
    _require_manage(actor)
    _check_data(data)
    with transaction.atomic():
        meeting = CouncilMeeting.objects.create(
            **{field: data.get(field, "") for field in MEETING_FIELDS if field in data}, created_by=actor
        )
        _set_agenda(meeting, agenda)
    return meeting


def update_meeting(actor, meeting, data, agenda) -> CouncilMeeting:
    """Change a meeting and its agenda. A published meeting moved in time or place bumps its
    SEQUENCE and tells every invitee, with the new .ics that replaces the old event."""
    _require_manage(actor)
    _check_data(data)
    with transaction.atomic():
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.CANCELLED:
            raise DomainError(_("The meeting is cancelled: it can no longer be changed."))
        moved = [f for f in WHEN_AND_WHERE if f in data and data[f] != getattr(meeting, f)]
        published = meeting.status == MeetingStatus.PUBLISHED
        if published and moved and data["starts_at"] <= timezone.now():
            raise DomainError(_("A published meeting cannot be moved to a time that has passed."))
        for field in MEETING_FIELDS:
            if field in data:
                setattr(meeting, field, data[field])
        if published and moved:
            meeting.sequence += 1
        meeting.save()
        _set_agenda(meeting, agenda)
        if published and moved:
            notify(
                _invitees(meeting),
                "council_meeting_changed",
                {"meeting": meeting, "url": meeting.get_absolute_url()},
                attachment=_attachment(meeting),
            )
    return meeting


def publish_meeting(actor, meeting) -> CouncilMeeting:
    """R17, R24: publish a draft and invite every editor: each user holding a mandate in force
    today or on the meeting's day, once, by email with the .ics and the answer links."""
    _require_manage(actor)
    with transaction.atomic():
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.DRAFT:
            raise DomainError(
                _("Only a draft can be published; this meeting is “%(status)s”.")
                % {"status": meeting.get_status_display()}
            )
        now = timezone.now()
        if meeting.starts_at <= now:
            raise DomainError(_("The meeting has already started: move it to a later time before publishing it."))
        meeting.status = MeetingStatus.PUBLISHED
        meeting.published_at = now
        meeting.save(update_fields=["status", "published_at"])
        in_force = Mandate.objects.active_on(timezone.localdate()) | Mandate.objects.active_on(
            timezone.localdate(meeting.starts_at)
        )
        editors = get_user_model().objects.filter(is_active=True, mandates__in=in_force).distinct()
        invitations = Invitation.objects.bulk_create([Invitation(meeting=meeting, user=user) for user in editors])
        _send_invitations(meeting, invitations)
    return meeting


def cancel_meeting(actor, meeting, reason) -> CouncilMeeting:
    """Cancel a meeting that has not started, with the reason; invitees get a CANCEL that removes
    the event from their calendars."""
    _require_manage(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for cancelling the meeting."))
    with transaction.atomic():
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.CANCELLED:
            raise DomainError(_("The meeting is already cancelled."))
        if meeting.starts_at <= timezone.now():
            raise DomainError(_("The meeting has already started: it can no longer be cancelled."))
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence"])
        notify(
            _invitees(meeting),
            "council_meeting_cancelled",
            {"meeting": meeting, "reason": reason, "url": meeting.get_absolute_url()},
            attachment=_attachment(meeting, method="CANCEL"),
        )
    return meeting


def invite_new_editor(user) -> list[Invitation]:
    """R24: a user granted a mandate is invited to every published meeting still to come on whose
    day one of their mandates is in force, unless already invited (see the module docstring)."""
    if not user.is_active:
        return []
    now = timezone.now()
    mandates = Mandate.objects.filter(user=user, revoked_at__isnull=True)
    invitations = []
    with transaction.atomic():
        meetings = CouncilMeeting.objects.filter(status=MeetingStatus.PUBLISHED, starts_at__gt=now).exclude(
            invitations__user=user
        )
        for meeting in meetings.order_by("starts_at"):
            day = timezone.localdate(meeting.starts_at)
            if not mandates.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day).exists():
                continue
            invitation, created = Invitation.objects.get_or_create(meeting=meeting, user=user)
            if created:
                _send_invitations(meeting, [invitation])
                invitations.append(invitation)
    return invitations


def respond(user, invitation, response, delegate="") -> Invitation:
    """R24: the invitee answers, until the meeting starts: yes, no, or sending a colleague (named).
    Nobody else answers for them, a superuser neither."""
    if not is_invitee(user, invitation):
        raise PermissionDenied
    if response not in (Response.YES, Response.NO, Response.DELEGATE):
        raise DomainError(_("Choose an answer."))
    delegate = (delegate or "").strip()
    if response == Response.DELEGATE and not delegate:
        raise DomainError(_("Give the name of the colleague you are sending."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
        meeting = invitation.meeting
        if meeting.status == MeetingStatus.CANCELLED:
            raise DomainError(_("The meeting is cancelled."))
        if meeting.starts_at <= timezone.now():
            raise DomainError(_("The meeting has already started: answers are closed."))
        invitation.response = response
        invitation.delegate = delegate if response == Response.DELEGATE else ""
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["response", "delegate", "responded_at"])
    return invitation
