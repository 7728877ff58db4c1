# The hook secrets' table takes repos' name now that github_sync no longer declares it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("repos", "0002_repohooksecret_from_github_sync"),
        ("github_sync", "0003_repohooksecret_to_repos"),
    ]

    operations = [
        migrations.AlterModelTable(name="repohooksecret", table=None),
    ]
