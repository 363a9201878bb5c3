"""Every page of the built site, as a reader without network and without CJK fonts sees it."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SITE

LOCAL = ("http://127.0.0.1:", "data:", "blob:", "file://", "about:")


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("chapters", []) + entry.get("sections", []))
    walk(toc.get("parts", []) + toc.get("chapters", []))
    return [f"{page}.html" for page in pages]


PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if p.startswith("chapters/") and (ROOT / p.replace(".html", ".ipynb")).is_file()]


@pytest.mark.parametrize("page", PAGES)
def test_page_is_self_contained_typeset_and_error_free(browser, server, page):
    seen = browser.visit(server + page)
    outside = [url for url in seen["requests"] if not url.startswith(LOCAL)]
    assert not outside, f"{page} loads from outside the site: {outside[:5]}"
    missing = [url for url in seen["requests"] if url.startswith(server) and
               not (SITE / url[len(server):].split("?")[0].split("#")[0]).exists()]
    assert not missing, f"{page} asks for files the site does not have: {missing[:5]}"
    errors = [entry["message"] for entry in seen["console"] if entry["level"] == "SEVERE"]
    assert not errors, f"{page}: console errors {errors[:3]}"
    text = browser.run("return document.querySelector('main').innerText")
    assert "\\(" not in text and "\\[" not in text, f"{page} shows raw TeX"
    untypeset = browser.run("return Array.from(document.querySelectorAll('span.math, div.math'))"
                            ".filter(e => !e.querySelector('mjx-container')).length")
    assert untypeset == 0, f"{page}: {untypeset} formulas were not typeset"
    broken = browser.run("return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                         ".map(i => i.src.slice(0, 80))")
    assert not broken, f"{page}: images that did not load: {broken}"


def test_chinese_renders_with_the_self_hosted_font(browser, server):
    seen = browser.visit(server + "chapters/15_pooling.html")
    assert any("/vendor/fonts/noto-sans-sc/files/" in url for url in seen["requests"]), (
        "the page did not load the self-hosted Noto Sans SC slices it needs")
    loaded = browser.run("return document.fonts.check('16px \"Noto Sans SC\"', '池化')")
    assert loaded, "Noto Sans SC did not load for 池化"


def explore_chapters() -> list[str]:
    return [p for p in CHAPTERS if "d2l-sweep" in (SITE / p).read_text()]


def test_every_explore_section_has_a_static_sweep():
    without = [p for p in CHAPTERS if "id=\"explore\"" in (SITE / p).read_text()
               and "d2l-sweep" not in (SITE / p).read_text()]
    assert not without, f"Explore sections without a static sweep: {without}"


@pytest.mark.parametrize("page", explore_chapters())
def test_the_static_slider_changes_the_frame_and_the_live_panel_renders(browser, server, page):
    from selenium.webdriver.common.keys import Keys

    browser.visit(server + page)
    sweeps = browser.driver.find_elements("css selector", ".d2l-sweep")
    assert sweeps, f"{page} has no static sweep"
    for sweep in sweeps:
        image = sweep.find_element("css selector", "img")
        slider = sweep.find_element("css selector", "input[type=range]")
        browser.run("arguments[0].scrollIntoView({block: 'center'})", slider)
        before = (image.get_attribute("data-frame"), image.get_attribute("src"))
        key = Keys.ARROW_LEFT if slider.get_attribute("value") == slider.get_attribute("max") else Keys.ARROW_RIGHT
        slider.send_keys(key)
        after = (image.get_attribute("data-frame"), image.get_attribute("src"))
        assert after[0] != before[0] and after[1] != before[1], f"{page}: the slider did not change the frame"
    panels = browser.run("return document.querySelectorAll('.widget-interact, .jupyter-widgets.widget-container').length")
    assert panels > 0, f"{page}: the live panel did not render"


@pytest.mark.parametrize("query, chapter", [
    ("pooling", "15_pooling"), ("池化", "15_pooling"), ("卷积", "13_convolution"),
    ("丢弃法", "10_dropout"), ("dropout", "10_dropout"),
])
def test_search_finds_the_chapter(browser, server, query, chapter):
    browser.visit(server + f"search.html?q={query}")
    deadline = time.monotonic() + 15
    links: list[str] = []
    while time.monotonic() < deadline and not links:
        links = browser.run("return Array.from(document.querySelectorAll('#search-results a'))"
                            ".map(a => a.getAttribute('href'))")
        time.sleep(0.3)
    assert any(chapter in (link or "") for link in links), f"search for {query!r} gave {links[:8]}"


@pytest.mark.parametrize("page", CHAPTERS[:1] + CHAPTERS[-1:])
def test_colab_button_and_notebook_download(browser, server, page):
    browser.visit(server + page)
    notebook = page.replace(".html", ".ipynb")
    colab = browser.run("return Array.from(document.querySelectorAll('a'))"
                        ".map(a => a.href).filter(h => h.includes('colab.research.google.com'))")
    assert colab and all(href.endswith("/" + notebook) for href in colab), colab
    downloads = browser.run("return Array.from(document.querySelectorAll('a[href$=\".ipynb\"]'))"
                            ".map(a => [a.getAttribute('href'), a.getAttribute('download')])")
    assert downloads and all(name == Path(notebook).name for _, name in downloads), downloads


def test_dark_mode_keeps_figures_and_outputs_readable(browser, server):
    page = explore_chapters()[0] if explore_chapters() else CHAPTERS[0]
    browser.visit(server + page)
    browser.run("document.documentElement.dataset.theme = 'dark'")
    backgrounds = browser.run(
        "return Array.from(document.querySelectorAll('.cell_output img, .d2l-sweep'))"
        ".map(e => getComputedStyle(e).backgroundColor)")
    assert backgrounds and all(colour in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)") for colour in backgrounds)
    assert "rgb(255, 255, 255)" in backgrounds
    browser.screenshot("dark-mode.png")


def test_screenshots_of_three_pages(browser, server):
    for page, name in (("intro.html", "landing.png"), ("chapters/02_linear_algebra.html", "chapter.png"),
                       ("results.html", "results.png")):
        browser.visit(server + page)
        assert browser.screenshot(name).stat().st_size > 10_000


def test_the_offline_download_works_from_file(browser, site, tmp_path):
    link = re.search(r'href="([^"]+\.zip)"', (site / "intro.html").read_text())
    assert link, "the landing page links no zip of the book"
    archive = site / link.group(1)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path)
    index = next(tmp_path.glob("*/index.html"))
    page = index.parent / "chapters" / "02_linear_algebra.html"
    seen = browser.visit(page.as_uri(), settle=1.0)
    outside = [url for url in seen["requests"] if not url.startswith(LOCAL)]
    assert not outside, outside[:5]
    assert browser.run("return document.querySelectorAll('mjx-container').length") > 50
    assert browser.run("return document.querySelectorAll('.widget-interact, .widget-slider').length") > 0
