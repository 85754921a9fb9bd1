"""The account registry: org units, staff users, official social media accounts, mandates."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rules.permissions import has_perm as rules_has_perm

from falkoping_some.lib.errors import DomainError

from .links import normalize_handle, normalize_url, platform_id_is_valid
from .rules import needs_mfa_step


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
        if self.is_active and needs_mfa_step(self):
            return rules_has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
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
    OTHER = "other", pgettext_lazy("platform", "Other")


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
    # "Other" qualifies a reason here (Swedish "Annat", neuter), a platform above ("Annan").
    OTHER = "other", pgettext_lazy("closing reason", "Other")


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
    # R16: links to a post or a page often name the account by the platform's own number, not by
    # its address (facebook.com/profile.php?id=…, youtube.com/channel/UC…): with it stored, the
    # citizen's check recognises them.
    platform_id = models.CharField(
        _("the platform's id of the account"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_(
            "Facebook: the page's number (as in facebook.com/profile.php?id=…). "
            "YouTube: the channel's id, which begins with UC (as in youtube.com/channel/UC…)."
        ),
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
    # Issue 19 (R3, R25): why comms closed the account without its final archive (accounts/closing.py);
    # empty when it was archived.
    closed_unarchived_reason = models.TextField(_("closed without the final archive because"), blank=True)
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
            # Likewise one platform id names one live account.
            models.UniqueConstraint(
                fields=["platform", "platform_id"],
                name="account_unique_live_platform_id",
                condition=~Q(platform_id="") & ~Q(status__in=["closed", "rejected"]),
                violation_error_message=_("Another account in the registry already has this id on the platform."),
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
        if exclude is not None and "platform_id" not in exclude:
            exclude = set(exclude) - {"status"}
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
        self.platform_id = (self.platform_id or "").strip()
        if self.platform_id and not platform_id_is_valid(self.platform, self.platform_id):
            errors["platform_id"] = _(
                "Give a Facebook page's number (digits only) or a YouTube channel's id (UC and 22 characters). "
                "Other platforms' links do not carry an id: leave it empty."
            )
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


class DecisionRole(models.TextChoices):
    """The role in which someone took a step (R11, R13, R15). Stored as a code and translated when
    shown, so that the timeline reads in the reader's language."""

    EMPLOYEE = "employee", _("Employee")
    MANAGER = "manager", _("Manager")
    COMMS = "comms", _("Communications department")


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
    role = models.CharField(_("role"), max_length=60, choices=DecisionRole.choices)
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

    @property
    def headline(self) -> str:
        """The timeline's line for this decision, as a sentence ("The account was requested"),
        rather than a step and an outcome side by side."""
        approved = self.outcome == DecisionOutcome.APPROVED
        match self.step:
            case DecisionStep.REQUEST:
                return _("The account was requested")
            case DecisionStep.MANAGER:
                return _("Approved by the manager") if approved else _("Rejected by the manager")
            case DecisionStep.COMMS:
                if approved:
                    return _("Approved by the communications department")
                return _("Rejected by the communications department")
            case DecisionStep.ACTIVATION:
                return _("The account was activated")
            case DecisionStep.CLOSING:
                return _("The account was closed")
        return f"{self.get_step_display()}: {self.get_outcome_display()}"


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


# Sign-in.


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
