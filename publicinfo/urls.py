from django.urls import path

from . import views

app_name = "publicinfo"
urlpatterns = [
    # Swedish slugs under the public list's own address.
    path("socialamedier/tillganglighet", views.statement, name="statement"),
    path("socialamedier/tillganglighet/andra/", views.statement_edit, name="statement_edit"),
    # The citizen's check as JSON (R16), under the public list's address as the issue names it.
    path("socialamedier/verify", views.verify, name="verify"),
]
