"""Every error a person can meet, in one tree: each class carries its exit code and says what to do.

Expected outcomes of a write (a conflict, a page or entity the wiki refused, ``{{nobots}}``)
are values (``ports.Refused``, ``ports.Rejected``, ``ports.EditConflict``…), not errors: a run
goes on past them.  What is here stops a command, and
``cli.main`` maps it to an exit code in one place, from ``exit_code``.

    WikibotError                       1   something stopped the command
      ConfigError                      2   the configuration or the command line cannot be used
        LoginError                     2   the wiki refused the bot's login
        UsageError                     2   a command line that cannot be carried out
          QuestionError                2   no such coverage question, or an unreadable query file
          QueryTemplateError           2   a query placeholder that cannot be filled
      LocalFileError                   2   a local file that cannot be read or written (named)
        StateStoreError                2   the sync state database
      LockHeldError                    3   another run of the same job holds the lock
      UnreachableError                 1   a wiki or endpoint did not answer (run it again)
        PageStoreError                 1   the wiki of the pages
        EntityStoreError               1   the Wikibase
        QueryEndpointError             1   the SPARQL endpoint
      QueryError                       1   the endpoint refused the query itself

The table of exit codes (``EXIT_CODES``) is what ``--help`` and the README show; a test keeps
the README's table equal to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report it

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "done, nothing wrong"),
    (EXIT_PROBLEMS, "done, and something needs a person (invalid entries, conflicts, a page left alone, a stale "
                    "job for `health`), or a wiki or endpoint did not answer (what was done is kept; run it "
                    "again)"),
    (EXIT_USAGE, "usage or configuration error, a refused login, or a local file that cannot be used: "
                 "nothing was done"),
    (EXIT_LOCKED, "another run of the same job is under way on this workspace: nothing was done"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C): what was written before is kept and recorded; run it again"),
)


class WikibotError(Exception):
    """Something stopped a command; ``exit_code`` is what the command exits with, ``advice``
    what a person can do about it (said after the message)."""

    exit_code: ClassVar[int] = EXIT_PROBLEMS
    advice: ClassVar[str] = ""

    def explain(self) -> str:
        """The message and, on a line of its own, the advice."""
        text = str(self)
        return f"{text}\n{self.advice}" if self.advice and self.advice not in text else text


class ConfigError(WikibotError):
    """The configuration cannot be used; the message says what to change."""

    exit_code = EXIT_USAGE


class LoginError(ConfigError):
    """The wiki refused the bot's login: the message names the account and the file to check."""


class UsageError(ConfigError):
    """A command line that cannot be carried out (options that do not go together)."""


class QuestionError(UsageError, ValueError):
    """A coverage question that does not exist, or a query file that cannot be read."""


class QueryTemplateError(UsageError, ValueError):
    """A query placeholder that cannot be filled: unknown key, unknown value, malformed placeholder."""


class LocalFileError(WikibotError):
    """A local file (or directory) that cannot be read or written; ``path`` names it."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.path = path


class StateStoreError(LocalFileError):
    """The sync state cannot be read or written."""


class LockHeldError(WikibotError):
    """Another run of the same job holds the lock: this run did nothing."""

    exit_code = EXIT_LOCKED


class UnreachableError(WikibotError):
    """A wiki or endpoint did not answer (unreachable, overloaded after the retries, logged out,
    an answer that makes no sense).  What was done before is kept."""

    advice = "What was done before is kept; run it again once it answers."


class PageStoreError(UnreachableError):
    """The wiki of the pages cannot do its work."""


class EntityStoreError(UnreachableError):
    """The entity store cannot do its work (unreachable after retries, logged out, misconfigured)."""


class QueryEndpointError(UnreachableError):
    """The endpoint could not answer: unreachable, overloaded after the retries, out of time, or an
    answer that is not a SPARQL result."""

    advice = ""


class QueryError(WikibotError):
    """The endpoint refused the query itself (a syntax error, an unknown prefix; HTTP 400): sending
    it again would not help.  The message is the endpoint's."""


def exit_code_of(error: BaseException) -> int:
    """The exit code of an error that stopped a command."""
    return error.exit_code if isinstance(error, WikibotError) else EXIT_PROBLEMS
