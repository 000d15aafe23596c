"""The courses the written-work tests share: a written assignment (bài thu hoạch) and a graded quiz
with essays."""

from __future__ import annotations

# A course whose second lesson is a written assignment.
ASSIGNMENT = """---
assignment:
  points: 10
  pass_mark: 5
  max_words: 50
---
# Bài thu hoạch

Viết về một việc của đơn vị anh/chị có thể làm bằng dữ liệu số.
"""
WRITTEN_LESSONS = {"01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n", "02-bai-thu-hoach.md": ASSIGNMENT}
WRITTEN_LESSON = "/courses/KH-01/lessons/bai-thu-hoach"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# A course whose second lesson is a graded quiz with two essays.
ESSAY_QUIZ = """---
type: quiz
pass_mark: 60
shuffle_options: true
---
# Kiểm tra cuối khoá

## Thủ đô {#thu-do points=2}

- [x] Hà Nội
- [ ] Huế

## Bài viết ngắn {#bai-viet type=essay points=6 words=40}

Trình bày một việc của đơn vị có thể làm bằng dữ liệu số:

- việc gì;
- ai làm.

> Bài tốt nêu rõ việc, dữ liệu và người làm.

## Một rủi ro {#rui-ro type=essay points=2}

Nêu một rủi ro khi số hoá hồ sơ.
"""
ESSAY_LESSONS = {"01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n", "02-kiem-tra.md": ESSAY_QUIZ}
QUIZ_PAGE = "/courses/KH-01/lessons/kiem-tra"
ESSAY = "Phường tôi số hoá sổ hộ tịch; cán bộ tư pháp nhập dữ liệu."
