"""A real MediaWiki for the tests: installed once per run, a copy served per module or per test.

Needs the Debian packages ``mediawiki`` (1.39, in /usr/share/mediawiki, or where
``$WIKIBOT_TEST_MEDIAWIKI`` says), ``php-cli`` and ``php-sqlite3``; ``scripts/setup --test``
installs them when it runs as root.  Without them a test that needs the wiki is skipped, or
fails under ``CI=true`` (CI must run every test).

Once per run (``mediawiki_template``): ``maintenance/install.php`` makes a SQLite wiki in a
temporary directory, with ``LocalSettings.php`` finding its database next to itself, caches
in the database (no APCu), BotPasswords on and no rate limits; two accounts get a
BotPassword each: the bot (``--bot --sysop``, grants basic, highvolume, editpage,
createeditmovepage) and a human (no bot flag; edit conflicts need two different users,
because MediaWiki never reports a conflict with the same user's own edit).

Per module (``mediawiki``) or per test (``fresh_mediawiki``): the prepared directory is
copied (a few ms) and served by ``php -S 127.0.0.1:<free port> -t /usr/share/mediawiki``
with ``MW_CONFIG_FILE`` pointing at the copy, in its own process group, killed as a group
at teardown.  The wiki is registered with pywikibot as family ``MediaWiki.family`` (see
replay/pywikibot_env.py), so ``pywikibot.Site(family, family)`` opens it as the bot.
Nothing here reaches any host but 127.0.0.1.

Use::

    @pytest.mark.mediawiki          # added by this plugin to any test using the fixtures
    def test_x(mediawiki: MediaWiki) -> None:
        store = mediawiki.page_store()          # LivePageStore, logged in as the bot
        mediawiki.human().pages["P"].edit("x", summary="by hand")   # mwclient, as the human
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from replay import pywikibot_env
from tests import servers

if TYPE_CHECKING:
    import mwclient

    from wikibot.adapters.pages_live import LivePageStore

MEDIAWIKI = Path(os.environ.get("WIKIBOT_TEST_MEDIAWIKI", "/usr/share/mediawiki"))  # Debian's place
PACKAGES = "mediawiki php-cli php-sqlite3"
HOST = servers.HOST
START_TIMEOUT = 30.0  # seconds for a copy's API to answer
BOT_PASSWORD_ALPHABET = "0123456789abcdefghijklmnopqrstuvw"  # BotPasswords must match [0-9a-w]{32,}
FIXTURES = ("mediawiki_template", "mediawiki", "fresh_mediawiki")

# Appended to the installer's LocalSettings.php: what a private test wiki needs.
SETTINGS = """
# -- added by tests/mediawiki.py ------------------------------------------------------------
$wgSQLiteDataDir = __DIR__ . "/data";  # the copy's own database, wherever the copy is
$wgMainCacheType = CACHE_DB;  # no APCu here; sessions must outlive a request
$wgSessionCacheType = CACHE_DB;
$wgEnableBotPasswords = true;
$wgRateLimits = [];
$wgEnableEmail = false;
$wgShowExceptionDetails = true;
wfLoadExtension( "ParserFunctions" );  # Meta-Wiki has both: the shipped status templates use them
wfLoadExtension( "TemplateData" );
$wgSpamRegex = [ "/wikibot-test-spam-marker/" ];  # a core filter, to see a refused edit for real
# Fault injection for the tests, never in a real wiki.  An edit with this summary is saved,
# and then its answer is lost (HTTP 502 with an HTML page), as when a proxy times out:
$wgHooks['APIAfterExecute'][] = static function ( $module ) {
	if ( $module->getModuleName() === 'edit'
		&& $module->getRequest()->getVal( 'summary' ) === 'wikibot-test: saved, then HTTP 502'
	) {
		MediaWiki::preOutputCommit( $module->getContext() );  # the edit is in the database
		http_response_code( 502 );
		echo "<html><body>502 Bad Gateway</body></html>";
		exit;
	}
};
# ... and while the file "lagged" is in the wiki's directory, its replicas lag that many seconds:
$wgHooks['ApiMaxLagInfo'][] = static function ( &$lagInfo ) {
	if ( is_file( __DIR__ . "/lagged" ) ) {
		$lagInfo = [ 'host' => 'db-replica', 'lag' => (float)file_get_contents( __DIR__ . "/lagged" ),
			'type' => 'db' ];
	}
};
if ( is_file( __DIR__ . "/Instance.php" ) ) {
	require __DIR__ . "/Instance.php";  # the copy's port and cookie prefix
}
"""


def missing_components() -> list[str]:
    """What this machine lacks to run a MediaWiki (empty: nothing)."""
    missing = []
    php = shutil.which("php")
    if php is None:
        missing.append("php (Debian package php-cli)")
    else:
        modules = subprocess.run([php, "-m"], capture_output=True, text=True, timeout=60).stdout.split()
        if "pdo_sqlite" not in modules and "sqlite3" not in modules:
            missing.append("PHP's SQLite driver (Debian package php-sqlite3)")
    if not (MEDIAWIKI / "maintenance" / "install.php").is_file():
        missing.append(f"MediaWiki in {MEDIAWIKI} (Debian package mediawiki)")
    return missing


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI=true, where every test must run."""
    servers.unavailable("MediaWiki", reason,
                        f"install them: apt-get install {PACKAGES} (scripts/setup --test does it as root)")


@dataclass(frozen=True)
class Account:
    """A wiki account and its BotPassword (log in as ``login_name`` with ``bot_password``)."""

    name: str
    password: str  # the main password (maintenance scripts only)
    app: str
    bot_password: str

    @property
    def login_name(self) -> str:
        return f"{self.name}@{self.app}"


def _account(name: str, app: str) -> Account:
    return Account(name=name, password="Main-" + secrets.token_hex(12), app=app,
                   bot_password="".join(secrets.choice(BOT_PASSWORD_ALPHABET) for _ in range(32)))


@dataclass(frozen=True)
class Template:
    """The wiki installed once per run; copies of ``directory`` are what tests run against."""

    directory: Path
    opcache: Path  # PHP's compiled scripts, shared by every server of the run: a copy starts warm
    bot: Account
    human: Account


def _php(args: list[str], *, config: Path | None, what: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MW_CONFIG_FILE"}
    if config is not None:
        env["MW_CONFIG_FILE"] = str(config)
    result = subprocess.run(["php", *args], capture_output=True, text=True, env=env, timeout=300,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def install(directory: Path) -> Template:
    """Install a SQLite MediaWiki in ``directory`` with the bot and the human accounts (~1.5 s)."""
    wiki = directory / "wiki"
    wiki.mkdir(parents=True)
    bot, human = _account("RegistryBot", "wikibot"), _account("HumanEditor", "human")
    admin_password = "Admin-" + secrets.token_hex(12)
    _php([str(MEDIAWIKI / "maintenance" / "install.php"), "--dbtype", "sqlite", "--dbpath", str(wiki / "data"),
          "--dbname", "testwiki", "--server", f"http://{HOST}", "--scriptpath", "", "--lang", "en",
          "--pass", admin_password, "--confpath", str(wiki), "Test Wiki", "Admin"],
         config=None, what="MediaWiki's install.php")
    settings = wiki / "LocalSettings.php"
    with settings.open("a", encoding="utf-8") as handle:
        handle.write(SETTINGS)
    maintenance = MEDIAWIKI / "maintenance"
    _php([str(maintenance / "createAndPromote.php"), "--bot", "--sysop", bot.name, bot.password],
         config=settings, what="createAndPromote.php (bot)")
    _php([str(maintenance / "createAndPromote.php"), human.name, human.password],
         config=settings, what="createAndPromote.php (human)")
    _php([str(maintenance / "createBotPassword.php"), "--appid", bot.app,
          "--grants", "basic,highvolume,editpage,createeditmovepage", bot.name, bot.bot_password],
         config=settings, what="createBotPassword.php (bot)")
    _php([str(maintenance / "createBotPassword.php"), "--appid", human.app,
          "--grants", "basic,editpage,createeditmovepage", human.name, human.bot_password],
         config=settings, what="createBotPassword.php (human)")
    opcache = directory / "opcache"
    opcache.mkdir()
    return Template(directory=wiki, opcache=opcache, bot=bot, human=human)


_families = itertools.count(1)


def _no_proxy_for_localhost() -> None:
    """requests (pywikibot, mwclient) honours http_proxy: never send the local wiki's traffic there."""
    for name in ("no_proxy", "NO_PROXY"):
        hosts = [h for h in os.environ.get(name, "").split(",") if h.strip()]
        if HOST not in hosts:
            os.environ[name] = ",".join([*hosts, HOST])


@dataclass
class MediaWiki:
    """A running copy of the template wiki.

    ``url``/``api_url``: where it answers; ``bot``/``human_account``: the accounts; ``family``: the
    pywikibot family it is registered as (``pywikibot.Site(family, family)`` opens it, as
    the bot).  ``site()`` is the bot's pywikibot site, ``page_store()`` a ``LivePageStore``
    on it, ``human()`` an mwclient session logged in as the human.
    """

    directory: Path
    port: int
    bot: Account
    human_account: Account
    family: str
    process: subprocess.Popen[bytes]
    log: Path
    opcache: Path | None = None
    _site: Any = field(default=None, repr=False)
    _human: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api.php"

    # -- clients ----------------------------------------------------------------------------
    def site(self) -> Any:
        """The bot's pywikibot ``APISite`` on this wiki (one per wiki; logs in on first use)."""
        if self._site is None:
            self._site = pywikibot_env.make_site(self.family, self.api_url, self.bot.name)
        return self._site

    def page_store(self, **options: Any) -> LivePageStore:
        """A ``LivePageStore`` on the bot's site; ``options`` go to its constructor."""
        from wikibot.adapters.pages_live import LivePageStore

        return LivePageStore(self.site(), **options)

    def human(self) -> mwclient.Site:
        """mwclient, logged in as the human (one session per wiki)."""
        if self._human is None:
            import mwclient

            site = mwclient.Site(f"{HOST}:{self.port}", path="/", scheme="http",
                                 clients_useragent="wikibot tests, the human editor")
            site.login(self.human_account.login_name, self.human_account.bot_password)
            self._human = site
        return self._human

    def human_edit(self, title: str, text: str, summary: str = "by hand") -> int:
        """An edit as the human (mwclient); returns the new revision id."""
        page = self.human().pages[title]
        result = page.edit(text, summary=summary)
        if result.get("result") != "Success":
            raise AssertionError(f"the human's edit of {title!r} failed: {result!r}")
        return int(result.get("newrevid") or page.revision)

    def api(self, **params: str) -> dict[str, Any]:
        """One anonymous GET to the API (format=json, formatversion=2), e.g. to check a result."""
        query = urllib.parse.urlencode({**params, "format": "json", "formatversion": "2"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.api_url}?{query}", timeout=30) as response:
            answer: dict[str, Any] = json.load(response)
        return answer

    def revisions(self, title: str) -> list[dict[str, Any]]:
        """Every revision of ``title``, oldest first (ids, user, flags, comment, content), each with
        ``bot``: whether the edit is marked as a bot's (from recentchanges; revisions do not say)."""
        answer = self.api(action="query", prop="revisions", titles=title, rvlimit="max", rvdir="newer",
                          rvprop="ids|user|flags|comment|content|timestamp", rvslots="main")
        page = answer["query"]["pages"][0]
        revisions: list[dict[str, Any]] = page.get("revisions", [])
        if revisions:
            changes = self.api(action="query", list="recentchanges", rctitle=title, rcprop="ids|flags",
                               rclimit="max", rctype="edit|new")["query"]["recentchanges"]
            bot = {change["revid"]: change["bot"] for change in changes}
            for revision in revisions:
                revision["bot"] = bot.get(revision["revid"], False)
        return revisions

    def lag(self, seconds: float | None) -> None:
        """Make the wiki report its replicas ``seconds`` behind (None: no lag), for ``maxlag``."""
        flag = self.directory / "lagged"
        if seconds is None:
            flag.unlink(missing_ok=True)
        else:
            flag.write_text(str(seconds), encoding="utf-8")

    def expire_sessions(self) -> None:
        """Every BotPassword session ends (a session names its BotPassword's token, which changes
        here): the next request with an old session cookie is anonymous."""
        with contextlib.closing(sqlite3.connect(self.directory / "data" / "testwiki.sqlite")) as db:
            for (user_id, app) in db.execute("SELECT bp_user, bp_app_id FROM bot_passwords").fetchall():
                db.execute("UPDATE bot_passwords SET bp_token = ? WHERE bp_user = ? AND bp_app_id = ?",
                           (secrets.token_hex(16), user_id, app))
            db.commit()

    def reset_bot_password(self, account: Account | None = None) -> str:
        """Give ``account``'s BotPassword (default: the bot's) a new password on the wiki, one its
        pywikibot configuration does not know: its next login is refused, as after a wrong
        BotPassword was configured.  Its sessions end too.  Returns the new password."""
        account = account or self.bot
        with contextlib.closing(sqlite3.connect(self.directory / "data" / "testwiki.sqlite")) as db:
            db.execute("DELETE FROM bot_passwords WHERE bp_app_id = ? AND bp_user = "
                       "(SELECT user_id FROM user WHERE user_name = ?)", (account.app, account.name))
            db.commit()
        password = _account(account.name, account.app).bot_password
        self.maintenance("createBotPassword.php", "--appid", account.app,
                         "--grants", "basic,highvolume,editpage,createeditmovepage", account.name, password)
        return password

    def kill(self) -> None:
        """The server goes away at once (its process group killed), as a wiki that stops answering;
        ``restart`` serves the same wiki again on the same port."""
        servers.stop_group(self.process)

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Meanwhile the server takes connections (the system does) but answers none: its process
        group is stopped (SIGSTOP), as a wiki hung behind its socket; then it goes on."""
        os.killpg(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.killpg(self.process.pid, signal.SIGCONT)

    def restart(self) -> None:
        """Serve this wiki again (after ``kill``) on the same port; returns once its API answers."""
        assert self.process.returncode is not None, "the server is still running"
        deadline = time.monotonic() + START_TIMEOUT
        while True:  # the port is free again once the old server's sockets are closed
            self.process = _serve(self.directory, self.port, self.opcache, self.log)
            try:
                _wait_until_it_answers(self)
                return
            except RuntimeError:
                servers.stop_group(self.process)
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def maintenance(self, script: str, *args: str) -> None:
        """Run ``maintenance/<script>`` on this copy (e.g. protect.php, deleteBatch.php)."""
        _php([str(MEDIAWIKI / "maintenance" / script), *args],
             config=self.directory / "LocalSettings.php", what=script)

    # -- life -------------------------------------------------------------------------------
    def stop(self) -> None:
        """Kill the server's process group (again: nothing) and forget the wiki."""
        servers.stop_group(self.process)
        pywikibot_env.unregister_site(self.family)
        if self._human is not None:
            self._human.connection.close()


def start(template: Template, directory: Path) -> MediaWiki:
    """Copy the template wiki to ``directory`` and serve it; returns once its API answers."""
    _no_proxy_for_localhost()
    shutil.copytree(template.directory, directory)
    log = directory / "php-server.log"
    last_error = ""
    for _ in range(3):  # a port found free can be taken before php binds it
        port = servers.free_port()
        cookie_prefix = f"testwiki{port}"  # browsers and cookie jars share cookies across ports
        (directory / "Instance.php").write_text(
            f'<?php\n$wgServer = "http://{HOST}:{port}";\n$wgCookiePrefix = "{cookie_prefix}";\n',
            encoding="utf-8")
        process = _serve(directory, port, template.opcache, log)
        family = f"testwiki{next(_families)}"
        wiki = MediaWiki(directory=directory, port=port, bot=template.bot, human_account=template.human,
                         family=family, process=process, log=log, opcache=template.opcache)
        try:
            _wait_until_it_answers(wiki)
        except RuntimeError as error:
            wiki.stop()
            last_error = str(error)
            continue
        pywikibot_env.register_site(family, wiki.api_url, user=template.bot.name, app=template.bot.app,
                                    password=template.bot.bot_password)
        return wiki
    raise RuntimeError(f"the MediaWiki in {directory} did not start: {last_error}")


def _serve(directory: Path, port: int, opcache: Path | None, log: Path) -> subprocess.Popen[bytes]:
    """``php -S`` serving the wiki in ``directory`` on ``port``, in a process group of its own."""
    env = {**os.environ, "MW_CONFIG_FILE": str(directory / "LocalSettings.php")}
    env.pop("PHP_CLI_SERVER_WORKERS", None)
    cache = ["-d", "opcache.enable_cli=1", "-d", f"opcache.file_cache={opcache}"] if opcache is not None else []
    with log.open("ab") as output:
        return subprocess.Popen(["php", *cache, "-S", f"{HOST}:{port}", "-t", str(MEDIAWIKI)],
                                cwd=directory, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                preexec_fn=servers.own_group_ending_with_us)


def _wait_until_it_answers(wiki: MediaWiki) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    problem = "no answer"
    while time.monotonic() < deadline:
        if wiki.process.poll() is not None:
            raise RuntimeError(f"php exited with {wiki.process.returncode}: {servers.tail(wiki.log)}")
        try:
            answer = wiki.api(action="query", meta="siteinfo")
        except (OSError, ValueError) as error:
            problem = str(error)
            time.sleep(0.02)
            continue
        if answer.get("query", {}).get("general", {}).get("generator", "").startswith("MediaWiki"):
            return
        problem = f"unexpected answer {answer!r:.300}"
    raise RuntimeError(f"no API answer within {START_TIMEOUT:g} s ({problem}): {servers.tail(wiki.log)}")


@contextlib.contextmanager
def running(template: Template, directory: Path) -> Iterator[MediaWiki]:
    wiki = start(template, directory)
    try:
        yield wiki
    finally:
        wiki.stop()


# -- fixtures (registered by tests/conftest.py) ------------------------------------------------------

@pytest.fixture(scope="session")
def mediawiki_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The wiki installed once per run (skipped, or failed under CI=true, without MediaWiki)."""
    missing = missing_components()
    if missing:
        unavailable("missing " + ", ".join(missing))
    return install(tmp_path_factory.mktemp("mediawiki"))


@pytest.fixture(scope="module")
def mediawiki(mediawiki_template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWiki]:
    """A running copy shared by the tests of one module."""
    with running(mediawiki_template, tmp_path_factory.mktemp("wiki") / "wiki") as wiki:
        yield wiki


@pytest.fixture
def fresh_mediawiki(mediawiki_template: Template, tmp_path: Path) -> Iterator[MediaWiki]:
    """A running copy of the pristine wiki for one test."""
    with running(mediawiki_template, tmp_path / "wiki") as wiki:
        yield wiki


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses a MediaWiki fixture carries the ``mediawiki`` marker (-m selects it)."""
    for item in items:
        if any(name in FIXTURES for name in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.mediawiki)


@contextlib.contextmanager
def recorded_requests() -> Iterator[list[dict[str, str]]]:
    """Every API request pywikibot sends meanwhile, as its parameters (query string and form body)."""
    from pywikibot.comms import http  # type: ignore[import-untyped]

    calls: list[dict[str, str]] = []

    def record(response: Any, *args: Any, **kwargs: Any) -> None:
        request = response.request
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        if isinstance(body, str):
            params.update(urllib.parse.parse_qsl(body))
        params["_method"] = request.method
        calls.append(params)

    hooks = http.session.hooks.setdefault("response", [])
    hooks.append(record)
    try:
        yield calls
    finally:
        hooks.remove(record)
