"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live server.

Where Chromium is missing the tests skip, unless REQUIRE_BROWSER=1 (set by .ci/run), which turns
the skip into a failure so CI cannot pass without running them.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    reason = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def live_server_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def screenshot_dir(tmp_path_factory):
    """Where browser tests leave screenshots (SCREENSHOT_DIR to keep them)."""
    path = os.environ.get("SCREENSHOT_DIR")
    if path:
        os.makedirs(path, exist_ok=True)
        return Path(path)
    return tmp_path_factory.mktemp("screenshots")
