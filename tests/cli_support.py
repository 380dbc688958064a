"""Running the ``wikibot`` command in the test process, as a user would from a shell."""

from __future__ import annotations

import io

from wikibot.cli import main


def run(*args: str) -> tuple[int, str]:
    """``wikibot ARGS...``: its exit code and what it printed on stdout."""
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()
