# The admin's row models of this app's Redis collections (docs/admin.md): unmanaged, no table.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='User',
            fields=[
                ('id', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='id')),
                ('email', models.CharField(max_length=254, verbose_name='email')),
                ('plan', models.CharField(blank=True, choices=[('free', 'free'), ('pro', 'pro')], max_length=100, verbose_name='plan')),
                ('dodoCustomerId', models.TextField(blank=True, null=True, verbose_name='dodoCustomerId')),
                ('createdAt', models.DateTimeField(blank=True, verbose_name='createdAt')),
                ('location', models.CharField(blank=True, choices=[('in', 'in'), ('intl', 'intl')], max_length=100, null=True, verbose_name='location')),
            ],
            options={
                'verbose_name': 'user',
                'verbose_name_plural': 'users',
                'db_table': 'kvadmin_user',
                'managed': False,
                'default_permissions': ('change', 'delete', 'view'),
            },
        ),
    ]
