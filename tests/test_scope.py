"""Out-of-scope users get the same 404 as for a missing row, by page and by API, read and write."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from nhandao.api import api
from nhandao.orgs import services
from nhandao.orgs.models import RoleAssignment
from tests.conftest import login
from tests.scope_registry import API, PAGES, PUBLIC

pytestmark = pytest.mark.django_db


def _patterns_with_ids() -> list[str]:
    names: list[str] = []

    def walk(patterns: list, prefix: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api-v1":
                    continue  # API paths are walked from the OpenAPI schema below
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name and "<" in prefix + str(p.pattern):
                names.append(p.name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


def _api_paths_with_ids() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(p for p in schema["paths"] if "{" in p)


def test_every_page_with_an_id_is_registered():
    pages = _patterns_with_ids()
    missing = [n for n in pages if n not in PAGES and n not in PUBLIC]
    assert pages, "no URL pattern with an id was found"
    assert missing == [], f"register these pages in tests/scope_registry.py: {missing}"


def test_public_pages_open_without_login(client, tree, people):
    """Pages meant for anyone answer without a session (their content is tested in their app)."""
    for name, maker in PUBLIC.items():
        url = reverse(name, kwargs=maker(tree, people))
        assert client.get(url).status_code == 200, f"GET {name} {url}"


def test_every_api_path_with_an_id_is_registered():
    paths = _api_paths_with_ids()
    missing = [p for p in paths if p not in API]
    assert paths
    assert missing == [], f"register these API paths in tests/scope_registry.py: {missing}"


@pytest.mark.parametrize("who", ["clerk", "hn_admin"])
def test_out_of_scope_pages_answer_404_for_read_and_write(client, tree, people, who):
    login(client, getattr(people, who))
    for name, maker in PAGES.items():
        kwargs = maker(tree, people)
        url = reverse(name, kwargs=kwargs)
        missing = reverse(name, kwargs=dict.fromkeys(kwargs, 987654321))
        read = client.get(url).status_code
        # POST-only actions answer 405 to GET, the same for a missing row: nothing leaks.
        assert read == client.get(missing).status_code, f"GET {name} {url}"
        assert read in (404, 405), f"GET {name} {url}: {read}"
        assert client.post(url, {"name": "x"}).status_code == 404, f"POST {name} {url}"


def test_missing_rows_answer_the_same_404(client, tree, people):
    login(client, people.hn_admin)
    for name, maker in PAGES.items():
        kwargs = dict.fromkeys(maker(tree, people), 987654321)
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_in_scope_pages_are_reachable(client, tree, people):
    """The other side of the coin: the same pages open for a user whose scope holds the object."""
    login(client, people.outsider)
    url = reverse("unit_detail", kwargs={"pk": tree.vinh_linh.pk})
    assert client.get(url).status_code == 200


def test_out_of_scope_api_paths_answer_404(client, tree, people):
    assignment = RoleAssignment.objects.get(user=people.hn_admin)
    _token, raw = services.token_create(actor=people.hn_admin, assignment=assignment, name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    schema_paths = api.get_openapi_schema()["paths"]
    for path, maker in API.items():
        url = "/api/v1" + path.removeprefix("/api/v1")
        for key, value in maker(tree, people).items():
            url = url.replace("{" + key + "}", str(value))
        assert not re.search(r"{\w+}", url), url
        # A POST-only action answers 405 to GET whatever the id: nothing leaks.
        read = 404 if "get" in schema_paths.get(path, {"get": {}}) else 405
        assert client.get(url, headers=headers).status_code == read, url
        # django-ninja reads a POST body before the view looks the id up: an empty POST may
        # answer 400/422, the same for a missing id (a valid body out of scope gets 404).
        missing = re.sub(r"/\d+(?=/|$)", "/987654321", url)
        wrote = client.post(url, headers=headers).status_code
        assert wrote == client.post(missing, headers=headers).status_code, url
        assert wrote in (400, 404, 405, 422), url


def test_out_of_scope_ids_in_list_filters_answer_404(client, tree, people):
    login(client, people.clerk)
    response = client.get("/api/v1/units", {"parent": tree.quang_tri.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "99999999999999999999", "1%20OR%201=1"])
def test_malformed_ids_are_rejected_without_error(client, tree, people, bad):
    login(client, people.hn_admin)
    assert client.get(f"/units/{bad}/").status_code == 404
    assert client.get(f"/api/v1/units/{bad}").status_code in (404, 422)
