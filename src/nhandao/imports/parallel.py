"""The later part of a pure per-row pass in a forked process, so that validating a large list uses
two cores.

:func:`in_parts` runs ``work(start, stop)`` for the first part of the rows here while a forked
child runs it for the rest and hands its results back through a temporary file (pickle); the
first part is handed to the caller as soon as it is done, the child still working, and the
child's part follows a chunk at a time as the child finishes each. The child
shares the parent's memory as it was at the fork (the rows read, the parser and its memos) and
never touches the database: its connections are replaced by a guard that refuses, so work that
needs the database fails in the child, and the parent then does that part itself. Any failure
of the child (an exception, a signal, no fork on this platform) ends the same way: the results
are those of the plain sequential pass, only slower."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

T = TypeVar("T")
logger = logging.getLogger(__name__)

DEFAULT_MIN_ROWS = 20_000  # below this a fork and a pickle cost more than they save
DEFAULT_CHUNK = 25_000  # rows the child hands over at a time
_kept: list[Any] = []  # the parent's connections, as the child inherited them: never closed


def min_rows() -> int:
    return int(getattr(settings, "NHANDAO_IMPORT_PARALLEL_MIN_ROWS", DEFAULT_MIN_ROWS))


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("no database access in the forked part of an import")


def _forget_connections() -> None:
    """In the child: the parent's database sessions are the parent's. Closing them here would end
    them on the server, and using them would interleave with the parent: keep the objects alive
    (never finalised before ``os._exit``) and make every use raise."""
    for conn in connections.all(initialized_only=True):
        _kept.append(conn.connection)
        conn.connection = None
        conn.ensure_connection = _refuse  # type: ignore[method-assign]
        conn.connect = _refuse  # type: ignore[method-assign]


def in_parts(
    work: Callable[[int, int, Callable[[int], None]], list[T]],
    n: int,
    progress: Callable[[int], None],
    *,
    share: float = 0.5,
    chunk: int = DEFAULT_CHUNK,
) -> Iterator[list[T]]:
    """``work(0, n, tick)`` in parts, yielded in row order as soon as each is ready: one part when
    the list is short, the machine has one core or the platform cannot fork; otherwise the rows
    before ``share`` of the list, done here, then the rest, done by a forked child meanwhile and
    handed over ``chunk`` rows at a time, each as soon as the child has it. A caller that works
    through the parts in order while the child still runs (a pass that needs file order) gives
    this process the smaller ``share``: it then works through the child's first chunks while the
    child does the later ones. ``work`` calls ``tick(done)`` with the rows it has done so far;
    ``progress`` hears the rows done in all (both processes going side by side), never less than
    before."""
    if n < max(2, min_rows()) or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        yield work(0, n, progress)
        return
    cut = min(n - 1, max(1, int(n * share)))
    chunk = max(1, chunk)
    fd, path = tempfile.mkstemp(prefix="nhandao-import-", suffix=".pickle")
    os.close(fd)
    ready_r, ready_w = os.pipe()  # one byte per chunk written to ``path``
    pid = 0
    reported = 0

    def report(done: int) -> None:
        nonlocal reported
        if done > reported:
            reported = min(n, done)
            progress(reported)

    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            code = 1
            try:
                os.close(ready_r)
                _forget_connections()
                with open(path, "wb") as out:
                    for start in range(cut, n, chunk):
                        part = work(start, min(n, start + chunk), _silent)
                        pickle.dump(part, out, protocol=pickle.HIGHEST_PROTOCOL)
                        out.flush()
                        os.write(ready_w, b"+")
                code = 0
            finally:
                os._exit(code)
        os.close(ready_w)
        ready_w = -1
        # Both go at the same pace: while this process has done ``done`` rows, so has the child.
        yield work(0, cut, lambda done: report(done + min(done, n - cut)))
        got = 0  # the child's rows handed on so far
        with open(path, "rb") as f:
            while got < n - cut and os.read(ready_r, 1):
                rows: list[T] = pickle.load(f)  # noqa: S301 - written by our own child
                if len(rows) != min(chunk, n - cut - got):
                    break
                got += len(rows)
                report(cut + got)
                yield rows
        _pid, status = os.waitpid(pid, 0)
        pid = 0
        if got == n - cut and os.waitstatus_to_exitcode(status) == 0:
            return
        logger.warning("The forked part of an import failed; checking the rest here instead.")
        done_before = cut + got
        yield work(done_before, n, lambda done: report(done_before + done))
    finally:
        if pid:  # this part failed or was dropped: the child's work is of no use
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        os.close(ready_r)
        if ready_w >= 0:
            os.close(ready_w)
        os.unlink(path)


def _silent(done: int) -> None:
    return None
