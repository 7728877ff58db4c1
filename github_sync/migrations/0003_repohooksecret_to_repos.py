# RepoHookSecret moved to repos (repos/migrations/0002): github_sync forgets it, the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("github_sync", "0002_hook_secrets_inbox_size"),
        ("repos", "0002_repohooksecret_from_github_sync"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RepoHookSecret")],
            database_operations=[],
        ),
    ]
