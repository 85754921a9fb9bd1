"""After a council meeting (R17, R24): comms records who came, writes the minutes and attaches the
slides; the portal shows who takes part and who does not.

Permission is refused with PermissionDenied (the view answers 403), a refused state with
DomainError (the view shows its message).
"""

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Mandate
from council.models import Attendance, CouncilMeeting, Invitation, MeetingStatus, MinutesAttachment
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import clean_original_name, discard_files, store_private_file, validate_upload

# R24: the attendance figures look back over a year of meetings.
ATTENDANCE_PERIOD = relativedelta(months=12)
# R24: missing this many held meetings in a row (absent, not excused) is followed up by comms.
MISSED_IN_A_ROW = 2
# What can be recorded: "not recorded" is what an invitation starts as, never something to record.
RECORDABLE = (Attendance.PRESENT, Attendance.ABSENT, Attendance.EXCUSED)


def attendance_since(now=None):
    """The start of the period the attendance figures cover (R24)."""
    return (now or timezone.now()) - ATTENDANCE_PERIOD


def _check_manage(actor):
    if not actor.has_perm("council.manage"):
        raise PermissionDenied


def _check_held(meeting, now):
    if meeting.status != MeetingStatus.PUBLISHED:
        raise DomainError(_("Only a published meeting has attendance and minutes."))
    if now < meeting.starts_at:
        raise DomainError(_("The meeting has not started yet: attendance and minutes come once it has."))


def record_attendance(actor, meeting, marks) -> list[Invitation]:
    """R24: record who was present, absent or excused. `marks` maps invitation ids of this
    meeting to an Attendance value; all of them are recorded, or none. Returns the invitations
    whose attendance changed."""
    _check_manage(actor)
    now = timezone.now()
    with transaction.atomic():
        # Locking the meeting makes two comms members saving the same screen wait for each other.
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
        _check_held(meeting, now)
        invitations = {invitation.pk: invitation for invitation in meeting.invitations.select_for_update()}
        for invitation_id, attendance in marks.items():
            if invitation_id not in invitations:
                raise DomainError(
                    _("Someone in the list is not invited to this meeting. Reload the page and try again.")
                )
            if attendance not in RECORDABLE:
                raise DomainError(_("Choose present, absent or excused."))
        changed = []
        for invitation_id, attendance in marks.items():
            invitation = invitations[invitation_id]
            if invitation.attendance != attendance:
                invitation.attendance = attendance
                invitation.attendance_recorded_by = actor
                invitation.attendance_recorded_at = now
                changed.append(invitation)
        Invitation.objects.bulk_update(changed, ["attendance", "attendance_recorded_by", "attendance_recorded_at"])
    return changed


def save_minutes(actor, meeting, text) -> CouncilMeeting:
    """The meeting's minutes, readable by every staff member; first published when first saved."""
    _check_manage(actor)
    now = timezone.now()
    with transaction.atomic():
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
        _check_held(meeting, now)
        meeting.minutes = (text or "").strip()
        fields = ["minutes"]
        if meeting.minutes and meeting.minutes_published_at is None:
            meeting.minutes_published_at = now
            fields.append("minutes_published_at")
        meeting.save(update_fields=fields)
    return meeting


def _store_attachment(actor, meeting, uploaded_file, content_type, now) -> MinutesAttachment:
    """Kept as evidence is (moderation/evidence.py): under a random name, with its SHA-256."""
    attachment = MinutesAttachment(
        meeting=meeting,
        original_name=clean_original_name(getattr(uploaded_file, "name", "") or ""),
        content_type=content_type,
        uploaded_by=actor,
        uploaded_at=now,
    )
    return store_private_file(attachment, uploaded_file)


def add_attachments(actor, meeting, files) -> list[MinutesAttachment]:
    """Attach slides and other files to the minutes: PNG, JPEG, WebP or PDF, judged by their
    content. All of them are kept, or none (a refused file refuses the lot)."""
    _check_manage(actor)
    files = list(files)
    if not files:
        raise DomainError(_("Choose at least one file to attach."))
    now = timezone.now()
    problems, content_types = [], []
    for uploaded_file in files:
        try:
            content_types.append(validate_upload(uploaded_file))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise DomainError(" ".join([*problems, _("No file was attached.")]))
    stored = []
    try:
        with transaction.atomic():
            meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
            _check_held(meeting, now)
            for uploaded_file, content_type in zip(files, content_types, strict=True):
                stored.append(_store_attachment(actor, meeting, uploaded_file, content_type, now))
    except BaseException:
        discard_files(stored)  # their rows were rolled back: the files must go too
        raise
    return stored


# Selectors.


def _held_since(prefix, since, now):
    """Meetings held (published, begun) from `since` until now, seen through `prefix`."""
    return Q(
        **{
            f"{prefix}meeting__status": MeetingStatus.PUBLISHED,
            f"{prefix}meeting__starts_at__gte": since,
            f"{prefix}meeting__starts_at__lte": now,
        }
    )


def attendance_per_person(since=None):
    """R24: everyone invited to a meeting held since `since` (12 months back by default), each
    with `invited`, `present`, `absent` and `excused`; who misses most (absent) first. One query."""
    now = timezone.now()
    since = since or attendance_since(now)
    held = _held_since("council_invitations__", since, now)

    def count(attendance=None):
        condition = held if attendance is None else held & Q(council_invitations__attendance=attendance)
        return Count("council_invitations", filter=condition)

    return (
        get_user_model()
        .objects.select_related("unit")
        .annotate(
            invited=count(),
            present=count(Attendance.PRESENT),
            absent=count(Attendance.ABSENT),
            excused=count(Attendance.EXCUSED),
        )
        .filter(invited__gt=0)
        .order_by("-absent", "-excused", "first_name", "last_name", "pk")
    )


def person_attendance(user, since=None) -> dict:
    """R24: one person's `invited`, `present`, `absent`, `excused` and `not_recorded` since
    `since` (12 months back by default), for their page. One query."""
    now = timezone.now()
    since = since or attendance_since(now)
    figures = Invitation.objects.filter(_held_since("", since, now), user=user).aggregate(
        invited=Count("pk"),
        present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
        absent=Count("pk", filter=Q(attendance=Attendance.ABSENT)),
        excused=Count("pk", filter=Q(attendance=Attendance.EXCUSED)),
    )
    figures["not_recorded"] = figures["invited"] - figures["present"] - figures["absent"] - figures["excused"]
    figures["since"] = since
    return figures


def last_held_meetings(count=MISSED_IN_A_ROW, now=None):
    """The latest meetings that have been held (published and over), the latest first."""
    now = now or timezone.now()
    return CouncilMeeting.objects.filter(status=MeetingStatus.PUBLISHED, ends_at__lte=now).order_by("-starts_at")[
        :count
    ]


def missed_last_two():
    """R24: editors (a mandate in force today) who were absent, not excused, from both of the last
    two held meetings. Two queries."""
    meetings = list(last_held_meetings().values_list("pk", flat=True))
    if len(meetings) < MISSED_IN_A_ROW:
        return []
    missed = Count(
        "council_invitations",
        filter=Q(council_invitations__meeting__in=meetings, council_invitations__attendance=Attendance.ABSENT),
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True, pk__in=Mandate.objects.active_on(timezone.localdate()).values("user"))
        .select_related("unit")
        .annotate(missed=missed)
        .filter(missed=MISSED_IN_A_ROW)
        .order_by("first_name", "last_name", "pk")
    )
