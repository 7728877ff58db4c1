# RepoHookSecret moves from github_sync to repos (connecting a repository creates its webhook and
# secret): its table stays, renamed in 0003.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("repos", "0001_admin_rows"),
        ("github_sync", "0002_hook_secrets_inbox_size"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RepoHookSecret",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("github_repo_id", models.BigIntegerField(unique=True)),
                        ("encrypted_secret", models.TextField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "github_sync_repohooksecret"},
                ),
            ],
            database_operations=[],
        ),
    ]
