"""The account registry: org units, staff users, official social media accounts, mandates."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import PrivateStorage
from falkoping_some.lib.weeks import iso_week

from .links import normalize_handle, normalize_url


def search_text(*parts: str) -> str:
    return "\n".join(part.casefold() for part in parts if part)


class OrgUnit(models.Model):
    """A förvaltning or a verksamhet. Units form a tree; a manager of a unit manages every unit
    below it. `path` (the primary keys from the root down, `3/7/`) is kept by `save()` so that a
    unit's subtree is one indexed `startswith` query."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        blank=True,
        related_name="managed_units",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        renamed = bool(self.pk) and OrgUnit.objects.filter(pk=self.pk).exclude(name=self.name).exists()
        super().save(*args, **kwargs)
        if renamed:
            for account in self.social_accounts.all():
                account.save(update_fields=["search_text"])
        new_path = f"{self.parent.path if self.parent_id else ''}{self.pk}/"
        if new_path != old_path:
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                # The unit moved: carry its subtree along.
                for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = new_path + child.path[len(old_path) :]
                    OrgUnit.objects.filter(pk=child.pk).update(path=child.path)

    def clean(self):
        moving_below_itself = self.parent_id == self.pk or (self.parent and self.parent.path.startswith(self.path))
        if self.pk and self.parent_id and moving_below_itself:
            raise ValidationError({"parent": _("A unit cannot be placed below itself.")})

    @property
    def root_id(self) -> int:
        return int(self.path.split("/", 1)[0]) if self.path else self.pk

    def subtree(self):
        """This unit and every unit below it."""
        return OrgUnit.objects.filter(path__startswith=self.path)

    def ancestor_ids(self) -> list[int]:
        """This unit's primary key and those above it, nearest first."""
        return [int(pk) for pk in reversed(self.path.strip("/").split("/"))] if self.path else [self.pk]

    def responsible_managers(self):
        """The managers who answer for this unit: its own, or, when it has none, those of the
        nearest unit above it that has any (a manager manages every unit below their own)."""
        managers = {}
        for user in User.objects.filter(managed_units__in=self.ancestor_ids(), is_active=True).annotate(
            unit_id_=models.F("managed_units")
        ):
            managers.setdefault(user.unit_id_, []).append(user)
        for unit_id in self.ancestor_ids():
            if unit_id in managers:
                return managers[unit_id]
        return []


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A staff member of the municipality. Signs in with their email address. Roles are not a
    field: comms is a group, a manager is listed on an org unit, an editor holds a mandate."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("Every staff member belongs to one unit."),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def has_perm(self, perm, obj=None):
        """Django grants an active superuser everything, and the comms group its model permissions,
        before any rule runs. A privileged user who has not passed MFA in this session gets only
        what the portal's rules give their other roles (accounts/rules.py, needs_mfa_step)."""
        from rules.permissions import has_perm

        from .rules import needs_mfa_step

        if self.is_active and needs_mfa_step(self):
            return has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        from .rules import needs_mfa_step

        return super().has_module_perms(app_label) and not (self.is_active and needs_mfa_step(self))


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    THREADS = "threads", "Threads"
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    OTHER = "other", _("Other")


class Purpose(models.TextChoices):
    """R2: why the municipality is on social media. An account has one or more."""

    PUBLIC_INFORMATION = "public_information", _("Reach out with important public information")
    SERVICES = "services", _("Tell about the municipality's services")
    TIPS = "tips", _("Give tips and advice about municipal services")
    EVENTS = "events", _("Create awareness of municipal events and meeting places")
    WEBSITE_VISITORS = "website_visitors", _("Bring more visitors to the municipality's websites")
    CRISIS = "crisis", _("Communicate with residents in a crisis")
    RECRUITMENT = "recruitment", _("Attract and recruit new staff")


class GraphicProfile(models.TextChoices):
    """R4: the municipality's graphic profile, or an approved special profile."""

    MUNICIPAL = "municipal", _("The municipality's graphic profile")
    SPECIAL = "special", _("Approved special profile")


class AccountStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    MANAGER_APPROVED = "manager_approved", _("Approved by manager")
    APPROVED = "approved", _("Approved by communications")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


class ClosingReason(models.TextChoices):
    ON_REQUEST = "on_request", _("On request from the unit")
    INACTIVE_6_MONTHS = "inactive_6_months", _("Inactive for more than six months")
    OTHER = "other", _("Other")


# Unicode's bidi controls (embeddings, overrides, isolates, marks) and zero-width characters: in a
# name or handle on the public list (R16) they can show a text reversed or hide a difference, so
# that a look-alike reads as the municipality's own account.
HIDDEN_CHARACTERS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"
)


def validate_no_hidden_characters(value: str):
    found = sorted({character for character in value if character in HIDDEN_CHARACTERS})
    if found:
        raise ValidationError(
            _("Remove the invisible characters that can change how the text is shown: %(characters)s."),
            code="hidden_characters",
            params={"characters": ", ".join(f"U+{ord(character):04X}" for character in found)},
        )


def validate_https(value: str):
    if value and not value.lower().startswith("https://"):
        raise ValidationError(_("The address must start with https://."), code="https")


def validate_purposes(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one purpose."), code="purposes")
    unknown = set(value) - set(Purpose.values)
    if unknown:
        raise ValidationError(_("Unknown purpose: %(p)s"), params={"p": ", ".join(sorted(unknown))})


class SocialAccountQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=AccountStatus.ACTIVE)

    def search(self, text: str):
        """Accounts whose name, handle, link or unit contains the text, in any letter case."""
        return self.filter(search_text__contains=text.casefold())

    def for_units(self, units):
        """Accounts of these units and every unit below them."""
        q = Q(pk__in=[])
        for unit in units:
            q |= Q(unit__path__startswith=unit.path)
        return self.filter(q)

    def lock_active(self, account, refusal):
        """The account, locked for the current transaction, or DomainError(refusal) unless it is
        active. `refusal` is a translated message with a %(status)s placeholder.

        Every change that is allowed only on an active account takes this lock first, so that it
        and a closing of the account (R15) wait for each other instead of crossing."""
        return self.lock_unless(account, lambda status: status != AccountStatus.ACTIVE, refusal)

    def lock_unless(self, account, refused, refusal):
        """The account, locked for the current transaction, or DomainError(refusal) when
        `refused(status)` is true of it."""
        locked = self.select_for_update().get(pk=account.pk)
        if refused(locked.status):
            raise DomainError(refusal % {"status": locked.get_status_display()})
        return locked


class SocialAccount(models.Model):
    """One official account of the municipality on one platform (R12: comms has the overall
    responsibility; R16: every active one is listed publicly at /socialamedier)."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    platform_other = models.CharField(
        _("other platform"), max_length=60, blank=True, help_text=_("The platform's name, when it is not in the list.")
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_hidden_characters])
    handle = models.CharField(
        _("handle"),
        max_length=100,
        blank=True,
        help_text=_("The account's user name, such as @falkopingskommun."),
        validators=[validate_no_hidden_characters],
    )
    url = models.URLField(
        _("address"), max_length=500, blank=True, validators=[URLValidator(schemes=["https"]), validate_https]
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="social_accounts"
    )
    description = models.TextField(
        _("profile description"),
        blank=True,
        help_text=_("R5: a description of the service, as in the account's profile."),
    )
    purposes = models.JSONField(_("purposes"), default=list, validators=[validate_purposes])
    graphic_profile = models.CharField(
        _("graphic profile"), max_length=20, choices=GraphicProfile.choices, default=GraphicProfile.MUNICIPAL
    )
    special_profile_reference = models.CharField(
        _("decision on special profile"),
        max_length=100,
        blank=True,
        help_text=_("The reference of the decision that approved the special profile (R4)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.REQUESTED, db_index=True
    )
    # The request (R11): what the unit asked for, kept with the account as part of its record.
    target_audience = models.TextField(_("target audience"), blank=True)
    justification = models.TextField(
        _("why an existing account cannot serve"),
        blank=True,
        help_text=_("Why the unit's message cannot be published on one of the municipality's existing accounts."),
    )
    proposed_editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed editors"),
        blank=True,
        related_name="proposed_for_accounts",
    )
    login_holders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login or admin rights held by"),
        blank=True,
        related_name="held_account_logins",
        help_text=_("R13: who in communications holds the login details or admin rights. Never a password."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requested_accounts",
    )
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(_("closing reason"), max_length=30, choices=ClosingReason.choices, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    normalized_url = models.CharField(max_length=500, editable=False, db_index=True, default="")
    normalized_handle = models.CharField(max_length=100, editable=False, db_index=True, default="")
    # Name, handle, link and unit casefolded in Python: SQLite's LIKE folds only ASCII letters, so
    # "ålleberg" would not find "Ållebergsgymnasiet" in the embedded default. Kept by save() and
    # by OrgUnit.save() when a unit is renamed.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SocialAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("social media account")
        verbose_name_plural = _("social media accounts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="account_other_platform_named",
                condition=~Q(platform=Platform.OTHER) | ~Q(platform_other=""),
            ),
            models.CheckConstraint(
                name="account_special_profile_has_decision",
                condition=~Q(graphic_profile=GraphicProfile.SPECIAL) | ~Q(special_profile_reference=""),
            ),
            models.CheckConstraint(
                name="account_active_has_date_and_url",
                condition=~Q(status=AccountStatus.ACTIVE) | (Q(activated_on__isnull=False) & ~Q(url="")),
            ),
            models.CheckConstraint(
                name="account_closed_has_date_and_reason",
                condition=~Q(status=AccountStatus.CLOSED) | (Q(closed_on__isnull=False) & ~Q(closing_reason="")),
            ),
            # One link names one live account; a closed account's link may be reused.
            models.UniqueConstraint(
                fields=["normalized_url"],
                name="account_unique_live_url",
                condition=~Q(normalized_url="") & ~Q(status__in=["closed", "rejected"]),
                violation_error_message=_("Another account in the registry already has this address."),
            ),
        ]
        indexes = [
            # The account list's order (accounts/views/registry.py): a page is read from the index
            # instead of sorting every account (bench/explain/pages-account-list.txt).
            models.Index(fields=["name", "id"], name="account_name_order"),
        ]

    def __str__(self):
        return f"{self.name} ({self.platform_name})"

    def save(self, *args, **kwargs):
        self._normalize()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "normalized_url",
                "normalized_handle",
                "search_text",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:detail", args=[self.pk])

    def validate_constraints(self, exclude=None):
        # The normalised link is derived from the link: a form that edits the link must also
        # check the one-live-account-per-link constraint, though it has no field for it.
        # (Its condition reads the status, which no form edits: the instance's status counts.)
        self._normalize()
        if exclude is not None and "url" not in exclude:
            exclude = set(exclude) - {"normalized_url", "status"}
        super().validate_constraints(exclude=exclude)

    def _normalize(self):
        self.normalized_url = normalize_url(self.url)
        self.normalized_handle = normalize_handle(self.handle)
        self.search_text = search_text(self.name, self.handle, self.url, self.unit.name if self.unit_id else "")

    @property
    def platform_name(self) -> str:
        return self.platform_other if self.platform == Platform.OTHER else self.get_platform_display()

    def get_purposes_display(self) -> list[str]:
        labels = dict(Purpose.choices)
        return [labels.get(p, p) for p in self.purposes]

    def clean(self):
        errors = {}
        if self.platform == Platform.OTHER and not self.platform_other.strip():
            errors["platform_other"] = _("Name the platform.")
        if self.graphic_profile == GraphicProfile.SPECIAL and not self.special_profile_reference.strip():
            errors["special_profile_reference"] = _("A special profile needs the reference of its decision (R4).")
        if self.status == AccountStatus.ACTIVE and not self.url:
            errors["url"] = _("An active account needs its address.")
        if self.status == AccountStatus.ACTIVE and not self.activated_on:
            errors["activated_on"] = _("An active account needs its activation date.")
        if self.status == AccountStatus.CLOSED and not (self.closed_on and self.closing_reason):
            errors["closing_reason"] = _("A closed account needs its closing date and reason (R15).")
        if errors:
            raise ValidationError(errors)


class MandateQuerySet(models.QuerySet):
    def valid_on(self, day):
        """R10: mandates granted for this day: begun, not ended, not revoked (in force once the
        editor is trained, R14)."""
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            valid_from__lte=day,
            revoked_at__isnull=True,
        )

    def active_on(self, day):
        """R10, R14: mandates in force on this day: begun, not ended, not revoked, and their editor
        has a training in social media recorded by then. A mandate granted to someone not yet
        trained waits for it (awaiting_training); the editor has no rights until then."""
        return self.valid_on(day).filter(Exists(Training.objects.filter(trainee=OuterRef("user"), date__lte=day)))

    def active(self):
        return self.active_on(timezone.localdate())

    def awaiting_training(self, day=None):
        """R14: mandates not revoked and not ended (in force now or starting later) whose editor
        has no training recorded yet: comms trains them (the review queue lists them)."""
        day = day or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), revoked_at__isnull=True).exclude(
            Exists(Training.objects.filter(trainee=OuterRef("user"), date__lte=day))
        )

    def with_training(self):
        """Each mandate with `editor_trained_on`, the date of its editor's first recorded training
        (None if none), so that a page shows many mandates' status without a query each."""
        first = Training.objects.filter(trainee=OuterRef("user")).order_by("date").values("date")[:1]
        return self.annotate(editor_trained_on=Subquery(first))


class Mandate(models.Model):
    """R10: a manager's grant (uppdrag) to an employee to be editor of one account, from a date,
    optionally until a date, revocable. The editor's rights last exactly as long as it does, and
    begin once the editor's training in social media is recorded (R14).

    It is given by the editor's own manager (a manager of their unit or of a unit above it):
    `granted_by` is who recorded it; when comms records it on that manager's behalf,
    `on_behalf_of` names the manager (`given_by` is then that manager)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("editor"), on_delete=models.PROTECT, related_name="mandates"
    )
    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="mandates"
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given on behalf of manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("R10: the editor's manager, when the communications department registered the mandate for them."),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    expiry_notice_sent_on = models.DateField(
        _("expiry notice sent"), null=True, blank=True, help_text=_("When the manager was told the mandate ends soon.")
    )

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                name="mandate_ends_after_it_starts",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                violation_error_message=_("A mandate cannot end before it starts."),
            ),
            models.CheckConstraint(
                name="mandate_revoked_with_reason",
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
            ),
            # R10: the mandate comes from a manager; an editor never grants one to themselves.
            models.CheckConstraint(
                name="mandate_not_granted_to_oneself",
                condition=Q(granted_by__isnull=True) | ~Q(granted_by=models.F("user")),
                violation_error_message=_("Nobody can grant a mandate to themselves."),
            ),
            # R10: nor through someone registering it on their behalf; and "on behalf of" names
            # another person than the one who registered it.
            models.CheckConstraint(
                name="mandate_not_given_by_oneself",
                condition=Q(on_behalf_of__isnull=True)
                | (~Q(on_behalf_of=models.F("user")) & ~Q(on_behalf_of=models.F("granted_by"))),
                violation_error_message=_("Nobody can grant a mandate to themselves."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.account.name}"

    @property
    def given_by(self):
        """R10: the manager who gave the mandate (who recorded it, unless on someone's behalf)."""
        return self.on_behalf_of if self.on_behalf_of_id else self.granted_by

    def editor_trained_by(self, day) -> bool:
        """R14: the editor has a training recorded on or before `day` (from the with_training()
        annotation when the mandate was read with it)."""
        if "editor_trained_on" in self.__dict__:
            return self.editor_trained_on is not None and self.editor_trained_on <= day
        return Training.objects.filter(trainee_id=self.user_id, date__lte=day).exists()

    def is_valid_on(self, day) -> bool:
        return (
            self.revoked_at is None and self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
        )

    def is_active_on(self, day) -> bool:
        """In force on `day` (Mandate.objects.active_on, for one mandate)."""
        return self.is_valid_on(day) and self.editor_trained_by(day)

    @property
    def awaiting_training(self) -> bool:
        """R14: not revoked, not ended, and its editor not yet trained: it gives no rights yet."""
        today = timezone.localdate()
        ended = self.valid_until is not None and self.valid_until < today
        return self.revoked_at is None and not ended and not self.editor_trained_by(today)


class DecisionStep(models.TextChoices):
    """The steps of an account's life (R11, R13, R15). Each happens at most once per account."""

    REQUEST = "request", _("Request")
    MANAGER = "manager", _("Manager's decision")
    COMMS = "comms", _("Communications department's decision")
    ACTIVATION = "activation", _("Activation")
    CLOSING = "closing", _("Closing")


class DecisionOutcome(models.TextChoices):
    DONE = "done", _("Done")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccountDecision(models.Model):
    """One recorded decision on an account: who took which step, in which role, when, and why.
    The account's page shows them as its timeline; the database allows one decision per step, so
    two people deciding the same step at once yield exactly one decision."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="decisions"
    )
    step = models.CharField(_("step"), max_length=20, choices=DecisionStep.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=DecisionOutcome.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=60)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "step"], name="decision_one_per_step"),
            # R11: the request, the manager's decision and comms' decision are three people's:
            # nobody approves their own request, and nobody gives both approvals.
            models.UniqueConstraint(
                fields=["account", "actor"],
                condition=Q(step__in=["request", "manager", "comms"]),
                name="decision_r11_different_people",
                violation_error_message=_("One person cannot take two of the steps of a request (R11)."),
            ),
        ]

    def __str__(self):
        return f"{self.account}: {self.get_step_display()} – {self.get_outcome_display()}"


class TrainingKind(models.TextChoices):
    """R14: comms trains the editors of a new account, and editors in social media generally."""

    STARTUP = "startup", _("Start-up of a new account")
    GENERAL = "general", _("Training in social media")


class Training(models.Model):
    """A training that the communications department gave an editor (R14)."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trained"), on_delete=models.PROTECT, related_name="trainings"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="trainings_given"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TrainingKind.choices)
    account = models.ForeignKey(
        SocialAccount,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
        help_text=_("The new account that a start-up training was for."),
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="training_startup_names_its_account",
                condition=~Q(kind="startup") | Q(account__isnull=False),
                violation_error_message=_("A start-up training is for one account: choose it."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.trainee} ({self.date})"


class Notification(models.Model):
    """An email waiting to be sent, or sent (the outbox). It is written in the same transaction as
    the decision it tells of, so a decision is never without its notice, and a mail server that is
    down only delays the notice: the worker retries until it is sent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # An optional attachment, such as a meeting's .ics (council invitations).
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"


class WeeklyActivity(models.Model):
    """R19: what an account published in one ISO week, logged by its editor (or imported by comms).
    One row per account and week; a second entry for the same week edits the first."""

    MAX_POSTS = 500  # more than this in a week is a typing error, not a busy week

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="weekly_activity"
    )
    week = models.DateField(_("week"), help_text=_("The Monday of the ISO week."))
    posts = models.PositiveIntegerField(_("posts published"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)

    class Meta:
        verbose_name = _("weekly activity")
        verbose_name_plural = _("weekly activity")
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["account", "week"], name="activity_one_per_account_and_week"),
            models.CheckConstraint(name="activity_posts_plausible", condition=Q(posts__lte=500)),
        ]

    def __str__(self):
        return f"{self.account.name} {self.iso_week}: {self.posts}"

    @property
    def iso_week(self) -> str:
        return iso_week(self.week)


class FlagKind(models.TextChoices):
    """What a scheduled check can find (DESIGN.md, "Scheduled checks")."""

    INACTIVE_6_MONTHS = "inactive_6_months", _("Inactive for more than six months")
    POSTING_SHORTFALL = "posting_shortfall", _("Fewer than one post a week")
    NO_ACTIVE_EDITOR = "no_active_editor", _("No editor with a mandate")
    MANDATE_EXPIRING = "mandate_expiring", _("Mandate ending soon")
    CRIMINAL_NOT_REPORTED = "criminal_not_reported", _("Criminal content not reported to the police")
    INQUIRY_OVERDUE = "inquiry_overdue", _("Question not answered in time")
    SELF_CHECK_OVERDUE = "self_check_overdue", _("Yearly self-check overdue")
    SELF_CHECK_ANSWERED_NO = "self_check_no", _("Self-check answered no")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


# A flag is "open" until it is resolved or dismissed: acknowledging it only says comms has seen it.
OPEN_FLAG_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


class ReviewFlag(models.Model):
    """A finding of a scheduled check for comms to review. At most one open flag per account and
    kind (a database constraint); the check that raised it resolves it when the condition is gone.

    A dismissal stands (the checks raise no new flag of its account and kind) until its condition
    is gone or its review date comes; then it lapses (`lapsed_at`). At most one standing dismissal
    per account and kind (a database constraint)."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="flags"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=FlagKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(_("reason"), blank=True)
    review_on = models.DateField(
        _("review date"),
        null=True,
        blank=True,
        help_text=_("A dismissed flag is raised again from this day if its condition is still there."),
    )
    lapsed_at = models.DateTimeField(
        _("dismissal lapsed"),
        null=True,
        blank=True,
        help_text=_("When the dismissal stopped holding: its condition was gone, or its review date came."),
    )

    class Meta:
        verbose_name = _("review flag")
        verbose_name_plural = _("review flags")
        ordering = ["-raised_at"]
        constraints = [
            # Kind first: besides refusing a second open flag, its index hands each scheduled check
            # the open flags of its own kind without reading the others (accounts/checks.py).
            models.UniqueConstraint(
                fields=["kind", "account"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="flag_one_open_per_account_and_kind",
            ),
            models.CheckConstraint(name="flag_dismissed_with_reason", condition=~Q(status="dismissed") | ~Q(reason="")),
            # A dismissal holds until a date comms chose, never for good; a review date or a lapse
            # belongs to a dismissal only.
            models.CheckConstraint(
                name="flag_dismissed_with_review_date",
                condition=Q(status="dismissed", review_on__isnull=False)
                | Q(~Q(status="dismissed"), review_on__isnull=True, lapsed_at__isnull=True),
            ),
            # The checks read the standing dismissals of their kind from this index (accounts/checks.py).
            models.UniqueConstraint(
                fields=["kind", "account"],
                condition=Q(status="dismissed", lapsed_at__isnull=True),
                name="flag_one_standing_dismissal_per_account_and_kind",
            ),
        ]
        indexes = [
            # The review queue's order (accounts/services/flags.py, queue()): the open flags, the
            # most serious kind first, then the newest. The CASE repeats SEVERITY of that module
            # (accounts/tests/test_query_counts.py checks they agree), so a page of the queue is
            # read from the index instead of sorting every open flag (bench/explain/pages-review-queue.txt).
            models.Index(
                models.Case(
                    *(
                        models.When(kind=kind, then=models.Value(rank))
                        for rank, kind in enumerate(
                            [
                                FlagKind.CRIMINAL_NOT_REPORTED,
                                FlagKind.INACTIVE_6_MONTHS,
                                FlagKind.INQUIRY_OVERDUE,
                                FlagKind.NO_ACTIVE_EDITOR,
                                FlagKind.SELF_CHECK_ANSWERED_NO,
                                FlagKind.POSTING_SHORTFALL,
                                FlagKind.SELF_CHECK_OVERDUE,
                                FlagKind.MANDATE_EXPIRING,
                            ]
                        )
                    ),
                    default=models.Value(8),
                    output_field=models.IntegerField(),
                ),
                models.F("raised_at").desc(),
                models.F("id").desc(),
                condition=Q(status__in=["open", "acknowledged"]),
                name="flag_queue_order",
            ),
        ]

    def __str__(self):
        return f"{self.account.name}: {self.get_kind_display()} ({self.get_status_display()})"


class CheckRun(models.Model):
    """When a scheduled check ran, how long it took and what it found."""

    check_name = models.CharField(_("check"), max_length=40, db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    found = models.PositiveIntegerField(_("accounts found"), default=0)
    raised = models.PositiveIntegerField(_("flags raised"), default=0)
    resolved = models.PositiveIntegerField(_("flags resolved"), default=0)
    dry_run = models.BooleanField(_("dry run"), default=False)

    class Meta:
        verbose_name = _("check run")
        verbose_name_plural = _("check runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.check_name} {self.started_at:%Y-%m-%d %H:%M}"


# Activity import (issue 4)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ActivityImport(models.Model):
    """A CSV file of weekly activity (R19 history) that comms uploaded and that was too large to
    import while the browser waited: the worker imports it and the status page reads its progress.
    All or nothing: when any row is wrong, `errors` lists every one and nothing is written."""

    file_name = models.CharField(_("file name"), max_length=255)
    content = models.TextField(_("content"), help_text=_("The uploaded file, decoded as text."))
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_rows = models.PositiveIntegerField(_("weeks added"), default=0)
    updated_rows = models.PositiveIntegerField(_("weeks updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity import")
        verbose_name_plural = _("activity imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


# Public records and archiving (R3, R25) and the yearly self-check (R4, R5, R7, R8, R9): issue 7.


class RecordKind(models.TextChoices):
    """The kinds of record the portal keeps about accounts (R3). A records export writes one JSON
    file per kind; each kind but the audit events has its own retention rule (R25): an audit event
    is disposed of together with the record it describes."""

    DECISIONS = "decisions", _("Decisions")
    MANDATES = "mandates", _("Mandates")
    TRAININGS = "trainings", _("Trainings")
    WEEKLY_ACTIVITY = "weekly_activity", _("Weekly activity")
    FLAGS = "flags", _("Review flags")
    SELF_CHECKS = "self_checks", _("Yearly self-checks")
    MODERATION_CASES = "moderation_cases", _("Removed content")
    INQUIRIES = "inquiries", _("Questions")
    LEGAL_BASIS = "legal_basis", _("Legal-basis records")
    AUDIT_EVENTS = "audit_events", _("Audit events")


RETENTION_KINDS = [(value, label) for value, label in RecordKind.choices if value != RecordKind.AUDIT_EVENTS]


class RecordsStorage(LazyObject):
    """Exports are kept under PRIVATE_MEDIA_ROOT, beside the evidence, where no URL serves them:
    only the comms-only download view hands them out."""

    def _setup(self):
        self._wrapped = PrivateStorage(location=settings.PRIVATE_MEDIA_ROOT)


_records_storage = RecordsStorage()


def records_storage():
    # A callable, so that migrations name it instead of one machine's PRIVATE_MEDIA_ROOT.
    return _records_storage


def export_path(instance, filename):
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zip"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RecordsExport(models.Model):
    """Everything the portal holds about one account, or about every account, in a period, as one
    ZIP file (R3): a JSON file per kind of record, the evidence files, a manifest with each file's
    SHA-256 and a readable summary. Built by the worker (accounts/records/export.py); the export
    itself is in the audit trail. A public copy is filtered for a public-records request: what
    needs a secrecy review is withheld and marked, never silently dropped."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="records_exports", help_text=_("Empty: every account."),
    )  # fmt: skip
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_until = models.DateField(_("until"), null=True, blank=True)
    public_copy = models.BooleanField(
        _("for a public-records request"), default=False,
        help_text=_("Withhold and mark what needs a secrecy review before it is handed out."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    total_steps = models.PositiveIntegerField(_("steps"), default=0)
    done_steps = models.PositiveIntegerField(_("steps done"), default=0)
    file = models.FileField(_("file"), storage=records_storage, upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    counts = models.JSONField(_("records"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("records export")
        verbose_name_plural = _("records exports")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                name="export_period_in_order",
                condition=Q(period_from__isnull=True) | Q(period_until__isnull=True)
                | Q(period_from__lte=models.F("period_until")),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.account or _('All accounts')} {self.requested_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("accounts:export_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class RetentionRule(models.Model):
    """R25: how long one kind of record is kept, from the document management plan. No rule, or a
    rule without a time, means the records are kept (bevaras). Set by comms in the admin."""

    kind = models.CharField(_("kind of record"), max_length=30, choices=RETENTION_KINDS, unique=True)
    retain_months = models.PositiveIntegerField(
        _("kept for (months)"), null=True, blank=True,
        help_text=_("Empty: kept permanently. Counted from the record's date."),
    )  # fmt: skip
    plan_reference = models.CharField(
        _("reference in the document management plan"), max_length=200,
        help_text=_("The plan and the item that allows disposal, e.g. KS dokumenthanteringsplan 2024, 3.2.4."),
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                name="retention_at_least_a_month", condition=Q(retain_months__isnull=True) | Q(retain_months__gte=1)
            ),
        ]

    def __str__(self):
        return str(self.get_kind_display())


class DisposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting confirmation")
    DONE = "done", _("Disposed")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # nothing was due any more when the check looked again


class Disposal(models.Model):
    """R25: a disposal (gallring) of the records of one kind dated before `cutoff`. The monthly
    check proposes it; the records are deleted only when comms confirms, and this record stays:
    which rule, how many of which kind, when, by whom and the export that preceded it."""

    rule = models.ForeignKey(RetentionRule, verbose_name=_("retention rule"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind of record"), max_length=30, choices=RETENTION_KINDS)
    plan_reference = models.CharField(_("reference in the document management plan"), max_length=200)
    retain_months = models.PositiveIntegerField(_("kept for (months)"))
    cutoff = models.DateField(_("records dated before"))
    status = models.CharField(
        _("status"), max_length=20, choices=DisposalStatus.choices, default=DisposalStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    proposed_count = models.PositiveIntegerField(_("records due"), default=0)
    counts = models.JSONField(_("disposed"), default=dict, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField(_("disposed"), null=True, blank=True)
    export = models.ForeignKey(
        RecordsExport, verbose_name=_("export before disposal"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("disposal")
        verbose_name_plural = _("disposals")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(status="proposed"), name="disposal_one_proposed_per_kind"
            ),
            models.CheckConstraint(
                name="disposal_done_confirmed",
                condition=~Q(status="done") | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} < {self.cutoff}"

    def get_absolute_url(self):
        return reverse("accounts:disposal_detail", args=[self.pk])


class SelfCheck(models.Model):
    """The yearly self-check of an account (R4, R5, R7, R8, R9), answered by one of its editors.
    A "no" needs a comment (a database constraint) and raises a flag for comms; an account whose
    last self-check is more than 12 months old is flagged by the scheduled check."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="self_checks"
    )
    sender_clear = models.BooleanField(
        _("The municipality is clearly the sender, and the graphic profile (or the approved special one) is used.")
    )  # R4
    profile_description = models.BooleanField(_("The account's profile has a description of the service."))  # R5
    no_political_stance = models.BooleanField(
        _("The posts contain no political stances or debate (political decisions may be described).")
    )  # R7
    no_dialogue_elsewhere = models.BooleanField(
        _("The account takes no part in dialogue on other parties' accounts.")
    )  # R8
    follows_relevant_only = models.BooleanField(
        _("The account follows only relevant accounts of its own field, and no private persons.")
    )  # R9
    comment = models.TextField(_("comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now, db_index=True)

    # The questions in the order asked, with the rule each one checks.
    QUESTIONS = (
        ("sender_clear", "R4"),
        ("profile_description", "R5"),
        ("no_political_stance", "R7"),
        ("no_dialogue_elsewhere", "R8"),
        ("follows_relevant_only", "R9"),
    )

    class Meta:
        verbose_name = _("yearly self-check")
        verbose_name_plural = _("yearly self-checks")
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(
                name="selfcheck_no_needs_comment",
                condition=Q(
                    sender_clear=True, profile_description=True, no_political_stance=True,
                    no_dialogue_elsewhere=True, follows_relevant_only=True,
                ) | ~Q(comment=""),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.account.name} {self.answered_at:%Y-%m-%d}"

    @property
    def answers_no(self) -> list[str]:
        """The rules (R4 …) answered no."""
        return [rule for name, rule in self.QUESTIONS if not getattr(self, name)]


class SignInPolicy(models.Model):
    """How staff sign in, as comms decides it in the admin: one row. With single sign-on configured
    (OIDC_* in the environment, README "Signing in"), comms may turn sign-in with a password off, so
    that the municipality's identity provider is the only door: a leaver blocked there is out of the
    portal too. Password reset is off with it. Every change is in the audit trail."""

    password_sign_in = models.BooleanField(
        _("sign-in with password"),
        default=True,
        help_text=_(
            "When off, staff sign in only through the municipality's single sign-on, and password reset is "
            "off too. It can only be turned off when single sign-on is configured on the server."
        ),
    )

    class Meta:
        verbose_name = _("sign-in settings")
        verbose_name_plural = _("sign-in settings")
        constraints = [models.CheckConstraint(name="signinpolicy_singleton", condition=Q(pk=1))]

    def __str__(self):
        return str(_("Sign-in settings"))

    def clean(self):
        if not self.password_sign_in and not settings.SSO_ENABLED:
            raise ValidationError(
                {
                    "password_sign_in": _(
                        "Single sign-on is not configured on this server, so sign-in with password cannot be "
                        "turned off: nobody could sign in."
                    )
                }
            )

    @classmethod
    def current(cls) -> "SignInPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy

    @classmethod
    def password_sign_in_open(cls) -> bool:
        """May staff sign in with a password right now? Always when single sign-on is not configured
        (turning passwords off then would lock everyone out), else as comms set it."""
        return not settings.SSO_ENABLED or cls.current().password_sign_in

    @classmethod
    def password_sign_in_open_to(cls, user) -> bool:
        """Password sign-in for this user: open to all, or, when comms turned it off, to superusers
        only while the server's break-glass setting PORTAL_SUPERUSER_PASSWORD_SIGN_IN is on."""
        if cls.password_sign_in_open():
            return True
        return bool(settings.PORTAL_SUPERUSER_PASSWORD_SIGN_IN and user is not None and user.is_superuser)


# What a database holds when it is not real (issue 9): demo or benchmark data.


class DatasetKind(models.TextChoices):
    DEMO = "demo", _("Demo data")
    BENCH = "bench", _("Benchmark data")


class DatasetMarker(models.Model):
    """Says that this database holds made-up data: `seed_demo` writes a "demo" marker, `seed_bench`
    a "bench" one. `seed_bench` fills only an empty database or one that carries a marker, so it
    never mixes its synthetic accounts into, or wipes, a database with real data."""

    kind = models.CharField(_("kind"), max_length=10, choices=DatasetKind.choices, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("dataset marker")
        verbose_name_plural = _("dataset markers")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
