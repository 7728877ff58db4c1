# Account moves from billing to accounts (the identity app): its table stays, renamed in 0003.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("billing", "0002_admin_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Account",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("shiplog_user_id", models.CharField(max_length=64, unique=True,
                                                             verbose_name="Shiplog user id")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                      related_name="account", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "billing_account"},
                ),
            ],
            database_operations=[],
        ),
    ]
