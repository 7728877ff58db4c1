# The admin's row models of this app's Redis collections (docs/admin.md): unmanaged, no table.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='EntryUpvotes',
            fields=[
                ('entryId', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='entryId')),
                ('upvotes', models.BigIntegerField(verbose_name='upvotes')),
                ('voters', models.BigIntegerField(verbose_name='voters')),
            ],
            options={
                'verbose_name': 'entry upvotes',
                'verbose_name_plural': 'entry upvotes',
                'db_table': 'kvadmin_entryupvotes',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
        migrations.CreateModel(
            name='PageViews',
            fields=[
                ('key', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='key')),
                ('entryId', models.TextField(verbose_name='entryId')),
                ('date', models.TextField(verbose_name='date')),
                ('views', models.BigIntegerField(verbose_name='views')),
                ('uniqueVisitors', models.BigIntegerField(verbose_name='uniqueVisitors')),
            ],
            options={
                'verbose_name': 'page views',
                'verbose_name_plural': 'page views',
                'db_table': 'kvadmin_pageviews',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
        migrations.CreateModel(
            name='Subscriber',
            fields=[
                ('key', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='key')),
                ('email', models.CharField(max_length=254, verbose_name='email')),
                ('repoId', models.TextField(verbose_name='repoId')),
                ('subscribedAt', models.DateTimeField(blank=True, verbose_name='subscribedAt')),
                ('confirmed', models.BooleanField(default=False, verbose_name='confirmed')),
                ('preferences', models.JSONField(blank=True, verbose_name='preferences')),
            ],
            options={
                'verbose_name': 'subscriber',
                'verbose_name_plural': 'subscribers',
                'db_table': 'kvadmin_subscriber',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
    ]
