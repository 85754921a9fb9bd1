"""The sign-in settings comms control (one row): whether staff may sign in with a password
beside single sign-on. The row is created here, with password sign-in on, so the admin has it to edit."""

from django.db import migrations, models


def create_policy(apps, schema_editor):
    apps.get_model("accounts", "SignInPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_records_schedules"),
    ]

    operations = [
        migrations.CreateModel(
            name="SignInPolicy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "password_sign_in",
                    models.BooleanField(
                        default=True,
                        help_text=(
                            "When off, staff sign in only through the municipality's single sign-on, and password "
                            "reset is off too. It can only be turned off when single sign-on is configured on the "
                            "server."
                        ),
                        verbose_name="sign-in with password",
                    ),
                ),
            ],
            options={
                "verbose_name": "sign-in settings",
                "verbose_name_plural": "sign-in settings",
                "constraints": [models.CheckConstraint(condition=models.Q(("pk", 1)), name="signinpolicy_singleton")],
            },
        ),
        migrations.RunPython(create_policy, migrations.RunPython.noop),
    ]
