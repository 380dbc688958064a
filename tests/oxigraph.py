"""A real Oxigraph SPARQL server for the tests: one per test module, on 127.0.0.1.

The ``oxigraph`` binary comes from the PyPI package ``oxigraph`` (in the ``test`` extras, so
``scripts/setup --test`` installs it into ``.venv/bin``); it is looked for next to the
running Python, then on PATH.  Without it a test that needs the server is skipped, or fails
under ``CI=true`` (CI must run every test).

``oxigraph serve --location <tmp dir> --bind 127.0.0.1:<free port>`` runs in its own process
group, is polled until its query endpoint answers, and is killed (as a group) at teardown.
Nothing here reaches any host but 127.0.0.1.

Use::

    @pytest.mark.oxigraph           # added by this plugin to any test using the fixture
    def test_x(oxigraph: Oxigraph) -> None:
        oxigraph.load_turtle(path.read_bytes())     # into the default graph, through /store
        endpoint = SparqlEndpoint(oxigraph.query_url, user_agent="wikibot tests")
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import servers

HOST = servers.HOST
START_TIMEOUT = 15.0  # seconds for the server to answer (it takes < 0.1 s)
FIXTURES = ("oxigraph",)
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def find_binary() -> str | None:
    """The ``oxigraph`` executable: next to the running Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI=true, where every test must run."""
    servers.unavailable("Oxigraph server", reason,
                        "install it: .venv/bin/pip install 'oxigraph>=0.5,<0.6' (scripts/setup --test does it)")


@dataclass
class Oxigraph:
    """A running ``oxigraph serve``: ``query_url`` (SPARQL query), ``update_url``, ``store_url``
    (Graph Store Protocol)."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    def load_turtle(self, data: bytes, graph: str | None = None) -> None:
        """Add a Turtle document to the default graph (or ``graph``): HTTP POST to ``/store``."""
        target = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
        request = urllib.request.Request(f"{self.store_url}?{target}", data=data, method="POST",
                                         headers={"Content-Type": "text/turtle"})
        with _OPENER.open(request, timeout=30) as response:
            if response.status not in (200, 201, 204):
                raise RuntimeError(f"loading Turtle into Oxigraph: HTTP {response.status}")

    def clear(self) -> None:
        """Drop every graph (a SPARQL update)."""
        request = urllib.request.Request(self.update_url, data=b"DROP SILENT ALL", method="POST",
                                         headers={"Content-Type": "application/sparql-update"})
        with _OPENER.open(request, timeout=30):
            pass

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


def start(binary: str, directory: Path) -> Oxigraph:
    """Serve a new store in ``directory``; returns once the query endpoint answers."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "oxigraph.log"
    problem = ""
    for attempt in range(3):  # a port found free can be taken before oxigraph binds it
        port = servers.free_port()
        with log.open("ab") as output:
            process = subprocess.Popen(
                [binary, "serve", "--location", str(directory / f"store{attempt}"), "--bind", f"{HOST}:{port}"],
                stdin=subprocess.DEVNULL, stdout=output, stderr=output, preexec_fn=servers.own_group_ending_with_us)
        server = Oxigraph(directory=directory, port=port, process=process, log=log)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None and not server.answers():
            time.sleep(0.02)
        if process.poll() is None and server.answers():
            return server
        problem = f"exited with {process.returncode}" if process.poll() is not None else "no answer"
        server.stop()
    raise RuntimeError(f"oxigraph serve did not start ({problem}): {servers.tail(log)}")


# -- fixtures (registered by tests/conftest.py) ------------------------------------------------------

@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    """A running Oxigraph server with an empty store, shared by the tests of one module
    (skipped, or failed under CI=true, without the ``oxigraph`` binary)."""
    binary = find_binary()
    if binary is None:
        unavailable(f"no 'oxigraph' executable beside {sys.executable} nor on PATH")
        raise AssertionError("unreachable")  # skip() and fail() raise
    server = start(binary, tmp_path_factory.mktemp("oxigraph"))
    try:
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the Oxigraph fixture carries the ``oxigraph`` marker (-m selects it)."""
    for item in items:
        if any(name in FIXTURES for name in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.oxigraph)
