"""Every route, GET and POST, as each kind of actor, with random and hostile values in every path
parameter and in the query string: never a 5xx (nor an exception), and a refused request writes
nothing to the database.

The routes come from `app.url_map` and the sample data from the route × role matrix's wards (one
of each thing a route can be about, in ward W). Each example requests every route once, with its
own drawn values; under the "ci" profile (`make test`) each actor runs a few examples with a fixed
seed, and `make fuzz` runs the profile's many more.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from app.extensions import db
from tests.helpers import ACCOUNTS, OVERRIDES, QUERIES, Wards

pytestmark = pytest.mark.fuzz

ACTORS = ("anonymous", "learner", "trainer", "ward_admin_in", "city_admin")
# Examples per actor (each one requests every route, some seventy requests): ten in `make test`,
# without shrinking (the failing request is in the message anyway); a tenth of the profile's count
# with `make fuzz` (200 a role: about 14,000 requests), shrinking.
IN_CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"
CI_EXAMPLES = 10
EXAMPLES = CI_EXAMPLES if IN_CI else max(CI_EXAMPLES, settings().max_examples // 10)
PHASES = [p for p in Phase if p is not Phase.shrink] if IN_CI else list(Phase)

PARAM_RE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
REFUSALS = {400, 401, 403, 404, 405, 409, 413, 429}
# Requests that would end the actor's own login and leave the rest of the example anonymous.
SKIPPED = {"auth.logout"}

HOSTILE_NUMBERS = [
    "0",
    "-1",
    "1e20",
    "100000000000000000000",
    str(2**31 - 1),
    str(2**31),
    str(2**63),
    str(2**64),
    "9" * 5000,
    "NaN",
    "inf",
    "-0",
    "1.5",
    "0x10",
    "\u0661",  # an Arabic-Indic digit one
    "\uff12",  # a full-width two
]
HOSTILE_TEXT = [
    "",
    " ",
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "1899-12-31",
    "P-W",
    "P-W\r\nX-Evil: 1",
    'P-W"; filename="x.exe',
    "\x00",
    "a\x00b",
    "../../etc/passwd",
    "%00",
    '=HYPERLINK("http://evil.example")',
    "'; DROP TABLE users; --",
    "Nguyễn Thị Đích",
    "\u202e\u200b",
    "🙂",
    "/\\evil.example",
    "//evil.example",
    "x" * 3000,
    "KT-01",
    "kiem-tra",
    "division-head",
    "csv",
    "xlsx",
    "profiles",
]
QUERY_NAMES = [
    "page",
    "per_page",
    "year",
    "start",
    "end",
    "unit",
    "course",
    "category",
    "q",
    "who",
    "action",
    "cadre",
    "months",
    "below",
    "what",
    "format",
    "fmt",
    "next",
    "_external",
    "_scheme",
    "_anchor",
]

hostile_value = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS + HOSTILE_TEXT),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=40),
)
query_strategy = st.lists(
    st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), st.text(min_size=1, max_size=12)), hostile_value),
    max_size=5,
)


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": False}  # so that a POST reaches its view (CSRF has its own tests)


def _routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route and method."""
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint not in SKIPPED
    )


def _samples(sample: Wards, endpoint: str) -> dict[str, str]:
    values = {k: str(v) for k, v in sample.values.items()}
    for name, value in OVERRIDES.get(endpoint, {}).items():
        values[name] = str(sample.ids.get(value, value))
    return values


def _value_for(name: str, converter: str | None, samples: dict[str, str], actor_id: int | None):
    """A drawn value for one path parameter: the wards's own value (so that the view runs past its
    lookup), another id of the wards, or something hostile."""
    own = samples.get(name, "x")
    if converter == "int":
        ids = sorted({int(v) for v in samples.values() if v.isdigit()} - {actor_id or 0})
        return st.one_of(st.just(own), st.sampled_from(ids).map(str), hostile_value)
    return st.one_of(st.just(own), hostile_value)


def _path(rule: str, values: dict[str, str]) -> str:
    return PARAM_RE.sub(lambda m: quote(values[m.group(2)], safe=""), rule)


@contextmanager
def _writes():
    """The writing statements run inside the block, apart from a login session's `last_seen_at`."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        head = statement.lstrip()[:200].upper()
        if head.startswith(("INSERT", "UPDATE", "DELETE")) and not (
            head.startswith("UPDATE LOGIN_SESSIONS SET LAST_SEEN_AT")
        ):
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _refused(response, anonymous: bool) -> bool:
    if response.status_code in REFUSALS:
        return True
    return anonymous and response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_with_hostile_values(app, wards: Wards, auth, client, actor):
    actor_id = wards.ids.get(actor)
    email = ACCOUNTS.get(actor, ("",))[0]
    if actor_id:
        auth.login(email)
    routes = _routes(app)
    assert len(routes) >= 70
    requested = []

    @settings(max_examples=EXAMPLES, phases=PHASES)
    @given(data=st.data())
    def check(data):
        if actor_id and client.get("/account/").status_code != 200:
            auth.login(email)  # an example ended this login (a sign-out of all sessions, say)
        for endpoint, method, rule in routes:
            samples = _samples(wards, endpoint)
            values = {
                name: data.draw(_value_for(name, converter, samples, actor_id), label=f"{endpoint} {name}")
                for converter, name in PARAM_RE.findall(rule)
            }
            path = _path(rule, values)
            query = list(QUERIES.get(endpoint, {}).items()) if data.draw(st.booleans()) else []
            query += data.draw(query_strategy, label=f"{endpoint} query")
            with app.app_context(), _writes() as writes:
                response = client.open(path, method=method, query_string=MultiDict(query))
                response.get_data()  # a streamed export runs to its end
                response.close()
            requested.append(endpoint)
            assert response.status_code < 500, (actor, method, path, query, response.status_code)
            if _refused(response, actor == "anonymous"):
                assert writes == [], (actor, method, path, query, response.status_code, writes)

    check()
    assert len(requested) >= EXAMPLES * len(routes)
