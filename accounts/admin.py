"""The Django admin for comms and superusers. Accounts and mandates are public records (R3):
they are closed or revoked, never deleted, so the admin offers no delete for them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from accounts.forms.registry import AccountRegistryForm

from .admin_audit import ReadOnlyAdminMixin  # also makes the audit trail read-only in the admin
from .models import AccountDecision, Mandate, Notification, OrgUnit, SignInPolicy, SocialAccount, Training, User


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "unit", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups", "unit"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "title", "unit"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "unit", "password1", "password2"]})
    ]

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser hands out superuser rights or single permissions.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]


# Set by hand only when an account that existed before the portal is entered; afterwards they
# change through the lifecycle's services alone (R11, R13, R15: closing revokes every mandate).
LIFECYCLE_FIELDS = [
    "status",
    "requested_by",
    "activated_on",
    "closed_on",
    "closing_reason",
    "closing_note",
    "closed_unarchived_reason",
]


class SocialAccountAdminForm(AccountRegistryForm):
    """The registry form, plus the lifecycle fields for entering accounts that existed before the
    portal."""

    class Meta(AccountRegistryForm.Meta):
        fields = [*AccountRegistryForm.Meta.fields, *LIFECYCLE_FIELDS]


class MandateInline(admin.TabularInline):
    """Shown only: mandates are granted and revoked on the portal's pages, through their services
    (R10: the editor's own manager gives it; R14, R15), never written here past those checks."""

    model = Mandate
    fk_name = "account"
    extra = 0
    fields = ["user", "valid_from", "valid_until", "granted_by", "on_behalf_of", "revoked_at", "revoke_reason"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SocialAccount)
class SocialAccountAdmin(NoDeleteAdmin):
    form = SocialAccountAdminForm
    list_display = ["name", "platform", "unit", "status", "activated_on", "closed_on"]
    list_filter = ["status", "platform", "unit"]
    search_fields = ["name", "handle", "url"]
    autocomplete_fields = ["unit", "requested_by"]
    inlines = [MandateInline]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # An existing account is activated and closed on the portal's pages, never here: a status
        # set to "closed" in the admin would leave its editors' mandates in force (R15).
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, *LIFECYCLE_FIELDS]


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Decisions, mandates and trainings are made on the portal's pages, through their services
    (with their checks and notices); the admin only shows them."""


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = ["user", "account", "valid_from", "valid_until", "granted_by", "on_behalf_of", "revoked_at"]
    list_filter = ["account__unit"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "account__name"]


@admin.register(AccountDecision)
class AccountDecisionAdmin(ReadOnlyAdmin):
    list_display = ["decided_at", "account", "step", "outcome", "actor"]
    list_filter = ["step", "outcome"]
    search_fields = ["account__name", "actor__email"]


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ["date", "trainee", "kind", "account", "trainer"]
    list_filter = ["kind"]
    search_fields = ["trainee__email", "trainee__first_name", "trainee__last_name", "account__name"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox, read-only: comms sees what was sent and what still fails, and why."""

    list_display = ["created_at", "recipient", "subject", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]


# Sign-in.


@admin.register(SignInPolicy)
class SignInPolicyAdmin(NoDeleteAdmin):
    """Comms turn sign-in with a password on or off (one row, audited). The list goes straight to it."""

    fields = ["single_sign_on", "password_sign_in"]
    readonly_fields = ["single_sign_on"]

    @admin.display(description=_("single sign-on"))
    def single_sign_on(self, obj):
        if settings.SSO_ENABLED:
            return _("Configured: %(provider)s") % {"provider": settings.OIDC_PROVIDER_NAME}
        return _("Not configured on this server (OIDC_SERVER_URL, OIDC_CLIENT_ID): password sign-in stays on.")

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:accounts_signinpolicy_change", SignInPolicy.current().pk)
