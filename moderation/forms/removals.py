"""The editor's explanation of content removed on the platform (R21, R22). The form checks the
input; the service (moderation/services/removals.py) decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from moderation.models import CRIMINAL_CATEGORIES, NO_CASE_REASONS, RemovalReason


class RemovalExplanationForm(forms.Form):
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
    is_criminal = forms.BooleanField(
        label=_("Criminal material (to be reported to the police)"),
        required=False,
        help_text=_("R22: the captured copy documents it; report it to the police."),
    )
    not_criminal_reason = forms.CharField(
        label=_("Why it is not criminal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "R22: defamation, incitement or other harassment, unlawful depictions of violence or pornography, "
            "calls to crime and unlawful use of copyrighted material are criminal: such a case is marked as "
            "criminal unless you say here why this content is not."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “not a breach”: why it was removed or hidden."),
    )

    def clean(self):
        cleaned_data = super().clean()
        reason = cleaned_data.get("reason")
        not_criminal_reason = (cleaned_data.get("not_criminal_reason") or "").strip()
        if reason == RemovalReason.NOT_A_BREACH and not (cleaned_data.get("note") or "").strip():
            self.add_error("note", _("Say why it was removed or hidden although it was not a breach."))
        if reason in NO_CASE_REASONS and (cleaned_data.get("is_criminal") or not_criminal_reason):
            self.add_error("reason", _("Criminal material is a breach: choose its category."))
        elif not_criminal_reason and cleaned_data.get("is_criminal"):
            self.add_error(
                "not_criminal_reason",
                _("Either mark the material as criminal or say why it is not criminal, not both."),
            )
        elif not_criminal_reason and reason not in CRIMINAL_CATEGORIES:
            self.add_error(
                "not_criminal_reason", _("Only a category that describes a crime needs a reason: leave it empty.")
            )
        return cleaned_data

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if reason not in RemovalReason.values:
            raise ValidationError(_("Choose why the content is gone."))
        return reason
