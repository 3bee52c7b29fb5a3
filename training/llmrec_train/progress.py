"""Progress events for the TypeScript `llmrec train` command: one JSON object per line on stdout
({"event": "progress" | "metric" | "log", ...}); human text goes to stderr."""
import json
import sys
import time

_T0 = time.time()


def emit(event, **fields):
    fields["event"] = event
    fields["t"] = round(time.time() - _T0, 3)
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def log(msg):
    emit("log", msg=msg)
