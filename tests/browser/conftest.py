"""Browser tests: headless Debian chromium driven by Playwright against pytest-django's live server.

* One chromium per test process (session scope), a fresh context (cookies, storage) per test.
* The live server needs a transactional database: every test starts from an empty database, so
  the default roles (seeded by a data migration, wiped by each flush) are seeded again before the
  tree is built, and once more after each test so that later tests in the same process find the
  database as the migrations left it.
* The live server answers one request at a time. On SQLite its threads share the test's single
  in-memory connection; two requests at once (a redirect still running when the test opens the
  next page) would open a transaction inside the other's ("cannot start a transaction within a
  transaction") and lose a session save as an HTTP 400.
* Every test fails if the page raised a JavaScript error, logged a console error (e.g. a
  Content-Security-Policy violation) or got a 4xx/5xx answer (page, asset or htmx request) that
  the test did not declare with ``page.problems.expect_status``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterable, Iterator

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.plugin import blocking_manager_key

from nhandao.orgs.models import Role, User
from nhandao.orgs.permissions import DEFAULT_ROLES
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("NHANDAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


class OneAtATime:
    """A WSGI application that runs the wrapped one for one request at a time, body included
    (a streamed body may still read the database)."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        with self.lock:
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()


class SerialWSGIServer(ThreadedWSGIServer):
    """Django's threaded live server (a thread per connection, so kept-alive connections do not
    block each other) whose requests take turns."""

    def set_app(self, application) -> None:
        super().set_app(OneAtATime(application))


# pytest-django builds its session-wide live server from this class when the first browser test
# asks for it, after this module is imported.
LiveServerThread.server_class = SerialWSGIServer


def seed_roles() -> None:
    """What the data migrations do: the default roles (orgs/0002) and beneficiary groups
    (beneficiaries/0003), kept as they are if present."""
    from nhandao.beneficiaries.groups import DEFAULT_GROUPS
    from nhandao.beneficiaries.models import BeneficiaryGroup

    for spec in DEFAULT_ROLES:
        Role.objects.get_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )
    for rank, (code, name, sensitive) in enumerate(DEFAULT_GROUPS, 1):
        BeneficiaryGroup.objects.get_or_create(
            code=code, defaults={"name": name, "sensitive": sensitive, "rank": rank * 10}
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    # The flush at the end of a transactional test removed the migration-seeded roles; put
    # them back unless the test database itself has just been torn down (last test).
    if nextitem is not None and "live_server" in getattr(item, "fixturenames", ()):
        with item.config.stash[blocking_manager_key].unblock():
            seed_roles()
            # Leave no connection open behind (as Django's own test teardown does): with
            # CONN_MAX_AGE it would outlive the session and block DROP DATABASE on PostgreSQL.
            for connection in connections.all(initialized_only=True):
                connection.close()
    return result


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is not installed: run `make browser-deps` (Debian packages chromium and "
            "chromium-driver), or skip these tests locally with -m 'not browser'."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread; Django would take the test's
    # own ORM calls for calls from async code. They are not: allow them while chromium runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The live server's base URL, on a database holding the default roles."""
    seed_roles()
    return live_server.url


@pytest.fixture
def tree(site, tree):  # the shared tree of tests/conftest.py, on the live server's database
    return tree


class PageProblems:
    """What went wrong in the page; a test may declare the error answers it provokes."""

    def __init__(self, site: str) -> None:
        self.site = site
        self.items: list[str] = []
        self.expected: set[tuple[int, str]] = set()

    def add(self, text: str) -> None:
        self.items.append(text)

    def expect_status(self, status: int, path: str) -> None:
        self.expected.add((status, self.site + path))

    def response(self, response) -> None:
        if response.status < 400 or not response.url.startswith(self.site):
            return
        if (response.status, response.url) in self.expected:
            return
        self.add(f"HTTP {response.status} {response.request.method} {response.url}")

    def console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs every 4xx/5xx as a console error; those the test expects are fine.
        if any(message.location.get("url") == url for _status, url in self.expected):
            return
        self.add(f"console {message.type}: {message.text}")


@pytest.fixture
def page(browser, site: str) -> Iterator:
    context = browser.new_context(base_url=site, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    # Chromium asks for /favicon.ico on its own, at any moment: answer it without Django so that
    # no request runs while the test itself uses the (shared, in-memory SQLite) connection.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    problems = PageProblems(site)
    page.on("pageerror", lambda exc: problems.add(f"JavaScript error: {exc}"))
    page.on("console", problems.console)
    page.on("response", problems.response)
    page.problems = problems  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        # Let the last requests finish before the flush that ends the test: a request still
        # running on the live server's thread would write through the shared connection into
        # the flush's transaction (a session or audit row whose user is gone: a foreign-key
        # failure at its commit).
        from playwright.sync_api import Error as PlaywrightError

        with contextlib.suppress(PlaywrightError):
            page.wait_for_load_state("networkidle", timeout=10_000)
        context.close()
    assert not problems.items, "the browser saw problems:\n" + "\n".join(problems.items)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    # Wait for the answer (and its redirect) itself: the page already shown counts as loaded.
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)
