"""Quizzes through the test client: grading rules, the answer key, time limits, tampering, grades."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    AttemptAnswer,
    CadreHoursStats,
    CourseCompletion,
    CourseMonthStats,
    Question,
    QuizAttempt,
    TrainingRecord,
    UnitCourseStats,
    UnitHoursStats,
    UnitMonthStats,
    User,
)
from app.quizzes import service
from app.quizzes.types import tone_key
from tests.helpers import csrf_token, write_course
from tests.quiz_fixtures import QIDS, attempt_row, enrol_and_start, key, marks, post_attempt, right_answers

# The counters a completion moves, in the learner's unit and for the city.
COUNTERS = (UnitCourseStats, UnitMonthStats, CourseMonthStats, UnitHoursStats, CadreHoursStats)


def test_all_right_scores_100_and_completes_the_course(app, learner, quiz_course, auth, client):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    response = post_attempt(auth, attempt_id, "submit", right_answers(app, attempt_id), QIDS)
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    attempt = attempt_row(app, attempt_id)
    assert (attempt.status, attempt.score, attempt.max_score, attempt.percent) == ("submitted", 9, 9, 100)
    html = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "100%" in html and "Chính xác." in html  # review after each attempt, with feedback
    # the lesson is still to be read: the course is not complete yet
    auth.post("/courses/KT-01/lessons/bai-mot/complete", token_from="/courses/KT-01")
    with app.app_context():
        completion = db.session.scalars(select(CourseCompletion)).one()
        assert completion.score == 100.0


def test_each_question_type_is_marked_by_its_rule(app, learner, quiz_course, auth, client):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    k = key(app, attempt_id)
    options = {
        qid: {re.sub(r"<[^>]+>", "", o["html"]): o["id"] for o in q.data.get("options", [])}
        for qid, (q, _) in k.items()
    }
    ghep = k["ghep"][0].data["pairs"]
    thu_tu = k["thu-tu"][0].data["items"]
    form = {
        "q-otp": options["otp"]["Có, để phối hợp"],  # wrong: 0 of 2
        # multiple: 2 right options; one right + one wrong chosen -> (1 - 1) / 2 = 0; test both
        "q-nhay-cam": [options["nhay-cam"]["Tình trạng sức khoẻ"]],  # one of two right -> 0.5
        "q-ky-so": options["ky-so"]["Đúng"],  # right: 1
        "q-hoa-giai": "Tổ Hòa Giải",  # new tone placement, other case, case=ignore -> 1
        "q-so-phuong": "126,0",  # decimal comma -> 1
        "q-thoi-han": "73.5",  # within 72 +- 2 -> 1
        f"q-ghep-{ghep[0]['id']}": ghep[0]["right_id"],  # 1 of 3 pairs right
        f"q-ghep-{ghep[1]['id']}": ghep[2]["right_id"],
        f"q-thu-tu-{thu_tu[0]['id']}": "1",  # 1 of 3 in place
        f"q-thu-tu-{thu_tu[1]['id']}": "3",
        f"q-thu-tu-{thu_tu[2]['id']}": "2",
    }
    post_attempt(auth, attempt_id, "submit", form, QIDS)
    got = marks(app, attempt_id)
    assert got == pytest.approx(
        {
            "otp": 0,
            "nhay-cam": 0.5,
            "ky-so": 1,
            "hoa-giai": 1,
            "so-phuong": 1,
            "thoi-han": 1,
            "ghep": 1 / 3,
            "thu-tu": 1 / 3,
        }
    )
    attempt = attempt_row(app, attempt_id)
    assert attempt.percent == pytest.approx(round(100 * (0.5 + 4 + 2 / 3) / 9, 2))
    assert attempt.passed is False


def test_multiple_response_partial_credit_rule(app, learner, quiz_course, auth, client):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    opts = {
        re.sub(r"<[^>]+>", "", o["html"]): o["id"]
        for o in key(app, attempt_id)["nhay-cam"][0].data["options"]
    }
    form = {
        "q-nhay-cam": [opts["Tình trạng sức khoẻ"], opts["Thông tin tài khoản ngân hàng"], opts["Họ và tên"]]
    }
    post_attempt(auth, attempt_id, "submit", form, ["nhay-cam"])
    assert marks(app, attempt_id)["nhay-cam"] == pytest.approx(0.5)  # (2 - 1) / 2


def test_short_answer_needs_case_unless_ignored_and_tone_marks_compare_alike():
    assert tone_key("hoà giải") == tone_key("hòa giải")
    assert tone_key("thuỷ") == tone_key("thủy")
    assert tone_key("hoa") != tone_key("hòa")


def test_the_answer_key_never_reaches_the_attempt_page(app, learner, quiz_course, auth, client):
    quiz_course(layout="all_on_one_page")
    attempt_id = enrol_and_start(auth, client)
    post_attempt(auth, attempt_id, "save", {"q-hoa-giai": "không biết"}, ["hoa-giai"])
    pages = [
        client.get(f"/attempts/{attempt_id}").get_data(as_text=True),
        client.get("/courses/KT-01/lessons/kiem-tra").get_data(as_text=True),
    ]
    for html in pages:
        for secret in (
            "Không cơ quan nào hỏi",
            "Chính xác.",
            "Mã OTP chỉ dành",
            "tổ hoà giải",
            "126",
            "72 +- 2",
            "correct",
            "feedback",
            "right_id",
        ):
            assert secret not in html, secret
    assert 'value="không biết"' in pages[0]  # the saved answer is restored


def test_one_question_per_page_saves_as_the_learner_goes(app, learner, quiz_course, auth, client):
    quiz_course(layout="one_per_page")
    attempt_id = enrol_and_start(auth, client)
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert html.count('<fieldset class="question') == 1
    first = key(app, attempt_id)["otp"][0].data["options"][1]["id"]
    response = post_attempt(auth, attempt_id, "save", {"q-otp": first, "go": "2"}, ["otp"])
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}?q=2")
    assert "Dữ liệu nhạy cảm" in client.get(f"/attempts/{attempt_id}?q=2").get_data(as_text=True)
    # a closed tab: coming back shows the saved answer
    html = client.get(f"/attempts/{attempt_id}?q=1").get_data(as_text=True)
    assert f'value="{first}" checked' in html
    # the fetch-based autosave answers JSON
    response = auth.post(
        f"/attempts/{attempt_id}/save",
        {"q-hoa-giai": "hoà giải", "qids": "hoa-giai"},
        token_from="/courses/KT-01",
        headers={"X-Requested-With": "fetch"},
    )
    assert response.json["saved"] is True


@pytest.mark.parametrize(
    "policy, shown_before_pass, shown_after_pass",
    [("after_each", True, True), ("after_passing", False, True), ("never", False, False)],
)
def test_review_policy(app, learner, quiz_course, auth, client, policy, shown_before_pass, shown_after_pass):
    quiz_course(review=policy)
    first = enrol_and_start(auth, client)
    post_attempt(auth, first, "submit", {}, [])
    html = client.get(f"/attempts/{first}/result").get_data(as_text=True)
    assert ("Mã OTP chỉ dành" in html) is shown_before_pass
    second = int(
        auth.post("/courses/KT-01/quizzes/kiem-tra/start", token_from="/courses/KT-01")
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    post_attempt(auth, second, "submit", right_answers(app, second), QIDS)
    html = client.get(f"/attempts/{second}/result").get_data(as_text=True)
    assert ("Mã OTP chỉ dành" in html) is shown_after_pass


def test_tampered_forms_are_refused_and_change_nothing(app, make_user, learner, quiz_course, auth, client):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    good = key(app, attempt_id)["otp"][0].data["options"][1]["id"]
    post_attempt(auth, attempt_id, "save", {"q-otp": good}, ["otp"])
    for form, qids in (
        ({"q-otp": "not-an-option"}, ["otp"]),
        ({"q-khong-co": "x"}, ["khong-co"]),
        ({"q-thu-tu-" + key(app, attempt_id)["thu-tu"][1][0]: "99"}, ["thu-tu"]),
    ):
        assert post_attempt(auth, attempt_id, "save", form, qids).status_code == 400
        assert post_attempt(auth, attempt_id, "submit", form, qids).status_code == 400
    with app.app_context():
        answer = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.qid == "otp"))
        assert answer.response == {"choice": good}
        assert db.session.get(QuizAttempt, attempt_id).status == "open"
    # another learner can neither see nor touch this attempt
    auth.logout()
    make_user("khac@example.vn")
    auth.login("khac@example.vn")
    assert client.get(f"/attempts/{attempt_id}").status_code == 403
    assert client.get(f"/attempts/{attempt_id}/result").status_code == 403
    assert post_attempt(auth, attempt_id, "submit", {}, []).status_code == 403
    assert attempt_row(app, attempt_id).status == "open"


def test_time_limit_is_enforced_on_the_server(app, learner, quiz_course, auth, client, clock):
    quiz_course(time_limit=10)
    attempt_id = enrol_and_start(auth, client)
    form = right_answers(app, attempt_id)
    post_attempt(auth, attempt_id, "save", {"q-otp": form["q-otp"]}, ["otp"])  # in time
    clock.set_now(clock.now + timedelta(minutes=11))
    response = post_attempt(auth, attempt_id, "save", {"q-ky-so": form["q-ky-so"]}, ["ky-so"])
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    response = post_attempt(auth, attempt_id, "submit", form, QIDS)
    attempt = attempt_row(app, attempt_id)
    assert attempt.status == "expired"
    assert marks(app, attempt_id)["otp"] == 2 and marks(app, attempt_id)["ky-so"] == 0
    html = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "hết thời gian" in html or "time ran out" in html


def test_an_abandoned_attempt_is_closed_when_its_time_is_up(app, learner, quiz_course, auth, client, clock):
    quiz_course(time_limit=5)
    attempt_id = enrol_and_start(auth, client)
    clock.set_now(clock.now + timedelta(minutes=6))
    client.get("/courses/KT-01/lessons/kiem-tra")
    assert attempt_row(app, attempt_id).status == "expired"
    assert client.get(f"/attempts/{attempt_id}").headers["Location"].endswith("/result")


def test_double_submit_grades_once(app, learner, quiz_course, auth, client):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    form = right_answers(app, attempt_id)
    first = post_attempt(auth, attempt_id, "submit", form, QIDS)
    second = post_attempt(auth, attempt_id, "submit", {}, QIDS)
    assert first.status_code == second.status_code == 302
    attempt = attempt_row(app, attempt_id)
    assert attempt.percent == 100
    with app.app_context():
        assert db.session.scalar(select(func.count(AttemptAnswer.id))) == len(QIDS)


def test_a_second_submit_that_reaches_the_service_grades_nothing(
    app, learner, make_cadre, quiz_course, auth, client
):
    """The claim guards the grading, not the page in front of it: a submit that reaches the service
    after the attempt was graded (a second tab that read it while it was open) changes nothing, even
    when the answers saved since say otherwise and its clock is later: not the marks, the score, the
    course completion, the training record or the counters of the learner's unit."""
    make_cadre(user=learner)
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    auth.post("/courses/KT-01/lessons/bai-mot/complete", token_from="/courses/KT-01")
    post_attempt(auth, attempt_id, "save", right_answers(app, attempt_id), QIDS)

    def submit(now=None):
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            service.submit_attempt(db.session, attempt, db.session.get(User, learner), now=now)
            db.session.commit()

    def graded():
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            return (
                (attempt.status, attempt.submitted_at, attempt.score, attempt.percent, attempt.passed),
                marks(app, attempt_id),
                db.session.execute(
                    select(CourseCompletion.id, CourseCompletion.score, CourseCompletion.completed_at)
                ).all(),
                db.session.execute(select(TrainingRecord.hours, TrainingRecord.score)).all(),
                [sorted(db.session.execute(select(t.__table__))) for t in COUNTERS],
            )

    submit()
    first = graded()
    assert first[0][0] == "submitted" and first[0][3] == 100 and all(first[1].values())
    assert len(first[2]) == len(first[3]) == 1  # the course is complete, on the learner's profile
    assert all(first[4])  # and counted in her unit
    with app.app_context():  # a stale tab's answers, saved after the grading
        db.session.execute(
            update(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id).values(response=None)
        )
        db.session.commit()
    submit(now=first[0][1] + timedelta(hours=1))
    assert graded() == first


def test_concurrent_submits_from_two_tabs_grade_exactly_once(
    app, learner, quiz_course, auth, client, monkeypatch
):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    graded = []
    real_grade = service._grade

    def counting(session, attempt):
        graded.append(attempt.id)
        real_grade(session, attempt)

    monkeypatch.setattr(service, "_grade", counting)
    barrier = threading.Barrier(2)
    errors = []

    def submit():
        try:
            with app.app_context():
                user = db.session.get(User, 1)
                attempt = db.session.get(QuizAttempt, attempt_id)
                barrier.wait()
                for _ in range(3):
                    try:
                        service.submit_attempt(db.session, attempt, user)
                        db.session.commit()
                        break
                    except Exception as exc:  # noqa: BLE001 - SQLite may answer "locked": retry as the view does
                        db.session.rollback()
                        attempt = db.session.get(QuizAttempt, attempt_id)
                        last = exc
                else:
                    errors.append(last)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert graded == [attempt_id]
    assert attempt_row(app, attempt_id).status == "submitted"


def test_attempt_limit_and_grading_method(app, learner, quiz_course, auth, client):
    quiz_course(max_attempts=2, grading="last")
    first = enrol_and_start(auth, client)
    post_attempt(auth, first, "submit", right_answers(app, first), QIDS)
    second = int(
        auth.post("/courses/KT-01/quizzes/kiem-tra/start", token_from="/courses/KT-01")
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    post_attempt(auth, second, "submit", {}, [])
    response = auth.post("/courses/KT-01/quizzes/kiem-tra/start", token_from="/courses/KT-01")
    assert response.headers["Location"].endswith("/courses/KT-01/lessons/kiem-tra")
    html = client.get("/courses/KT-01/lessons/kiem-tra").get_data(as_text=True)
    assert "Điểm của bạn: 0%" in html  # grade = last attempt
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2


@pytest.mark.parametrize("method, expected", [("highest", 80), ("last", 40), ("first", 60), ("average", 60)])
def test_grade_of(method, expected):
    assert service.grade_of([60, 80, 40], method) == expected
    assert service.grade_of([], method) is None


def test_a_required_quiz_must_be_passed_to_complete(app, learner, quiz_course, auth, client):
    quiz_course()
    attempt_id = enrol_and_start(auth, client)
    auth.post("/courses/KT-01/lessons/bai-mot/complete", token_from="/courses/KT-01")
    post_attempt(auth, attempt_id, "submit", {}, [])  # 0%: attempted, not passed
    html = client.get("/courses/KT-01").get_data(as_text=True)
    assert "100%" in html  # both items done...
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseCompletion.id))) == 0  # ...but not passed
    second = int(
        auth.post("/courses/KT-01/quizzes/kiem-tra/start", token_from="/courses/KT-01")
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    post_attempt(auth, second, "submit", right_answers(app, second), QIDS)
    with app.app_context():
        assert db.session.scalars(select(CourseCompletion)).one().score == 100.0


def test_practice_quiz_never_counts(app, learner, quiz_course, auth, client):
    quiz_course(kind="practice", review="never")
    auth.post("/courses/KT-01/lessons/bai-mot/complete", token_from="/courses/KT-01")
    attempt_id = enrol_and_start(auth, client)
    auth.post("/courses/KT-01/lessons/bai-mot/complete", token_from="/courses/KT-01")
    post_attempt(auth, attempt_id, "submit", {}, [])
    html = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Mã OTP chỉ dành" in html  # practice: immediate feedback whatever the policy
    with app.app_context():
        completion = db.session.scalars(select(CourseCompletion)).one()
        assert completion.score is None  # practice scores are not part of the record


def test_quiz_lesson_cannot_be_marked_complete_by_hand(learner, quiz_course, auth):
    quiz_course()
    auth.post("/courses/KT-01/enrol", token_from="/courses/KT-01")
    assert (
        auth.post("/courses/KT-01/lessons/kiem-tra/complete", token_from="/courses/KT-01").status_code == 400
    )


def test_attempt_records_draw_seed_and_version_hash_and_replays(
    app, learner, courses_root, import_folder, auth, client
):
    questions = "".join(
        f"## Câu {i} {{#cau-{i} tags={'a' if i % 2 else 'b'}}}\n\n- [x] Đúng {i}\n- [ ] Sai {i}\n\n"
        for i in range(1, 11)
    )
    import_folder(
        write_course(
            courses_root,
            "bo-de",
            code="BD",
            lessons={
                "01-de.md": "---\ntype: quiz\ndraw: {a: 2, b: 1}\nshuffle_questions: true\n"
                "shuffle_options: true\n---\n# Đề\n\n" + questions
            },
        )
    )
    auth.post("/courses/BD/enrol", token_from="/courses/BD")
    attempt_id = int(
        auth.post("/courses/BD/quizzes/de/start", token_from="/courses/BD")
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert len(attempt.draw) == 3
        qs = list(
            db.session.scalars(
                select(Question).where(Question.quiz_id == attempt.quiz_id).order_by(Question.position)
            )
        )
        tags = {q.qid: q.tags for q in qs}
        assert sorted(tags[e["qid"]][0] for e in attempt.draw) == ["a", "a", "b"]
        assert service.draw_questions(qs, attempt.quiz, attempt.seed) == attempt.draw
        assert attempt.content_hash == attempt.quiz.content_hash and len(attempt.content_hash) == 64
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert html.count('<fieldset class="question') == 3


def test_submit_query_count_does_not_grow_with_questions(
    app, learner, courses_root, import_folder, auth, client, count_queries
):
    def quiz(n: int) -> str:
        body = "".join(f"## Câu {i} {{#cau-{i}}}\n\n- [x] Đúng\n- [ ] Sai\n\n" for i in range(n))
        return f"---\ntype: quiz\n---\n# Đề {n}\n\n{body}"

    for n in (5, 30):
        import_folder(write_course(courses_root, f"de-{n}", code=f"DE-{n}", lessons={"01-de.md": quiz(n)}))
    counts = {}
    for n in (5, 30):
        auth.post(f"/courses/DE-{n}/enrol", token_from="/courses/")
        attempt_id = int(
            auth.post(f"/courses/DE-{n}/quizzes/de/start", token_from="/courses/")
            .headers["Location"]
            .rsplit("/", 1)[1]
        )
        form = right_answers(app, attempt_id)
        data = {**form, "qids": [f"cau-{i}" for i in range(n)], "csrf_token": csrf_token(client, "/courses/")}
        with count_queries() as counter:
            response = client.post(f"/attempts/{attempt_id}/submit", data=data)
        assert response.status_code == 302
        assert attempt_row(app, attempt_id).percent == 100
        counts[n] = counter.count
    assert counts[30] == counts[5], counts
    # incl. completion, training record (and its audit entry), dashboard and assignment counters,
    # the essays' word limits, and the certificate
    assert counts[30] <= 26, counts
    print(f"queries for one submit of a 30-question attempt: {counts[30]}")
