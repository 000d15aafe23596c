"""Essays in graded quizzes: the quiz syntax, a learner's attempt waiting to be marked, the trainers'
marking queue and marks (a re-mark supersedes), the grade recorded once, the course completing, and
GIFT's essay arriving as one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.courses.source import read_course
from app.extensions import db
from app.models import (
    AttemptAnswer,
    AuditEntry,
    CourseCompletion,
    EssayMark,
    Question,
    QuizAttempt,
    TrainingRecord,
)
from app.quizzes import marking
from app.quizzes.events import attempt_graded
from app.quizzes.gift import gift_to_markdown, quiz_to_gift
from app.quizzes.source import parse_quiz
from tests.helpers import csrf_token, write_course
from tests.written_data import ESSAY, QUIZ_PAGE
from tests.written_data import ESSAY_LESSONS as LESSONS
from tests.written_data import ESSAY_QUIZ as QUIZ


@pytest.fixture
def setup(make, auth):
    """Course KH-01 (a lesson, then a quiz with two essays) taught by gv@; a learner enrolled and
    logged in, who has read the first lesson."""
    make.course(lessons=LESSONS)
    learner = make.user()
    trainer = make.user("gv@example.vn", "trainer", full_name="Giảng Viên Một")
    make.course_trainer(trainer, "KH-01")
    make.enrolment(learner)
    auth.login()
    auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01/lessons/mo-dau")
    return {"learner": learner, "trainer": trainer}


def _start(auth) -> int:
    response = auth.post("/courses/KH-01/quizzes/kiem-tra/start", token_from=QUIZ_PAGE)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _right_option(app) -> str:
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.qid == "thu-do"))
        return next(o["id"] for o in question.data["options"] if o["correct"])


def _answer(auth, app, attempt_id, essay=ESSAY, risk="Lộ dữ liệu cá nhân.", action="submit"):
    data = {
        "qids": ["thu-do", "bai-viet", "rui-ro"],
        "q-thu-do": _right_option(app),
        "q-bai-viet": essay,
        "q-rui-ro": risk,
    }
    return auth.post(f"/attempts/{attempt_id}/{action}", data, token_from=f"/attempts/{attempt_id}")


def _mark(client, attempt_id, qid, marks, comment="Rõ ràng, có ví dụ."):
    """Post one essay's mark form (its fields are prefixed with the essay's id, its token too)."""
    path = f"/teach/courses/KH-01/marking/attempts/{attempt_id}"
    fields = {"marks": marks, "comment": comment, "csrf_token": csrf_token(client, path)}
    return client.post(path, data={"essay": qid, **{f"essay-{qid}-{k}": v for k, v in fields.items()}})


def _attempt(app, attempt_id) -> QuizAttempt:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


def _completed(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(CourseCompletion.id)) is not None


# --- the quiz syntax ----------------------------------------------------------------------------


def test_an_essay_reads_with_its_task_limit_and_feedback(tmp_path):
    course, problems = read_course(write_course(tmp_path, lessons=LESSONS))
    assert not [p for p in problems if p.is_error], problems
    essay = course.lessons[1].quiz.questions[1]
    assert (essay.type, essay.points, essay.max_words) == ("essay", 6, 40)
    # the list is part of the task, not answers
    assert essay.stem.endswith("- việc gì;\n- ai làm.")
    assert essay.general_feedback == "Bài tốt nêu rõ việc, dữ liệu và người làm."


def test_an_essay_in_a_practice_quiz_is_refused_with_its_line(tmp_path):
    practice = QUIZ.replace("pass_mark: 60", "kind: practice")
    course, problems = read_course(write_course(tmp_path, lessons={**LESSONS, "02-kiem-tra.md": practice}))
    assert course is None
    found = {(p.path.rsplit("/", 1)[-1], p.line, p.message) for p in problems if p.is_error}
    message = "an essay is marked by a trainer, so it belongs in a graded quiz, not a practice one"
    assert ("02-kiem-tra.md", 13, message) in found


# --- the learner ----------------------------------------------------------------------------------


def test_the_attempt_page_has_a_text_box_with_the_word_limit(app, auth, client, setup):
    attempt_id = _start(auth)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert '<textarea id="q-bai-viet" name="q-bai-viet"' in page
    assert 'data-max="40"' in page and "word-count.js" in page
    # an answer saved as the learner goes comes back in the box
    assert _answer(auth, app, attempt_id, action="save").status_code == 302
    assert ESSAY in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_a_submitted_attempt_waits_to_be_marked_and_does_not_count_yet(app, auth, client, setup):
    attempt_id = _start(auth)
    assert _answer(auth, app, attempt_id).status_code == 302
    attempt = _attempt(app, attempt_id)
    assert attempt.status == "submitted" and attempt.percent is None and attempt.passed is None
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Chờ chấm" in result
    assert "Đạt" not in result and "Chưa đạt" not in result
    quiz_page = client.get(QUIZ_PAGE).get_data(as_text=True)
    assert "chờ chấm" in quiz_page
    assert not _completed(app)


def test_too_many_words_keep_the_attempt_open_and_the_text(app, auth, client, setup):
    attempt_id = _start(auth)
    long_text = " ".join(["chữ"] * 41)
    response = _answer(auth, app, attempt_id, essay=long_text)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt_id}")
    assert _attempt(app, attempt_id).is_open
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "41" in page and "40" in page and long_text in page
    assert "rút gọn" in page


def test_blank_essays_need_no_marker(app, auth, setup):
    attempt_id = _start(auth)
    _answer(auth, app, attempt_id, essay="", risk="")
    attempt = _attempt(app, attempt_id)
    assert attempt.percent == 20.0 and attempt.passed is False  # 2 of 10 points, graded at once


# --- the trainer --------------------------------------------------------------------------------


def test_the_queue_lists_the_attempt_and_marking_records_the_grade_once(app, auth, client, setup):
    attempt_id = _start(auth)
    _answer(auth, app, attempt_id)
    auth.logout()
    auth.login("gv@example.vn")
    queue = client.get("/teach/courses/KH-01/marking").get_data(as_text=True)
    assert f"/marking/attempts/{attempt_id}" in queue
    page = client.get(f"/teach/courses/KH-01/marking/attempts/{attempt_id}").get_data(as_text=True)
    assert ESSAY in page and "Lộ dữ liệu cá nhân." in page

    assert _mark(client, attempt_id, "bai-viet", 3, "Chưa nêu người làm.").status_code == 303
    assert _attempt(app, attempt_id).percent is None  # one essay still to mark
    assert _mark(client, attempt_id, "bai-viet", 5).status_code == 303  # a re-mark supersedes
    assert _mark(client, attempt_id, "rui-ro", 2).status_code == 303
    attempt = _attempt(app, attempt_id)
    assert (attempt.score, attempt.max_score, attempt.percent, attempt.passed) == (9.0, 10.0, 90.0, True)
    assert _completed(app)
    with app.app_context():
        marks = db.session.execute(select(EssayMark.qid, EssayMark.marks).order_by(EssayMark.id)).all()
        answers = dict(db.session.execute(select(AttemptAnswer.qid, AttemptAnswer.mark)).all())
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert [tuple(m) for m in marks] == [("bai-viet", 3), ("bai-viet", 5), ("rui-ro", 2)]
    assert answers == {"thu-do": 2.0, "bai-viet": 5.0, "rui-ro": 2.0}
    assert actions.count("mark_essay") == 3 and "view_essay_attempt" in actions

    # the grade is evidence now: no more marks here
    again = _mark(client, attempt_id, "rui-ro", 0)
    assert again.status_code == 400
    assert "không thể đổi" in again.get_data(as_text=True) or "can no longer" in again.get_data(as_text=True)
    assert "attempts/" not in client.get("/teach/courses/KH-01/marking").get_data(as_text=True)


def test_a_mark_that_reaches_the_grading_after_another_marker_graded_changes_nothing(
    app, make, auth, client, setup
):
    """Two trainers mark the last essay at the same moment: both pass the "still awaiting marks"
    check and write their mark, and the one whose grading claim comes second must grade nothing:
    not the answers' marks, the score, the course completion, nor a second "graded" event."""
    make.cadre(user=setup["learner"])  # so that the completion enters a training record
    attempt_id = _start(auth)
    _answer(auth, app, attempt_id)
    auth.logout()
    auth.login("gv@example.vn")
    _mark(client, attempt_id, "bai-viet", 5)
    _mark(client, attempt_id, "rui-ro", 2)

    def graded():
        return (
            db.session.execute(select(QuizAttempt.score, QuizAttempt.percent, QuizAttempt.passed)).all(),
            sorted(db.session.execute(select(AttemptAnswer.qid, AttemptAnswer.mark)).all()),
            db.session.execute(select(CourseCompletion.id, CourseCompletion.score)).all(),
            db.session.execute(select(TrainingRecord.id, TrainingRecord.score)).all(),
        )

    events = []
    with app.app_context():
        before = graded()
        assert before[0] == [(9.0, 90.0, True)] and len(before[2]) == len(before[3]) == 1
        attempt = db.session.get(QuizAttempt, attempt_id)
        # the second trainer's mark, written before the first trainer's grading was committed
        trainer = setup["trainer"]
        db.session.add(
            EssayMark(
                attempt_id=attempt_id, qid="rui-ro", marker_id=trainer, marks=0, points=2, comment="Sai."
            )
        )
        db.session.flush()
        with attempt_graded.connected_to(lambda _session, **kw: events.append(kw)):
            assert marking._finish(db.session, attempt) is False
        db.session.commit()
        assert graded() == before
    assert events == []


def test_the_learner_sees_the_grade_and_the_comment(app, auth, client, setup):
    attempt_id = _start(auth)
    _answer(auth, app, attempt_id)
    auth.logout()
    auth.login("gv@example.vn")
    _mark(client, attempt_id, "bai-viet", 6, "Bài viết rất tốt.")
    _mark(client, attempt_id, "rui-ro", 1)
    auth.logout()
    auth.login()
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "90" in result and "Bài viết rất tốt." in result and "Chờ chấm" not in result


def test_a_mark_outside_the_points_is_refused_with_the_field(app, auth, client, setup):
    attempt_id = _start(auth)
    _answer(auth, app, attempt_id)
    auth.logout()
    auth.login("gv@example.vn")
    response = _mark(client, attempt_id, "bai-viet", 7)
    assert response.status_code == 400
    assert "từ 0 đến 6" in response.get_data(as_text=True) or "from 0 to 6" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(EssayMark.id)) is None


def test_only_the_course_trainers_mark(app, make, auth, client, setup):
    attempt_id = _start(auth)
    _answer(auth, app, attempt_id)
    path = f"/teach/courses/KH-01/marking/attempts/{attempt_id}"
    assert client.get(path).status_code == 403  # the learner
    make.user("gv2@example.vn", "trainer")
    auth.logout()
    auth.login("gv2@example.vn")
    assert client.get(path).status_code == 403  # a trainer of other courses
    token = csrf_token(client, "/teach/")
    posted = client.post(
        path, data={"essay": "bai-viet", "essay-bai-viet-marks": 6, "essay-bai-viet-csrf_token": token}
    )
    assert posted.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(EssayMark.id)) is None


def test_the_queue_takes_the_same_queries_for_many_attempts(app, make, auth, client, setup, count_queries):
    for n in range(4):
        email = f"hv{n}@example.vn"
        make.enrolment(make.user(email), "KH-01")
        auth.logout()
        auth.login(email)
        _answer(auth, app, _start(auth))
        if n == 0:
            auth.logout()
            auth.login("gv@example.vn")
            with count_queries() as one:
                assert client.get("/teach/courses/KH-01/marking").status_code == 200
    auth.logout()
    auth.login("gv@example.vn")
    with count_queries() as four:
        page = client.get("/teach/courses/KH-01/marking").get_data(as_text=True)
    assert page.count("/marking/attempts/") == 4
    assert four.count == one.count


def test_a_trainer_trying_the_quiz_is_told_essays_are_left_out(app, auth, client, setup):
    auth.logout()
    auth.login("gv@example.vn")
    path = "/teach/courses/KH-01/editions/1/quizzes/kiem-tra/try?seed=7"
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    data = {
        "seed": 7,
        "qids": ["thu-do", "bai-viet", "rui-ro"],
        "q-thu-do": _right_option(app),
        "q-bai-viet": ESSAY,
    }
    response = auth.post(path, data, token_from=path)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    # the essay answered is left out; the blank one earns nothing, as in an attempt: 2 of 4 points
    assert "<strong>50%</strong>" in text and "(2/4" in text
    assert "bỏ qua 1 bài" in text


# --- GIFT ---------------------------------------------------------------------------------------


def test_a_gift_essay_converts_and_writes_back_the_same():
    gift = "// id: y-kien words: 200 points: 5\n::Ý kiến::Nêu ý kiến của anh/chị. {\n\t####Gợi ý chấm.\n}\n"
    markdown, problems = gift_to_markdown(gift, title="Tự luận")
    assert problems == []
    assert "## Ý kiến {#y-kien points=5 type=essay words=200}" in markdown
    body = markdown.split("---\n", 2)[2]
    messages = []
    quiz = parse_quiz({}, {}, body, 1, lambda line, message: messages.append((line, message)))
    assert messages == []
    (essay,) = quiz.questions
    assert (essay.type, essay.points, essay.max_words, essay.general_feedback) == (
        "essay",
        5,
        200,
        "Gợi ý chấm.",
    )
    written, notes = quiz_to_gift(quiz)
    assert notes == []
    assert (
        "// id: y-kien points: 5 words: 200\n::Ý kiến::[markdown]Nêu ý kiến của anh/chị.{####Gợi ý chấm.}"
        in written
    )
