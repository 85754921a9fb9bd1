"""Forms for moderation cases (R21, R22). They check the input; the services decide (and say the
same refusals when called without a form)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms.mandates import DateInput
from falkoping_some.lib.forms import DateTimeLocalField
from falkoping_some.lib.private_files import ACCEPT_ATTRIBUTE, validate_upload
from moderation.models import CRIMINAL_CATEGORIES, ModerationCategory, RemovedContentKind, SocialAccount


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple> (Django docs, "Uploading multiple
    files"), each checked by its content; the errors name every refused file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, (list, tuple)):
            files = [single_clean(item, initial) for item in data if item]
            if not files and self.required:
                raise ValidationError(self.error_messages["required"], code="required")
        else:
            files = [single_clean(data, initial)] if data else []
        errors = []
        for uploaded_file in files:
            try:
                validate_upload(uploaded_file)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files


def _this_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class TakenAtField(DateTimeLocalField):
    """R22: when the screenshots were taken, entered by the person (default: now), not in the future."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("When the pictures were taken"))
        kwargs.setdefault(
            "help_text",
            _(
                "Change it if you took the screenshots earlier: the content cannot be recorded as removed "
                "before they were taken. If you took them at different times, add them separately."
            ),
        )
        super().__init__(required=False, initial=_this_minute, **kwargs)

    def clean(self, value):
        taken_at = super().clean(value)
        if taken_at is not None and taken_at > timezone.now():
            raise ValidationError(_("A screenshot cannot have been taken in the future."))
        return taken_at


class CriminalityForm(forms.Form):
    """R22: whether the material is criminal, or why a category that describes a crime is not: the
    two fields and their check, shared by a case opened by hand and one opened from an item removed
    on the platform (moderation/forms/removals.py). The services decide the same (open_case)."""

    is_criminal = forms.BooleanField(
        label=_("Criminal material (to be reported to the police)"),
        required=False,
        help_text=_("R22: take screenshots first, then remove it, then report it to the police."),
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

    def check_criminality(self, category):
        """Call from clean() with the case's category."""
        reason = (self.cleaned_data.get("not_criminal_reason") or "").strip()
        if reason and self.cleaned_data.get("is_criminal"):
            self.add_error(
                "not_criminal_reason",
                _("Either mark the material as criminal or say why it is not criminal, not both."),
            )
        elif reason and category not in CRIMINAL_CATEGORIES:
            self.add_error(
                "not_criminal_reason", _("Only a category that describes a crime needs a reason: leave it empty.")
            )


class CaseForm(CriminalityForm):
    """R21/R22: what was removed, why, and (for criminal material) the screenshots, in one form.
    A category that describes a crime makes the case criminal unless a reason says why not."""

    field_order = [
        "content_kind", "category", "description", "published_at", "is_criminal", "not_criminal_reason",
        "screenshots", "screenshots_taken_at",
    ]  # fmt: skip

    content_kind = forms.ChoiceField(
        label=_("What was removed"), choices=RemovedContentKind.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(label=_("Category"), choices=ModerationCategory.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What it said or showed, and where. Keep no more personal data than the case needs."),
    )
    published_at = DateTimeLocalField(
        label=_("Published"),
        required=False,
        help_text=_("When it was published, if known."),
    )
    screenshots = MultipleFileField(
        label=_("Screenshots"),
        required=False,
        help_text=_("PNG, JPEG or WebP images or PDF documents. You can choose several files."),
    )
    screenshots_taken_at = TakenAtField()

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        if published_at is not None and published_at > timezone.now():
            raise ValidationError(_("The content cannot have been published in the future."))
        return published_at

    def clean(self):
        cleaned_data = super().clean()
        self.check_criminality(cleaned_data.get("category"))
        return cleaned_data


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Screenshots"), help_text=_("PNG, JPEG or WebP images or PDF documents. You can choose several files.")
    )
    taken_at = TakenAtField()


class NotCriminalForm(forms.Form):
    """R22: unmarking criminal material asks for the reason, which the case then shows."""

    reason = forms.CharField(label=_("Why it is not criminal"), widget=forms.Textarea(attrs={"rows": 2}))


class AttestForm(forms.Form):
    """R22: a colleague's statement about a screenshot, for the police."""

    confirm = forms.BooleanField(
        label=_("I can testify that this screenshot shows the content as it was published, unaltered."),
        error_messages={"required": _("Tick the statement to attest the screenshot.")},
    )


class RemovedForm(forms.Form):
    removed_at = DateTimeLocalField(
        label=_("When it was removed"),
        required=False,
        help_text=_("Leave empty if you removed it just now."),
    )


class PoliceReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), initial=timezone.localdate, widget=DateInput)
    reference = forms.CharField(label=_("Police reference number"), max_length=60)


class CaseFilterForm(forms.Form):
    """Comms' overview: the cases of one account, criminal ones, those not yet reported."""

    error_summary = False  # bad values are ignored, not reported

    account = forms.ModelChoiceField(label=_("Account"), queryset=SocialAccount.objects.none(), required=False)
    criminal = forms.BooleanField(label=_("Criminal only"), required=False)
    unreported = forms.BooleanField(label=_("Not yet reported to the police"), required=False)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts if accounts is not None else SocialAccount.objects.order_by("name")
