from django.urls import path

from .views import audit, disposal, exports, final_archive

app_name = "records"
urlpatterns = [
    # An account's audit trail (R3: who decided what).
    path("konton/<int:pk>/handelselogg/", audit.account_audit, name="audit"),
    # Public records (R3): the records export.
    path("arkiv/", exports.records_index, name="index"),
    path("arkiv/export/ny/", exports.export_create, name="export_create"),
    path("arkiv/export/<int:pk>/", exports.export_detail, name="export_detail"),
    path("arkiv/export/<int:pk>/fil/", exports.export_download, name="export_download"),
    # Issue 19: the final archive of an account before it is closed (R3, R15, R25).
    path("konton/<int:pk>/slutarkivera/", final_archive.final_archive_start, name="final_archive_start"),
    path("arkiv/slutarkiv/<int:pk>/", final_archive.final_archive_detail, name="final_archive_detail"),
    # Retention and disposal (R25).
    path("arkiv/gallring/", disposal.disposal_list, name="disposal_list"),
    path("arkiv/gallring/<int:pk>/", disposal.disposal_detail, name="disposal_detail"),
]
