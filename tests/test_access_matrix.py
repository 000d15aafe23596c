"""The route × role × unit matrix, generated from the routes' declared rules.

Every route of `app.url_map`, GET and POST, is requested by nine actors: an anonymous visitor, a
learner (who owns the target profile and attempt), another learner, a trainer (who owns the target
course, issued by the targets' ward), another trainer (who owns another course), the admin of the
ward the targets are in, the admin of another ward, a city admin, and a city admin with the
override permission. What each may do comes from the policy (the route's declared rule, checked
against the real target of the request); the app must answer accordingly: a refusal is a 403 for
a logged-in actor and the login page for a visitor, anything else is not a refusal.

A second matrix holds the services to the policy where the route alone cannot decide: who may
create which account, give which role, see which accounts, link which account to which profile.
These are the ways a ward admin once minted a city-wide admin.
"""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import policy
from app.access import rule_for
from app.auth.service import create_user
from app.extensions import db
from app.models import AppointmentDecision, Cadre, ImportBatch, Unit, User
from app.policy import SYSTEM
from tests.helpers import ACCOUNTS, policy_allows, route_requests

ACTORS = (
    "anonymous",
    "learner",
    "other_learner",
    "trainer",
    "other_trainer",
    "ward_admin_in",
    "ward_admin_out",
    "city_admin",
    "override_admin",
)
STRONG = "một mật khẩu đủ dài 2026"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": False}  # the matrix is about access; CSRF has its own tests


def _refused(response, anonymous: bool) -> bool:
    if anonymous:
        return response.status_code == 302 and "/login?next=" in response.headers.get("Location", "")
    return response.status_code == 403


def test_every_route_declares_its_rule(app):
    missing = [
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule_for(app, rule.endpoint, method) is None
    ]
    assert missing == []


@pytest.mark.parametrize("actor", ACTORS)
def test_route_role_unit_matrix(app, wards, auth, client, actor):
    actor_id = wards.ids.get(actor)
    if actor_id:
        auth.login(ACCOUNTS[actor][0])
    outcomes = []
    for endpoint, method, path, query in route_requests(app, wards):
        expected = policy_allows(app, actor_id, endpoint, method, path, query)
        response = client.open(path, method=method, query_string=query)
        response.get_data()  # a streamed export runs to its end, as a browser would read it
        response.close()
        assert response.status_code < 500, (endpoint, method, response.status_code)
        refused = _refused(response, actor == "anonymous")
        outcomes.append((endpoint, method, expected))
        assert refused != expected, (
            f"{actor} {method} {path}: the policy says {'allow' if expected else 'refuse'}, "
            f"the app answered {response.status_code} {response.headers.get('Location', '')}"
        )
    assert len(outcomes) >= 80
    print(f"{actor}: {len(outcomes)} requests, {sum(ok for *_r, ok in outcomes)} allowed")
    allowed = {e for e, _m, ok in outcomes if ok}
    # A few answers spelled out, so that a rule changed by mistake cannot pass unnoticed.
    spelled_out = {
        "anonymous": {
            "auth.login": True,
            "certificates.jwks": True,  # the public keys certificates are checked with
            "certificates.verify": True,  # whoever holds the paper
            "certificates.status_list": True,
            "health.healthz": True,  # the proxy's checks (app/ops/views.py)
            "health.readyz": True,
            "certificates.pdf": False,
            "profiles.profile": False,
            "reports.dashboard": False,
        },
        "learner": {
            "profiles.profile": True,
            "quizzes.attempt": True,
            "profiles.decision": True,  # their own decision, read-only
            "profiles.record_override": False,
            "profiles.decisions_list": False,
            "profiles.unit_search": False,
            "profiles.cadres": False,
            "profiles.decision_conditions": False,
        },
        "other_learner": {
            "profiles.profile": False,
            "profiles.decision": False,
            "quizzes.attempt": False,
            "teach.index": False,
            "marking.queue": False,
            "marking.attempt": False,
        },
        "trainer": {
            "teach.index": True,
            "teach.course": True,
            "teach.quiz_results": True,
            "teach.learners_csv": True,
            "teach.course_trainers": False,
            "editions.index": True,
            "editions.upload": True,
            "editions.edit_lesson": True,
            "editions.publish": True,  # an owner publishes
            "teach_preview.lesson": True,
            "teach_preview.try_quiz": True,
            "marking.queue": True,
            "marking.submission": True,
            "marking.attachment": True,
            "marking.attempt": True,
            "admin.users": False,
            "profiles.profile": False,
            "profiles.decision_conditions": False,
        },
        # A trainer cannot open another trainer's course: its results, learners, item analysis, CSVs.
        "other_trainer": {
            "teach.index": True,
            "teach.guide": True,
            "teach.course": False,
            "teach.quiz_results": False,
            "teach.quiz_items_csv": False,
            "teach.learners": False,
            "teach.learners_csv": False,
            "teach.course_trainers": False,
            "editions.index": False,
            "editions.download": False,
            "editions.edit_lesson": False,
            "editions.markdown_preview": False,
            "editions.publish": False,
            "editions.republish": False,
            "editions.repository": False,
            "editions.fetch": False,
            "editions.upload": True,  # a course of their own: the code decides, in the service
            "teach_preview.edition": False,
            "teach_preview.try_quiz": False,
            "marking.queue": False,  # another course's written assignments
            "marking.submission": False,
            "marking.attachment": False,
            "marking.attempt": False,  # another course's quiz essays
        },
        "ward_admin_in": {
            "profiles.profile": True,
            "reports.export": True,
            "admin.user": True,
            "profiles.edit_requirements": False,
            "profiles.decision_conditions": True,
            "profiles.decisions_list": True,
            "profiles.unit_search": True,
            "audit.index": True,
            "assignments.detail": True,
            "assignments.cancel": True,
            "teach.learners": True,  # the course is issued by the admin's ward
            "marking.queue": False,  # a learner's writing is for the course's trainers
            "marking.submission": False,
            "marking.attempt": False,
            "teach.course_trainers": True,
            "teach.end_trainer": True,
            "editions.index": True,
            "editions.publish": True,  # for a course whose owner has left
            "editions.edit_lesson": False,  # admins oversee courses; trainers write them
            "editions.upload": False,
        },
        "ward_admin_out": {
            "profiles.profile": False,
            "profiles.dossier": False,
            "profiles.decision": False,
            "profiles.record_override": False,
            "profiles.add_training": False,
            "profiles.propose": False,
            "reports.export": False,
            "reports.cadres": False,
            "admin.user": False,
            "admin.apply_import": False,
            "assignments.detail": False,
            "assignments.edit": False,
            "assignments.cancel": False,
            "assignments.overdue_csv": False,
            "teach.course": False,
            "teach.learners": False,
            "teach.course_trainers": False,
            "teach.course_issuer": False,
            "editions.index": False,
            "editions.publish": False,
            "editions.download": False,
            "teach_preview.lesson": False,
            "marking.queue": False,
        },
        "city_admin": {
            "profiles.edit_requirements": True,
            "profiles.decision_conditions": True,
            "audit.index": True,
            "admin.user": True,
            "teach.course_trainers": True,
            "teach.quiz_items_csv": True,
            "marking.submission": False,
            "marking.attempt": False,
            "teach_preview.edition": True,
        },
        "override_admin": {"profiles.decision": True, "quizzes.attempt": False},
    }[actor]
    for endpoint, may in spelled_out.items():
        assert (endpoint in allowed) == may, (actor, endpoint)


# --- the services, where the policy decides by what is submitted --------------------------------


def _unit_path(app, code: str | None) -> str | None:
    if code is None:
        return None
    with app.app_context():
        return db.session.scalar(select(Unit.path).where(Unit.code == code))


def _actor(app, wards, actor):
    """What the policy reads of an account, as it is now."""
    with app.app_context():
        user = db.session.get(User, wards.ids[actor])
        unit = SimpleNamespace(path=user.unit.path, code=user.unit.code) if user.unit else None
        return SimpleNamespace(
            id=user.id,
            role=user.role,
            unit_id=user.unit_id,
            unit=unit,
            can_override=user.can_override,
            is_authenticated=True,
        )


def _account(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


ADMINS = ("ward_admin_in", "ward_admin_out", "city_admin", "override_admin")
# The answers spelled out beside the policy's, so that a policy changed by mistake fails too.
MAY_CREATE = {
    "ward_admin_in": {"admin-w@example.vn", "learner-w@example.vn"},
    "ward_admin_out": {"admin-v@example.vn"},
    "city_admin": {
        "city-admin@example.vn",
        "admin-w@example.vn",
        "admin-v@example.vn",
        "learner-w@example.vn",
        "trainer-city@example.vn",
        "override-w@example.vn",
    },
}
MAY_CREATE["override_admin"] = MAY_CREATE["city_admin"]
SEES = {
    "ward_admin_in": {"learner", "ward_admin_in"},
    "ward_admin_out": {"other_learner", "ward_admin_out"},
    "city_admin": set(ACCOUNTS),
    "override_admin": set(ACCOUNTS),
}
MAY_LINK = {
    "ward_admin_in": {"hv-moi@example.vn"},
    "ward_admin_out": set(),
    "city_admin": {"gv@example.vn", "qt@example.vn", "hv-moi@example.vn"},
    "override_admin": {"gv@example.vn", "qt@example.vn", "hv-moi@example.vn"},
}


@pytest.mark.parametrize("actor", ADMINS)
def test_who_may_create_which_account(app, wards, auth, client, actor):
    auth.login(ACCOUNTS[actor][0])
    me = _actor(app, wards, actor)
    cases = [  # (e-mail, role, unit, override)
        ("city-admin@example.vn", "admin", None, False),
        ("admin-w@example.vn", "admin", "P-W", False),
        ("admin-v@example.vn", "admin", "P-V", False),
        ("learner-w@example.vn", "learner", "P-W", False),
        ("trainer-city@example.vn", "trainer", None, False),
        ("override-w@example.vn", "admin", "P-W", True),
    ]
    for email, role, unit, override in cases:
        form = {
            "email": email,
            "full_name": "Người Mới",
            "role": role,
            "unit_code": unit or "",
            "password": STRONG,
        }
        if override:
            form["can_override"] = "y"
        client.post("/admin/users", data=form)
        created = _account(app, email)
        may = policy.can_grant(me, role, _unit_path(app, unit), override=override)
        assert may == (email in MAY_CREATE[actor]), (actor, email)
        if override:  # the box is not offered to unit admins: the account comes without the permission
            assert bool(created and created.can_override) == may, (actor, email)
        else:
            assert (created is not None) == may, (actor, email)
            if created is not None:
                assert created.role == role and (created.unit.code if created.unit else None) == unit


@pytest.mark.parametrize("actor", ADMINS)
def test_who_sees_and_changes_which_account(app, wards, auth, client, actor):
    auth.login(ACCOUNTS[actor][0])
    me = _actor(app, wards, actor)
    html = client.get("/admin/users").get_data(as_text=True)
    for other, (email, _role, unit, _override) in ACCOUNTS.items():
        home = "P-W" if other == "learner" else "P-V" if other == "other_learner" else unit
        assert (email in html) == policy.can_manage_account(me, _unit_path(app, home)), (actor, other)
        assert (email in html) == (other in SEES[actor]), (actor, other)
    # making the learner (of ward W) a city-wide admin
    client.post(f"/admin/users/{wards.ids['learner']}/access", data={"role": "admin", "unit_code": ""})
    promoted = _account(app, ACCOUNTS["learner"][0]).role == "admin"
    may = policy.can_manage_account(me, _unit_path(app, "P-W")) and policy.can_grant(me, "admin", None)
    assert promoted == may == (actor in ("city_admin", "override_admin")), actor


@pytest.mark.parametrize("actor", ADMINS)
def test_who_may_link_which_account_by_import(app, wards, auth, client, actor):
    auth.login(ACCOUNTS[actor][0])
    me = _actor(app, wards, actor)
    for n, (email, home) in enumerate(
        (("gv@example.vn", None), ("qt@example.vn", None), ("hv-moi@example.vn", "P-W")), start=1
    ):
        if _account(app, email) is None:
            with app.app_context():
                unit = db.session.scalar(select(Unit).where(Unit.code == home))
                create_user(db.session, SYSTEM, email, STRONG, "learner", "Học Viên Mới", unit=unit)
                db.session.commit()
        csv = (
            "employee_code,full_name,date_of_birth,gender,staff_type,unit_code,email\n"
            f"W-10{n},Lê Văn Mới,01/02/1990,Nam,công chức,P-W,{email}\n"
        ).encode()
        response = client.post(
            "/admin/import",
            data={"file": (io.BytesIO(csv), "can-bo.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        with app.app_context():
            batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        client.post(f"/admin/import/{batch.id}/apply")
        with app.app_context():
            linked = (
                db.session.scalar(select(Cadre.user_id).where(Cadre.employee_code == f"W-10{n}"))
                == _account(app, email).id
            )
        may = policy.can_link_account(me, _unit_path(app, home), _unit_path(app, "P-W"))
        assert linked == may == (email in MAY_LINK[actor]), (actor, email)


MAY_BACKDATE = {"ward_admin_in": False, "ward_admin_out": False, "city_admin": False, "override_admin": True}


@pytest.mark.parametrize("actor", ADMINS)
def test_who_may_record_a_backdated_or_far_future_decision(app, wards, auth, client, actor):
    """A ward admin once passed an ineligible appointment by dating it before the requirements."""
    auth.login(ACCOUNTS[actor][0])
    me = _actor(app, wards, actor)
    cadre = wards.values["cadre_id"]
    for n, effective_on in enumerate((date(2020, 1, 1), date(9999, 12, 31)), start=1):
        client.post(
            f"/cadres/{cadre}/appointments/new",
            data={
                "title_code": "division-head",
                "unit_code": "P-W",
                "kind": "appointment",
                "effective_on": effective_on.isoformat(),
                "decision_no": f"{n}/QĐ-LÙI",
            },
        )
        with app.app_context():
            recorded = db.session.scalar(
                select(AppointmentDecision.id).where(AppointmentDecision.decision_no == f"{n}/QĐ-LÙI")
            )
        may = policy.can_decide(me, _unit_path(app, "P-W")) and policy.can_date_decision(
            me, effective_on, date.today()
        )
        assert (recorded is not None) == may == MAY_BACKDATE[actor], (actor, effective_on)
