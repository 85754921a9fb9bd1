"""The council's pages (R17, R24): its start page, meetings, and the invitees' answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import comms_required
from accounts.models import Mandate, SocialAccount
from council.forms.meetings import CancelForm, MeetingForm, RespondForm
from council.services import meetings as services
from falkoping_some.lib.errors import DomainError

from ..models import CouncilMeeting, Invitation, MeetingStatus, Response
from ..rules import is_invitee

# The answer preselected by the email's links (?svar=ja|nej|ombud).
ANSWER_PARAMETER = {"ja": Response.YES, "nej": Response.NO, "ombud": Response.DELEGATE}


def _require_view(user):
    if not user.has_perm("council.view"):
        raise PermissionDenied


def _meetings_for(user):
    """Drafts are comms' own until published."""
    meetings = CouncilMeeting.objects.all()
    if not user.has_perm("council.manage"):
        meetings = meetings.exclude(status=MeetingStatus.DRAFT)
    return meetings


def next_meeting(user=None):
    """The next published meeting still to come, and the user's invitation to it (for the dashboard)."""
    meeting = (
        CouncilMeeting.objects.filter(status=MeetingStatus.PUBLISHED, ends_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    invitation = None
    if meeting is not None and user is not None and user.is_authenticated:
        invitation = meeting.invitations.filter(user=user).first()
    return meeting, invitation


def editor_network(today):
    """R17: the network of every account's editors: active accounts, each with the users of its
    mandates in force today (two queries)."""
    return (
        SocialAccount.objects.active()
        .order_by("name", "pk")
        .prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.active_on(today)
                .select_related("user")
                .order_by("user__first_name", "user__last_name"),
                to_attr="mandates_in_force",
            )
        )
    )


@login_required
def council_index(request):
    user = request.user
    _require_view(user)
    now = timezone.now()
    meetings = _meetings_for(user).annotate(invited=Count("invitations"))
    upcoming = list(meetings.filter(ends_at__gt=now).order_by("starts_at"))
    past = meetings.filter(ends_at__lte=now).exclude(status=MeetingStatus.DRAFT).order_by("-starts_at")
    meeting, invitation = next_meeting(user)
    network = list(editor_network(timezone.localdate()))
    editors = {m.user_id for account in network for m in account.mandates_in_force}
    return render(
        request,
        "council/index.html",
        {
            "next_meeting": meeting,
            "my_invitation": invitation,
            "upcoming": upcoming,
            "past": past,
            "network": network,
            "editor_count": len(editors),
            "can_manage": user.has_perm("council.manage"),
        },
    )


@comms_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.plan_meeting(request.user, form.meeting_data(), form.agenda_items())
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The meeting is planned as a draft. Publish it to invite the editors."))
                return redirect(meeting)
        else:
            messages.error(request, _("The meeting was not saved. Correct the fields marked below."))
    return render(request, "council/meeting_form.html", {"form": form, "meeting": None})


@comms_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    if meeting.status == MeetingStatus.CANCELLED:
        messages.error(request, _("The meeting is cancelled: it can no longer be changed."))
        return redirect(meeting)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_meeting(request.user, meeting, form.meeting_data(), form.agenda_items())
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The meeting is saved."))
                return redirect(meeting)
        else:
            messages.error(request, _("The meeting was not saved. Correct the fields marked below."))
    return render(request, "council/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request, pk):
    user = request.user
    _require_view(user)
    meeting = get_object_or_404(_meetings_for(user), pk=pk)
    invitation = meeting.invitations.filter(user=user).first()
    can_manage = user.has_perm("council.manage")
    context = {
        "meeting": meeting,
        "agenda": meeting.agenda_items.all(),
        "invitation": invitation,
        "can_manage": can_manage,
        "is_future": meeting.starts_at > timezone.now(),
        "attachments": meeting.attachments.all(),
    }
    if invitation is not None:
        context["respond_form"] = RespondForm(
            initial={"response": invitation.response or None, "delegate": invitation.delegate}
        )
    if can_manage:
        context["invitations"] = meeting.invitations.select_related("user", "user__unit")
        context["answers"] = meeting.invitations.aggregate(
            yes=Count("pk", filter=Q(response=Response.YES)),
            no=Count("pk", filter=Q(response=Response.NO)),
            delegate=Count("pk", filter=Q(response=Response.DELEGATE)),
            none=Count("pk", filter=Q(response=Response.NONE)),
        )
        context["cancel_form"] = CancelForm()
    return render(request, "council/meeting_detail.html", context)


@comms_required
@require_POST
def meeting_publish(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    try:
        meeting = services.publish_meeting(request.user, meeting)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The meeting is published: %(count)s editors are invited by email.")
            % {"count": meeting.invitations.count()},
        )
    return redirect(meeting)


@comms_required
@require_POST
def meeting_cancel(request, pk):
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling the meeting."))
        return redirect(meeting)
    try:
        services.cancel_meeting(request.user, meeting, form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The meeting is cancelled and the invitees are told."))
    return redirect(meeting)


def _record_answer(request, invitation, form) -> bool:
    """Record a valid answer; show why when it cannot be. True if it was recorded."""
    if not form.is_valid():
        messages.error(request, _("Your answer was not saved. Correct the fields marked below."))
        return False
    try:
        services.respond(request.user, invitation, form.cleaned_data["response"], form.cleaned_data["delegate"])
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, _("Thank you: your answer is saved."))
    return True


@login_required
@require_POST
def respond(request, pk):
    # Only one's own invitation: nobody else's can even be named here.
    invitation = Invitation.objects.filter(meeting_id=pk, user=request.user).select_related("meeting").first()
    if invitation is None:
        raise Http404
    _record_answer(request, invitation, RespondForm(request.POST))
    return redirect(invitation.meeting)


@login_required
@require_http_methods(["GET", "POST"])
def respond_by_token(request, token):
    """The email's answer links: the meeting and the answer form, the answer preselected."""
    invitation = get_object_or_404(Invitation.objects.select_related("meeting", "user"), token=token)
    if not is_invitee(request.user, invitation):  # not has_perm: a superuser answers for nobody
        raise PermissionDenied
    meeting = invitation.meeting
    if request.method == "POST":
        form = RespondForm(request.POST)
        if _record_answer(request, invitation, form):
            return redirect(meeting)
    else:
        chosen = ANSWER_PARAMETER.get(request.GET.get("svar", ""), invitation.response or None)
        form = RespondForm(initial={"response": chosen, "delegate": invitation.delegate})
    return render(
        request,
        "council/meeting_respond.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.all(),
            "invitation": invitation,
            "form": form,
            "is_future": meeting.starts_at > timezone.now(),
        },
    )
