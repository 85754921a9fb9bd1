from django.urls import path

from .views import queue, selfcheck

app_name = "review"
urlpatterns = [
    # The review queue of the scheduled checks (R6, R15, R19).
    path("granskning/", queue.review_queue, name="queue"),
    # R15: closing an account from its flag asks for confirmation and the reason first.
    path("granskning/<int:pk>/avsluta/", queue.flag_close_account, name="flag_close"),
    path("granskning/<int:pk>/<str:action>/", queue.flag_action, name="flag_action"),
    # The yearly self-check (R4, R5, R7, R8, R9).
    path("konton/<int:pk>/egenkontroll/", selfcheck.self_check, name="self_check"),
]
