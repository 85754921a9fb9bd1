"""The comms group and what it may do in the admin, kept in code so every database has it."""

from django.conf import settings

# Model permissions the communications department needs in the admin. No "delete" on accounts
# or mandates: they are public records (R3) and are closed or revoked, never deleted.
COMMS_MODEL_PERMISSIONS = {
    "accounts": [
        "view_orgunit",
        "add_orgunit",
        "change_orgunit",
        "view_socialaccount",
        "add_socialaccount",
        "change_socialaccount",
        "view_mandate",
        "add_mandate",
        "change_mandate",
        "view_user",
        "add_user",
        "change_user",
        "view_accountdecision",
        "view_training",
        "view_notification",
        # Comms may turn sign-in with a password off (audited); never add or delete the row.
        "view_signinpolicy",
        "change_signinpolicy",
    ],
    "activity": ["view_weeklyactivity", "view_activityimport"],
    "review": ["view_reviewflag", "view_checkrun", "view_selfcheck"],
    # Retention rules are comms' to set (R25); exports and disposals are records, read-only in the admin.
    "records": [
        "view_retentionrule",
        "add_retentionrule",
        "change_retentionrule",
        "view_disposal",
        "view_recordsexport",
    ],
    # The accessibility statement of the public page: comms keep it (no second one, no delete).
    "publicinfo": ["view_accessibilitystatement", "change_accessibilitystatement"],
    # What the platforms showed (R3): read-only; connections are managed on the account's page.
    "capture": ["view_connection", "view_captureditem"],
    "auth": ["view_group"],
    "auditlog": ["view_logentry"],
    "django_celery_beat": [
        "view_periodictask",
        "change_periodictask",
        "view_crontabschedule",
        "add_crontabschedule",
        "change_crontabschedule",
        "view_intervalschedule",
        "add_intervalschedule",
        "change_intervalschedule",
    ],
    "mfa": ["view_authenticator", "delete_authenticator"],
}


def ensure_comms_group(**kwargs):
    """post_migrate: create the comms group and give it its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=settings.COMMS_GROUP_NAME)
    wanted = [
        perm
        for app_label, codenames in COMMS_MODEL_PERMISSIONS.items()
        for perm in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    ]
    group.permissions.add(*wanted)
    return group
