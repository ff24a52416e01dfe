"""Live pose beside the display: the model runs in a thread on the newest frame it is given, so the
live loop shows every camera frame (with the last verdict's overlay carried) however long the
model takes.

When the machine keeps up, the loop hands over a frame whenever one is due at the analysis rate
(``--rate``, :func:`formcheck.media.rate.is_analysed`); when it cannot, frames come due while the
model is still busy and are not analysed, so the analysis rate drops to what the machine manages
while the display stays at the camera's rate. MediaPipe's graph runs in native code that releases
the GIL, so drawing and showing frames in the loop's thread overlaps it.
"""

from __future__ import annotations

import threading

from formcheck.media.frame import Frame
from formcheck.pose.analyse import OutlineFn, PoseRecord, observe
from formcheck.pose.base import PoseEstimator


class PoseThread:
    """Runs :func:`observe` on one submitted frame at a time in a daemon thread.

    :meth:`submit` hands over a frame when the thread is idle (returns False while it is busy);
    :meth:`take` returns the finished record (with its image), once. :meth:`stop` ends the thread;
    the estimator stays the caller's to close, after that.
    """

    def __init__(self, estimator: PoseEstimator) -> None:
        self._estimator = estimator
        self._cond = threading.Condition()
        self._job: tuple[Frame, OutlineFn | None] | None = None
        self._done: PoseRecord | None = None
        self._error: BaseException | None = None
        self._busy = False
        self._stopped = False
        self.analysed = 0
        self._thread = threading.Thread(target=self._run, name="formcheck-live-pose", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """True while a frame is being analysed or its record has not been taken."""
        with self._cond:
            return self._busy

    def submit(self, frame: Frame, outline_fn: OutlineFn | None) -> bool:
        """Analyse ``frame`` (its back outline too when ``outline_fn`` is given) if idle; False when busy."""
        with self._cond:
            if self._busy or self._stopped:
                return False
            self._busy = True
            self._job = (frame, outline_fn)
            self._cond.notify_all()
            return True

    def take(self) -> PoseRecord | None:
        """The record of the last submitted frame once it is done (then the thread is idle), else None.
        An error raised by the model is raised here."""
        with self._cond:
            if self._error is not None:
                err, self._error, self._busy = self._error, None, False
                raise err
            rec, self._done = self._done, None
            if rec is not None:
                self._busy = False
            return rec

    def wait(self, timeout: float) -> PoseRecord | None:
        """:meth:`take`, waiting up to ``timeout`` seconds for a frame being analysed."""
        with self._cond:
            self._cond.wait_for(lambda: self._done is not None or self._error is not None or not self._busy,
                                timeout=timeout)
        return self.take()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None or self._stopped)
                if self._stopped:
                    return
                assert self._job is not None
                (frame, outline_fn), self._job = self._job, None
            try:
                rec = observe(frame, self._estimator, outline_fn, keep_image=True)
            except BaseException as e:  # handed to the loop, which raises it there
                with self._cond:
                    self._error = e
                    self._cond.notify_all()
                continue
            with self._cond:
                self._done = rec
                self.analysed += 1
                self._cond.notify_all()

    def stop(self) -> None:
        """End the thread after the frame being analysed (if any); its record is dropped."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=10.0)
