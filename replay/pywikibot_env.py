"""pywikibot, isolated for the test process: a private PYWIKIBOT_DIR, sites registered at run time.

pywikibot reads its configuration once per process, when it is first imported.  Importing
this module points ``PYWIKIBOT_DIR`` at a private directory holding a ``user-config.py`` and
a password file (unless pywikibot is already imported), so that no test reads a developer's
own configuration or writes cookies and caches into the work tree.  Import pywikibot only
through ``import_pywikibot()``, and the live adapters lazily, for the same reason.

The private ``user-config.py`` names no real wiki: its default family ``offline`` points at
port 9 of 127.0.0.1, where nothing answers.  Each harness registers its own wiki at run time
(``register_site``): the replayed Wikibase (replay/wikibase.py) and the local
MediaWikis (mediawiki.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import wikibot

USER_AGENT_DESCRIPTION = f"wikibot/{wikibot.__version__} (tests)"
OFFLINE_API = "http://127.0.0.1:9/api.php"  # the discard port: a site nobody registered fails at once

_private_dir: Path | None = None


def pywikibot_dir() -> Path:
    """The private PYWIKIBOT_DIR of this test process (made on first use, removed at exit)."""
    global _private_dir
    if _private_dir is not None:
        return _private_dir
    base = Path(tempfile.mkdtemp(prefix="wikibot-pywikibot-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)  # after pywikibot's own exit handlers
    passwords = base / "user-password.py"
    passwords.write_text("# Written by replay/pywikibot_env.py; register_site adds a line per account.\n",
                         encoding="utf-8")
    passwords.chmod(0o600)
    (base / "user-config.py").write_text(
        "# Written by replay/pywikibot_env.py for this test process; sites are registered at run time.\n"
        "family = 'offline'\nmylang = 'offline'\n"
        f"family_files['offline'] = {OFFLINE_API!r}\n"
        "password_file = 'user-password.py'\n"
        "put_throttle = 0\nminthrottle = 0\n"
        "write_maxlag = 5  # pywikibot 11.8 renamed 'maxlag' to 'write_maxlag'\n"
        f"user_agent_description = {USER_AGENT_DESCRIPTION!r}\n",
        encoding="utf-8",
    )
    _private_dir = base
    return base


def password_file() -> Path:
    return pywikibot_dir() / "user-password.py"


def add_password(user: str, app: str, password: str) -> None:
    """A password-file line for ``user``'s BotPassword ``app`` (pywikibot reads the file at each login)."""
    line = f"({user!r}, BotPassword({app!r}, {password!r}))"
    path = password_file()
    lines = path.read_text(encoding="utf-8").splitlines()
    if line not in lines:
        path.write_text("\n".join([*lines, line]) + "\n", encoding="utf-8")


def isolate_pywikibot() -> Path:
    """Point PYWIKIBOT_DIR at this process's private directory, unless pywikibot is imported."""
    base = pywikibot_dir()
    if "pywikibot" not in sys.modules:
        os.environ["PYWIKIBOT_DIR"] = str(base)
    return base


def import_pywikibot() -> Any:
    """pywikibot, imported with the private PYWIKIBOT_DIR set first (if nobody imported it yet)."""
    isolate_pywikibot()
    import pywikibot  # type: ignore[import-untyped]

    return pywikibot


def register_site(family: str, api_url: str, *, user: str, app: str, password: str) -> None:
    """Make ``family`` a site pywikibot knows (``pywikibot.Site(family, family)`` opens it),
    logging in as ``user`` with the BotPassword ``app``/``password``.

    Process-wide, not undone by a test's monkeypatch: use a family name no other wiki uses,
    and ``unregister_site`` when the wiki goes away.
    """
    pywikibot = import_pywikibot()
    add_password(user, app, password)
    config = pywikibot.config
    config.family_files[family] = api_url
    config.usernames[family][family] = user
    config.password_file = str(password_file())
    config.put_throttle = 0
    config.minthrottle = 0
    config.user_agent_description = USER_AGENT_DESCRIPTION


def unregister_site(family: str) -> None:
    pywikibot = import_pywikibot()
    pywikibot.config.family_files.pop(family, None)
    pywikibot.config.usernames.pop(family, None)
    for key in [key for key in pywikibot._sites if key.split(":", 1)[0] == family]:
        del pywikibot._sites[key]


def make_site(family: str, api_url: str, user: str) -> Any:
    """A fresh pywikibot ``APISite`` for a registered family (no request is made)."""
    import_pywikibot()
    from pywikibot.family import AutoFamily  # type: ignore[import-untyped]
    from pywikibot.site import APISite  # type: ignore[import-untyped]

    return APISite(family, fam=AutoFamily(family, api_url), user=user)


isolate_pywikibot()
