from django.urls import path

from .views import activity, audit, disposal, lifecycle, mandates, people, records, registry, review, selfcheck

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
    path("konton/<int:pk>/handelselogg/", audit.account_audit, name="audit"),
    # Mandates (R10).
    path("konton/<int:pk>/uppdrag/nytt/", mandates.mandate_grant, name="mandate_grant"),
    path("uppdrag/", mandates.mandate_list, name="mandate_list"),
    path("uppdrag/<int:pk>/aterkalla/", mandates.mandate_revoke, name="mandate_revoke"),
    # People and their trainings (R14).
    path("personer/<int:pk>/", people.person_detail, name="person"),
    path("utbildningar/ny/", people.training_create, name="training_create"),
    # Weekly activity (R19).
    path("konton/<int:pk>/aktivitet/", activity.activity_log, name="activity_log"),
    path("aktivitet/import/", activity.activity_import, name="activity_import"),
    path("aktivitet/import/<int:pk>/", activity.activity_import_status, name="activity_import_status"),
    # The review queue of the scheduled checks (R6, R15, R19).
    path("granskning/", review.review_queue, name="review_queue"),
    # R15: closing an account from its flag asks for confirmation and the reason first.
    path("granskning/<int:pk>/avsluta/", review.flag_close_account, name="flag_close"),
    path("granskning/<int:pk>/<str:action>/", review.flag_action, name="flag_action"),
    # Public records (R3): the records export.
    path("arkiv/", records.records_index, name="records"),
    path("arkiv/export/ny/", records.export_create, name="export_create"),
    path("arkiv/export/<int:pk>/", records.export_detail, name="export_detail"),
    path("arkiv/export/<int:pk>/fil/", records.export_download, name="export_download"),
    # Retention and disposal (R25).
    path("arkiv/gallring/", disposal.disposal_list, name="disposal_list"),
    path("arkiv/gallring/<int:pk>/", disposal.disposal_detail, name="disposal_detail"),
    # The yearly self-check (R4, R5, R7, R8, R9).
    path("konton/<int:pk>/egenkontroll/", selfcheck.self_check, name="self_check"),
]
