from django.db import migrations, models

import accounts.models


class Migration(migrations.Migration):
    """R16: an account's name and handle refuse Unicode bidi controls and zero-width characters."""

    dependencies = [("accounts", "0018_mandate_on_behalf")]

    operations = [
        migrations.AlterField(
            model_name="socialaccount",
            name="handle",
            field=models.CharField(
                blank=True,
                help_text="The account's user name, such as @falkopingskommun.",
                max_length=100,
                validators=[accounts.models.validate_no_hidden_characters],
                verbose_name="handle",
            ),
        ),
        migrations.AlterField(
            model_name="socialaccount",
            name="name",
            field=models.CharField(
                max_length=200, validators=[accounts.models.validate_no_hidden_characters], verbose_name="name"
            ),
        ),
    ]
