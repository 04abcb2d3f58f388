"""Start ``renown`` commands as fresh processes in milliseconds, for kill tests.

Importing the CLI takes over a second; killing fifty commands at random
moments would spend most of its time importing.  This server imports the CLI
once, then for every request forks a child that runs the real command
(`renown.interfaces.cli.main.app` with the given arguments, exactly what the
``renown`` script runs) and reports its pid and, later, how it ended.  The
child is an ordinary process: it can be SIGKILLed at any moment like any
``renown ingest`` or ``renown score``.  Nothing is open in the server when it
forks (no database, no threads of its own), so the child starts clean.

Protocol, one JSON object per line: the client writes ``{"args": [...]}``
and the server answers ``{"pid": N}`` at once; the client may then kill N,
and writes ``{"reap": true}``; the server answers ``{"pid": N, "status": S}``
when the child is gone (S: exit code, or minus the signal that ended it).
The child is reaped only when asked, so its pid cannot be reused by another
process while the client might still send it a signal.
"""

from __future__ import annotations

import json
import os
import sys


def _child(args: list[str]) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    code = 0
    try:
        from renown.interfaces.cli.main import app

        app(args, prog_name="renown")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 70
    os._exit(code)


def serve() -> None:
    import importlib

    import renown.interfaces.cli.main  # noqa: F401  (the point: import once, fork many)
    from renown.sources import FORMATS

    for module in FORMATS.values():  # sources are imported on first use: do it here, once
        importlib.import_module(module)

    pid = 0
    for line in sys.stdin:
        request = json.loads(line)
        if "args" in request:
            pid = os.fork()
            if pid == 0:
                _child([str(a) for a in request["args"]])
            print(json.dumps({"pid": pid}), flush=True)
            continue
        _, status = os.waitpid(pid, 0)  # only now: until reaped, the pid cannot be reused
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"pid": pid, "status": code}), flush=True)


if __name__ == "__main__":
    serve()
