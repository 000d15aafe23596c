"""The application with one more route, /bench/floor, that does only what every page does.

Session cookie, the route's access rule and the identity (one SQL statement: the login session
joined with its account and the account's unit), then "ok": no template, no other query.
bench/lesson_page.py serves the lesson page from this same app and measures the floor beside it,
to show how much of the gap to a bare Flask route is the price of any logged-in page on this
stack rather than of the lesson page itself.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.access import LOGGED_IN, allow  # noqa: E402

app = create_app()


@app.route("/bench/floor")
@allow(LOGGED_IN)
def floor():
    return "ok"
