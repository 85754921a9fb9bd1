from django.urls import path

from . import views

app_name = "publicinfo"
urlpatterns = [
    # Swedish slugs under the public list's own address.
    path("socialamedier/tillganglighet", views.statement, name="statement"),
    path("socialamedier/tillganglighet/andra/", views.statement_edit, name="statement_edit"),
]
