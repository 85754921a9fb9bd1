"""The SoMe council (R17: comms convenes and drives it; R24: every editor takes part): meetings,
their agenda, invitations with answers and attendance, minutes, and a personal calendar feed."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from falkoping_some.lib.private_files import PrivateFile


def new_token() -> str:
    return secrets.token_urlsafe(32)


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class CouncilMeeting(models.Model):
    """A meeting of the SoMe council, planned and published by comms. Publishing it invites every
    holder of a mandate in force (and anyone granted one before the meeting)."""

    title = models.CharField(_("title"), max_length=200, default="SoMe-rådet")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("link to the online meeting"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="iCalendar SEQUENCE: bumped on every change"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    minutes = models.TextField(pgettext_lazy("council meeting", "minutes"), blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(name="meeting_ends_after_it_starts", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="meeting_has_place_or_link", condition=~Q(place="") | ~Q(online_link="")),
        ]

    def __str__(self):
        return f"{self.title} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("council:meeting", args=[self.pk])

    @property
    def uid(self) -> str:
        """The meeting's iCalendar UID: stable, so calendars update the event instead of adding one."""
        return f"someradet-{self.pk}@falkoping.se"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Response(models.TextChoices):
    NONE = "", _("No answer yet")
    YES = "yes", _("Yes, I will come")
    NO = "no", _("No, I cannot come")
    DELEGATE = "delegate", _("I cannot come, I am sending a colleague")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Not recorded")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Invitation(models.Model):
    """One person invited to one meeting (R24): their answer, and afterwards their attendance."""

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="council_invitations")
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    token = models.CharField(max_length=64, default=new_token, unique=True, editable=False)
    response = models.CharField(_("answer"), max_length=20, choices=Response.choices, blank=True, default="")
    delegate = models.CharField(_("colleague sent instead"), max_length=200, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices, blank=True, default="")
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["user__first_name", "user__last_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="invitation_once_per_person")]

    def __str__(self):
        return f"{self.user} – {self.meeting}"


class MinutesAttachment(PrivateFile):
    """Slides and other files of the minutes, validated and stored as evidence is (private storage,
    served through a view that checks the user is signed in)."""

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.PROTECT, related_name="attachments")

    class Meta:
        verbose_name = _("minutes attachment")
        verbose_name_plural = _("minutes attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class CalendarFeed(models.Model):
    """A person's secret calendar address (.ics of every meeting they are invited to). Renewing it
    replaces the token: the old address stops working at once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, default=new_token, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user}"
