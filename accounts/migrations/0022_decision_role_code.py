"""A decision's role is stored as a code and translated when shown (issue 17): until now it held
the role's name in the language of whoever decided, so the English timeline showed Swedish roles."""

from django.db import migrations, models

# The names the portal and the demo stored, in Swedish and in English.
ROLE_CODES = {
    "medarbetare": "employee",
    "anställd": "employee",
    "employee": "employee",
    "chef": "manager",
    "manager": "manager",
    "kommunikationsavdelningen": "comms",
    "communications department": "comms",
}
# A name the portal never stored: the role that takes that step (R11, R13, R15).
STEP_ROLES = {"request": "employee", "manager": "manager"}
# Back to the names in the portal's default language, Swedish.
ROLE_NAMES = {"employee": "Medarbetare", "manager": "Chef", "comms": "Kommunikationsavdelningen"}


def names_to_codes(apps, schema_editor):
    AccountDecision = apps.get_model("accounts", "AccountDecision")
    for decision in AccountDecision.objects.only("pk", "step", "role").iterator():
        code = ROLE_CODES.get(decision.role.strip().lower()) or STEP_ROLES.get(decision.step, "comms")
        if code != decision.role:
            AccountDecision.objects.filter(pk=decision.pk).update(role=code)


def codes_to_names(apps, schema_editor):
    AccountDecision = apps.get_model("accounts", "AccountDecision")
    for code, name in ROLE_NAMES.items():
        AccountDecision.objects.filter(role=code).update(role=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0021_account_platform_id"),
    ]

    operations = [
        migrations.RunPython(names_to_codes, codes_to_names),
        migrations.AlterField(
            model_name="accountdecision",
            name="role",
            field=models.CharField(
                choices=[("employee", "Employee"), ("manager", "Manager"), ("comms", "Communications department")],
                max_length=60,
                verbose_name="role",
            ),
        ),
    ]
