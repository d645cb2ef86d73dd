"""A real browser for the tests: Debian's chromium (`apt-get install -y chromium`) driven by Playwright, because
Playwright's own browsers cannot be downloaded here. Tests that need it are marked `needs_chromium` and skip,
with the reason shown, where it is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)")
# No sandbox (containers and CI runners have no user namespaces), no GPU, and nothing that would call home.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")
# A camera that needs no hardware and no permission prompt: Chromium's test pattern, or frames from a file.
FAKE_CAMERA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")

# Collects the Content-Security-Policy violations of a page in `window.violations`, for a test to read.
WATCH_CSP = ("window.violations = []; document.addEventListener('securitypolicyviolation', "
             "e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));")


@contextmanager
def chromium(*extra_flags: str) -> Iterator[Browser]:
    """Chromium, headless, until the block ends."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "mark the test with needs_chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*FLAGS, *extra_flags])
        try:
            yield browser
        finally:
            browser.close()
