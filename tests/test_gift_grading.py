"""Moodle banks are graded as Moodle grades them.

GIFT questions written for the project are converted with `gift_to_markdown`, read back as a quiz
file, and marked by the engine (the question type's `mark`, which `service.mark_reply` multiplies by
the points). Each expectation names the Moodle rule it comes from:

- GIFT weights (question/format/gift/format.php, `readquestion`): in a choice block, `=` is worth
  100 % and makes the question single-answer; `~%w%` is worth w %, a bare `~` 0 %; without any `=`
  the question is multiple-answer. In short answers `=` is worth 100 % unless `=%w%`; in numeric
  answers the same, and `~#feedback` becomes the answer `*` worth 0 % with that feedback.
- Multiple answer (question/type/multichoice/question.php, `qtype_multichoice_multi_question::
  grade_response`): the fraction is the sum of the ticked options' fractions, then
  `min(max(0, sum), 1)`.
- Single answer (`qtype_multichoice_single_question::grade_response`): the chosen option's
  fraction. Moodle lets it be negative (`get_min_fraction`); a Boiduong question earns from nothing
  to its points, so a negative one counts 0 and the importer says so.
- The sanity checks of qtype_multichoice (`errfractionsaddwrong`, `errfractionsnomax`): the right
  options of a multiple answer add up to 100 % once rounded to two decimals of the fraction (three
  times 33.333 % does); a single answer has an option worth 100 %.
- Short answer and numeric (qtype_shortanswer / qtype_numerical `get_matching_answer`): the first
  answer, in the order written, that the reply matches gives its fraction; `*` matches any reply.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from app.quizzes.gift import gift_to_markdown, quiz_to_gift
from app.quizzes.source import QuestionSource, answer_weight, choice_weights, parse_quiz
from app.quizzes.types import question_type
from tests.helpers import write_course
from tests.quiz_fixtures import enrol_and_start, key, marks, parse_markdown, post_attempt

PENALTY = """\
    ::Mật khẩu::Những việc nào giữ an toàn cho tài khoản công vụ? {
        ~%50%Đổi mật khẩu định kỳ#Đúng, nên đổi định kỳ.
        ~%50%Bật xác thực hai lớp
        ~%-100%Dán mật khẩu lên màn hình#Không bao giờ làm vậy.
        ~%-100%Gửi mật khẩu qua tin nhắn
    }
"""
ZERO_WRONG = """\
    ::Giáp ranh::Những tỉnh nào giáp Hà Nội? {
        ~%50%Bắc Ninh
        ~%50%Hưng Yên
        ~%0%Nghệ An#Nghệ An ở Bắc Trung Bộ.
    }
"""
THIRDS = """\
    ::Ba phần::Những giấy tờ nào có trong hồ sơ bổ nhiệm? {
        ~%33.333%Quyết định bổ nhiệm
        ~%33.333%Bản kê khai tài sản
        ~%33.333%Phiếu lấy ý kiến
        ~%-50%Giấy khen thể thao
        ~%-50%Thẻ thư viện
    }
"""
SINGLE = """\
    ::Thủ đô::Thủ đô của Việt Nam có tên gọi nào dưới thời Lý? {
        =Thăng Long#Đúng.
        ~%50%Đại La#Tên trước khi dời đô.
        ~%-50%Phú Xuân#Đó là kinh đô thời Nguyễn.
        ~Gia Định
    }
"""
SHORT = """\
    ::Cấp căn cước::Cơ quan nào cấp thẻ căn cước? {
        =Công an#Chính xác.
        =%50%Bộ Công an#Gần đúng: cơ quan cấp là cơ quan công an có thẩm quyền.
        =%0%Ủy ban nhân dân#Ủy ban không cấp thẻ căn cước.
        =%0%*#Xem lại Luật Căn cước.
    }
"""
NUMERIC = """\
    ::Số phường::Sau sắp xếp năm 2025, Hà Nội có bao nhiêu phường? {#
        =51#Chính xác.
        =%50%45..55#Gần đúng.
        ~#Xem lại nghị quyết sắp xếp đơn vị hành chính.
    }
"""
FEATURES = [PENALTY, ZERO_WRONG, THIRDS, SINGLE, SHORT, NUMERIC]


def question_of(gift: str) -> tuple[QuestionSource, list[str]]:
    """The one question of a GIFT bank, converted and read back as a quiz file, and the notes."""
    text, problems = gift_to_markdown(textwrap.dedent(gift), title="Ngân hàng câu hỏi")
    quiz = parse_markdown(text)[2]
    assert len(quiz.questions) == 1
    return quiz.questions[0], [p.message for p in problems]


def mark(question: QuestionSource, reply) -> float:
    """What the engine gives a reply: option texts for a choice question, a text otherwise."""
    kind = question_type(question.type)
    data = kind.build(question, str, salt="kiem-thu")
    if question.type in ("single", "multiple"):
        ids = {o["html"]: o["id"] for o in data["options"]}
        chosen = [ids[text] for text in reply]
        return kind.mark(data, {"choice": chosen[0]} if question.type == "single" else {"choices": chosen})
    return kind.mark(data, {"text": reply})


def feedback_for(question: QuestionSource, reply: str) -> str:
    kind = question_type(question.type)
    data = kind.build(question, str, salt="kiem-thu")
    matched = kind.matching_answer(data, {"text": reply})
    return matched["feedback_html"] if matched else ""


@pytest.mark.parametrize(
    "reply, fraction",
    [
        (["Đổi mật khẩu định kỳ", "Bật xác thực hai lớp"], 1.0),
        (["Đổi mật khẩu định kỳ"], 0.5),
        (["Đổi mật khẩu định kỳ", "Bật xác thực hai lớp", "Gửi mật khẩu qua tin nhắn"], 0.0),
        (["Đổi mật khẩu định kỳ", "Dán mật khẩu lên màn hình"], 0.0),
        (
            [
                "Đổi mật khẩu định kỳ",
                "Bật xác thực hai lớp",
                "Dán mật khẩu lên màn hình",
                "Gửi mật khẩu qua tin nhắn",
            ],
            0.0,
        ),
    ],
)
def test_negative_weights_are_added_and_clamped_at_zero(reply, fraction):
    """Multiple answer: sum of the ticked fractions, min(max(0, sum), 1). Ticking all four gives
    0.5 + 0.5 − 1 − 1 → 0 (the old marking gave (2 − 2) ÷ 2 = 0 only by chance; with one −100 %
    wrong option ticked it gave 0.5, Moodle 0)."""
    question, notes = question_of(PENALTY)
    assert question.type == "multiple" and notes == []
    assert mark(question, reply) == pytest.approx(fraction)


@pytest.mark.parametrize(
    "reply, fraction",
    [
        (["Bắc Ninh", "Hưng Yên", "Nghệ An"], 1.0),
        (["Bắc Ninh", "Nghệ An"], 0.5),
        (["Nghệ An"], 0.0),
    ],
)
def test_wrong_options_worth_nothing_take_nothing_off(reply, fraction):
    """Multiple answer: a `~%0%` option adds 0, so ticking everything earns 1 as in Moodle (the old
    marking took (right − wrong) ÷ right: 0.5)."""
    question, _ = question_of(ZERO_WRONG)
    assert mark(question, reply) == pytest.approx(fraction)


def test_three_thirds_make_a_whole():
    """errfractionsaddwrong: 3 × 33.333 % rounds to 100 %, so the question is accepted; the right
    options are taken as shares of their sum, and ticking all three earns exactly 1."""
    question, notes = question_of(THIRDS)
    assert notes == []
    right = ["Quyết định bổ nhiệm", "Bản kê khai tài sản", "Phiếu lấy ý kiến"]
    assert mark(question, right) == 1.0
    assert mark(question, right[:2]) == pytest.approx(2 / 3)
    assert mark(question, [*right, "Thẻ thư viện"]) == pytest.approx(0.5)
    assert mark(question, right[:1] + ["Giấy khen thể thao", "Thẻ thư viện"]) == 0.0


@pytest.mark.parametrize(
    "choice, fraction",
    [("Thăng Long", 1.0), ("Đại La", 0.5), ("Gia Định", 0.0), ("Phú Xuân", 0.0)],
)
def test_single_choice_gives_the_chosen_options_weight(choice, fraction):
    """Single answer: the chosen option's fraction; Moodle's −50 % counts 0 here, and the
    conversion says so."""
    question, notes = question_of(SINGLE)
    assert question.type == "single"
    assert mark(question, [choice]) == fraction
    assert len(notes) == 1 and "negative weight earns 0 here" in notes[0]


@pytest.mark.parametrize(
    "reply, fraction, feedback",
    [
        ("công an", 1.0, "Chính xác."),
        ("Bộ Công an", 0.5, "Gần đúng: cơ quan cấp là cơ quan công an có thẩm quyền."),
        ("Ủy ban nhân dân", 0.0, "Ủy ban không cấp thẻ căn cước."),
        ("Sở Tư pháp", 0.0, "Xem lại Luật Căn cước."),
    ],
)
def test_short_answer_partial_credit_and_any_other_answer(reply, fraction, feedback):
    """Short answer: the first matching answer gives its fraction (`=%50%`), GIFT compares ignoring
    case, and `=%0%*` is Moodle's wildcard: any other reply gets its feedback."""
    question, notes = question_of(SHORT)
    assert notes == []
    assert mark(question, reply) == fraction
    assert feedback_for(question, reply) == feedback


@pytest.mark.parametrize(
    "reply, fraction, feedback",
    [
        ("51", 1.0, "Chính xác."),
        ("48", 0.5, "Gần đúng."),
        ("126", 0.0, "Xem lại nghị quyết sắp xếp đơn vị hành chính."),
    ],
)
def test_numeric_partial_credit_and_any_other_number(reply, fraction, feedback):
    """Numeric: the first answer whose range holds the number; `~#feedback` is Moodle's `*` answer
    worth 0 %, shown for any other number."""
    question, notes = question_of(NUMERIC)
    assert notes == []
    assert mark(question, reply) == fraction
    assert feedback_for(question, reply) == feedback


def meaning(question: QuestionSource) -> tuple:
    """What a question means for grading: each option's or answer's weight and feedback."""
    choices = [
        (c.text, round(w, 4), c.feedback)
        for c, w in zip(question.choices, choice_weights(question), strict=True)
    ]
    answers = [(a.numeric or a.text, round(answer_weight(a), 4), a.feedback) for a in question.answers]
    return question.type, question.stem, choices, answers


@pytest.mark.parametrize("gift", FEATURES)
def test_gift_to_markdown_to_gift_keeps_the_meaning(gift):
    """GIFT → Markdown → GIFT → Markdown: the same weight and feedback for every answer."""
    first, _ = question_of(gift)
    exported, problems = quiz_to_gift(
        parse_markdown(gift_to_markdown(textwrap.dedent(gift), title="T")[0])[2]
    )
    assert not [p for p in problems if "left out" in p.message]
    second, _ = question_of(exported)
    assert meaning(second) == meaning(first)


@pytest.mark.parametrize(
    "answers, message",
    [
        ("- [ ] (50%) Một\n- [x] Hai", "an option ticked - [x] is worth more than 0%"),
        ("- [x] (40%) Một\n- [x] (40%) Hai\n- [ ] Ba", "add up to 80%, not 100%"),
        ("- [x] (50%) Một\n- [ ] Hai\n\n", "is worth 100%, not 50%"),
        ("- [x] (60%) Một\n- [x] (40%) Hai\n- [x] Ba\n- [ ] Bốn", "leave nothing of 100% for the ticked"),
        ("- [x] (150%) Một\n- [ ] Hai", "from -100% to 100%, not 150%"),
        ("= (50%) Một\n= Hai\n= (150%) Ba", "from 0% to 100%, not 150%"),
        ("= (50%) Một", "needs an answer worth 100%"),
        ("= *\n= Hai", "'= *' (any other answer) is the last answer line"),
    ],
)
def test_the_quiz_file_refuses_weights_moodle_would_not_grade(answers, message):
    problems: list[str] = []
    parse_quiz(
        {}, {}, f"## Câu hỏi {{#cau-hoi}}\n\nChọn.\n\n{answers}\n", 1, lambda _n, m: problems.append(m)
    )
    assert any(message in str(p) for p in problems), problems


def test_unweighted_questions_are_marked_as_before():
    """A multiple response without weights: a right option earns 1 ÷ right options, a wrong one
    takes as much off (the same as Moodle with weights of ±100 % ÷ right options)."""
    problems: list[str] = []
    quiz = parse_quiz(
        {},
        {},
        "## Câu {#cau}\n\nChọn.\n\n- [x] Một\n- [x] Hai\n- [ ] Ba\n- [ ] Bốn\n",
        1,
        lambda _n, m: problems.append(m),
    )
    question = quiz.questions[0]
    assert problems == [] and choice_weights(question) == [50, 50, -50, -50]
    assert mark(question, ["Một", "Ba"]) == 0.0
    assert mark(question, ["Một", "Hai", "Ba"]) == 0.5


def test_a_converted_bank_is_graded_and_reviewed_as_moodle_grades_it(
    app, learner, courses_root, import_folder, auth, client
):
    """Through the quiz pages: a learner's marks on the converted bank are Moodle's fractions, the
    review lists the 50 % answers with their share and shows the feedback for any other answer."""
    bank = "\n".join(textwrap.dedent(g) for g in (PENALTY, ZERO_WRONG, SINGLE, SHORT, NUMERIC))
    quiz, problems = gift_to_markdown(bank, title="Kiểm tra", settings={"kind": "practice"})
    assert ["negative weight earns 0 here" in p.message for p in problems] == [True]
    lessons = {"01-bai-mot.md": "# Bài một\n\nNội dung bài một.\n", "02-kiem-tra.md": quiz}
    path = write_course(courses_root, "kiem-tra", code="KT-01", title="An toàn thông tin", lessons=lessons)
    assert import_folder(path).status == "created"
    attempt_id = enrol_and_start(auth, client)
    options = {
        re.sub(r"<[^>]+>", "", o["html"]): o["id"]
        for q, _ in key(app, attempt_id).values()
        for o in q.data.get("options", [])
    }
    form = {
        "q-mat-khau": [options["Đổi mật khẩu định kỳ"], options["Gửi mật khẩu qua tin nhắn"]],
        "q-giap-ranh": [options["Bắc Ninh"], options["Hưng Yên"], options["Nghệ An"]],
        "q-cap-can-cuoc": "bộ công an",
        "q-so-phuong": "126",
        "q-thu-do": options["Đại La"],
    }
    post_attempt(
        auth, attempt_id, "submit", form, ["mat-khau", "giap-ranh", "cap-can-cuoc", "so-phuong", "thu-do"]
    )
    assert marks(app, attempt_id) == pytest.approx(
        {"mat-khau": 0.0, "giap-ranh": 1.0, "cap-can-cuoc": 0.5, "so-phuong": 0.0, "thu-do": 0.5}
    )
    html = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Bộ Công an (50%)" in html
    assert "đúng một phần: được 50% số điểm" in html  # Đại La, not called the right answer
    assert "Xem lại nghị quyết sắp xếp đơn vị hành chính." in html


def test_tick_all_rule_reads_the_weights():
    """The assessment rule marks "tick everything" with the engine: 0 % wrong options let it earn
    full points, and the advice speaks of weights."""
    from app.quizzes.assessment import check_assessment

    found: list[str] = []

    class Lesson:
        number, title, file = 2, "Kiểm tra", None
        quiz = parse_markdown(gift_to_markdown(textwrap.dedent(ZERO_WRONG), title="T")[0])[2]

    check_assessment([Lesson], lambda _f, _n, message, _s: found.append(str(message)))
    assert any(
        "ticking every option scores 100%; give the wrong options negative weights" in m for m in found
    )


@pytest.mark.parametrize(
    "gift",
    [
        "::Thứ tự::Ai ký quyết định? {=Chủ tịch =%0%*#Chưa đúng. =Phó Chủ tịch}",
        "::Thứ tự::Bao nhiêu? {#=12 =%0%*#Chưa đúng. =13 ~#Đếm lại.}",
    ],
)
def test_answers_after_the_catch_all_are_reported(gift):
    """Moodle matches answers in order, so nothing after `*` is ever reached: it is left out, and
    said so."""
    question, notes = question_of(gift)
    assert [a.text for a in question.answers][-1] == "*"
    assert [a.feedback for a in question.answers][-1] == "Chưa đúng."
    assert notes == [
        "question 'Thứ tự': the answers after the catch-all answer '*' were left out: "
        "Moodle never reaches them"
    ]


def test_a_bank_without_a_full_answer_is_refused_with_its_line():
    """errfractionsnomax: a short answer needs an answer worth 100 %."""
    text, problems = gift_to_markdown("::Một nửa::Thủ đô? {=%50%Thăng Long}\n\n::Rỗng::Số? {#}\n", title="T")
    assert [(p.line, p.message) for p in problems] == [
        (1, "question 'Một nửa' left out: no answer of the short-answer question is worth 100%"),
        (1, "no question in the file could be converted"),
        (3, "question 'Rỗng' left out: no answer of the numeric question is worth 100%"),
    ]


def test_a_text_that_starts_like_a_weight_stays_text():
    """`\\(50%)` in a quiz file is a bracket, not a weight: a GIFT option written that way comes back
    the same, and exports unchanged."""
    question, notes = question_of("::Tỷ lệ::Chọn mức đúng {=(50%) số phiếu ~(30%) số phiếu}")
    assert notes == []
    assert [(c.text, c.weight) for c in question.choices] == [
        ("(50%) số phiếu", None),
        ("(30%) số phiếu", None),
    ]
    text = gift_to_markdown("::Tỷ lệ::Chọn mức đúng {=(50%) số phiếu ~(30%) số phiếu}", title="T")[0]
    assert "- [x] \\(50%) số phiếu" in text
    assert "=(50%) số phiếu" in quiz_to_gift(parse_markdown(text)[2])[0]
