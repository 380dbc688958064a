"""What editors see: the example workspace run through every job that writes a page, in one
language, and its pages put on a real MediaWiki (tests/mediawiki.py) to be rendered there.

Shared by ``tests/integration/test_rendering.py`` (which checks the HTML MediaWiki makes of each
page) and ``scripts/screenshots.py`` (which shows the same pages in a headless Chromium).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wikibot.adapters.workspace import LocalPageStore
from wikibot.cli import main
from wikibot.settings import init_workspace

if TYPE_CHECKING:
    from tests.mediawiki import MediaWiki

LANGUAGES = ("en", "ar", "fr")  # English, a right-to-left language, and one more
TODAY = dt.date(2026, 11, 21)
# The pages every language shows, with a name for their screenshot.
SHOWN = {
    "Hubs/Registry": "registry-hubs",
    "Partnerships/Registry": "registry-partnerships",
    "Organizations/Registry": "registry-organizations",
    "Wikimedia CEE Hub": "status-hub",
    "FindingGLAMs": "status-partnership",
    "Registry/Sync report": "sync-report",
    "Registry/Bot status": "heartbeat",
    "Registry/Coverage": "coverage",
}


def _wikibot(*args: str) -> str:
    out = io.StringIO()
    code = main(list(args), out=out)
    if code not in (0, 1):
        raise RuntimeError(f"wikibot {' '.join(args)} exited {code}: {out.getvalue()[-2000:]}")
    return out.getvalue()


def build_workspace(root: Path, language: str) -> Path:
    """The bundled example workspace in ``[wiki] language = language``, after every job that writes a
    page: templates installed, bootstrap, sync (report page, heartbeat), status boxes, coverage."""
    workspace = root / f"workspace-{language}"
    init_workspace(workspace)
    config = workspace / "wikibot.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[wiki]\nlanguage = "{language}"\n', encoding="utf-8")
    today = TODAY.isoformat()
    for command in (["templates"], ["bootstrap"], ["sync"], ["status", "--today", today],
                    ["coverage", "--publish", "--today", today]):
        _wikibot(*command, "--workspace", str(workspace))
    return workspace


def workspace_pages(workspace: Path) -> dict[str, str]:
    """Every page of the workspace: title -> text."""
    store = LocalPageStore(workspace)
    found = store.fetch_pages(store.titles())
    return {title: page.text for title, page in found.items() if page is not None}


def publish(wiki: MediaWiki, pages: dict[str, str]) -> None:
    """Every page saved on the wiki (as the bot), templates first; then every page purged, so that
    links to pages saved after it show as the blue links they are."""
    store = wiki.page_store()
    current = store.fetch_pages(list(pages))
    for title in sorted(pages, key=lambda t: (not t.startswith("Template:"), t)):
        store.save_page(title, pages[title], base=current[title], summary="wikibot tests: what editors see")
    body = urllib.parse.urlencode({"action": "purge", "titles": "|".join(pages), "forcelinkupdate": "1",
                                   "format": "json"}).encode()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(wiki.api_url, data=body, timeout=60) as response:
        response.read()


def rendered(wiki: MediaWiki, title: str) -> str:
    """The HTML MediaWiki makes of ``title`` (``action=parse``)."""
    answer = wiki.api(action="parse", page=title, prop="text", disablelimitreport="1")
    if "error" in answer:
        raise AssertionError(f"{title}: {answer['error']}")
    return str(answer["parse"]["text"])


@dataclass(frozen=True)
class Link:
    href: str
    css: str
    text: str


def links(html: str) -> list[Link]:
    return [Link(urllib.parse.unquote(m.group("href")), m.group("class") or "", re.sub(r"<[^>]+>", "", m.group("text")))
            for m in re.finditer(r'<a (?:[^>]*?class="(?P<class>[^"]*)")?[^>]*?href="(?P<href>[^"]*)"[^>]*>'
                                 r"(?P<text>.*?)</a>", html, re.DOTALL)]


def red_template_links(html: str) -> list[str]:
    """Links to templates that do not exist (a template missing on the wiki)."""
    return [link.href for link in links(html) if "redlink=1" in link.href and "Template:" in link.href]


def empty_paragraphs(html: str) -> list[str]:
    """Paragraphs with nothing to read (what a stray blank line in a table leaves)."""
    return re.findall(r"<p>(?:\s|<br\s*/?>)*</p>", html)


def headers(html: str) -> list[str]:
    """The text of every table header cell."""
    return [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<th[^>]*>(.*?)</th>", html,
                                                                                     re.DOTALL)]


def captions(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<caption[^>]*>(.*?)</caption>",
                                                                                      html, re.DOTALL)]
