"""Forms of the review queue (granskning). They check the input; the services decide (and refuse
a dismissal without a reason in the same words when called without a form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FlagKind, OrgUnit


class FlagFilterForm(forms.Form):
    """The queue's filters; both optional, a bad value is simply ignored."""

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
