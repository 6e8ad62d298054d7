"""The fact-check's article (ClaimReview ``reviewBody``), which matching reads beside the
claim and headline. Existing rows get "" and keep their digest until imported again."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='factcheck',
            name='review_body',
            field=models.TextField(blank=True, help_text="The fact-check's article (reviewBody), cut to 20,000 characters."),
        ),
    ]
