"""gunicorn reads this file from the directory it starts in (the checkout, see README.md).

Login attempts are counted per address and per account in the rate limiter's storage. With
`memory://` every worker counts alone, so four workers let four times as many guesses through:
production with more than one worker refuses to start unless the counters are shared (Redis).
"""

import os

# Kept-alive connections stay open 75 s, longer than the proxy keeps them idle (nginx site:
# keepalive_timeout 60s), so the proxy is always the one to close them; with gunicorn's default of
# 2 s, an answer saved every few seconds could be sent on a connection closing under it.
keepalive = 75


def on_starting(server):
    environment = os.environ.get("BOIDUONG_ENV", "production").strip().lower()
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if environment == "production" and server.cfg.workers > 1 and storage.startswith("memory://"):
        raise SystemExit(
            f"refusing to start {server.cfg.workers} workers with RATELIMIT_STORAGE_URI={storage}: "
            "each worker would count login attempts alone. Use a shared store, e.g. "
            "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (apt-get install redis-server)."
        )


def when_ready(server):
    """One budget of password checks for every worker of this machine (app/auth/budget.py): made
    here, in the master, so that the workers it forks share it."""
    from app.auth import budget
    from app.config import login_budget

    budget.share(*login_budget(os.environ))
