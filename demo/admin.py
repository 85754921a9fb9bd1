"""What a database holds when it is not real (written by seed_demo and seed_bench): read-only."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import DatasetMarker


@admin.register(DatasetMarker)
class DatasetMarkerAdmin(ReadOnlyAdmin):
    list_display = ["kind", "created_at", "parameters"]
