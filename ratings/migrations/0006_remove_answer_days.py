from django.db import migrations


class Migration(migrations.Migration):
    """A participation and an answer of a check-in open over several days both kept the
    day: joined on (round, day), they named the author. Neither keeps a time now."""

    dependencies = [
        ("ratings", "0005_sealedanswer"),
    ]

    operations = [
        migrations.RemoveField(model_name="participation", name="day"),
        migrations.RemoveField(model_name="rating", name="day"),
        migrations.RemoveField(model_name="reflection", name="day"),
    ]
