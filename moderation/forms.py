"""Forms for moderation cases (R21, R22). They check the input; the services decide (and say the
same refusals when called without a form)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.form_fields import DateTimeLocalField
from accounts.forms_mandates import DateInput

from .evidence import ACCEPT_ATTRIBUTE, validate_upload
from .models import ModerationCategory, RemovedContentKind, SocialAccount


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


class CaseForm(forms.Form):
    """R21/R22: what was removed, why, and (for criminal material) the screenshots, in one form."""

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
    is_criminal = forms.BooleanField(
        label=_("Criminal material (to be reported to the police)"),
        required=False,
        help_text=_("R22: take screenshots first, then remove it, then report it to the police."),
    )
    screenshots = MultipleFileField(
        label=_("Screenshots"),
        required=False,
        help_text=_("PNG, JPEG or WebP images or PDF documents. You can choose several files."),
    )

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        if published_at is not None and published_at > timezone.now():
            raise ValidationError(_("The content cannot have been published in the future."))
        return published_at


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Screenshots"), help_text=_("PNG, JPEG or WebP images or PDF documents. You can choose several files.")
    )


class RemovedForm(forms.Form):
    removed_at = DateTimeLocalField(
        label=_("Removed"),
        required=False,
        help_text=_("Leave empty for now."),
    )


class PoliceReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), initial=timezone.localdate, widget=DateInput)
    reference = forms.CharField(label=_("Police reference number"), max_length=60)


class CaseFilterForm(forms.Form):
    """Comms' overview: the cases of one account, criminal ones, those not yet reported."""

    account = forms.ModelChoiceField(label=_("Account"), queryset=SocialAccount.objects.none(), required=False)
    criminal = forms.BooleanField(label=_("Criminal only"), required=False)
    unreported = forms.BooleanField(label=_("Not yet reported to the police"), required=False)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts if accounts is not None else SocialAccount.objects.order_by("name")
