"""Forms for questions and their answers (R20). They check the input; the services decide (and say
the same refusals, in the same words, when called without a form)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from falkoping_some.lib.forms import DateTimeLocalField
from moderation.models import InquiryChannel
from moderation.services.inquiries import SUMMARY_MAX_LENGTH


def now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class InquiryLogForm(forms.Form):
    """R20: a question received in a comment or a private message."""

    channel = forms.ChoiceField(
        label=_("Received as"), choices=InquiryChannel.choices, widget=forms.RadioSelect, initial=InquiryChannel.COMMENT
    )
    received_at = DateTimeLocalField(label=_("Received at"), initial=now_to_the_minute)
    summary = forms.CharField(
        label=_("Short summary"),
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the question is about. No more personal data than needed: no names, no contact details."),
    )


class InquiryAnswerForm(forms.Form):
    """R20: the question was answered, at this time (now by default)."""

    answered_at = DateTimeLocalField(label=_("Answered at"), initial=now_to_the_minute)


class NotQuestionForm(forms.Form):
    """R20: what the rule took for a question is not one; why (kept with who and when)."""

    reason = forms.CharField(
        label=_("Why it is not a question"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: a comment that thanks, or the same question twice."),
    )
