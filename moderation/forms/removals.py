"""The editor's explanation of content removed on the platform (R21, R22). The form checks the
input; the service (moderation/services/removals.py) decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from moderation.forms.cases import CriminalityForm
from moderation.models import NO_CASE_REASONS, RemovalReason


class RemovalExplanationForm(CriminalityForm):
    reason = forms.ChoiceField(
        label=_("Why is it gone?"),
        choices=RemovalReason.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "R21: a category of the routine opens a case with the captured copy as its evidence. Removed by "
            "its author, or not a breach: recorded without a case."
        ),
    )
    description = forms.CharField(
        label=_("Description of the case"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a case: what it said and why it was removed. Empty: the captured text."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “not a breach”: why it was removed or hidden."),
    )

    field_order = ["reason", "description", "is_criminal", "not_criminal_reason", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The copy the portal captured is the documentation R22 asks for first.
        self.fields["is_criminal"].help_text = _("R22: the captured copy documents it; report it to the police.")

    def clean(self):
        cleaned_data = super().clean()
        reason = cleaned_data.get("reason")
        if reason == RemovalReason.NOT_A_BREACH and not (cleaned_data.get("note") or "").strip():
            self.add_error("note", _("Say why it was removed or hidden although it was not a breach."))
        if reason in NO_CASE_REASONS and (cleaned_data.get("is_criminal") or cleaned_data.get("not_criminal_reason")):
            self.add_error("reason", _("Criminal material is a breach: choose its category."))
        else:
            self.check_criminality(reason)
        return cleaned_data

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if reason not in RemovalReason.values:
            raise ValidationError(_("Choose why the content is gone."))
        return reason
