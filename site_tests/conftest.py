"""The built website in headless Chromium: served on loopback, driven by Selenium.

Run after the build (`.ci/run` does): `pytest site_tests`. Needs Debian's
chromium, chromium-driver and fonts-noto-cjk; no browser is downloaded.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("D2L_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("D2L_CHROMEDRIVER", "/usr/bin/chromedriver")
# Chromium's own background traffic is refused on a closed network; these flags keep it quiet.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1200,900")


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ipynb": "application/json"}

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail("No built site in _build/html: run the README's build command first.")
    return SITE


@pytest.fixture(scope="session")
def server(site):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for tool in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: apt-get install chromium chromium-driver fonts-noto-cjk")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield Browser(driver)
    driver.quit()


class Browser:
    """A Selenium driver with what the tests read: console messages and requests of a visit."""

    def __init__(self, driver) -> None:
        self.driver = driver

    def visit(self, url: str, settle: float = 0.5, timeout: float = 20.0) -> dict:
        """Open ``url``, wait for the page and MathJax to finish, and return what happened."""
        self.driver.get_log("browser")
        self.driver.get_log("performance")
        self.driver.get(url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run("return document.readyState === 'complete' && (!window.MathJax || "
                        "!window.MathJax.startup || !window.MathJax.startup.promise || "
                        "window.__d2l_typeset === true)"):
                break
            self.run("if (window.MathJax && MathJax.startup && MathJax.startup.promise && "
                     "!window.__d2l_wait) { window.__d2l_wait = true; "
                     "MathJax.startup.promise.then(function () { window.__d2l_typeset = true; }); }")
            time.sleep(0.2)
        time.sleep(settle)
        requests = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                requests.append(message["params"]["request"]["url"])
        return {"console": self.driver.get_log("browser"), "requests": requests}

    def run(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def screenshot(self, name: str) -> Path:
        path = SCREENSHOTS / name
        self.driver.save_screenshot(str(path))
        return path
