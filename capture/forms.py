"""The forms of connections and the archive. They check the input; capture/services.py decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms.mandates import DateInput

from .models import ItemKind
from .services import connectable_kinds, connector_label, default_address


class ConnectForm(forms.Form):
    """Comms connects an active account (R3): which connector, the API's address, the token."""

    kind = forms.ChoiceField(label=_("Connect through"))
    base_url = forms.URLField(
        label=_("The platform's address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "The API's address, filled in where the platform has one. For Mastodon the account's own server, "
            "for a feed the address of the RSS or Atom feed."
        ),
    )
    token = forms.CharField(
        label=_("Access token"),
        required=False,
        strip=True,
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "A page or system user token from Meta Business Suite, or YouTube's API key. Not needed for "
            "Mastodon, Bluesky or a feed. It is stored encrypted and never shown again."
        ),
    )
    handle = forms.CharField(
        label=_("Handle or id on the platform"),
        required=False,
        max_length=300,
        help_text=_(
            "Where the platform needs it to find the account (Bluesky, Mastodon). The registry's handle if empty."
        ),
    )

    def __init__(self, *args, account, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        kinds = connectable_kinds(account)
        self.fields["kind"].choices = [(k, connector_label(k)) for k in kinds]
        chosen = kind if kind in kinds else (kinds[0] if kinds else None)
        if chosen:
            self.fields["kind"].initial = chosen
            self.fields["base_url"].initial = default_address(chosen, account)
        self.fields["handle"].initial = account.handle


class RenewForm(forms.Form):
    token = forms.CharField(
        label=_("New access token"),
        strip=True,
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("It is checked against the platform and must be for the same page or channel."),
        error_messages={"required": _("Give the new access token.")},
    )


class RemoveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: stop capturing this account. What is already captured is kept."),
        error_messages={"required": _("Tick the box to confirm the removal.")},
    )


YES_NO = [("", _("Either")), ("ja", _("Yes")), ("nej", _("No"))]


class ArchiveFilterForm(forms.Form):
    """The archive's filters; every field optional, bad values simply ignored."""

    error_summary = False  # bad values are ignored, not reported

    typ = forms.ChoiceField(label=_("Kind"), required=False, choices=ItemKind.choices)
    fran = forms.DateField(label=_("Published from"), required=False, widget=DateInput)
    till = forms.DateField(label=_("Published to"), required=False, widget=DateInput)
    borttagna = forms.ChoiceField(label=_("Removed on the platform"), required=False, choices=YES_NO)
    andrade = forms.ChoiceField(label=_("Edited"), required=False, choices=YES_NO)

    def filters(self) -> dict:
        """The keyword arguments of capture.selectors.archive."""
        data = self.cleaned_data if self.is_valid() else {}
        flag = {"ja": True, "nej": False}
        return {
            "kind": data.get("typ") or ItemKind.POST,
            "start": data.get("fran"),
            "end": data.get("till"),
            "missing": flag.get(data.get("borttagna") or ""),
            "edited": flag.get(data.get("andrade") or ""),
        }

    def threaded(self) -> bool:
        """Posts come with their comments as threads; comments or messages alone are a flat list."""
        return self.filters()["kind"] == ItemKind.POST


class SearchForm(forms.Form):
    error_summary = False

    q = forms.CharField(
        label=_("Search the captured text"),
        required=False,
        max_length=200,
        help_text=_('Words, "a phrase", -without'),
    )
