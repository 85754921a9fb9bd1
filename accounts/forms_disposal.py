"""The confirmation of a proposed disposal (R25). The form checks the input; the service
(accounts.records.retention.confirm_disposal) decides, and refuses what the state does not allow."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import ExportStatus, RecordsExport

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
