"""Benchmark: a trainer's quiz results and item analysis over many attempts, computed in SQL.

    .venv/bin/python bench/item_analysis.py [--attempts 10000] [--questions 20]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL, which is emptied),
imports one course with a quiz of --questions questions, inserts --attempts graded attempts by as
many learners (marks drawn so that stronger learners answer more questions right), then times
quiz_results() and item_analysis() and prints the figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from common import analyze, fresh_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    app, tmp, url = fresh_app()

    from sqlalchemy import insert, select

    from app.courses.cli import site_urls
    from app.courses.importer import import_course
    from app.extensions import db
    from app.models import AttemptAnswer, Quiz, QuizAttempt, User
    from app.models.base import utcnow
    from app.policy import SYSTEM
    from app.teach import service

    with app.app_context(), app.test_request_context():
        folder = tmp / "de-thi"
        folder.mkdir()
        (folder / "course.md").write_text(
            "---\ncode: BENCH\ntitle: Đo hiệu năng\nsummary: Khoá học đo hiệu năng.\n"
            "category: other\nhours: 1\nversion: '1'\n---\nGiới thiệu.\n",
            encoding="utf-8",
        )
        questions = "".join(
            f"## Câu {i} {{#cau-{i}}}\n\n- [x] Đúng\n- [ ] Sai\n\n" for i in range(args.questions)
        )
        (folder / "01-de.md").write_text(f"---\ntype: quiz\n---\n# Đề\n\n{questions}", encoding="utf-8")
        outcome = import_course(db.session, folder, urls=site_urls())
        assert outcome.status == "created", outcome.problems
        db.session.commit()
        quiz = db.session.scalars(select(Quiz)).one()

        started = time.perf_counter()
        rng = random.Random(7)
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"hv{n}@bench.example",
                    "full_name": f"Học viên {n}",
                    "password_hash": "x",
                    "role": "learner",
                    "is_active_account": True,
                    "created_at": now,
                }
                for n in range(args.attempts)
            ],
        )
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        attempts, answers = [], []
        for n, user_id in enumerate(user_ids):
            ability = rng.random()
            marks = [
                1.0 if rng.random() < 0.2 + 0.7 * ability * (0.5 + i / args.questions) else 0.0
                for i in range(args.questions)
            ]
            percent = round(100 * sum(marks) / args.questions, 2)
            attempts.append(
                {
                    "id": n + 1,
                    "user_id": user_id,
                    "course_id": quiz.course_id,
                    "quiz_id": quiz.id,
                    "quiz_slug": quiz.slug,
                    "number": 1,
                    "is_graded": True,
                    "seed": n,
                    "draw": [],
                    "content_hash": quiz.content_hash,
                    "status": "submitted",
                    "started_at": now,
                    "submitted_at": now,
                    "score": sum(marks),
                    "max_score": args.questions,
                    "percent": percent,
                    "passed": percent >= quiz.pass_mark,
                }
            )
            answers.extend(
                {"attempt_id": n + 1, "qid": f"cau-{i}", "response": None, "mark": m, "points": 1}
                for i, m in enumerate(marks)
            )
        db.session.execute(insert(QuizAttempt), attempts)
        for start in range(0, len(answers), 50_000):
            db.session.execute(insert(AttemptAnswer), answers[start : start + 50_000])
        db.session.commit()
        analyze(db)
        seeded = time.perf_counter() - started

        course = quiz.course
        titles = {q.qid: (q.title, q.type) for q in quiz.questions}
        timings = {"quiz_results": [], "item_analysis": []}
        for _ in range(args.repeat):
            t = time.perf_counter()
            results = service.quiz_results(db.session, SYSTEM, course, quiz.slug)
            timings["quiz_results"].append(time.perf_counter() - t)
            t = time.perf_counter()
            items = service.item_analysis(db.session, SYSTEM, course, quiz.slug, titles)
            timings["item_analysis"].append(time.perf_counter() - t)
        assert results.attempts == args.attempts and len(items) == args.questions

    print(
        f"database: {url.split(':', 1)[0]}; attempts: {args.attempts}; questions: {args.questions}; "
        f"answer rows: {len(answers)}; seeded in {seeded:.1f} s"
    )
    for name, values in timings.items():
        print(
            f"{name:14} median {1000 * statistics.median(values):7.1f} ms   "
            f"best {1000 * min(values):7.1f} ms   (over {args.repeat} runs)"
        )
    print(
        f"mean score {results.mean_percent:.1f}%, discrimination of the first and last question: "
        f"{items[0].discrimination:.2f}, {items[-1].discrimination:.2f}"
    )


if __name__ == "__main__":
    main()
