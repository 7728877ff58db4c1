# "Shipped in" on GitHub (docs/github-loop.md): per user and repository, on by default.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("github_sync", "0003_repohooksecret_to_repos"),
    ]

    operations = [
        migrations.AddField(
            model_name="syncsettings",
            name="shipped_in",
            field=models.BooleanField(default=True, help_text="Comment on fixed issues and the PR when published."),
        ),
        migrations.AddField(
            model_name="syncsettings",
            name="released_label",
            field=models.CharField(blank=True, default="released", max_length=50),
        ),
        migrations.AddField(
            model_name="syncsettings",
            name="shipped_in_remove_on_unpublish",
            field=models.BooleanField(default=False),
        ),
    ]
