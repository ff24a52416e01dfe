"""The front ends' engines: scoring a recording (with pose in worker processes), batch scoring of
many videos, and live coaching from a camera (coach, sound). They wire media -> pose -> judge ->
report/history together; ``formcheck.cli`` only parses arguments and calls them."""
