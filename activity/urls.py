from django.urls import path

from . import views

app_name = "activity"
urlpatterns = [
    # Weekly activity (R19).
    path("konton/<int:pk>/aktivitet/", views.activity_log, name="log"),
    path("aktivitet/import/", views.activity_import, name="import"),
    path("aktivitet/import/<int:pk>/", views.activity_import_status, name="import_status"),
]
