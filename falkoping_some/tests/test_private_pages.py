"""Staff share computers: nothing a signed-in person was shown may be kept by the browser or by a
proxy on the way (`Cache-Control: private, no-store`), and the back button after signing out
shows no page of the portal. The personal calendar feed is sent the same way (council/views/feed.py)."""

import pytest
from django.urls import reverse


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["dashboard", "accounts:list", "council:feed_settings", "public:list", "public:json", "public:csv"]
)
def test_every_response_to_a_signed_in_person_is_private_and_not_stored(client, medarbetare, library_account, name):
    client.force_login(medarbetare)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert directives(response) == {"private", "no-store"}


@pytest.mark.django_db
def test_a_redirect_to_a_signed_in_person_is_not_stored_either(client, medarbetare):
    client.force_login(medarbetare)
    response = client.post(reverse("council:feed_renew"))
    assert response.status_code == 302
    assert directives(response) == {"private", "no-store"}


@pytest.mark.django_db
def test_what_anonymous_visitors_get_is_unchanged(client, library_account):
    assert directives(client.get(reverse("public:list"))) == {"public", "max-age=300"}
    assert {"no-store", "private"} <= directives(client.get(reverse("public:list"), {"konto": "@x"}))
