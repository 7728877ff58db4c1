# Account moved to accounts (accounts/migrations/0002): billing forgets it, the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0002_admin_rows"),
        ("accounts", "0002_account_from_billing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Account")],
            database_operations=[],
        ),
    ]
