from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    AccountStatus,
    ClosingReason,
    OrgUnit,
    Platform,
    Purpose,
    SocialAccount,
    User,
    validate_no_hidden_characters,
)


class HttpsURLField(forms.URLField):
    """A link typed without a scheme means https:// (R16 links are https only)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class AccountFilterForm(forms.Form):
    """The account list's filters; every field optional, bad values simply ignored."""

    error_summary = False  # bad values are ignored, not reported

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

    # Rule codes go in help texts, never in labels (issue 17): a label says what to fill in.
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        help_text=_("R2: why the municipality is on social media with this account, one or more."),
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
            "platform_id",
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


class AccountRequestForm(forms.ModelForm):
    """R11: what an employee tells when asking for a new account for their unit."""

    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        help_text=_("What the account is for. Choose one or more."),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SocialAccount
        fields = [
            "platform", "platform_other", "name", "purposes", "target_audience", "justification",
            "proposed_editors", "graphic_profile", "special_profile_reference", "description",
        ]  # fmt: skip
        labels = {"name": _("Proposed name of the account")}
        help_texts = {
            "target_audience": _("Whom the account is for: residents, young people, job seekers …"),
            "proposed_editors": _("Colleagues who would run the account. Their manager grants each a mandate (R10)."),
            "description": _("Where possible, the account's profile describes the service (R5)."),
        }
        widgets = {
            "target_audience": forms.Textarea(attrs={"rows": 2}),
            "justification": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "proposed_editors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, requester, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = requester.unit
        self.fields["justification"].required = True
        self.fields["target_audience"].required = True
        # Colleagues in the requester's administration (the unit at the top of their tree).
        colleagues = User.objects.filter(is_active=True)
        if requester.unit_id:
            colleagues = colleagues.filter(unit__path__startswith=f"{requester.unit.root_id}/")
        self.fields["proposed_editors"].queryset = colleagues.select_related("unit")
        self.fields["proposed_editors"].label_from_instance = lambda u: f"{u} ({u.unit})" if u.unit_id else str(u)


class DecisionForm(forms.Form):
    """A manager's or comms' decision on a request (R11): approve, or reject with a reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject: the requester reads it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the request is rejected."))
        return data


class ActivationForm(forms.Form):
    """R13, R14: comms has created the account on the platform and activates it in the portal."""

    handle = forms.CharField(
        label=_("Handle"),
        max_length=100,
        help_text=_("The account's user name, such as @falkopingskommun."),
        validators=[validate_no_hidden_characters],
    )
    url = HttpsURLField(label=_("Address"), max_length=500, help_text=_("The account's address, https://…"))
    login_holders = forms.ModelMultipleChoiceField(
        label=_("Login or admin rights held by"),
        help_text=_("R13: only the communications department holds them."),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    first_editor = forms.ModelChoiceField(
        label=_("First editor"),
        queryset=User.objects.none(),
        help_text=_("An editor with a mandate for this account (R10)."),
    )
    record_training = forms.BooleanField(
        label=_("Record the start-up training of the first editor now"),
        help_text=_("R14: the communications department trains the editors of a new account."),
        required=False,
    )
    training_date = forms.DateField(
        label=_("Date of the start-up training"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, account, editors, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["login_holders"].queryset = User.objects.filter(
            groups__name=settings.COMMS_GROUP_NAME, is_active=True
        )
        self.fields["first_editor"].queryset = editors

    def clean(self):
        data = super().clean()
        if data.get("record_training") and not data.get("training_date"):
            self.add_error("training_date", _("Give the date of the training."))
        return data


class CloseForm(forms.Form):
    """R15: comms closes an account, with its reason; while the final archive is not done (issue 19,
    accounts/closing.py), with the reason for closing without it (`unarchived`: the form asks)."""

    reason = forms.ChoiceField(label=_("Reason"), choices=ClosingReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “Other”."),
    )  # fmt: skip
    waiver = forms.CharField(
        label=_("Close without the final archive: reason"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only when the final archive cannot be made, for example because the account is already gone from "
            "the platform. Kept on the account and in the closing decision."
        ),
    )  # fmt: skip

    def __init__(self, *args, unarchived=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not unarchived:
            del self.fields["waiver"]

    def clean(self):
        data = super().clean()
        if data.get("reason") == ClosingReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Describe the reason."))
        if "waiver" in self.fields and not data.get("waiver", "").strip():
            message = _("The final archive is not done: run it first, or write why the account is closed without it.")
            self.add_error("waiver", message)
        return data
