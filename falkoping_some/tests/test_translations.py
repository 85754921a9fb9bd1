"""The UI speaks Swedish: every string is translated, and the compiled catalogue is current."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_swedish_translation():
    po = polib.pofile(str(PO))
    assert not [e.msgid for e in po.untranslated_entries()]
    assert not [e.msgid for e in po.fuzzy_entries()]


def test_compiled_catalogue_matches_the_source():
    """django.mo is committed (a newcomer needs no gettext tools): it must say what django.po says."""
    po = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.pofile(str(PO)) if not e.obsolete}
    mo = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(PO.with_suffix(".mo")))}
    mo.pop((None, ""), None)  # the header
    assert po == mo, "run: python manage.py compilemessages"


@pytest.mark.django_db
class TestLanguage:
    def test_swedish_by_default_whatever_the_browser_asks(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.get(reverse("accounts:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert '<html lang="sv">' in response.text
        assert "Konton i sociala medier" in response.text

    def test_english_when_chosen_with_the_switch(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:list")})
        assert response.status_code == 302
        page = client.get(reverse("accounts:list"))
        assert '<html lang="en">' in page.text
        assert "Social media accounts" in page.text
