"""The one place the command line meets the server: a generated-SDK client built from the global options, the
retry policy for 429/503, and the translation of every failure into a `CliError` with its exit code.

    CliError (exit 2: usage, connection, authentication, server errors)
     └── ProblemError (the server answered an RFC 9457 problem; keeps it, so callers can read its code)

Commands raise these; `render.fails_cleanly` turns them into one line on stderr and the exit code.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TypeVar

import httpx
from facegate_client import AuthenticatedClient
from facegate_client.models import Problem
from facegate_client.types import Response

T = TypeVar("T")

# Exit codes, documented in `facegate --help`.
EXIT_OK = 0
EXIT_NEGATIVE = 1  # the command worked and the answer is "no": no match, some photos rejected
EXIT_ERROR = 2

DEFAULT_URL = "http://127.0.0.1:8000"
# 429 RATE_LIMITED and 503 OVERLOADED are answered at once with Retry-After: worth waiting for, a few times.
RETRIED_STATUSES = frozenset({429, 503})
RETRIES = 4
MAX_RETRY_WAIT_S = 30.0
# An enrollment of a large photo on a busy CPU server takes seconds; an export of a big gallery, minutes.
TIMEOUT = httpx.Timeout(300.0, connect=10.0)


class CliError(Exception):
    """A failure the user must act on; its message is one line."""

    exit_code = EXIT_ERROR


class ProblemError(CliError):
    """The server refused with a problem; `problem.code` says why."""

    def __init__(self, problem: Problem, hint: str = "") -> None:
        self.problem = problem
        message = f"{problem.code.value}: {problem.detail}"
        super().__init__(f"{message} ({hint})" if hint else message)


@dataclass(frozen=True)
class Connection:
    """What the global options say: where the server is and which key to send."""

    url: str
    key: str | None

    @classmethod
    def of(cls, url: str, key: str | None, key_file: Path | None) -> Connection:
        if key and key_file:
            raise CliError("give --key or --key-file, not both")
        if key_file is not None:
            try:
                key = key_file.read_text().strip()
            except OSError as exc:
                raise CliError(f"cannot read the key file {key_file}: {exc.strerror}") from None
        return cls(url.rstrip("/"), key or None)

    def client(self) -> AuthenticatedClient:
        """A client for one command; use it as a context manager so its connections close."""
        if not self.key:
            raise CliError("no API key: pass --key-file FILE (or --key, or set FACEGATE_KEY)")
        return AuthenticatedClient(base_url=self.url, token=self.key, timeout=TIMEOUT)


def retry_after(headers: Mapping[str, str], attempt: int) -> float:
    """Seconds to wait before trying again: the server's Retry-After (seconds or an HTTP date), else a backoff."""
    value = headers.get("retry-after", "")
    try:
        wait = float(value)
    except ValueError:
        try:
            wait = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            wait = 2.0**attempt
    return min(max(wait, 0.1), MAX_RETRY_WAIT_S)


def _transport_error(url: str, exc: httpx.TransportError) -> CliError:
    if isinstance(exc, httpx.TimeoutException):
        return CliError(f"the server at {url} did not answer in time ({type(exc).__name__})")
    return CliError(f"cannot reach the server at {url}: {exc or type(exc).__name__}")


def call(client: AuthenticatedClient, operation: Callable[[], Response[T]]) -> Response[T]:
    """`operation` (a generated `sync_detailed` call), again after Retry-After while it answers 429 or 503."""
    for attempt in range(RETRIES + 1):
        try:
            response = operation()
        except httpx.TransportError as exc:
            raise _transport_error(str(client.get_httpx_client().base_url), exc) from None
        if response.status_code not in RETRIED_STATUSES or attempt == RETRIES:
            return response
        time.sleep(retry_after(response.headers, attempt))
    raise AssertionError("unreachable")


async def acall(client: AuthenticatedClient, operation: Callable[[], Awaitable[Response[T]]]) -> Response[T]:
    """The asyncio twin of `call`, for `asyncio_detailed` calls."""
    for attempt in range(RETRIES + 1):
        try:
            response = await operation()
        except httpx.TransportError as exc:
            raise _transport_error(str(client.get_async_httpx_client().base_url), exc) from None
        if response.status_code not in RETRIED_STATUSES or attempt == RETRIES:
            return response
        await asyncio.sleep(retry_after(response.headers, attempt))
    raise AssertionError("unreachable")


def expect(response: Response[T | Problem], kind: type[T], forbidden: str = "") -> T:
    """The parsed answer if it is a `kind`; else a ProblemError (or a CliError for an undocumented answer).
    `forbidden` is added to a 403's message: which key the operation needs."""
    if isinstance(response.parsed, kind):
        return response.parsed
    if isinstance(response.parsed, Problem):
        raise ProblemError(response.parsed, forbidden if response.status_code == 403 else "")
    raise CliError(f"unexpected answer from the server: HTTP {int(response.status_code)} "
                   f"{response.content[:200].decode(errors='replace')!r}")


def problem_of(response: httpx.Response) -> Problem | None:
    """The problem in a raw (streamed) error answer, if it is one."""
    try:
        body = response.json()
        return Problem.from_dict(body)
    except (ValueError, KeyError, TypeError):
        return None
