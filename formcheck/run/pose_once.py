"""Run pose once over a whole source and keep every frame's record, for judging the same pose data
several times (a routine's steps, every exercise for ``--exercise auto``). Records carry no images."""

from __future__ import annotations

from formcheck.errors import FormcheckError
from formcheck.media.frame import SourceInfo
from formcheck.pose.analyse import PoseRecord
from formcheck.run.finish import Ending
from formcheck.run.pipeline import PoseStream, plan_spans
from formcheck.run.score import Progress


def collect_records(info: SourceInfo, max_side: int, workers: int, outline: bool, records: list[PoseRecord],
                    progress: bool) -> Ending:
    """Append the pose record of every frame of the source ``info`` describes to ``records`` (with the
    back outline when ``outline``), in ``workers`` processes; say how it ended: a stop (Ctrl-C, SIGTERM,
    SIGHUP) or a pose process failure keeps the records so far. Decoding problems go to ``info``."""
    spans = plan_spans(info.frame_count, info.fps, workers if info.kind == "video" else 1)
    bar = Progress(info.frame_count, progress, label="analysing")
    stream: PoseStream | None = None
    try:
        stream = PoseStream(info.path, max_side, outline, spans)
        for rec in stream:
            records.append(rec)
            bar.update(len(records))
    except KeyboardInterrupt as e:
        return Ending(stop=e)
    except FormcheckError as e:
        return Ending(failure=e)
    finally:
        bar.close()
        if stream is not None:
            stream.close()
            info.decode_errors.extend(stream.decode_errors)
    return Ending()
