"""Vietnamese is the default whatever the browser says; the user's choice is remembered."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in response.content.decode()
    assert response.headers["Content-Language"] == "vi"


def test_the_chosen_language_is_used(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="vi">' in client.get(reverse("login")).content.decode()
