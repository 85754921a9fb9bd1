"""What kind of data a database holds: demo or benchmark data is never seeded over real data."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DatasetKind(models.TextChoices):
    DEMO = "demo", _("Demo data")
    BENCH = "bench", _("Benchmark data")


class DatasetMarker(models.Model):
    """Says that this database holds made-up data: `seed_demo` writes a "demo" marker, `seed_bench`
    a "bench" one. `seed_bench` fills only an empty database or one that carries a marker, so it
    never mixes its synthetic accounts into, or wipes, a database with real data."""

    kind = models.CharField(_("kind"), max_length=10, choices=DatasetKind.choices, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        db_table = "accounts_datasetmarker"  # moved here from accounts; the table kept its name
        verbose_name = _("dataset marker")
        verbose_name_plural = _("dataset markers")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
