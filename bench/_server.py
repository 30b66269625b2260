"""How the benches start the production WSGI server on loopback (gunicorn, threaded workers)."""

from __future__ import annotations

import os
import sys


def gunicorn_cmd(port: int, workers: int, threads: int) -> list[str]:
    """gunicorn serving nhandao on 127.0.0.1:port with ``workers`` × ``threads``, preloaded."""
    return [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "nhandao.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--preload",
        "--log-level",
        "warning",
    ]
