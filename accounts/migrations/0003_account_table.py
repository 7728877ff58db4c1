# The account table takes accounts' name now that billing no longer declares it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_account_from_billing"),
        ("billing", "0003_account_to_accounts"),
    ]

    operations = [
        migrations.AlterModelTable(name="account", table=None),
    ]
