"""Trainers' quiz results: attempts, pass rate, distribution chart and item analysis in SQL."""

from __future__ import annotations

import csv
import io

from werkzeug.datastructures import MultiDict

from app.auth.service import create_user
from app.extensions import db
from app.learning import service as learning
from app.policy import SYSTEM
from app.quizzes import service
from app.quizzes.forms import read_replies
from tests.conftest import write_course

QUIZ = """---
type: quiz
pass_mark: 50
---
# Đề

## Dễ {#de points=2}

- [x] Đúng
- [ ] Sai

## Phân loại {#phan-loai}

- [x] A
- [ ] B

## Hỏng {#hong}

- [ ] Một
- [x] Hai
"""


def answer(question, right: bool) -> str:
    return next(o["id"] for o in question.data["options"] if o["correct"] is right)


def seed_attempts(app, courses_root, import_folder):
    """Nine learners in three clear thirds (75%, 50%, 25%); 'hong' is right only for the weakest."""
    import_folder(write_course(courses_root, "de", code="DE", lessons={"01-de.md": QUIZ}))
    with app.app_context():
        course, version = learning.get_course(db.session, "DE")
        quiz = service.quizzes_of(db.session, version)[0]
        questions = {q.qid: q for q in quiz.questions}
        plans = (
            [{"de": True, "phan-loai": True, "hong": False}] * 3
            + [{"de": True, "phan-loai": False, "hong": False}] * 3
            + [{"de": False, "phan-loai": False, "hong": True}] * 3
        )
        for n, plan in enumerate(plans):
            user = create_user(db.session, SYSTEM, f"hv{n}@example.vn", "mat-khau-dai-du", "learner")
            learning.enrol(db.session, user, course)
            attempt = service.start_attempt(db.session, user, course, quiz, seed=n)
            form = MultiDict(
                [("qids", qid) for qid in plan]
                + [(f"q-{qid}", answer(questions[qid], right)) for qid, right in plan.items()]
            )
            service.save_answers(db.session, attempt, read_replies(db.session, attempt, form))
            service.submit_attempt(db.session, attempt, user)
        db.session.commit()


def test_results_and_item_analysis(app, make_user, auth, client, courses_root, import_folder):
    seed_attempts(app, courses_root, import_folder)
    make_user("gv@example.vn", role="trainer")
    auth.login("gv@example.vn")
    html = client.get("/teach/courses/DE/quizzes/de").get_data(as_text=True)
    assert "<svg" in html and 'role="img"' in html
    assert "20–29%: 3; " in html and "50–59%: 3; " in html and "70–79%: 3; " in html and "90–100%: 0<" in html
    assert "<dd>9</dd>" in html and "<dd>66.7%</dd>" in html  # attempts; share passed

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/teach/courses/DE/quizzes/de/items.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    by_qid = {r["question_id"]: r for r in rows}
    assert float(by_qid["de"]["facility"]) == round(6 / 9, 3)
    assert float(by_qid["phan-loai"]["facility"]) == round(3 / 9, 3)
    assert float(by_qid["phan-loai"]["discrimination"]) == 1.0
    assert float(by_qid["hong"]["discrimination"]) == -1.0  # right only among the weakest: a broken item
    assert "does not discriminate" in html or "không phân loại" in html


def test_learners_cannot_see_results(learner, courses_root, import_folder, client):
    import_folder(write_course(courses_root, "de", code="DE", lessons={"01-de.md": QUIZ}))
    assert client.get("/teach/courses/DE/quizzes/de").status_code == 403
    assert client.get("/teach/courses/DE/quizzes/de/items.csv").status_code == 403
