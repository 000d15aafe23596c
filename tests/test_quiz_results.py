"""Trainers' quiz results: attempts, pass rate, distribution chart and item analysis in SQL."""

from __future__ import annotations

import csv
import io

from tests.helpers import THIRDS_QUIZ, seed_attempts, write_course


def test_results_and_item_analysis(app, make, make_user, auth, client, courses_root, import_folder):
    seed_attempts(app, courses_root, import_folder)
    make_user("gv@example.vn", role="trainer")
    make.course_trainer("gv@example.vn", "DE")
    auth.login("gv@example.vn")
    html = client.get("/teach/courses/DE/quizzes/de").get_data(as_text=True)
    assert "<svg" in html and 'role="img"' in html
    assert "20–29%: 3; " in html and "50–59%: 3; " in html and "70–79%: 3; " in html and "90–100%: 0<" in html
    assert "<dd>9</dd>" in html and "<dd>66,7%</dd>" in html  # attempts; share passed

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
    import_folder(write_course(courses_root, "de", code="DE", lessons={"01-de.md": THIRDS_QUIZ}))
    assert client.get("/teach/courses/DE/quizzes/de").status_code == 403
    assert client.get("/teach/courses/DE/quizzes/de/items.csv").status_code == 403
