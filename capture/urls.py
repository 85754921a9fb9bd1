from django.urls import path

from . import views

app_name = "capture"
urlpatterns = [
    # An account's archive (R3), under the account's own address.
    path("konton/<int:pk>/arkiv/", views.archive, name="archive"),
    path("konton/<int:pk>/arkiv/<int:item_pk>/", views.item_detail, name="item"),
    path("konton/<int:pk>/arkiv/<int:item_pk>/media/<int:media_pk>/", views.media_file, name="media"),
    # Its connections to the platform.
    path("konton/<int:pk>/anslut/", views.connect, name="connect"),
    path("konton/<int:pk>/anslutningar/<int:connection_pk>/nytt-token/", views.renew, name="renew"),
    path("konton/<int:pk>/anslutningar/<int:connection_pk>/ta-bort/", views.remove, name="remove"),
    # A snapshot of the account's profile now (R4, R5, R9).
    path("konton/<int:pk>/profil/ogonblicksbild/", views.profile_snapshot, name="profile_snapshot"),
    # Everything captured, across accounts.
    path("arkiv/sok/", views.search, name="search"),
]
