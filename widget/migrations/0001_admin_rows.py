# The admin's row models of this app's Redis collections (docs/admin.md): unmanaged, no table.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='WidgetConfig',
            fields=[
                ('key', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='key')),
                ('id', models.TextField(verbose_name='id')),
                ('userId', models.TextField(verbose_name='userId')),
                ('repoId', models.TextField(verbose_name='repoId')),
                ('colors', models.JSONField(blank=True, verbose_name='colors')),
                ('position', models.CharField(blank=True, choices=[('bottom-right', 'bottom-right'), ('bottom-left', 'bottom-left'), ('top-right', 'top-right'), ('top-left', 'top-left')], max_length=100, verbose_name='position')),
                ('size', models.CharField(blank=True, choices=[('small', 'small'), ('medium', 'medium'), ('large', 'large')], max_length=100, verbose_name='size')),
                ('options', models.JSONField(blank=True, verbose_name='options')),
                ('impressions', models.BigIntegerField(blank=True, verbose_name='impressions')),
                ('clicks', models.BigIntegerField(blank=True, verbose_name='clicks')),
                ('createdAt', models.DateTimeField(blank=True, verbose_name='createdAt')),
                ('updatedAt', models.DateTimeField(blank=True, verbose_name='updatedAt')),
            ],
            options={
                'verbose_name': 'widget',
                'verbose_name_plural': 'widgets',
                'db_table': 'kvadmin_widgetconfig',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
    ]
