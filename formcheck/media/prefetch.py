"""Run an iterator ahead in a background thread, so its work (video decoding: OpenCV releases the
GIL while it decodes and resizes) overlaps with what the consumer does with each item."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


class Prefetched(Iterator[T]):
    """Iterates ``items`` in a daemon thread, keeping at most ``depth`` items ready (bounded memory).

    An exception raised by ``items`` is re-raised in the consumer at the point it happened.
    :meth:`close` (or leaving a ``with`` block) stops the thread early.
    """

    def __init__(self, items: Iterable[T], depth: int = 8) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(iter(items),), name="formcheck-prefetch",
                                        daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, it: Iterator[T]) -> None:
        try:
            for item in it:
                if not self._put(item):
                    break
        except BaseException as e:  # handed to the consumer, which re-raises it
            self._put(e)
            return
        finally:
            close = getattr(it, "close", None)
            if close is not None and self._stop.is_set():
                close()
        self._put(_END)

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._queue.get()
        if item is _END:
            self._done = True
            raise StopIteration
        if isinstance(item, BaseException):
            self._done = True
            raise item
        return item

    def close(self) -> None:
        """Stop the background thread and drop what it had read ahead."""
        self._done = True
        self._stop.set()
        self._thread.join(timeout=5.0)

    def __enter__(self) -> Prefetched[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
