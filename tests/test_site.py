"""The built book as a reader meets it: every page opened in headless Chromium, offline.

`make test` builds the book into _build/html first; these tests serve it on localhost and
check, page by page, that the maths is typeset, every image loads, the console is clean, no
request fails or leaves localhost, and every sidebar link resolves. Screenshots of every
page, in the light and the dark theme, are saved under test-artifacts/screenshots/ (JPEG).

The tests need Chromium (Debian's `chromium`) and the built site. Without them they skip,
unless LOSSBOOK_REQUIRE_BROWSER=1 (set by .ci/run), which turns a skip into a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from conftest import ROOT

SITE = Path(os.environ.get("LOSSBOOK_SITE", ROOT / "_build" / "html"))
SHOTS = ROOT / "test-artifacts" / "screenshots"
REQUIRED = os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (LOSSBOOK_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


def _pages() -> list[str]:
    """Every page of the book, as paths relative to the site root."""
    if not SITE.is_dir():
        return []
    return sorted(p.relative_to(SITE).as_posix() for p in (SITE / "book").glob("*.html"))


@pytest.fixture(scope="module")
def server():
    """Serve _build/html on a free localhost port for the module's tests."""
    if not (SITE / "index.html").is_file():
        _unavailable("the built book is missing: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def browser():
    chromium = next(
        (
            found
            for name in ("chromium", "chromium-browser", "google-chrome")
            if (found := shutil.which(name))
        ),
        None,
    )
    if chromium is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api as sync_api
    except ImportError:
        _unavailable("Playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def _visit(browser, url: str, *, dark: bool = False):
    """Open one page; return (page, context, problems) with problems collected as strings."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme="dark" if dark else "light"
    )
    page = context.new_page()
    problems: list[str] = []
    host = urlparse(url).netloc

    def block_outside(route):
        if urlparse(route.request.url).netloc not in (host, ""):
            problems.append(f"request leaving localhost: {route.request.url}")
            route.abort()
        else:
            route.continue_()

    page.route("**/*", block_outside)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"),
    )
    page.goto(url, wait_until="load", timeout=60_000)
    # MathJax typesets asynchronously; wait until it says it is done.
    page.evaluate(
        "async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }"
    )
    return page, context, problems


@pytest.mark.parametrize("path", _pages() or ["book/intro.html"])
def test_page_renders_offline_in_light_and_dark(server, browser, path):
    page, context, problems = _visit(browser, urljoin(server, path))
    name = path.replace("/", "_").removesuffix(".html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        raw_math = page.evaluate(
            """() => [...document.querySelectorAll('.math')]
                   .filter(el => !el.querySelector('mjx-container'))
                   .map(el => el.textContent.slice(0, 60))"""
        )
        assert raw_math == [], f"maths left untypeset: {raw_math[:5]}"
        article = page.inner_text("article")
        for marker in ("$$", "\\(", "\\["):
            assert marker not in article, f"raw LaTeX delimiter {marker!r} in the text"
        broken_images = page.evaluate(
            """() => [...document.querySelectorAll('article img')]
                   .filter(img => !img.complete || img.naturalWidth === 0)
                   .map(img => img.src)"""
        )
        assert broken_images == [], f"images that did not load: {broken_images}"
        missing_alt = page.evaluate(
            """() => [...document.querySelectorAll('article figure img')]
                   .filter(img => !img.alt).map(img => img.src)"""
        )
        assert missing_alt == [], f"figures without alt text: {missing_alt}"
        page.screenshot(path=str(SHOTS / f"{name}-light.jpg"), full_page=True, quality=80)

        # The theme follows the system setting ("auto" mode): switch it to dark.
        page.emulate_media(color_scheme="dark")
        page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
        # Figures keep their opaque white background, so they stay readable on dark pages.
        transparent = page.evaluate(
            """() => [...document.querySelectorAll('article figure img')]
                   .filter(img => {
                       const c = document.createElement('canvas');
                       c.width = img.naturalWidth; c.height = img.naturalHeight;
                       const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                       return g.getImageData(1, 1, 1, 1).data[3] < 255;
                   }).map(img => img.src)"""
        )
        assert transparent == [], f"figures with a transparent background: {transparent}"
        page.screenshot(path=str(SHOTS / f"{name}-dark.jpg"), full_page=True, quality=80)
        assert problems == []
    finally:
        context.close()


# Laptop widths in CSS pixels, from a 1024 px tablet in landscape to a 1440 px notebook; in
# the band 1200-1372 px the page's own table of contents narrows the article, and
# book/_static/lossbook.css sets code smaller there.
WIDTHS = (1024, 1200, 1280, 1366, 1440)


@pytest.mark.parametrize("path", _pages() or ["book/intro.html"])
def test_visible_code_fits_without_scrolling_sideways(server, browser, path):
    """Visible code (79 columns at most) and outputs (which wrap) fit at laptop widths."""
    page, context, problems = _visit(browser, urljoin(server, path))
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            scrolling = page.evaluate(
                """() => [...document.querySelectorAll(
                       'div.cell:not(.tag_hide-input) div.cell_input pre,'
                       + 'div.cell div.cell_output pre')]
                       .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
                       .map(pre => pre.textContent.split('\\n')
                           .reduce((a, l) => (l.length > a.length ? l : a), ''))"""
            )
            assert scrolling == [], f"{width} px: code boxes scroll sideways: {scrolling[:3]}"
        assert problems == []
    finally:
        context.close()


def test_sidebar_links_resolve(server, browser):
    page, context, problems = _visit(browser, urljoin(server, "book/intro.html"))
    try:
        links = page.evaluate(
            "() => [...document.querySelectorAll('.bd-sidebar-primary a')].map(a => a.href)"
        )
        local = sorted({link.split("#")[0] for link in links if link.startswith(server)})
        assert len(local) >= 2, f"the sidebar lists too few pages: {local}"
        for link in local:
            response = page.request.get(link)
            assert response.status == 200, f"{link}: HTTP {response.status}"
        expected = {urljoin(server, p) for p in _pages()}
        assert expected <= set(local), f"pages missing from the sidebar: {expected - set(local)}"
        assert problems == []
    finally:
        context.close()


def test_every_chapter_has_a_page():
    """Each notebook under book/ listed in _toc.yml was built into a page."""
    if not SITE.is_dir():
        _unavailable("the built book is missing: run `make book` first")
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    listed = [
        line.split("file:")[1].strip()
        for line in toc.splitlines()
        if line.strip().startswith("- file:")
    ]
    assert listed, "_toc.yml lists no chapter"
    for entry in listed:
        assert (SITE / f"{entry}.html").is_file(), f"{entry} is in _toc.yml but was not built"


def test_api_page_documents_every_public_name():
    """book/api.md documents each public name of the loss library and of the toolkit, so a new
    function cannot go missing; every loss of the test registry is among them."""
    import lossbook
    from lossbook import book
    from losses_registry import LOSSES

    page = SITE / "book" / "api.html"
    if not page.is_file():
        _unavailable("the built book is missing: run `make book` first")
    html = page.read_text(encoding="utf-8")
    names = [f"lossbook.{n}" for n in lossbook.__all__]
    names += [f"lossbook.book.{n}" for n in book.__all__]
    names += [f"lossbook.{e.name}{twin}" for e in LOSSES for twin in ("", "_grad")]
    missing = [name for name in names if f'id="{name}"' not in html]
    assert missing == [], f"public names missing from the API page: {missing}"
