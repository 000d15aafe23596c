"""Credited periods that match the work: `courses check` estimates what a course's content asks of a
learner (reading in Vietnamese syllables, quizzes, declared activities) and refuses a course that
credits more periods than that supports, at the `hours` line of course.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.courses import workload
from app.courses.source import read_course
from tests.helpers import PROJECT_COURSES, write_course

# 150 syllables: one minute of study reading.
MINUTE = " ".join(["Cán bộ đọc kỹ quy định mới của thành phố"] * 15)


def lesson(minutes: int, title: str = "Bài học", front: str = "") -> str:
    head = f"---\n{front}---\n" if front else ""
    return head + f"# {title}\n\n" + "\n\n".join([MINUTE] * minutes) + "\n"


def problems_of(path: Path) -> list[str]:
    source, problems = read_course(path)
    assert (source is None) == bool(problems)
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in problems]


def test_syllables_are_counted_in_the_text_a_learner_reads():
    markdown = (
        "## Bảo vệ dữ liệu cá nhân {#bao-ve}\n\n"
        "Theo [[VB 91/2025/QH15]], **cán bộ** _không_ gửi dữ liệu qua [Zalo](https://zalo.me/x).\n\n"
        "![Sơ đồ quy trình xử lý](images/so-do.svg)\n\n"
        "```\nhttps://dichvucong.gov.vn.tra-cuu.example/xac-minh\nmột hai ba bốn\n```\n\n"
        "| Việc | Cách làm |\n|---|---|\n| Gửi tệp | Dùng `thư công vụ` |\n\n"
        '!!! warning "Lưu ý"\n    Xem <https://www.example.vn/trang> trước khi ký.\n\n'
        "[mau]: https://example.vn/mau.docx\n"
    )
    text = workload.readable_text(markdown)
    assert "https" not in text and "so-do" not in text and "một hai ba bốn" not in text
    assert "thư công vụ" not in text and "warning" not in text and "bao-ve" not in text
    # Bảo vệ dữ liệu cá nhân (5) + Theo 91 2025 QH15 cán bộ không gửi dữ liệu qua Zalo (12)
    # + Việc Cách làm Gửi tệp Dùng (7) + Lưu ý Xem trước khi ký (6)
    assert workload.syllables(markdown) == 30


def test_a_course_crediting_more_periods_than_its_content_fails_at_its_hours_line(tmp_path):
    path = write_course(tmp_path, hours=6, lessons={"01-mot.md": lesson(6), "02-hai.md": lesson(8)})
    assert problems_of(path) == [
        "course.md:6: hours: 6 periods credited, but the content supports about 1 (reading 14 min, "
        "quizzes 0 min, activities 0 min; at most 1 with the 50 % margin)"
    ]
    assert problems_of(write_course(tmp_path, hours=1, lessons={"01-mot.md": lesson(6)})) == []


def test_the_margin_allows_half_again_rounded_up_to_whole_periods(tmp_path):
    # 56 minutes of reading: about 1 period (1.2), at most ceil(84 / 45) = 2.
    lessons = {"01-mot.md": lesson(28), "02-hai.md": lesson(28)}
    assert problems_of(write_course(tmp_path, hours=2, lessons=lessons)) == []
    assert problems_of(write_course(tmp_path, hours=3, lessons=lessons)) == [
        "course.md:6: hours: 3 periods credited, but the content supports about 1 (reading 56 min, "
        "quizzes 0 min, activities 0 min; at most 2 with the 50 % margin)"
    ]


def test_quizzes_count_their_time_limit_or_an_allowance_per_question_drawn(tmp_path):
    question = "## Câu {n} {{#cau-{n}}}\n\n- [x] Đúng\n- [ ] Sai\n\n"
    questions = "".join(question.format(n=n) for n in range(1, 7))
    practice = "---\ntype: quiz\nkind: practice\n---\n# Ôn tập\n\n" + questions
    graded = "---\ntype: quiz\nkind: graded\ntime_limit: 30\ndraw: 4\n---\n# Kiểm tra\n\n" + questions
    drawn = "---\ntype: quiz\nkind: practice\ndraw: 4\n---\n# Luyện\n\n" + questions
    path = write_course(
        tmp_path,
        lessons={"01-bai.md": lesson(3), "02-on.md": practice, "03-luyen.md": drawn, "04-kt.md": graded},
    )
    source, problems = read_course(path)
    assert [p for p in problems if p.severity == "error"] == []  # untagged questions only warn
    found = workload.estimate(source.intro, source.lessons)
    assert found.quizzes == 6 * 2 + 4 * 2 + 30


def test_declared_activities_count_towards_the_periods(tmp_path):
    task = 'activity: {minutes: 60, task: "Lập kế hoạch hành động cho đơn vị"}\n'
    lessons = {"01-mot.md": lesson(30), "02-ke-hoach.md": lesson(15, "Kế hoạch", front=task)}
    path = write_course(tmp_path, hours=3, lessons=lessons)
    assert problems_of(path) == []  # 45 + 60 minutes: about 2 periods, at most 4
    source, _ = read_course(path)
    found = workload.estimate(source.intro, source.lessons)
    assert (found.activities, found.periods, found.most_periods) == (60, 2, 4)
    assert problems_of(write_course(tmp_path, hours=5, lessons=lessons)) == [
        "course.md:6: hours: 5 periods credited, but the content supports about 2 (reading 45 min, "
        "quizzes 0 min, activities 60 min; at most 4 with the 50 % margin)"
    ]


@pytest.mark.parametrize(
    "front, expected",
    [
        ("activity: 20\n", "02-ke-hoach.md:2: activity must be the minutes and the task"),
        (
            'activity: {minutes: 120, task: "Viết bài thu hoạch"}\n',
            "02-ke-hoach.md:2: activity minutes must be a whole number from 1 to 90, not '120'",
        ),
        (
            'activity: {minutes: "hai mươi", task: "Viết bài thu hoạch"}\n',
            "02-ke-hoach.md:2: activity minutes must be a whole number from 1 to 90, not 'hai mươi'",
        ),
        ("id: ke-hoach\nactivity: {minutes: 20}\n", "02-ke-hoach.md:3: activity task is required"),
        (
            'activity: {minutes: 20, task: "Viết", hours: 2}\n',
            "02-ke-hoach.md:2: activity: unknown field 'hours'; an activity takes: minutes, task",
        ),
        (
            "activty: {minutes: 20}\n",
            "02-ke-hoach.md:2: unknown field 'activty'; lessons take: id, title, activity",
        ),
    ],
)
def test_bad_activities_are_reported_by_file_and_line(tmp_path, front, expected):
    lessons = {"01-mot.md": lesson(2), "02-ke-hoach.md": lesson(2, "Kế hoạch", front=front)}
    found = problems_of(write_course(tmp_path, lessons=lessons))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_the_shipped_courses_credit_what_their_content_supports(app):
    result = app.test_cli_runner().invoke(args=["courses", "check", str(PROJECT_COURSES)])
    assert result.exit_code == 0, result.output
    folders = [p for p in PROJECT_COURSES.iterdir() if p.is_dir()]
    for folder in folders:
        source, problems = read_course(folder)
        assert problems == [], problems
        found = workload.estimate(source.intro, source.lessons)
        assert source.hours <= found.most_periods
        # `courses check` shows trainers each course's estimate.
        assert f"{folder.name} ({source.code}): {source.hours} period(s) credited" in result.output
        # The course introduction states the periods credited, in tiết.
        assert f"{source.hours} tiết" in source.intro
