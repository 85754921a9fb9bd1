"""After a council meeting (R17, R24): comms records attendance on one screen, writes the minutes
and attaches files; every staff member reads them; comms sees who takes part and who does not."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import comms_required
from council.forms.attendance import AttachmentForm, AttendanceForm, MinutesForm
from council.services.attendance import (
    add_attachments,
    attendance_per_person,
    attendance_since,
    missed_last_two,
    record_attendance,
    save_minutes,
)
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import clean_original_name, private_file_response

from ..models import CouncilMeeting, MeetingStatus, MinutesAttachment


def _is_held(meeting) -> bool:
    """Whether attendance and minutes can be recorded yet (the services decide; this hides forms)."""
    return meeting.status == MeetingStatus.PUBLISHED and meeting.starts_at <= timezone.now()


@comms_required
@require_http_methods(["GET", "POST"])
def attendance_record(request, pk):
    """Every invitee on one screen, their answer beside them, one radio group each, one Save."""
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    invitations = meeting.invitations.select_related("user__unit", "attendance_recorded_by")
    form = AttendanceForm(request.POST or None, invitations=invitations)
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = record_attendance(request.user, meeting, form.marks())
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": len(changed)})
                return redirect(meeting)
        else:
            messages.error(request, _("Attendance was not saved. Correct the fields marked below."))
    return render(
        request,
        "council/attendance_record.html",
        {"meeting": meeting, "form": form, "can_record": _is_held(meeting)},
    )


@comms_required
@require_http_methods(["GET", "POST"])
def minutes_edit(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            save_minutes(request.user, meeting, form.cleaned_data["minutes"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect(meeting)
    return render(
        request,
        "council/minutes_edit.html",
        {
            "meeting": meeting,
            "form": form,
            "attachment_form": AttachmentForm(),
            "attachments": meeting.attachments.select_related("uploaded_by"),
            "can_record": _is_held(meeting),
        },
    )


@comms_required
@require_POST
def attachment_upload(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attached = add_attachments(request.user, meeting, form.cleaned_data["files"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)s file(s) attached to the minutes.") % {"count": len(attached)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("council:minutes", pk=meeting.pk)


@login_required
def attachment_file(request, pk):
    """A file of the minutes, to any signed-in staff member, never cached. A draft meeting's files
    are comms' own until it is published, as the meeting itself is (404 to everyone else)."""
    attachments = MinutesAttachment.objects.all()
    if not request.user.has_perm("council.manage"):
        attachments = attachments.exclude(meeting__status=MeetingStatus.DRAFT)
    attachment = get_object_for_user(request, attachments, "council.view", pk=pk)
    return private_file_response(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=clean_original_name(attachment.original_name),
    )


@comms_required
def attendance_table(request):
    """R24: who takes part in the council over the last 12 months, who misses most first, and the
    editors absent from both of the last two meetings."""
    since = attendance_since()
    return render(
        request,
        "council/attendance_table.html",
        {"since": since, "people": attendance_per_person(since), "missed": missed_last_two()},
    )
