"""What the organisation tells the packages above it, without importing them (blinker signals).

A receiver runs inside the sender's transaction, with the sender's session.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with (session) after units moved in the tree: who lies inside which subtree has changed.
units_moved = _signals.signal("units-moved")
