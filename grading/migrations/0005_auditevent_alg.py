from django.db import migrations, models


class Migration(migrations.Migration):
    """Keyed audit hashes. The rows already in the chain were hashed with plain SHA-256: they
    get ``alg = 'sha256'`` and are verified as before; rows appended from now on default to
    HMAC-SHA256. No row is re-hashed."""

    dependencies = [
        ('grading', '0004_feedback'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='alg',
            field=models.CharField(choices=[('sha256', 'SHA-256 (legacy, unkeyed)'), ('hmac-sha256', 'HMAC-SHA256')], default='sha256', editable=False, max_length=20),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='alg',
            field=models.CharField(choices=[('sha256', 'SHA-256 (legacy, unkeyed)'), ('hmac-sha256', 'HMAC-SHA256')], default='hmac-sha256', editable=False, max_length=20),
        ),
    ]
