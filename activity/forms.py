"""Forms for weekly activity (R19): logging a week, and the CSV import. They check the input; the
services decide (and refuse a future week or a week before the activation in the same words)."""

import datetime

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from activity.csv_import import ImportFileError, decode, parse_week
from activity.models import WeeklyActivity
from falkoping_some.lib.weeks import iso_week

DEFAULT_IMPORT_MAX_BYTES = 5 * 1024 * 1024


def import_max_bytes() -> int:
    return getattr(settings, "ACTIVITY_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES)


class WeekInput(forms.TextInput):
    """The browser's ISO week picker; it sends 2026-W48. A browser without one shows a text field,
    where a date in the week works too."""

    input_type = "week"

    def format_value(self, value):
        # A date (the dashboard's links, a date typed where the browser has no week picker) is
        # shown as its week, which is what the picker can display.
        monday = value if isinstance(value, datetime.date) else parse_week(str(value or ""))
        return iso_week(monday) if monday else super().format_value(value)


class WeekField(forms.Field):
    """An ISO week (2026-W48) or any date in it (2026-11-25), cleaned to the week's Monday."""

    widget = WeekInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        monday = parse_week(str(value))
        if monday is None:
            raise forms.ValidationError(
                _("Give the week as 2026-W48 or as a date in the week, 2026-11-23."), code="invalid"
            )
        return monday


class ActivityLogForm(forms.Form):
    week = WeekField(label=_("Week"), help_text=_("The ISO week the posts were published in."))
    posts = forms.IntegerField(
        label=_("Posts published"),
        min_value=0,
        max_value=WeeklyActivity.MAX_POSTS,
        help_text=_("R19: on average at least one post a week."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActivityImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns account, week, posts (separated by comma or semicolon). account: the account's "
            "number or exact address; week: 2025-W07 or a date in the week; posts: 0–500."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, write nothing"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = import_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(limit)s can be imported at once. Split it into smaller files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                code="too_large",
            )
        try:
            self.cleaned_data["text"] = decode(upload.read())
        except ImportFileError as error:
            raise forms.ValidationError(error.message, code="not_text") from None
        return upload
