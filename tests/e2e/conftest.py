"""Browser end-to-end tests: a real server in a thread, Debian's Chromium driven by Playwright.

Never a browser download: Playwright launches /usr/bin/chromium (installed by `make test`).
Screenshots of each step are written to tests/e2e/artifacts/ when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.extensions import db

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
               "--disable-quic", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _transaction() -> None:
    """The browser talks to a real server with its own database: no per-test rollback here."""


@pytest.fixture(autouse=True)
def _no_network() -> None:
    """The browser is a separate process; the server only talks to loopback anyway."""


@pytest.fixture(scope="session")
def live_server(live_app) -> str:
    return live_app.config["LMS_BASE_URL"]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The platform served on a free loopback port, on its own SQLite database with the demo data."""
    from flask_migrate import upgrade

    from lms.demo.seed import seed
    from tests.conftest import test_settings

    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app(test_settings(instance, f"sqlite:///{instance / 'e2e.sqlite3'}",
                                   TESTING=False, RATELIMIT_LOGIN="1000 per minute",
                                   RATELIMIT_LOGIN_ADDRESS="1000 per minute", RATELIMIT_PUBLIC="1000 per minute"))
    with app.app_context():
        upgrade()
        _load_shipped_data(app)
        seed()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LMS_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()


def _load_shipped_data(app) -> None:
    runner = app.test_cli_runner()
    for command in (["curricula", "load"], ["banks", "import"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run 'make test' (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield instance
        instance.close()


class Steps:
    """Takes a screenshot per step; they are kept only when the test fails."""

    def __init__(self, page: object, folder: Path):
        self.page, self.folder, self.n = page, folder, 0

    def __call__(self, name: str) -> None:
        self.n += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"), full_page=True)


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15000)
    folder = ARTIFACTS / request.node.name
    tab.steps = Steps(tab, folder)
    yield tab
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        with contextlib.suppress(Exception):  # the page may be gone; keep what we have
            tab.steps("failure")
    context.close()
    if not failed:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def open_page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """open_page(locale, javascript=True) -> another person's browser (own context), with screenshots kept on
    failure; ``javascript=False`` is a browser with scripts off."""
    contexts = []
    folder = ARTIFACTS / request.node.name

    def factory(locale: str = "ru-RU", javascript: bool = True) -> object:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                      java_script_enabled=javascript)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15000)
        tab.steps = Steps(tab, folder / f"person{len(contexts)}")
        return tab

    yield factory
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for context in contexts:
        if failed:
            for tab in context.pages:
                with contextlib.suppress(Exception):
                    tab.steps("failure")
        context.close()
    if not failed:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
