"""A course with a quiz of every question type, for the quiz tests."""

from __future__ import annotations

from pathlib import Path

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
