"""What the quiz engine tells the packages above it, without importing them (blinker signals).

A receiver runs inside the sender's transaction, with the sender's session.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with (session, user=, attempt=) once, when an attempt has been graded: the course's
# completion rule (in `app.learning`) listens.
attempt_graded = _signals.signal("attempt-graded")
