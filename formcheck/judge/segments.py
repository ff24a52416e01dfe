"""Split one recording into consecutive steps, in a fixed order, by when each step's position holds.

Plain data in, frame spans out: ``evidence[i][k]`` is True when frame ``k`` shows step ``i``'s
position (its exercise in position, on its side). The split maximises the weighted count of frames
shown in their own step's position; a frame counts ``weights[i]`` for step ``i``. Weights favour the
more specific position where two overlap (lying with knees bent is the bridge's position *and* part
of the supported bridge's): give the rarer position the larger weight. A boundary that falls where
no position holds (a transition) is put half-way across it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def split_in_order(evidence: Sequence[NDArray[np.bool_]], weights: Sequence[float]) -> list[tuple[int, int]]:
    """Frame spans ``[start, stop)`` for each step, in order, covering every frame once; a step with
    no frame in its position gets an empty span (``start == stop``). O(steps x frames)."""
    n_steps = len(evidence)
    if n_steps == 0:
        return []
    n = len(evidence[0])
    gain = [np.concatenate(([0.0], np.cumsum(e.astype(float) * w))) for e, w in zip(evidence, weights, strict=True)]
    # best[i][k]: best total of steps 0..i with step i ending at frame k (exclusive); back[i][k]: its start.
    best = np.zeros((n_steps, n + 1))
    back = np.zeros((n_steps, n + 1), dtype=int)
    best[0] = gain[0]
    for i in range(1, n_steps):
        run_val, run_arg = -np.inf, 0
        for k in range(n + 1):
            cand = best[i - 1][k] - gain[i][k]
            if cand > run_val:  # ties keep the earlier start: refined below
                run_val, run_arg = cand, k
            best[i][k] = gain[i][k] + run_val
            back[i][k] = run_arg
    stops = [n]
    for i in range(n_steps - 1, 0, -1):
        stops.append(int(back[i][stops[-1]]))
    cuts = stops[::-1]  # end of step 0, ..., end of the last step (= n)
    spans, start = [], 0
    for stop in cuts:
        spans.append((start, stop))
        start = stop
    return _centre_gaps(spans, evidence)


def _centre_gaps(spans: list[tuple[int, int]], evidence: Sequence[NDArray[np.bool_]]) -> list[tuple[int, int]]:
    """Move each boundary to the middle of the frames between the last one in step i's position and
    the first in step i+1's (only frames in neither step's position there, so the total is unchanged)."""
    out = list(spans)
    for i in range(len(out) - 1):
        (a0, a1), (b0, b1) = out[i], out[i + 1]
        own = np.flatnonzero(evidence[i][a0:a1])
        nxt = np.flatnonzero(evidence[i + 1][b0:b1])
        last = a0 + int(own[-1]) + 1 if len(own) else a0
        first = b0 + int(nxt[0]) if len(nxt) else b1
        cut = (last + first) // 2
        out[i], out[i + 1] = (a0, cut), (cut, b1)
    return out
