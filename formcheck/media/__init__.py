"""Frames in and video out: a video file or image folder (or a camera) becomes timestamped BGR
frames (:class:`formcheck.media.frame.Frame`); annotated frames become an H.264 file; every output
file is written whole or not at all (:mod:`~formcheck.media.outfiles`); stop signals and child
processes are handled alike everywhere (:mod:`~formcheck.media.procs`). The lowest stage: it imports
nothing else of formcheck but the errors."""
