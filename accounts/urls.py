from django.urls import path

from .views import lifecycle, mandates, people, registry

app_name = "accounts"
urlpatterns = [
    # The registry.
    path("konton/", registry.account_list, name="list"),
    path("konton/<int:pk>/", registry.account_detail, name="detail"),
    path("konton/<int:pk>/redigera/", registry.account_edit, name="edit"),
    # An account's lifecycle (R11, R13, R14, R15).
    path("konton/ny/", lifecycle.account_request, name="request"),
    path("konton/<int:pk>/chefens-beslut/", lifecycle.manager_decision, name="manager_decision"),
    path("konton/<int:pk>/kommunikationsavdelningens-beslut/", lifecycle.comms_decision, name="comms_decision"),
    path("konton/<int:pk>/aktivera/", lifecycle.account_activate, name="activate"),
    path("konton/<int:pk>/avsluta/", lifecycle.account_close, name="close"),
    # Mandates (R10).
    path("konton/<int:pk>/uppdrag/nytt/", mandates.mandate_grant, name="mandate_grant"),
    path("uppdrag/", mandates.mandate_list, name="mandate_list"),
    path("uppdrag/<int:pk>/aterkalla/", mandates.mandate_revoke, name="mandate_revoke"),
    # People and their trainings (R14).
    path("personer/<int:pk>/", people.person_detail, name="person"),
    path("utbildningar/ny/", people.training_create, name="training_create"),
]
