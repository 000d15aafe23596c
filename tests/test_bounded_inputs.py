"""Bounded inputs on every route: ids past the column's range, page numbers, years, dates and codes
that a careless or hostile visitor puts in a URL get a 404, a 400 that says what is accepted, or
the page a person expects (a page past the last shows the last) — never a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, insert, select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import AuditEntry, Unit
from app.org.units import create_unit
from tests.helpers import ACCOUNTS, Wards, run_import

INT_ARG_RE = re.compile(r"<int:(\w+)>")
PAGE_ARG_RE = re.compile(r"[?&]page=[^\"&]*")
TOKEN_RE = re.compile(r'value="[\w.-]{40,}"')
HUGE_IDS = (2**31, 2**63, 2**64, 10**30, 0)


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": False, "PAGE_SIZE": 2}  # small pages, so that page 2 and the last differ


def _get(client, path: str, **kw):
    """GET `path` and read the answer to its end, as a browser would (exports are streamed)."""
    response = client.get(path, **kw)
    response.get_data()
    response.close()
    return response


def _login(auth, actor: str = "city_admin"):
    auth.login(ACCOUNTS[actor][0])


def _shown(response) -> str:
    """The page as shown, without the page number asked for (the language switch repeats it) and
    without the CSRF tokens (they carry the second they were made)."""
    html = TOKEN_RE.sub('value=""', response.get_data(as_text=True))
    return PAGE_ARG_RE.sub("", html).replace('?"', '"')


def _audit_head(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.seq)))


# --- ids ----------------------------------------------------------------------------------------


def test_the_id_bound_is_the_integer_column():
    from app.params import DB_INT_MAX

    assert DB_INT_MAX == 2**31 - 1


@pytest.mark.parametrize("value", HUGE_IDS)
def test_ids_beyond_the_column_answer_404_on_every_int_route(app, wards: Wards, auth, client, value):
    _login(auth, "override_admin")  # may open every admin route: only the id decides
    before = _audit_head(app)
    tried = []
    for rule in app.url_map.iter_rules():
        for arg in INT_ARG_RE.findall(rule.rule):
            path = rule.build({**wards.values, arg: value}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method)
                tried.append(rule.endpoint)
                assert response.status_code == 404, (method, path, response.status_code)
    assert len(tried) >= 35
    assert _audit_head(app) == before  # nothing was written, not even an audit entry


def test_ids_in_range_still_work(app, wards: Wards, auth, client):
    _login(auth)
    assert client.get(f"/cadres/{wards.values['cadre_id']}").status_code == 200
    assert client.get(f"/cadres/{2**31 - 1}").status_code == 404
    assert client.get("/cadres/\u0661").status_code == 404  # an Arabic-Indic digit is not an id


@pytest.mark.parametrize(
    "path",
    ["/courses/KT%00", "/courses/KT-01/lessons/a%0Db", "/media/%00", "/requirements/a%7F/pool", "/reset/%00"],
)
def test_text_in_a_path_with_control_characters_is_not_found(app, wards: Wards, auth, client, path):
    """PostgreSQL refuses a NUL in a query: it was a 500 there."""
    _login(auth)
    assert client.get(path).status_code == 404
    assert client.get("/courses/" + "x" * 201).status_code == 404


# --- page numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/cadres/", "/admin/users", "/courses/"])
def test_page_numbers_out_of_range(app, wards: Wards, auth, client, path):
    _login(auth)
    first = _shown(client.get(path))
    for page in ("0", "-5", "-99999999999999999999"):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200, page
        assert _shown(response) == first, page
    last = _shown(client.get(f"{path}?page=999"))
    for page in ("100000000000000000000", str(2**63), "9" * 5000):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200, page
        assert _shown(response) == last, page  # past the last: the last page
    for page in ("1e20", "NaN", "1.5", "hai", "１"):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 400, page
        assert "Số trang" in response.get_data(as_text=True)


def test_a_page_past_the_last_shows_the_last(app, wards: Wards, auth, client):
    _login(auth)
    shown = _shown(client.get("/admin/users?page=100000000000000000000"))
    assert shown == _shown(client.get("/admin/users?page=4"))  # 7 accounts, 2 a page
    assert shown != _shown(client.get("/admin/users?page=1"))


def test_audit_page_numbers(app, wards: Wards, auth, client):
    _login(auth)
    assert client.get("/audit/?page=100000000000000000000").status_code == 200
    assert client.get("/audit/?page=1e20").status_code == 400


# --- years --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "year", ["1e20", "100000000000000000000", "0", "-1", "1899", "2101", "NaN", "２０２５"]
)
def test_a_year_out_of_range_is_refused_with_a_message(app, wards: Wards, auth, client, year):
    _login(auth)
    for fmt in ("", "&format=csv"):
        response = client.get(f"/review/hours?unit=P-W&year={year}{fmt}")
        assert response.status_code == 400, (year, fmt)
        assert "Năm" in response.get_data(as_text=True)


def test_a_year_in_range_and_no_year(app, wards: Wards, auth, client):
    _login(auth)
    assert client.get("/review/hours?unit=P-W&year=2025").status_code == 200
    assert client.get("/review/hours?unit=P-W&year=").status_code == 200
    assert client.get("/review/hours?unit=P-W").status_code == 200


# --- dates --------------------------------------------------------------------------------------

DATE_PAGES = [
    "/review/?unit=P-W",
    "/review/cadres?unit=P-W",
    "/review/export.csv?unit=P-W&what=cadres",
    "/review/export.xlsx?unit=P-W&what=cadres",
    "/review/export.csv?unit=P-W",
    "/audit/?x=1",
    "/audit/export.csv?x=1",
]


@pytest.mark.parametrize("path", DATE_PAGES)
@pytest.mark.parametrize(
    "query", ["start=0001-01-01", "end=9999-12-31", "end=9999-12-30", "start=1899-12-31", "start=2025-02-30"]
)
def test_dates_out_of_range_or_impossible_are_refused(app, wards: Wards, auth, client, path, query):
    _login(auth)
    before = _audit_head(app)
    response = _get(client, f"{path}&{query}")
    assert response.status_code == 400, (path, query, response.status_code)
    assert "Ngày" in response.get_data(as_text=True)
    assert _audit_head(app) == before  # a refused export is not recorded as made


@pytest.mark.parametrize("path", DATE_PAGES)
def test_dates_in_range_and_empty_dates(app, wards: Wards, auth, client, path):
    _login(auth)
    for query in ("start=1900-01-01&end=2100-12-31", "start=&end=", "start=2025-01-01"):
        response = _get(client, f"{path}&{query}")
        assert response.status_code == 200, (path, query)


# --- codes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["P-W\r\nSet-Cookie: x=1", "P-W\n", 'P"W', "P W", "Phường", "P-W;x", "A" * 41, "\x00"]
)
def test_codes_outside_the_alphabet(code):
    from app.codes import is_code

    assert not is_code(code)


@pytest.mark.parametrize("code", ["HN", "P-W", "SO-NV-TCCB", "000.00.00.H26", "S01_02", "A" * 40])
def test_codes_inside_the_alphabet(code):
    from app.codes import is_code

    assert is_code(code)


@pytest.mark.parametrize(
    "path",
    ["/review/export.csv", "/review/export.xlsx", "/review/", "/review/cadres", "/review/hours"],
)
def test_a_unit_code_with_a_line_break_is_refused(app, wards: Wards, auth, client, path):
    _login(auth)
    with app.app_context():  # a unit stored before codes were checked, with a line break in its code
        city = db.session.scalar(select(Unit).where(Unit.code == "HN"))
        db.session.execute(
            insert(Unit).values(
                code="P-W\r\nX-Evil: 1", name="Phường Xấu", type="ward", path=city.path + "99/"
            )
        )
        db.session.commit()
    for code in ("P-W\r\nX-Evil: 1", "P-W\r\nSet-Cookie: x=1", 'P-W"; filename="x.exe'):
        response = _get(client, path, query_string={"unit": code, "what": "profiles"})
        assert response.status_code == 400, (path, code, response.status_code)
        assert "Mã đơn vị" in response.get_data(as_text=True)
        assert "X-Evil" not in response.headers


def test_new_units_take_codes_from_the_alphabet(app):
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            create_unit(db.session, None, code="P-W\r\nX", name="Phường", type="ward")
        assert caught.value.field == "code"
        assert create_unit(db.session, None, code=" P-W ", name="Phường", type="ward").code == "P-W"


def test_the_units_import_reports_a_code_outside_the_alphabet(app):
    content = 'code,name,type,parent_code\nHN,Hà Nội,city,\n"P W",Phường Tây,ward,HN\n'.encode()
    result = run_import(app, content, "don-vi.csv")
    assert result.exit_code != 0
    assert "P W" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Unit.id))) == 0


# --- parameters that are also names in the page's links -----------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/review/?unit=P-W&what=x&fmt=pdf",
        "/review/cadres?unit=P-W&what=x&fmt=pdf",
        "/review/hours?unit=P-W&format=x",
        "/review/?_external=1&_scheme=javascript&_anchor=x",
        "/review/hours?_method=x&_external=0",
    ],
)
def test_parameters_that_name_arguments_of_the_links(app, wards: Wards, auth, client, path):
    """A report page once passed its whole query string to `url_for` for its links."""
    _login(auth)
    response = _get(client, path)
    assert response.status_code == 200
    assert "javascript:" not in response.get_data(as_text=True)
