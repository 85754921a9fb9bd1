"""The form that asks for a records export (R3). It checks the input; the export itself is built
by records/export.py."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.forms.mandates import DateInput
from accounts.models import SocialAccount
from records.export.fields import EARLIEST_DATE
from records.models import ExportStatus, RecordsExport

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


# The confirmation of a proposed disposal (R25). The form checks the input; the service
# (records.retention.confirm_disposal) decides, and refuses what the state does not allow.
# The finished exports offered as "the export before the disposal", newest first.
EXPORT_CHOICES = 50


class ExportChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, export):
        what = export.account.name if export.account_id else _("All accounts")
        when = date_format(timezone.localtime(export.finished_at or export.requested_at), "SHORT_DATETIME_FORMAT")
        return f"{when}: {what}"


class DisposalConfirmForm(forms.Form):
    export = ExportChoiceField(
        label=_("Export before the disposal"),
        queryset=RecordsExport.objects.none(),
        required=False,
        empty_label=_("No export"),
        help_text=_("The records export made before the disposal, if any: it is named in the disposal's record."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the decision or the case number the disposal is made under."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm that these records may be disposed of under the document management plan."),
        error_messages={"required": _("Tick the box to confirm the disposal.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        finished = RecordsExport.objects.filter(status=ExportStatus.DONE)
        latest = list(finished.order_by("-requested_at", "-pk").values_list("pk", flat=True)[:EXPORT_CHOICES])
        self.fields["export"].queryset = (
            finished.filter(pk__in=latest).select_related("account").order_by("-requested_at", "-pk")
        )
