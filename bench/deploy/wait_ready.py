"""Wait until the app server on 127.0.0.1:PORT answers /readyz with 200 (its database reachable and
migrated), for at most SECONDS (default 60); exit 0 when it does, 1 when it never did.

The systemd unit (boiduong@.service) runs it after starting gunicorn, so that `systemctl start`
and `restart` return only when the server can serve; bench/cluster.py waits with it too.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def wait_ready(url: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


if __name__ == "__main__":
    port = int(sys.argv[1])
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    if not wait_ready(f"http://127.0.0.1:{port}/readyz", seconds):
        print(f"the app server on port {port} was not ready within {seconds:g} s", file=sys.stderr)
        sys.exit(1)
