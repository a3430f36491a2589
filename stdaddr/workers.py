"""Processes and the garbage collector in stdaddr's own batch loops (parse_many, match_many, geocode_file).

Big batches run on forked worker processes that inherit what the parent loaded (the gazetteer, the
automaton, the base), frozen so that the children neither scan nor copy it. A batch loop makes many
short-lived objects and few cycles, so while it runs the young generation is collected less often;
the caller's setting is restored when the loop returns.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from stdaddr.errors import InputError, StdaddrError

__all__ = [
    "default_workers",
    "distinct",
    "end_workers",
    "pool_result",
    "run_chunks",
    "worker_started",
    "frozen_for_fork",
    "fewer_collections",
]

# Allocations between two young-generation collections in a batch loop (CPython's default: 700).
BATCH_GC_THRESHOLD = 20_000


def default_workers(workers: int | None) -> int:
    """The number of processes to use: ``workers`` if given (at least 1), else the usable cores, at most 2."""
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InputError(f"workers was {workers!r}; expected a positive int or None")
        return workers
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(2, cores))


def distinct(items: list[Any]) -> tuple[list[Any], list[int]]:
    """The values to compute once and, per item, the position of its value among them.

    A text that comes again (government records repeat addresses) is computed once and its result
    shared; any other value (None, NaN, a number) is computed for each item, as NaN equals nothing.
    ``[results[k] for k in where]`` puts the results back in the items' order.
    """
    first: dict[str, int] = {}
    todo: list[Any] = []
    where: list[int] = []
    for v in items:
        if isinstance(v, str):
            k = first.get(v)
            if k is None:
                k = first[v] = len(todo)
                todo.append(v)
        else:
            k = len(todo)
            todo.append(v)
        where.append(k)
    return todo, where


def run_chunks(
    fn: Callable[[list[Any]], Any], items: list[Any], *, chunk: int, workers: int, warm_up: Callable[[], Any]
) -> list[Any]:
    """``[fn(c) for c in chunks of items]``, on ``workers`` forked processes when that pays.

    ``warm_up`` runs first in this process, so the children inherit what it loaded (the gazetteer, the
    parser's automaton) instead of each loading it again. A worker that dies (killed, out of memory)
    ends the call with :class:`~stdaddr.errors.StdaddrError` within seconds, its siblings ended too.
    """
    chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    if workers < 2 or len(chunks) < 2:
        with fewer_collections():
            return [fn(c) for c in chunks]
    import multiprocessing

    warm_up()
    # Forked children inherit unflushed output buffers and would write them again when they exit.
    sys.stdout.flush()
    sys.stderr.flush()
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork")
    try:
        with frozen_for_fork():
            pool = ProcessPoolExecutor(
                min(workers, len(chunks)), mp_context=context, initializer=worker_started
            )
            try:
                futures = [pool.submit(fn, c) for c in chunks]
                results = [pool_result(f, pool) for f in futures]
            except BaseException:
                end_workers(pool)
                raise
            pool.shutdown()
    except BrokenProcessPool as exc:
        raise StdaddrError(f"a worker process died ({exc}); nothing of this batch is returned") from exc
    return results


# How often a wait for a worker's result looks at the workers, and how long it waits for a result once
# one of them has died.
_POLL_S = 0.5
_DEAD_WORKER_GRACE_S = 5.0


def pool_result(future: Any, pool: Any) -> Any:
    """``future.result()`` of a task of ``pool`` (a ProcessPoolExecutor), which raises BrokenProcessPool
    when one of the pool's workers died and the result has not come some seconds after.

    The pool notices a dead worker and fails the pending tasks itself, except when the worker died
    while sending a result: the pool's manager thread then waits for the rest of the message for ever,
    and so would ``future.result()``. (:func:`end_workers` ends that wait.)
    """
    from concurrent.futures import TimeoutError as ResultTimeout
    from concurrent.futures.process import BrokenProcessPool

    dead_since: float | None = None
    while True:
        try:
            return future.result(timeout=_POLL_S)
        except ResultTimeout:
            pass
        if dead_since is None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            if any(p.exitcode is not None for p in processes):
                dead_since = time.monotonic()
        elif time.monotonic() - dead_since > _DEAD_WORKER_GRACE_S:
            raise BrokenProcessPool("a worker ended and its result never came")


def end_workers(pool: Any) -> None:
    """Kill the worker processes of ``pool`` (a ProcessPoolExecutor), then shut it down without waiting
    for queued tasks.

    The tasks still in the pool's call queue are dropped: its feeder thread may be blocked writing to
    a pipe no worker reads any more, and joining it (as the pool's manager does when it ends, and the
    interpreter at exit) would wait for ever. (The pool's private parts are reached with getattr: they
    are absent from other implementations, where the kill alone has to do.)
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    call_queue = getattr(pool, "_call_queue", None)
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)  # shutdown drops the queue
    if call_queue is not None:
        with contextlib.suppress(Exception):
            call_queue.cancel_join_thread()
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=1)
    # A worker killed while sending its result leaves half a message in the result pipe, and the pool's
    # manager thread waiting for the rest. With the workers gone, this process holds the pipe's last
    # write end: closing it ends the wait (end of file), and the manager ends as for a broken pool.
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()


def worker_started() -> None:
    """Run first in every worker process stdaddr forks: end with the parent, and collect young objects
    less often (the worker is stdaddr's own process, for its whole life)."""
    _exit_with_parent()
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(young, BATCH_GC_THRESHOLD), older, oldest)


# The process that forks the workers and whether its main thread did, as the workers see them
# (recorded before each fork).
_forked_by: tuple[int, bool] = (os.getpid(), True)
_PARENT_POLL_S = 1.0


def _before_fork() -> None:
    global _forked_by
    _forked_by = (os.getpid(), threading.current_thread() is threading.main_thread())


os.register_at_fork(before=_before_fork)


def _exit_with_parent() -> None:
    """Make this worker end when the process that forked it ends, however it ends (``kill -9``, a
    crash): a worker left behind would sleep forever holding its share of the base.

    On Linux the kernel sends SIGTERM on the parent's death (``PR_SET_PDEATHSIG``; it fires when the
    forking *thread* ends, so only when the main thread forked). Everywhere, a daemon thread also checks
    once a second that the parent is still the same process."""
    parent, by_main_thread = _forked_by
    if sys.platform.startswith("linux") and by_main_thread:
        _set_parent_death_signal()
    if os.getppid() != parent:  # the parent died before this line
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="stdaddr-parent-watch", daemon=True).start()


def _set_parent_death_signal() -> None:
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # no prctl: the watching thread does it


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_S)
    os._exit(1)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect young objects less often inside the block, as a worker does; the caller's thresholds
    come back on exit. On national data this makes a single-process parse_many about a sixth faster."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], BATCH_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def frozen_for_fork() -> Iterator[None]:
    """Freeze the objects loaded so far (gazetteer, automaton, base) for the children forked inside:
    their garbage collector then never scans them (a tenth of the parse time, about a million objects)
    nor writes to their pages, which stay shared. Unfrozen again on exit."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
