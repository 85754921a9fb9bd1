"""Questions and the 24-hour rule (R20): an account's questions, logging one, marking it answered."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import rules as account_rules
from accounts.access import mfa_redirect
from accounts.models import SocialAccount
from capture.models import Connection
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from moderation.forms.inquiries import InquiryAnswerForm, InquiryLogForm, NotQuestionForm
from moderation.services.inquiries import STATS_WINDOW, answer_inquiry, answered_in_time_share, log_inquiry, signature
from moderation.services.questions import (
    account_signature,
    mark_not_question,
    monthly_reply_times,
    unmark_not_question,
    unsigned_answers,
)

from ..models import Inquiry


def _deadline_text(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_list(request, account_pk):
    """The account's questions, open first (the nearest deadline on top), then answered, each with
    where it came from (found on the platform or logged); the form to log a new one (its editors);
    the answers without a signature with the signature to paste; the share answered in time over
    the last 90 days and the reply times per month; those marked not a question.
    Its editors and comms see the page; only its editors log questions."""
    account = get_object_for_user(request, SocialAccount.objects.select_related("unit"), "account.view", pk=account_pk)
    user = request.user
    can_log = user.has_perm("moderation.log_inquiry", account)
    if not (can_log or user.has_perm("moderation.review")):
        if account_rules.needs_mfa_step(user):
            return mfa_redirect(request)
        raise PermissionDenied
    form = InquiryLogForm(request.POST or None) if can_log else None
    if request.method == "POST":
        if not can_log:
            raise PermissionDenied
        if form.is_valid():
            try:
                inquiry = log_inquiry(user, account, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("The question is logged. Answer it by %(deadline)s (R20).")
                    % {"deadline": _deadline_text(inquiry.deadline)},
                )
                return redirect("moderation:inquiries", account_pk=account.pk)
        else:
            messages.error(request, _("The question was not logged. Correct the fields marked below."))
    everything = Inquiry.objects.filter(account=account).select_related("answered_by", "item", "answer_item")
    inquiries = everything.questions()
    now = timezone.now()
    open_inquiries = list(inquiries.filter(answered_at__isnull=True).order_by("deadline", "pk"))
    for inquiry in open_inquiries:
        inquiry.overdue = inquiry.deadline < now
    answered = list(inquiries.filter(answered_at__isnull=False).order_by("-answered_at", "-pk"))
    for inquiry in answered:
        inquiry.late = inquiry.answered_at > inquiry.deadline
    return render(
        request,
        "moderation/inquiry_list.html",
        {
            "account": account,
            "form": form,
            "open_inquiries": open_inquiries,
            "answered": answered,
            "stats": answered_in_time_share([account], since=now - STATS_WINDOW),
            "reply_times": monthly_reply_times([account], now=now),
            # R20: found automatically from the platform where the account is connected.
            "connected": Connection.objects.live().filter(account=account).exists(),
            "not_questions": list(
                everything.filter(not_question_at__isnull=False)
                .select_related("not_question_by")
                .order_by("-not_question_at", "-pk")
            ),
            "unsigned": unsigned_answers(account, now=now),
            "signature": account_signature(user, account) if can_log else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, pk):
    """One question, its deadline and the form to mark it answered, with the signature to end the
    answer with (R20); a found one with its captured comment or message and the account's captured
    answer, and the form to mark it "not a question" (or undo that). Its account's editors and comms
    see it; only the editors answer and mark. A POST's `action` says which form was sent."""
    inquiry = get_object_for_user(
        request,
        Inquiry.objects.select_related(
            "account__unit", "answered_by__unit", "logged_by", "item", "answer_item", "not_question_by"
        ),
        "moderation.view_record",
        pk=pk,
    )
    can_answer = request.user.has_perm("moderation.change_record", inquiry)
    action = request.POST.get("action") if request.method == "POST" else None
    answering = action not in ("not_question", "undo_not_question")
    form = (
        InquiryAnswerForm((request.POST or None) if answering else None)
        if can_answer and inquiry.answered_at is None and not inquiry.is_not_question
        else None
    )
    not_question_form = (
        NotQuestionForm(request.POST if action == "not_question" else None)
        if can_answer and not inquiry.is_not_question
        else None
    )
    if request.method == "POST" and not answering:
        if not can_answer:
            raise PermissionDenied
        try:
            if action == "undo_not_question":
                unmark_not_question(request.user, inquiry)
                messages.success(request, _("It counts as a question again."))
                return redirect(reverse("moderation:inquiry", args=[inquiry.pk]))
            if not_question_form is not None and not_question_form.is_valid():
                mark_not_question(request.user, inquiry, not_question_form.cleaned_data["reason"])
                messages.success(request, _("Marked as not a question. It is kept, and no longer counted."))
                return redirect(reverse("moderation:inquiry", args=[inquiry.pk]))
            messages.error(request, _("It was not marked. Say why it is not a question."))
        except DomainError as error:
            messages.error(request, error.message)
            inquiry.refresh_from_db()
    elif request.method == "POST":
        if not can_answer:
            raise PermissionDenied
        if form is None:
            messages.error(request, _("The question is already marked answered."))
        elif form.is_valid():
            try:
                answer_inquiry(request.user, inquiry, form.cleaned_data["answered_at"])
            except DomainError as error:
                messages.error(request, error.message)
                inquiry.refresh_from_db()  # someone may have marked it meanwhile: show it as it is
                if inquiry.answered_at is not None:
                    form = None
            else:
                messages.success(request, _("The question is marked answered."))
                return redirect(reverse("moderation:inquiry", args=[inquiry.pk]))
        else:
            messages.error(request, _("The answer was not recorded. Correct the fields marked below."))
    now = timezone.now()
    return render(
        request,
        "moderation/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "account": inquiry.account,
            "form": form,
            "can_answer": can_answer,
            "overdue": inquiry.answered_at is None and not inquiry.is_not_question and inquiry.deadline < now,
            "late": inquiry.answered_at is not None and inquiry.answered_at > inquiry.deadline,
            "signature": signature(request.user) if can_answer else "",
            "not_question_form": not_question_form,
        },
    )
