"""Forms for the legal basis of posts with personal data (R23). They check the input's shape; the
service (services/legal.py) decides what documentation each basis needs, in one place."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from falkoping_some.lib.forms import DateTimeLocalField
from falkoping_some.lib.private_files import ACCEPT_ATTRIBUTE
from moderation.models import LegalBasis

# R23 in plain words beside each basis of GDPR article 6(1).
BASIS_HELP = {
    LegalBasis.CONSENT: _("The person has consented (most common)"),
    LegalBasis.CONTRACT: _("Needed to fulfil an agreement with the person"),
    LegalBasis.LEGAL_OBLIGATION: _("A law requires the municipality to publish it"),
    LegalBasis.VITAL_INTERESTS: _("To protect someone's life or health"),
    LegalBasis.PUBLIC_INTEREST: _("Public interest, e.g. at larger events"),
    LegalBasis.LEGITIMATE_INTERESTS: _(
        "Not for the municipality's own tasks (GDPR art. 6.1): ask the data protection officer"
    ),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ConsentFilesField(forms.FileField):
    """Several consent forms at once (Django's documented recipe for multiple files)."""

    def __init__(self, *args, **kwargs):
        # The picker offers what evidence.validate_upload accepts; that one judges the content.
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _now_in_minutes():
    return timezone.localtime().replace(second=0, microsecond=0)


class LegalBasisForm(forms.Form):
    """R23: the post, when it was published, its legal basis and how that is documented."""

    post = forms.CharField(
        label=_("Post"),
        max_length=500,
        help_text=_("A link to the post, or a description of it."),
    )
    published_at = DateTimeLocalField(
        label=_("Published"),
        initial=_now_in_minutes,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=[(basis.value, format_lazy("{} – {}", basis.label, BASIS_HELP[basis])) for basis in LegalBasis],
        widget=forms.RadioSelect,
        initial=LegalBasis.CONSENT,
    )
    documentation = forms.CharField(
        label=_("Documentation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For consent: where the consent form is kept, if you do not upload it. "
            "For the other bases: why the basis applies."
        ),
    )
    consent_files = ConsentFilesField(
        label=_("Consent forms"),
        help_text=_("Photos or scans of signed consent forms: PNG, JPEG, WebP or PDF. You can choose several."),
    )


class ConsentEvidenceForm(forms.Form):
    """R23: more consent forms for a record already made."""

    files = ConsentFilesField(
        label=_("Consent forms"),
        help_text=_("Photos or scans of signed consent forms: PNG, JPEG, WebP or PDF. You can choose several."),
    )
