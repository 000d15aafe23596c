"""A course with a quiz of every question type, and the steps of taking it through the test client."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from app.extensions import db
from app.models import AttemptAnswer, Question, QuizAttempt
from app.quizzes import service
from app.quizzes.source import QuizSource, parse_quiz
from tests.helpers import write_course

QUIZ = """---
type: quiz
kind: {kind}
pass_mark: 80
max_attempts: {max_attempts}
grading: {grading}
time_limit: {time_limit}
review: {review}
layout: {layout}
shuffle_options: true
---
# Kiểm tra cuối khoá

Bài kiểm tra gồm bảy câu.

## Mã OTP {{#otp points=2 tags=bai-1}}

Có nên đọc mã OTP cho người gọi điện tự xưng là công an không?

- [ ] Có, để phối hợp
  > Không cơ quan nào hỏi mã OTP qua điện thoại.
- [x] Không, gác máy và báo bộ phận CNTT
  > Chính xác.
- [ ] Đọc rồi đổi mật khẩu

> Mã OTP chỉ dành cho chính bạn.

## Dữ liệu nhạy cảm {{#nhay-cam tags=bai-1}}

Những dữ liệu nào là dữ liệu cá nhân nhạy cảm?

- [x] Tình trạng sức khoẻ
- [x] Thông tin tài khoản ngân hàng
- [ ] Họ và tên
- [ ] Tên cơ quan công tác

## Ký số {{#ky-so tags=bai-1}}

Chữ ký số có giá trị pháp lý như chữ ký tay khi đáp ứng điều kiện luật định.

- [x] Đúng
- [ ] Sai

## Hoà giải {{#hoa-giai case=ignore tags=bai-1}}

Tổ chức ở thôn, tổ dân phố giải quyết mâu thuẫn nhỏ gọi là tổ gì?

= hoà giải
= tổ hoà giải

## Số phường {{#so-phuong tags=bai-1}}

Sau 1/7/2025, Hà Nội có bao nhiêu xã, phường?

= 126

## Thời hạn {{#thoi-han tags=bai-1}}

Cảnh báo sớm nên gửi trong khoảng bao nhiêu giờ (cho phép sai số 2 giờ)?

= 72 +- 2

## Ghép cơ quan {{#ghep tags=bai-1}}

Ghép nhiệm vụ với nơi thực hiện.

- Cấp giấy phép xây dựng nhà ở riêng lẻ -> Phường
- Quy hoạch chung thành phố -> Thành phố
- Cấp căn cước -> Công an

## Xử lý sự cố {{#thu-tu tags=bai-1}}

Sắp xếp các bước xử lý khi nghi bị lộ mật khẩu.

1. Ngắt kết nối mạng
2. Báo bộ phận công nghệ thông tin
3. Đổi mật khẩu từ máy an toàn
"""


def write_quiz_course(
    root: Path,
    *,
    kind="graded",
    max_attempts=0,
    grading="highest",
    time_limit=0,
    review="after_each",
    layout="all_on_one_page",
    version="1.0",
) -> Path:
    return write_course(
        root,
        "kiem-tra",
        code="KT-01",
        title="An toàn thông tin",
        version=version,
        lessons={
            "01-bai-mot.md": "# Bài một\n\nNội dung bài một.\n",
            "02-kiem-tra.md": QUIZ.format(
                kind=kind,
                max_attempts=max_attempts,
                grading=grading,
                time_limit=time_limit,
                review=review,
                layout=layout,
            ),
        },
    )


# Taking the quiz through the test client.

QIDS = ["otp", "nhay-cam", "ky-so", "hoa-giai", "so-phuong", "thoi-han", "ghep", "thu-tu"]


def enrol_and_start(auth, client) -> int:
    auth.post("/courses/KT-01/enrol", token_from="/courses/KT-01")
    response = auth.post("/courses/KT-01/quizzes/kiem-tra/start", token_from="/courses/KT-01")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def key(app, attempt_id: int) -> dict[str, tuple[Question, list[str]]]:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        return {
            entry["qid"]: (q, entry["order"]) for entry, q in service.attempt_questions(db.session, attempt)
        }


def right_answers(app, attempt_id: int) -> dict[str, list[str] | str]:
    """Form fields that answer every drawn question correctly."""
    form: dict[str, list[str] | str] = {}
    for qid, (q, _order) in key(app, attempt_id).items():
        field = f"q-{qid}"
        if q.type in ("single", "truefalse"):
            form[field] = next(o["id"] for o in q.data["options"] if o["correct"])
        elif q.type == "multiple":
            form[field] = [o["id"] for o in q.data["options"] if o["correct"]]
        elif q.type in ("short", "numeric"):
            form[field] = q.data["answers"][0]["text"].split(" +- ")[0]
        elif q.type == "matching":
            for p in q.data["pairs"]:
                form[f"{field}-{p['id']}"] = p["right_id"]
        elif q.type == "ordering":
            for i, item in enumerate(q.data["items"], start=1):
                form[f"{field}-{item['id']}"] = str(i)
    return form


def post_attempt(auth, attempt_id: int, action: str, form: dict, qids: list[str]):
    data = {**form, "qids": qids}
    return auth.post(f"/attempts/{attempt_id}/{action}", data, token_from="/courses/KT-01")


def attempt_row(app, attempt_id: int) -> QuizAttempt:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


def marks(app, attempt_id: int) -> dict[str, float]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(AttemptAnswer.qid, AttemptAnswer.mark).where(AttemptAnswer.attempt_id == attempt_id)
            ).all()
        )


def parse_markdown(text: str) -> tuple[dict, str, QuizSource]:
    """Read a quiz file's text as the course reader does; the quiz must have no problems."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    front = yaml.safe_load("\n".join(lines[1:end]))
    start = next(i for i in range(end + 1, len(lines)) if lines[i].strip())
    assert lines[start].startswith("# ")
    problems: list[tuple[int, str]] = []
    quiz = parse_quiz(
        front,
        {},
        "\n".join(lines[start + 1 :]),
        start + 2,
        lambda line, message: problems.append((line, message)),
    )
    assert problems == []
    return front, lines[start][2:], quiz
