from django.urls import path

from . import public_views

app_name = "public"
urlpatterns = [
    path("socialamedier", public_views.public_list, name="list"),
    path("socialamedier.json", public_views.public_json, name="json"),
    path("socialamedier.csv", public_views.public_csv, name="csv"),
]
