"""Reports: takes a finished session (:class:`formcheck.judge.session.SessionResult`) and gives the
files a person or a physical therapist reads — report.json and frames.csv, report.html with key
frames, angles.png, the annotated video's overlay and the OpenSim .mot export."""
