"""The yearly self-check's form (R4, R5, R7, R8, R9): a yes/no group per question, none chosen
beforehand (a preselected answer would let an editor submit without reading the question), and a
comment that is required where any answer is no. The service decides; the form checks the input."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .services.selfcheck import questions

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
                label=format_lazy("{} ({})", question.text, question.rule),
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
