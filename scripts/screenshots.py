#!/usr/bin/env python3
"""Screenshots of what editors see: every page the bot writes, from the example workspace, in
English, Arabic and French, as a real MediaWiki 1.39 shows them in a headless Chromium.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/<language>-<page>.png

For each language: the bundled example workspace with ``[wiki] language`` set, after every job that
writes a page (templates, bootstrap, sync, status, coverage --publish; tests/rendering_support.py),
its pages saved on a private MediaWiki (tests/mediawiki.py: Debian's mediawiki, php-cli,
php-sqlite3, served on 127.0.0.1), then each page shot by Debian's ``chromium``
(``scripts/setup --test`` installs them as root).  Nothing but 127.0.0.1 is reached.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import mediawiki as mw  # noqa: E402  (the suite's MediaWiki harness)
from tests import rendering_support as rs  # noqa: E402

TARGET = ROOT / "docs" / "screenshots"
BROWSERS = ("chromium", "chromium-browser")
SIZE = "1280,1400"


def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("screenshots: no chromium (Debian package chromium; scripts/setup --test installs it as root)")


def shoot(chromium: str, url: str, out: Path, profile: Path) -> None:
    result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             f"--user-data-dir={profile}", "--no-first-run", "--disable-extensions",
                             f"--window-size={SIZE}", f"--screenshot={out}", url],
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if result.returncode != 0 or not out.is_file():
        raise SystemExit(f"screenshots: chromium failed on {url}: {result.stderr[-1000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="*", default=list(rs.LANGUAGES))
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    missing = mw.missing_components()
    if missing:
        raise SystemExit("screenshots: missing " + ", ".join(missing))
    chromium = browser()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wikibot-screenshots-") as temp:
        root = Path(temp)
        template = mw.install(root / "template")
        for language in args.languages:
            pages = rs.workspace_pages(rs.build_workspace(root, language))
            with mw.running(template, root / f"wiki-{language}") as wiki:
                rs.publish(wiki, pages)
                for title, name in rs.SHOWN.items():
                    url = f"{wiki.url}/index.php?title={urllib.parse.quote(title.replace(' ', '_'))}"
                    out = args.out / f"{language}-{name}.png"
                    shoot(chromium, url, out, root / "profile")
                    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
