"""Forms for after a council meeting: attendance, minutes and their attachments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from council.services.attendance import RECORDABLE
from falkoping_some.lib.private_files import ACCEPT_ATTRIBUTE

CHOICES = [(value, value.label) for value in RECORDABLE]


class AttendanceForm(forms.Form):
    """One radio group per invitee (present, absent, excused): one click per person, one Save."""

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        for invitation in self.invitations:
            self.fields[self.field_name(invitation)] = forms.ChoiceField(
                label=str(invitation.user),
                choices=CHOICES,
                widget=forms.RadioSelect,
                required=False,  # left unmarked: stays "not recorded"
                initial=invitation.attendance or None,
            )

    @staticmethod
    def field_name(invitation) -> str:
        return f"narvaro-{invitation.pk}"

    def rows(self):
        """(invitation, its radio group) in the order of the list."""
        for invitation in self.invitations:
            yield invitation, self[self.field_name(invitation)]

    def marks(self) -> dict[int, str]:
        """Invitation id → attendance, for those marked."""
        return {
            invitation.pk: self.cleaned_data[self.field_name(invitation)]
            for invitation in self.invitations
            if self.cleaned_data.get(self.field_name(invitation))
        }


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Every staff member can read the minutes on the meeting's page."),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        return [single(data, initial)]  # none chosen: "This field is required."


class AttachmentForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Slides and other files: PNG, JPEG or WebP images or PDF documents."),
    )
