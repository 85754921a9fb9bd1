"""Forms of the review queue (granskning). They check the input; the services decide (and refuse
a dismissal without a reason in the same words when called without a form)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from review.models import FlagKind
from review.selfcheck import questions


class FlagFilterForm(forms.Form):
    """The queue's filters; both optional, a bad value is simply ignored."""

    error_summary = False  # bad values are ignored, not reported

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *FlagKind.choices])
    unit = forms.ModelChoiceField(
        label=_("Org unit"),
        required=False,
        queryset=OrgUnit.objects.all(),
        empty_label=_("All units"),
        help_text=_("Includes the units below it."),
    )


class FlagDismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for dismissing the flag.")},
    )
    # Empty: the service's default (three months). The service checks the day's range.
    review_on = forms.DateField(
        label=_("Look at it again on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the day to look at the flag again as a date, 2026-03-01.")},
    )


class FlagNoteForm(forms.Form):
    """An optional note when resolving a flag or closing its account."""

    note = forms.CharField(label=_("Note"), required=False, max_length=2000, strip=True)


# The yearly self-check's form (R4, R5, R7, R8, R9): a yes/no group per question, none chosen
# beforehand (a preselected answer would let an editor submit without reading the question), and a
# comment that is required where any answer is no. The service decides; the form checks the input.
YES, NO = "yes", "no"
ANSWERS = [(YES, _("Yes")), (NO, _("No"))]


class SelfCheckForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required if you answer no to any question: say what is wrong and what will be done about it. "
            "The communications department reads it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for question in questions():
            self.fields[question.name] = forms.TypedChoiceField(
                label=question.text,  # the rule in the help text: a label says what to answer
                help_text=format_lazy(_("The routine's rule {}"), question.rule),
                choices=ANSWERS,
                coerce=lambda value: value == YES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no.")},
            )
        self.fields["comment"] = comment  # after the questions

    @property
    def question_names(self) -> list[str]:
        return [question.name for question in questions()]

    def clean(self):
        data = super().clean()
        answers = [data.get(name) for name in self.question_names]
        comment = (data.get("comment") or "").strip()
        data["comment"] = comment
        if any(answer is False for answer in answers) and not comment:
            self.add_error(
                "comment", _("You answered no to a question: say in the comment what is wrong and what will be done.")
            )
        return data

    @property
    def answers(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in self.question_names}
