# The admin's row models of this app's Redis collections (docs/admin.md): unmanaged, no table.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='GitHubToken',
            fields=[
                ('userId', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='userId')),
                ('state', models.TextField(blank=True, null=True, verbose_name='state')),
                ('login', models.TextField(blank=True, null=True, verbose_name='login')),
                ('checkedAt', models.TextField(blank=True, null=True, verbose_name='checkedAt')),
            ],
            options={
                'verbose_name': 'GitHub token',
                'verbose_name_plural': 'GitHub tokens',
                'db_table': 'kvadmin_githubtoken',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
        migrations.CreateModel(
            name='Repo',
            fields=[
                ('key', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='key')),
                ('id', models.TextField(verbose_name='id')),
                ('userId', models.TextField(verbose_name='userId')),
                ('githubRepoId', models.BigIntegerField(verbose_name='githubRepoId')),
                ('name', models.TextField(verbose_name='name')),
                ('slug', models.TextField(verbose_name='slug')),
                ('isPrivate', models.BooleanField(default=False, verbose_name='isPrivate')),
                ('connectedAt', models.DateTimeField(blank=True, verbose_name='connectedAt')),
                ('webhookId', models.BigIntegerField(blank=True, null=True, verbose_name='webhookId')),
            ],
            options={
                'verbose_name': 'repository',
                'verbose_name_plural': 'repositories',
                'db_table': 'kvadmin_repo',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
    ]
