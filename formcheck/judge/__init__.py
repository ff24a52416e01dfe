"""Judging: takes the pose stage's plain measurements and an exercise spec, gives per-frame
verdicts (:class:`FrameResult`), holds and reps (:class:`SessionResult`). Pure code over plain
data: no OpenCV, no MediaPipe, no files, no windows, no typer."""
