import uuid

import django.db.models.deletion
from django.db import migrations, models


def settle_closed_rounds(apps, schema_editor):
    """A round closed before sealing existed has its answers written already. A round
    still open keeps the answers it has (written the old way) and seals those that come."""
    Round = apps.get_model("ratings", "Round")
    Round.objects.filter(closed_at__isnull=False).update(settled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0004_participation_user_optional"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealedAnswer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("blob", models.BinaryField()),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="ratings.round",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="round",
            name="settled",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(settle_closed_rounds, migrations.RunPython.noop, elidable=True),
    ]
