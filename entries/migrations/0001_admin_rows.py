# The admin's row models of this app's Redis collections (docs/admin.md): unmanaged, no table.

import changelog_site.kvadmin.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Entry',
            fields=[
                ('id', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='id')),
                ('userId', models.TextField(verbose_name='userId')),
                ('repoId', models.TextField(verbose_name='repoId')),
                ('prId', models.BigIntegerField(verbose_name='prId')),
                ('title', models.CharField(max_length=300, verbose_name='title')),
                ('body', models.TextField(blank=True, verbose_name='body')),
                ('category', models.CharField(blank=True, choices=[('New', 'New'), ('Fixed', 'Fixed'), ('Improved', 'Improved'), ('Other', 'Other')], max_length=100, verbose_name='category')),
                ('status', models.CharField(blank=True, choices=[('draft', 'draft'), ('published', 'published')], max_length=100, verbose_name='status')),
                ('mergedAt', models.DateTimeField(verbose_name='mergedAt')),
                ('publishedAt', models.DateTimeField(blank=True, null=True, verbose_name='publishedAt')),
                ('prUrl', models.TextField(verbose_name='prUrl')),
                ('author', models.TextField(verbose_name='author')),
                ('aiRewrite', models.TextField(blank=True, null=True, verbose_name='aiRewrite')),
                ('labels', changelog_site.kvadmin.fields.LinesField(blank=True, default=list, verbose_name='labels')),
                ('textSource', models.CharField(blank=True, choices=[('original', 'original'), ('aiRewrite', 'aiRewrite')], max_length=100, null=True, verbose_name='textSource')),
            ],
            options={
                'verbose_name': 'entry',
                'verbose_name_plural': 'entries',
                'db_table': 'kvadmin_entry',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
        migrations.CreateModel(
            name='SocialPost',
            fields=[
                ('key', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='key')),
                ('id', models.TextField(verbose_name='id')),
                ('entryId', models.TextField(verbose_name='entryId')),
                ('userId', models.TextField(verbose_name='userId')),
                ('platform', models.CharField(choices=[('twitter', 'twitter'), ('linkedin', 'linkedin')], max_length=100, verbose_name='platform')),
                ('tweets', changelog_site.kvadmin.fields.LinesField(blank=True, default=list, verbose_name='tweets')),
                ('post', models.TextField(blank=True, null=True, verbose_name='post')),
                ('hashtags', changelog_site.kvadmin.fields.LinesField(blank=True, default=list, verbose_name='hashtags')),
                ('tone', models.CharField(blank=True, max_length=100, null=True, verbose_name='tone')),
                ('createdAt', models.DateTimeField(verbose_name='createdAt')),
            ],
            options={
                'verbose_name': 'social post',
                'verbose_name_plural': 'social posts',
                'db_table': 'kvadmin_socialpost',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
    ]
