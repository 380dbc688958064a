"""A real Virtuoso SPARQL server for the tests: one per test module, on 127.0.0.1.

The server is Debian's ``virtuoso-opensource`` (7.2): ``virtuoso-t`` and its SQL client
``isql-vt`` (``scripts/setup --test`` installs the package when run as root).  Without it a
test that needs the server is skipped, or fails under ``CI=true`` (CI must run every test).

Each module's server gets a private directory: a copy of the package's ``virtuoso.ini`` with
the database, log and lock files moved into it, ``DirsAllowed`` naming only its own loading
directory, and the SQL and HTTP ports set to free ports on 127.0.0.1.  ``virtuoso-t
+foreground`` runs in its own process group, is polled until its SPARQL endpoint answers
(about 4 s for a new database), and is killed (as a group) at teardown.  Nothing here
reaches any host but 127.0.0.1.  The database keeps Virtuoso's default account (``dba``,
password ``dba``): it lives only as long as the module, behind a loopback port.

Data is loaded as N-Triples with Virtuoso's bulk loader (``ld_dir`` then ``rdf_loader_run``,
through ``isql-vt``), each document into the named graph given; without a
``default-graph-uri`` a query sees every graph, Virtuoso's own system graphs included.

Use::

    @pytest.mark.virtuoso           # added by this plugin to any test using the fixture
    def test_x(virtuoso: Virtuoso) -> None:
        virtuoso.load_ntriples(data, graph="http://example.org/registry")
        endpoint = SparqlEndpoint(virtuoso.query_url, user_agent="wikibot tests",
                                  default_graph="http://example.org/registry")
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import servers

HOST = servers.HOST
START_TIMEOUT = 60.0  # seconds for the server to answer (a new database takes about 4 s)
SQL_TIMEOUT = 120.0  # seconds for one isql-vt session (loading 100,000 triples takes about 1 s)
FIXTURES = ("virtuoso",)
PACKAGE_INI = (Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"), Path("/etc/virtuoso-opensource-7/virtuoso.ini"))
ADVICE = ("install Debian's virtuoso-opensource (7.2): as root, scripts/setup --test, or "
          "DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends virtuoso-opensource")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


@dataclass(frozen=True)
class Binaries:
    server: str  # virtuoso-t
    isql: str  # isql-vt (Debian's name for Virtuoso's isql)
    ini: Path  # the package's virtuoso.ini, copied and changed per server


def find_binaries() -> Binaries | str:
    """The server, its SQL client and the package's ini file; else why they cannot be used."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    ini = next((path for path in PACKAGE_INI if path.is_file()), None)
    if server is None or isql is None:
        return "no 'virtuoso-t' and 'isql-vt' on PATH"
    if ini is None:
        return f"no virtuoso.ini in {' or '.join(map(str, PACKAGE_INI))}"
    return Binaries(server, isql, ini)


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI=true, where every test must run."""
    servers.unavailable("Virtuoso server", reason, ADVICE)


def sql_string(text: str) -> str:
    """``text`` as a Virtuoso SQL string literal."""
    if "\x00" in text or "\n" in text:
        raise ValueError(f"not a value for an SQL string here: {text!r}")
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def private_ini(package_ini: str, directory: Path, sql_port: int, http_port: int) -> str:
    """The package's ini with everything a server writes or listens on made private: database,
    log and lock files in ``directory/db``, files loadable only from ``directory/load``, both
    ports on 127.0.0.1, the plugins (wiki markup, WBXML) not loaded.  Keys missing from the
    package's file are added to their section."""
    db, load = directory / "db", directory / "load"
    wanted: dict[str, dict[str, str]] = {
        "Database": {"DatabaseFile": f"{db}/virtuoso.db", "ErrorLogFile": f"{db}/virtuoso.log",
                     "LockFile": f"{db}/virtuoso.lck", "TransactionFile": f"{db}/virtuoso.trx",
                     "xa_persistent_file": f"{db}/virtuoso.pxa"},
        "TempDatabase": {"DatabaseFile": f"{db}/virtuoso-temp.db", "TransactionFile": f"{db}/virtuoso-temp.trx"},
        "Parameters": {"ServerPort": f"{HOST}:{sql_port}", "DirsAllowed": f"., {load}",
                       "DisableUnixSocket": "1", "NumberOfBuffers": "10000", "MaxDirtyBuffers": "6000",
                       "MaxQueryMem": "500M"},
        "HTTPServer": {"ServerPort": f"{HOST}:{http_port}", "ServerRoot": str(directory / "vsp")},
        "URIQA": {"DefaultHost": f"{HOST}:{http_port}"},
    }
    lines: list[str] = []
    section = ""
    done: set[tuple[str, str]] = set()

    def close(name: str) -> None:
        lines.extend(f"{key} = {value}" for key, value in wanted.get(name, {}).items() if (name, key) not in done)

    for line in package_ini.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            close(section)
            section = header.group(1).strip()
            lines.append(line)
            continue
        if section == "Plugins" and re.match(r"\s*Load\d+\s*=", line):
            continue
        key = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if key and key.group(1) in wanted.get(section, {}):
            if (section, key.group(1)) not in done:
                lines.append(f"{key.group(1)} = {wanted[section][key.group(1)]}")
                done.add((section, key.group(1)))
            continue
        lines.append(line)
    close(section)
    for name in wanted:  # sections the package's file does not have
        if not any(s == name for s, _ in done) and f"[{name}]" not in package_ini:
            lines.append(f"[{name}]")
            close(name)
    return "\n".join(lines) + "\n"


@dataclass
class Virtuoso:
    """A running ``virtuoso-t``: ``query_url`` (the SPARQL endpoint), ``sql`` (isql-vt)."""

    directory: Path
    binaries: Binaries
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes]
    log: Path
    _loads: Iterator[int] = field(default_factory=itertools.count)

    @property
    def query_url(self) -> str:
        return f"http://{HOST}:{self.http_port}/sparql"

    def version(self) -> str:
        """The server's version, as it reports it (``07.20.3229``)."""
        out = self.sql("SELECT sys_stat('st_dbms_ver');")
        found = re.search(r"\b\d+\.\d+\.\d+\b", out)
        return found.group(0) if found else out.strip()

    def sql(self, statements: str) -> str:
        """Run SQL statements (each ending with ``;``) through ``isql-vt``; what it printed.
        RuntimeError when Virtuoso reports an error (isql-vt itself exits 0 then)."""
        command = [self.binaries.isql, f"{HOST}:{self.sql_port}", "dba", "dba",
                   "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF"]
        done = subprocess.run(command, input=statements + "\n", capture_output=True, text=True,
                              timeout=SQL_TIMEOUT, check=False)
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt: {output.strip()[:2000]}")
        return done.stdout

    def load_ntriples(self, data: bytes, graph: str) -> None:
        """Add an N-Triples document to ``graph`` with the bulk loader, then checkpoint."""
        load = self.directory / "load"
        path = load / f"data-{next(self._loads)}.nt"
        path.write_bytes(data)
        self.sql(f"ld_dir({sql_string(str(load))}, {sql_string(path.name)}, {sql_string(graph)});\n"
                 "rdf_loader_run();\ncheckpoint;")
        state = self.sql("SELECT ll_state, ll_error FROM DB.DBA.load_list "
                         f"WHERE ll_file = {sql_string(str(path))};")
        if not re.search(r"^\s*2\s+NULL\s*$", state, re.MULTILINE):
            raise RuntimeError(f"Virtuoso did not load {path.name} into {graph}: {state.strip()}")
        path.unlink()

    def answers(self) -> bool:
        query = urllib.parse.urlencode({"query": "ASK {}"})
        request = urllib.request.Request(f"{self.query_url}?{query}",
                                         headers={"Accept": "application/sparql-results+json"})
        try:
            with _OPENER.open(request, timeout=2) as response:
                return b"boolean" in response.read()
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        """Kill the server's process group (again: nothing)."""
        servers.stop_group(self.process)


def start(binaries: Binaries, directory: Path, environment: Mapping[str, str] | None = None) -> Virtuoso:
    """Create a database in ``directory`` and serve it; returns once the SPARQL endpoint answers."""
    package_ini = binaries.ini.read_text(encoding="utf-8", errors="replace")
    log = directory / "virtuoso.out"
    problem = ""
    for attempt in range(3):  # a port found free can be taken before Virtuoso binds it
        home = directory / f"server{attempt}"
        for sub in ("db", "load", "vsp"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        sql_port, http_port = servers.free_port(), servers.free_port()
        ini = home / "virtuoso.ini"
        ini.write_text(private_ini(package_ini, home, sql_port, http_port), encoding="utf-8")
        with log.open("ab") as output:
            process = subprocess.Popen([binaries.server, "+foreground", "+configfile", str(ini)], cwd=home / "db",
                                       stdin=subprocess.DEVNULL, stdout=output, stderr=output, env=environment,
                                       preexec_fn=servers.own_group_ending_with_us)
        server = Virtuoso(home, binaries, sql_port, http_port, process, log)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None and not server.answers():
            time.sleep(0.1)
        if process.poll() is None and server.answers():
            return server
        problem = f"exited with {process.returncode}" if process.poll() is not None else "no answer"
        server.stop()
    raise RuntimeError(f"virtuoso-t did not start ({problem}): {servers.tail(log)}")


# -- fixtures (registered by tests/conftest.py) ------------------------------------------------------

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A running Virtuoso with an empty database, shared by the tests of one module (skipped,
    or failed under CI=true, without Debian's virtuoso-opensource)."""
    found = find_binaries()
    if isinstance(found, str):
        unavailable(found)
        raise AssertionError("unreachable")  # skip() and fail() raise
    server = start(found, tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the Virtuoso fixture carries the ``virtuoso`` marker (-m selects it)."""
    for item in items:
        if any(name in FIXTURES for name in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.virtuoso)
