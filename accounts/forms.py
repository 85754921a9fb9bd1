from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import AccountStatus, OrgUnit, Platform, Purpose, SocialAccount, User


class HttpsURLField(forms.URLField):
    """A link typed without a scheme means https:// (R16 links are https only)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class AccountFilterForm(forms.Form):
    """The account list's filters; every field optional, bad values simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, help_text=_("Name, handle or address"))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *AccountStatus.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Org unit"), required=False, queryset=OrgUnit.objects.all(), empty_label=_("All units")
    )
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("All platforms")), *Platform.choices]
    )


class AccountRegistryForm(forms.ModelForm):
    """Comms keeps an account's registry entry right (R12, R13, R16). The status is not here:
    it changes only through the lifecycle's decisions."""

    purposes = forms.MultipleChoiceField(
        label=_("Purposes (R2)"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SocialAccount
        fields = [
            "name",
            "platform",
            "platform_other",
            "handle",
            "url",
            "unit",
            "description",
            "purposes",
            "graphic_profile",
            "special_profile_reference",
            "login_holders",
        ]
        field_classes = {"url": HttpsURLField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "login_holders": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # R13: only the communications department holds login details or admin rights.
        self.fields["login_holders"].queryset = User.objects.filter(
            groups__name=settings.COMMS_GROUP_NAME, is_active=True
        )
