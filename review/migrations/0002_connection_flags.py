"""The connection flags (R3, issue 18): a connection the platform stopped, a token that ends soon;
the queue's partial index follows their place in review.flags.FLAG_SEVERITY."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0022_decision_role_code'),
        ('review', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='reviewflag',
            name='flag_queue_order',
        ),
        migrations.AlterField(
            model_name='reviewflag',
            name='kind',
            field=models.CharField(choices=[('inactive_6_months', 'Inactive for more than six months'), ('posting_shortfall', 'Fewer than one post a week'), ('no_active_editor', 'No editor with a mandate'), ('mandate_expiring', 'Mandate ending soon'), ('criminal_not_reported', 'Criminal content not reported to the police'), ('inquiry_overdue', 'Question not answered in time'), ('self_check_overdue', 'Yearly self-check overdue'), ('self_check_no', 'Self-check answered no'), ('connection_broken', 'The connection to the platform has stopped'), ('token_expiring', 'Token expires soon')], max_length=30, verbose_name='kind'),
        ),
        migrations.AddIndex(
            model_name='reviewflag',
            index=models.Index(models.Case(models.When(kind='criminal_not_reported', then=models.Value(0)), models.When(kind='inactive_6_months', then=models.Value(1)), models.When(kind='inquiry_overdue', then=models.Value(2)), models.When(kind='connection_broken', then=models.Value(3)), models.When(kind='no_active_editor', then=models.Value(4)), models.When(kind='self_check_no', then=models.Value(5)), models.When(kind='posting_shortfall', then=models.Value(6)), models.When(kind='self_check_overdue', then=models.Value(7)), models.When(kind='mandate_expiring', then=models.Value(8)), models.When(kind='token_expiring', then=models.Value(9)), default=models.Value(10), output_field=models.IntegerField()), models.OrderBy(models.F('raised_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('status__in', ['open', 'acknowledged'])), name='flag_queue_order'),
        ),
    ]
