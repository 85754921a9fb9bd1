"""The council's forms: a meeting with its agenda, an answer, a cancellation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from council.models import CouncilMeeting, Response
from falkoping_some.lib.forms import DATETIME_LOCAL, DateTimeLocalField

# An agenda line: the item, then the presenter after a dash ("Nyheter – Anna"); a plain hyphen
# is accepted too, for keyboards without the en dash.
PRESENTER_SEPARATORS = (" – ", " - ")


def parse_agenda(text: str) -> list[tuple[str, str]]:
    items = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        title, presenter = line, ""
        for separator in PRESENTER_SEPARATORS:
            if separator in line:
                title, presenter = (part.strip() for part in line.rsplit(separator, 1))
                break
        items.append((title, presenter))
    return items


def agenda_text(meeting) -> str:
    return "\n".join(
        f"{item.title} – {item.presenter}" if item.presenter else item.title for item in meeting.agenda_items.all()
    )


class MeetingForm(forms.ModelForm):
    """Times are entered and shown in Europe/Stockholm (the portal's time zone)."""

    online_link = forms.URLField(
        label=CouncilMeeting._meta.get_field("online_link").verbose_name,
        required=False,
        assume_scheme="https",
        max_length=200,
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One item per line; the presenter after ' – ', for example: News from comms – Anna Svensson"),
    )

    class Meta:
        model = CouncilMeeting
        fields = ["title", "starts_at", "ends_at", "place", "online_link"]
        field_classes = {"starts_at": DateTimeLocalField, "ends_at": DateTimeLocalField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        if self.instance.pk and not self.is_bound:
            self.initial["agenda"] = agenda_text(self.instance)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        if not data.get("place") and not data.get("online_link"):
            self.add_error("place", _("Give a place, a link to the online meeting, or both."))
        return data

    def _post_clean(self):
        # The service writes the meeting; the model's constraints are checked there, not here.
        pass

    def meeting_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}

    def agenda_items(self) -> list[tuple[str, str]]:
        return parse_agenda(self.cleaned_data.get("agenda", ""))


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(value, label) for value, label in Response.choices if value],
        widget=forms.RadioSelect,
    )
    delegate = forms.CharField(
        label=_("Colleague you are sending"),
        max_length=200,
        required=False,
        help_text=_("Only if you are sending a colleague instead."),
    )

    def clean(self):
        data = super().clean()
        if data.get("response") == Response.DELEGATE and not (data.get("delegate") or "").strip():
            self.add_error("delegate", _("Give the name of the colleague you are sending."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The invitees read it in the cancellation email."),
    )
