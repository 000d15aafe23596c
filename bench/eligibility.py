"""Benchmark: eligibility of one cadre with a full record, and of a 10,000-cadre planning pool.

    .venv/bin/python bench/eligibility.py [--cadres 10000]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL, which is emptied),
imports courses/, loads the reference data and example requirement sets, inserts --cadres cadres
in the planning pool for division head, each with qualifications, positions, training records and
some discipline, then times one cadre's evaluation and the whole pool's, counting SQL statements.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from common import ROOT, analyze, fresh_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=10_000)
    args = parser.parse_args()

    app, tmp, url = fresh_app()

    from sqlalchemy import event, insert, select

    from app.clock import local_today
    from app.courses.cli import site_urls
    from app.courses.importer import import_course
    from app.courses.source import course_folders
    from app.extensions import db
    from app.models import (
        Cadre,
        DisciplineRecord,
        PlanningEntry,
        PositionRecord,
        QualificationRecord,
        TrainingRecord,
    )
    from app.models.base import utcnow
    from app.org.units import create_unit
    from app.profiles.decisions import eligibility_for
    from app.profiles.requirements import load_defaults, pool_eligibility

    with app.app_context(), app.test_request_context():
        for folder in course_folders(ROOT / "courses"):
            import_course(db.session, folder, urls=site_urls())
        load_defaults(db.session)
        city = create_unit(db.session, None, code="HN", name="Hà Nội", type="city")
        units = [
            create_unit(db.session, None, code=f"U{i}", name=f"Đơn vị {i}", type="department", parent=city)
            for i in range(50)
        ]
        db.session.commit()

        started = time.perf_counter()
        rng = random.Random(11)
        today = local_today()
        now = utcnow()
        db.session.execute(
            insert(Cadre),
            [
                {
                    "employee_code": f"B{n:06d}",
                    "full_name": f"Cán bộ {n}",
                    "search_name": f"can bo {n}",
                    "date_of_birth": date(1965, 1, 1) + timedelta(days=rng.randrange(25 * 365)),
                    "gender": rng.choice(("male", "female")),
                    "staff_type": "civil_servant",
                    "unit_id": rng.choice(units).id,
                    "job_position": "",
                    "title_code": "division-deputy",
                    "rank": "",
                    "professional_qualification": "",
                    "created_at": now,
                }
                for n in range(args.cadres)
            ],
        )
        unit_of = dict(db.session.execute(select(Cadre.id, Cadre.unit_id)).all())
        ids = sorted(unit_of)
        quals, positions, planning, trainings, discipline = [], [], [], [], []
        for cid in ids:
            quals += [
                {
                    "cadre_id": cid,
                    "scale_code": "political-theory",
                    "level_code": rng.choice(("elementary", "intermediate", "advanced")),
                    "issuer": "",
                    "number": "",
                    "evidence": "",
                    "is_revoked": False,
                    "reason": "",
                },
                {
                    "cadre_id": cid,
                    "scale_code": "state-management",
                    "level_code": rng.choice(("specialist", "principal")),
                    "issuer": "",
                    "number": "",
                    "evidence": "",
                    "is_revoked": False,
                    "reason": "",
                },
                {
                    "cadre_id": cid,
                    "scale_code": "leadership",
                    "level_code": "division",
                    "issuer": "",
                    "number": "",
                    "evidence": "",
                    "is_revoked": False,
                    "reason": "",
                },
            ]
            positions.append(
                {
                    "cadre_id": cid,
                    "title_code": "division-deputy",
                    "kind": "appointment",
                    "decision_no": "",
                    "start_date": today - timedelta(days=rng.randrange(200, 3000)),
                }
            )
            planning.append(
                {
                    "cadre_id": cid,
                    "title_code": "division-head",
                    "unit_id": unit_of[cid],  # far over the 3-per-post limit: only the pool size matters here
                    "term": "2025-2030",
                    "valid_from": date(2025, 1, 1),
                    "decision_no": "",
                }
            )
            for code in rng.sample(["CDS-LD", "QLCQDT", "ATTT-CB"], rng.randrange(0, 4)):
                trainings.append(
                    {
                        "cadre_id": cid,
                        "source": "internal",
                        "course_code": code,
                        "programme": code,
                        "category": "digital-transformation",
                        "hours": 8,
                        "score": rng.randrange(30, 101),
                        "completed_on": today - timedelta(days=rng.randrange(1, 900)),
                        "issuer": "",
                        "certificate_no": "",
                        "evidence": "",
                        "is_revoked": False,
                        "reason": "",
                    }
                )
            if rng.random() < 0.05:
                discipline.append(
                    {
                        "cadre_id": cid,
                        "level": "reprimand",
                        "decision_no": "",
                        "reason": "",
                        "decided_on": today - timedelta(days=rng.randrange(30, 1500)),
                    }
                )
        for model, rows in (
            (QualificationRecord, quals),
            (PositionRecord, positions),
            (PlanningEntry, planning),
            (TrainingRecord, trainings),
            (DisciplineRecord, discipline),
        ):
            for start in range(0, len(rows), 20_000):
                db.session.execute(insert(model), rows[start : start + 20_000])
        db.session.commit()
        analyze(db)
        seeded = time.perf_counter() - started

        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        one = db.session.get(Cadre, ids[len(ids) // 2])
        single = []
        for _ in range(30):
            db.session.expire_all()
            t = time.perf_counter()
            result, _row, _facts = eligibility_for(db.session, one, "division-head", today)
            single.append(time.perf_counter() - t)
        statements.clear()
        t = time.perf_counter()
        entries = pool_eligibility(db.session, "division-head", today)
        pool_seconds = time.perf_counter() - t
        pool_statements = len(statements)
        counts = {s: sum(1 for e in entries if e.status == s) for s in ("met", "conditional", "unmet")}

    print(f"database: {url.split(':', 1)[0]}; cadres: {len(ids)}; seeded in {seeded:.1f} s")
    print(
        f"one cadre (9 rules, full record): median {1000 * statistics.median(single):.1f} ms, "
        f"best {1000 * min(single):.1f} ms over {len(single)} runs"
    )
    print(
        f"planning pool of {len(entries)}: {pool_seconds:.2f} s, {pool_statements} SQL statements; "
        f"met {counts['met']}, conditional {counts['conditional']}, unmet {counts['unmet']}"
    )


if __name__ == "__main__":
    main()
