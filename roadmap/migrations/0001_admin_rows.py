# The admin's row models of this app's Redis collections (docs/admin.md): unmanaged, no table.

import changelog_site.kvadmin.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='RoadmapItem',
            fields=[
                ('id', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='id')),
                ('userId', models.TextField(verbose_name='userId')),
                ('repoId', models.TextField(verbose_name='repoId')),
                ('issueId', models.BigIntegerField(verbose_name='issueId')),
                ('title', models.CharField(max_length=1000, verbose_name='title')),
                ('body', models.TextField(blank=True, verbose_name='body')),
                ('status', models.CharField(blank=True, choices=[('planned', 'planned'), ('in-progress', 'in-progress'), ('completed', 'completed')], max_length=100, verbose_name='status')),
                ('upvotes', models.BigIntegerField(blank=True, verbose_name='upvotes')),
                ('voterIds', changelog_site.kvadmin.fields.LinesField(blank=True, default=list, verbose_name='voterIds')),
                ('githubIssueUrl', models.TextField(verbose_name='githubIssueUrl')),
                ('labels', changelog_site.kvadmin.fields.LinesField(blank=True, default=list, verbose_name='labels')),
                ('linkedEntryId', models.TextField(blank=True, null=True, verbose_name='linkedEntryId')),
                ('createdAt', models.DateTimeField(blank=True, verbose_name='createdAt')),
                ('updatedAt', models.DateTimeField(blank=True, verbose_name='updatedAt')),
            ],
            options={
                'verbose_name': 'roadmap item',
                'verbose_name_plural': 'roadmap items',
                'db_table': 'kvadmin_roadmapitem',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
    ]
