from django.urls import path

from .views import cases, inquiries, legal, removals

app_name = "moderation"
urlpatterns = [
    path("", cases.moderation_index, name="index"),
    # Removed content, its evidence and the police report (R21, R22).
    path("konto/<int:account_pk>/arenden/nytt/", cases.case_create, name="case_create"),
    path("arenden/<int:pk>/", cases.case_detail, name="case"),
    path("arenden/<int:pk>/bevis/", cases.evidence_upload, name="evidence_upload"),
    path("arenden/<int:pk>/borttaget/", cases.case_mark_removed, name="case_removed"),
    path("arenden/<int:pk>/polisanmalan/", cases.case_police_report, name="case_police_report"),
    path("arenden/<int:pk>/inte-brottsligt/", cases.case_not_criminal, name="case_not_criminal"),
    path("bevis/<int:pk>/", cases.evidence_file, name="evidence_file"),
    path("bevis/<int:pk>/intyga/", cases.evidence_attest, name="evidence_attest"),
    # Removed on the platform: what a sync no longer finds or the account hid, explained (R21, R22).
    path("borttaget-pa-plattformen/", removals.removal_list, name="removals"),
    path("konto/<int:account_pk>/borttaget-pa-plattformen/", removals.removal_list, name="account_removals"),
    path("borttaget-pa-plattformen/<int:pk>/", removals.removal_explain, name="removal_explain"),
    # Questions and the 24-hour rule (R20).
    path("konto/<int:account_pk>/fragor/", inquiries.inquiry_list, name="inquiries"),
    path("fragor/<int:pk>/", inquiries.inquiry_detail, name="inquiry"),
    # The legal basis of posts with personal data (R23).
    path("konto/<int:account_pk>/rattslig-grund/", legal.legal_list, name="legal_bases"),
    path("rattslig-grund/<int:pk>/", legal.legal_detail, name="legal_basis"),
    path("rattslig-grund/<int:pk>/bevis/", legal.legal_evidence_upload, name="legal_evidence_upload"),
]
