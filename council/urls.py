from django.urls import path

from .views import attendance, feed, meetings

app_name = "council"
urlpatterns = [
    path("", meetings.council_index, name="index"),
    # Meetings: planned, published, moved and cancelled by comms (R17).
    path("moten/nytt/", meetings.meeting_create, name="meeting_create"),
    path("moten/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("moten/<int:pk>/andra/", meetings.meeting_edit, name="meeting_edit"),
    path("moten/<int:pk>/publicera/", meetings.meeting_publish, name="meeting_publish"),
    path("moten/<int:pk>/stall-in/", meetings.meeting_cancel, name="meeting_cancel"),
    path("moten/<int:pk>/kalender.ics", feed.meeting_ics, name="meeting_ics"),
    # Answers: on the page, or from the email's link (R24).
    path("moten/<int:pk>/svar/", meetings.respond, name="respond"),
    path("svar/<str:token>/", meetings.respond_by_token, name="respond_by_token"),
    # After the meeting: attendance and minutes.
    path("moten/<int:pk>/narvaro/", attendance.attendance_record, name="attendance"),
    path("moten/<int:pk>/protokoll/", attendance.minutes_edit, name="minutes"),
    path("moten/<int:pk>/bilagor/", attendance.attachment_upload, name="attachment_upload"),
    path("bilagor/<int:pk>/", attendance.attachment_file, name="attachment_file"),
    path("narvaro/", attendance.attendance_table, name="attendance_table"),
    # The personal calendar feed.
    path("kalender/", feed.feed_settings, name="feed_settings"),
    path("kalender/fornya/", feed.feed_renew, name="feed_renew"),
    path("kalender/<str:token>.ics", feed.feed, name="feed"),
]
