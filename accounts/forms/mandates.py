"""Forms for mandates (R10) and trainings (R14). They check the input; the services decide (and
say the same refusals, in the same words, when called without a form)."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountStatus, OrgUnit, SocialAccount, TrainingKind, User
from accounts.rules import managed_paths
from accounts.services.mandates import managers_of


class DateInput(forms.DateInput):
    """The browser's own date picker; it sends the date as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def staff_choices(exclude=None):
    """Active users, by name, each labelled with their unit so that two namesakes stay apart."""
    users = User.objects.filter(is_active=True).select_related("unit").order_by("first_name", "last_name", "email")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users


def person_label(user) -> str:
    return f"{user} ({user.unit})" if user.unit_id else str(user)


def manager_label(user) -> str:
    units = ", ".join(unit.name for unit in user.managed_units.all())
    if not units:
        return str(user)
    # Not inside the f-string: xgettext (makemessages) does not find a string there.
    role = _("manager of %(units)s") % {"units": units}
    return f"{user} ({role})"


class MandateGrantForm(forms.Form):
    """R10: a manager makes an employee of their units editor of one account, from a day,
    optionally until one; comms registers it on behalf of the employee's own manager, named in
    `on_behalf_of` (the managers of the employee's unit and the units above it, once the
    employee is chosen)."""

    user = forms.ModelChoiceField(
        label=_("Employee"),
        queryset=User.objects.none(),
        help_text=_("The employee who becomes editor of the account. You cannot choose yourself."),
    )
    on_behalf_of = forms.ModelChoiceField(
        label=_("Given by manager"),
        required=False,
        queryset=User.objects.none(),
        help_text=_(
            "R10: the mandate is given by the employee's own manager, a manager of their unit or of a unit above it. "
            "Name the manager on whose behalf you register it; leave it empty only if you are that manager."
        ),
        error_messages={
            "invalid_choice": _("Choose one of the managers of the employee's unit or of a unit above it (R10).")
        },
    )
    valid_from = forms.DateField(label=_("Valid from"), initial=timezone.localdate, widget=DateInput)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for a mandate until further notice."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # R10: the mandate comes from the employee's own manager; nobody grants one to themselves.
        employees = staff_choices(exclude=actor)
        if actor.has_perm("mandate.grant_on_behalf"):
            editor = self._chosen_editor(employees)
            managers = (
                managers_of(editor)
                if editor is not None
                else User.objects.filter(is_active=True, managed_units__isnull=False).distinct()
            )
            self.fields["on_behalf_of"].queryset = managers.prefetch_related("managed_units").order_by(
                "first_name", "last_name", "email"
            )
            self.fields["on_behalf_of"].label_from_instance = manager_label
        else:
            # A manager gives mandates to the staff of the units they manage (and those below).
            paths = managed_paths(actor)
            below = Q(pk__in=[])
            for path in paths:
                below |= Q(unit__path__startswith=path)
            employees = employees.filter(below)
            del self.fields["on_behalf_of"]
        self.fields["user"].queryset = employees
        self.fields["user"].label_from_instance = person_label

    def _chosen_editor(self, employees):
        """The employee the bound form names, if any: the manager choices are then theirs."""
        pk = self.data.get(self.add_prefix("user")) if self.is_bound else self.initial.get("user")
        if not str(pk or "").isdigit():
            return None
        return employees.filter(pk=pk).select_related("unit").first()

    def clean(self):
        data = super().clean()
        valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error("valid_until", _("A mandate cannot end before it starts."))
        return data


class MandateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. The editor and the account's managers can read it."),
        error_messages={"required": _("Give the reason for revoking the mandate.")},
    )


class MandateFilterForm(forms.Form):
    """The mandate list's unit filter: any unit for comms, a manager's own units for a manager."""

    error_summary = False  # bad values are ignored, not reported

    unit = forms.ModelChoiceField(
        label=_("Org unit"), required=False, queryset=OrgUnit.objects.none(), empty_label=_("All units")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class TrainingForm(forms.Form):
    """R14: a training that the communications department gave an editor."""

    trainee = forms.ModelChoiceField(label=_("Trained person"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("Kind of training"), choices=TrainingKind.choices, widget=forms.RadioSelect)
    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput)
    account = forms.ModelChoiceField(
        label=_("Account"),
        required=False,
        queryset=SocialAccount.objects.none(),
        help_text=_("Required for the start-up of a new account: the account the training was for."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = staff_choices()
        self.fields["trainee"].label_from_instance = person_label
        # A rejected request never became an account that anyone was trained for.
        self.fields["account"].queryset = SocialAccount.objects.exclude(status=AccountStatus.REJECTED).order_by(
            "name", "platform"
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A training cannot be recorded for a day that has not come yet."))
        return date

    def clean(self):
        data = super().clean()
        # R14: comms trains the editors of an account when it starts: that training names it.
        if data.get("kind") == TrainingKind.STARTUP and not data.get("account"):
            self.add_error("account", _("A start-up training is for one account: choose it."))
        return data
