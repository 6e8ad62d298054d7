"""Drop the ledger's single-column index on actor.

Every append maintained two indexes on ``actor``; ``ledger_actor_idx`` (actor,
sequence) already serves lookups by actor and the foreign key's checks.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0003_ledger_scope_chains_and_seals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_index=False, help_text='Users who acted are never deleted (deactivate them instead).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
