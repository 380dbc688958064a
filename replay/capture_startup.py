"""Record what pywikibot asks a real MediaWiki when a site starts, logs in and fetches a token.

Produced the files in ``captured/mediawiki-1.39/`` (see README.md).  Run it against a
private wiki (Debian's ``mediawiki`` package, see shared/REAL-COMPONENTS.md) that has a bot
account ``WikibaseBot`` with a BotPassword ``pybot`` (grants basic, highvolume, editpage,
createeditmovepage)::

    python replay/capture_startup.py http://127.0.0.1:8383/api.php PASSWORD OUTDIR

pywikibot is configured from a fresh private ``PYWIKIBOT_DIR``, so nothing is cached.
Volatile headers (Date, X-Request-Id, Set-Cookie...) are dropped; the password is not saved.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

VOLATILE = {"date", "x-request-id", "host", "connection", "x-powered-by", "set-cookie"}


def main(api_url: str, password: str, out: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="pwb-capture-"))
    (base / "user-config.py").write_text(
        "family = 'wikibase'\nmylang = 'wikibase'\n"
        f"family_files['wikibase'] = {api_url!r}\n"
        "usernames['wikibase']['wikibase'] = 'WikibaseBot'\n"
        "password_file = 'user-password.py'\nput_throttle = 0\nminthrottle = 0\n"
        "user_agent_description = 'wikibot replay capture'\n",
        encoding="utf-8",
    )
    (base / "user-password.py").write_text(f"('WikibaseBot', BotPassword('pybot', {password!r}))\n", encoding="utf-8")
    (base / "user-password.py").chmod(0o600)
    os.environ["PYWIKIBOT_DIR"] = str(base)
    import pywikibot
    from pywikibot.comms import http

    records: list[dict[str, Any]] = []

    def hook(response: Any, *args: Any, **kwargs: Any) -> None:
        request = response.request
        body = request.body if isinstance(request.body, str) else (request.body or b"").decode()
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        if "lgpassword" in params:
            params["lgpassword"] = "<bot-password>"
        records.append({
            "request": {"method": request.method, "url": request.url.split("?")[0],
                        "query": dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query)),
                        "body": params or None},
            "response": response.json(),
            "http": {"status": response.status_code,
                     "headers": {k: v for k, v in response.headers.items() if k.lower() not in VOLATILE}},
        })

    http.session.hooks["response"].append(hook)
    site = pywikibot.Site("wikibase", "wikibase")
    site.login()
    site.tokens["csrf"]
    names = ["userinfo_anonymous_fv2", "userinfo_anonymous_fv2_at_login", "paraminfo_main_paraminfo_query",
             "paraminfo_query_tokens", "tokens_all_types_anonymous_fv2", "login_success",
             "userinfo_bot_fv2", "tokens_all_types_loggedin_fv2"]
    out.mkdir(parents=True, exist_ok=True)
    for name, record in zip(names, records, strict=True):
        if name in ("userinfo_anonymous_fv2_at_login", "login_success"):
            continue  # the same as the first one / a 1.43 capture exists in shared/fixtures
        record["note"] = f"pywikibot {pywikibot.__version__} against a real MediaWiki: {name}"
        (out / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    # What a write says when the session is gone (MediaWiki core checks assert=user first).
    params = {"action": "edit", "title": "Fixture page", "text": "x", "token": "+\\", "assert": "user",
              "maxlag": "5", "format": "json"}
    request = urllib.request.Request(api_url, data=urllib.parse.urlencode(params).encode(),
                                     headers={"User-Agent": "wikibot replay capture"})
    with urllib.request.urlopen(request) as answer:
        record = {"request": {"method": "POST", "url": api_url, "query": {}, "body": params},
                  "response": json.loads(answer.read()),
                  "http": {"status": answer.status,
                           "headers": {k: v for k, v in answer.headers.items() if k.lower() not in VOLATILE}},
                  "note": "an anonymous session sending a write with assert=user"}
    (out / "error_assertuserfailed.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
