"""Every judged frame of a session, stored column by column so memory stays small on long input.

A :class:`~formcheck.judge.frame_result.FrameResult` kept as a Python object costs about 3.5 KB (its dicts,
floats and landmark array); a 10-minute 30 fps video has 18,000 of them. Here each frame is one
row of fixed-size numpy columns (about 0.3 KB plus 8 bytes per signal), and the text fields
(side, cue, faults, the criterion statuses) are stored once each and referred to by number,
because they repeat from frame to frame. Reading a frame back gives an equal ``FrameResult``,
except that the landmarks come back from float32 (pixels to about 1e-4 px).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from formcheck.judge.frame_result import FrameResult
from formcheck.pose.landmarks import NUM_LANDMARKS

CHUNK_ROWS = 4096  # rows allocated at a time: growth is in steps of ~1-2 MB, never a full copy


class _Interned:
    """Hashable values stored once, each known by a small integer."""

    def __init__(self) -> None:
        self.values: list[Hashable] = []
        self._ids: dict[Hashable, int] = {}

    def id(self, value: Hashable) -> int:
        i = self._ids.get(value)
        if i is None:
            i = self._ids[value] = len(self.values)
            self.values.append(value)
        return i


def _new_chunk(n_signals: int, rows: int | None = None) -> dict[str, NDArray[Any]]:
    """Zeroed columns for ``rows`` frames (default ``CHUNK_ROWS``); the text fields hold numbers
    into the interned table."""
    rows = CHUNK_ROWS if rows is None else rows
    layout = {
        "index": (np.int64, ()), "t": (np.float64, ()), "found": (np.bool_, ()),
        "xy": (np.float32, (NUM_LANDMARKS, 2)), "values": (np.float64, (n_signals,)),
        "in_position": (np.int8, ()), "facing": (np.int8, ()), "in_hold": (np.bool_, ()),
        "hold_good_s": (np.float64, ()), "at_top": (np.bool_, ()), "reps_done": (np.int32, ()),
        "statuses": (np.int32, ()), "side": (np.int32, ()), "cue": (np.int32, ()), "cue_code": (np.int32, ()),
        "faults": (np.int32, ()), "baselines": (np.int32, ()), "unseen": (np.bool_, ()),
    }
    return {name: np.zeros((rows, *shape), dtype) for name, (dtype, shape) in layout.items()}


_TRISTATE = {None: -1, False: 0, True: 1}
_FROM_TRISTATE = {-1: None, 0: False, 1: True}


class FrameLog(Sequence[FrameResult]):
    """An append-only, indexable sequence of frame results for one exercise's ``signals``.

    ``values`` of an appended frame are read for exactly ``signals`` (a missing one is stored as
    NaN); other keys are not kept.
    """

    def __init__(self, signals: Sequence[str]) -> None:
        self.signals = tuple(signals)
        self._chunks: list[dict[str, NDArray[Any]]] = []
        self._n = 0
        self._text = _Interned()  # side, cue, cue code, fault tuples, status tuples share one table

    def append(self, r: FrameResult) -> None:
        """Store frame ``r`` as the next row."""
        row = self._n % CHUNK_ROWS
        if row == 0:
            self._chunks.append(_new_chunk(len(self.signals)))
        c, text = self._chunks[-1], self._text
        c["index"][row] = r.index
        c["t"][row] = r.t
        c["found"][row] = r.found
        c["xy"][row] = r.xy
        c["values"][row] = [r.values.get(s, math.nan) for s in self.signals]
        c["in_position"][row] = _TRISTATE[r.in_position]
        c["facing"][row] = r.facing
        c["in_hold"][row] = r.in_hold
        c["hold_good_s"][row] = r.hold_good_s
        c["at_top"][row] = r.at_top
        c["reps_done"][row] = r.reps_done
        c["statuses"][row] = text.id(tuple(r.statuses.items()))
        c["side"][row] = text.id(r.side)
        c["cue"][row] = text.id(r.cue)
        c["cue_code"][row] = text.id(r.cue_code)
        c["faults"][row] = text.id(tuple(r.faults))
        c["baselines"][row] = text.id(tuple(r.baselines.items()))
        c["unseen"][row] = r.unseen
        self._n += 1

    def extend(self, frames: Iterable[FrameResult]) -> None:
        """Append each of ``frames`` in order."""
        for f in frames:
            self.append(f)

    def __len__(self) -> int:
        return self._n

    def _row(self, i: int) -> FrameResult:
        c, row = self._chunks[i // CHUNK_ROWS], i % CHUNK_ROWS
        text = self._text.values
        vals = c["values"][row]
        return FrameResult(
            index=int(c["index"][row]), t=float(c["t"][row]), found=bool(c["found"][row]),
            xy=c["xy"][row].astype(np.float64),
            values={s: float(v) for s, v in zip(self.signals, vals, strict=True)},
            statuses=dict(text[c["statuses"][row]]),
            in_position=_FROM_TRISTATE[int(c["in_position"][row])], side=text[c["side"][row]],
            facing=int(c["facing"][row]), in_hold=bool(c["in_hold"][row]), hold_good_s=float(c["hold_good_s"][row]),
            at_top=bool(c["at_top"][row]), reps_done=int(c["reps_done"][row]), cue=text[c["cue"][row]],
            cue_code=text[c["cue_code"][row]], faults=text[c["faults"][row]],
            baselines=dict(text[c["baselines"][row]]), unseen=bool(c["unseen"][row]),
        )

    @overload
    def __getitem__(self, i: int) -> FrameResult: ...

    @overload
    def __getitem__(self, i: slice) -> list[FrameResult]: ...

    def __getitem__(self, i: int | slice) -> FrameResult | list[FrameResult]:
        if isinstance(i, slice):
            return [self._row(k) for k in range(*i.indices(self._n))]
        k = i + self._n if i < 0 else i
        if not 0 <= k < self._n:
            raise IndexError(f"frame {i} out of range ({self._n} frames)")
        return self._row(k)

    def __iter__(self) -> Iterator[FrameResult]:
        for k in range(self._n):
            yield self._row(k)

    def column(self, name: str) -> NDArray[Any]:
        """One numeric column over all frames as a new array (``t``, ``index``, ``found``, ...)."""
        parts = [c[name] for c in self._chunks]
        if not parts:
            return _new_chunk(len(self.signals), rows=0)[name]
        last = self._n - CHUNK_ROWS * (len(parts) - 1)
        return np.concatenate([*parts[:-1], parts[-1][:last]])

    def signal(self, name: str) -> NDArray[Any]:
        """Signal ``name`` over all frames (NaN throughout when it is not one of :attr:`signals`)."""
        if name not in self.signals:
            return np.full(self._n, math.nan)
        return self.column("values")[:, self.signals.index(name)].copy()

    def nbytes(self) -> int:
        """Bytes held by the numeric columns (the text tables are small and not counted)."""
        return sum(a.nbytes for c in self._chunks for a in c.values())


def times(frames: Sequence[FrameResult]) -> NDArray[Any]:
    """Each frame's timestamp (seconds from the start of the source), as a float64 array."""
    if isinstance(frames, FrameLog):
        return frames.column("t")
    return np.array([f.t for f in frames], dtype=np.float64)


def signal_series(frames: Sequence[FrameResult], name: str) -> NDArray[Any]:
    """Signal ``name`` of each frame (its units; NaN where unknown or not a signal of the frames)."""
    if isinstance(frames, FrameLog):
        return frames.signal(name)
    return np.array([f.values.get(name, math.nan) for f in frames], dtype=np.float64)
