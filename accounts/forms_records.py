"""The form that asks for a records export (R3). It checks the input; the export itself is built
by accounts/records/export.py."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms_mandates import DateInput
from .models import SocialAccount
from .records.export import EARLIEST_DATE

# A date further ahead than this is a typing error (20266 for 2026), not a plan.
LATEST_AHEAD = datetime.timedelta(days=366)


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, account):
        return f"{account.name} ({account.platform_name})"


class ExportForm(forms.Form):
    account = AccountChoiceField(
        label=_("Account"),
        queryset=SocialAccount.objects.order_by("name", "pk"),
        required=False,
        empty_label=_("All accounts"),
        help_text=_("Every account in the registry, closed ones too. Empty: every account."),
        error_messages={"invalid_choice": _("There is no such account in the registry. Choose one from the list.")},
    )
    period_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput,
        help_text=_("The first day, included. Empty: from the first record."),
        error_messages={"invalid": _("Give the date as 2026-01-31.")},
    )
    period_until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput,
        help_text=_("The last day, included. Empty: up to today."),
        error_messages={"invalid": _("Give the date as 2026-12-31.")},
    )
    public_copy = forms.BooleanField(
        label=_("Public copy for a public-records request"),
        required=False,
        help_text=_(
            "Personal data of third parties that needs a secrecy review is withheld and marked, never "
            "silently left out: comments, questions, documentation of consent, evidence files and IP addresses."
        ),
    )

    def _check_not_far_away(self, name):
        day = self.cleaned_data.get(name)
        if day is None:
            return day
        if day < EARLIEST_DATE:
            raise forms.ValidationError(
                _("Give a date from %(first)s on: the portal holds no older records.")
                % {"first": EARLIEST_DATE.isoformat()},
                code="too_early",
            )
        latest = timezone.localdate() + LATEST_AHEAD
        if day > latest:
            raise forms.ValidationError(
                _("Give a date no later than %(latest)s: this one is more than a year ahead.")
                % {"latest": latest.isoformat()},
                code="too_late",
            )
        return day

    def clean_period_from(self):
        return self._check_not_far_away("period_from")

    def clean_period_until(self):
        return self._check_not_far_away("period_until")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_until")
        if start and end and end < start:
            self.add_error("period_until", _("The period ends before it starts: the last day comes before the first."))
        return data
