"""Moodle GIFT import and export: what converts, what is reported by line, and round trips."""

from __future__ import annotations

import textwrap

import pytest

from app.quizzes.gift import GiftProblem, gift_to_markdown, quiz_to_gift
from app.quizzes.source import TRUE_WORDS, QuestionSource, QuizSource, choice_weights
from tests.quiz_fixtures import parse_markdown


def convert(gift: str, **settings) -> tuple[QuizSource, list[GiftProblem]]:
    text, problems = gift_to_markdown(textwrap.dedent(gift), title="Ngân hàng câu hỏi", settings=settings)
    return parse_markdown(text)[2], problems


def only(gift: str) -> QuestionSource:
    quiz, problems = convert(gift)
    assert problems == []
    assert len(quiz.questions) == 1
    return quiz.questions[0]


def label(question: QuestionSource, text: str) -> str:
    """GIFT's {T}/{F} has no labels: true/false options always come back as Đúng and Sai."""
    if question.type != "truefalse":
        return text
    return "Đúng" if text.lower() in TRUE_WORDS else "Sai"


def shape(question: QuestionSource) -> dict:
    return {
        "qid": question.qid,
        "title": question.title,
        "type": question.type,
        "points": question.points,
        "tags": question.tags,
        "stem": question.stem,
        "general_feedback": question.general_feedback,
        "choices": [(label(question, c.text), c.correct, c.feedback) for c in question.choices],
        "answers": [
            (a.numeric if question.type == "numeric" else a.text, a.feedback) for a in question.answers
        ],
        "pairs": question.pairs,
        "order": question.order,
        "flags": (question.ignore_case, question.ignore_diacritics),
    }


def lines_of(problems: list[GiftProblem]) -> list[int]:
    return [p.line for p in problems]


# --------------------------------------------------------------------------------------------------
# Import


def test_file_has_front_matter_title_and_sections():
    text, problems = gift_to_markdown(
        "::Mã OTP::Ai được hỏi mã OTP? {=Không ai ~Công an ~Ngân hàng}\n",
        title="Kiểm tra cuối khoá",
        settings={"kind": "practice", "pass_mark": 80, "type": "page"},
    )
    assert problems == []
    assert text.startswith("---\ntype: quiz\nkind: practice\npass_mark: 80\n---\n# Kiểm tra cuối khoá\n\n")
    assert "## Mã OTP {#ma-otp}\n\nAi được hỏi mã OTP?\n\n- [x] Không ai\n- [ ] Công an\n" in text
    front, title, quiz = parse_markdown(text)
    assert front["type"] == "quiz" and title == "Kiểm tra cuối khoá"
    assert quiz.settings.kind == "practice" and quiz.settings.pass_mark == 80


def test_single_choice_with_answer_and_general_feedback():
    question = only("""\
        ::Mã OTP qua điện thoại::Một người tự xưng là công an phường xin mã OTP. Bạn làm gì?{
            ~Đọc mã để phối hợp#Không cơ quan nào yêu cầu đọc mã OTP qua điện thoại.
            =Từ chối, gác máy và báo bộ phận CNTT#Đúng.
            ~Đọc mã rồi đổi mật khẩu
            ####Mã OTP chỉ dành cho chính bạn.
        }
    """)
    assert shape(question) | {"stem": ""} == shape(question) | {
        "qid": "ma-otp-qua-dien-thoai",
        "title": "Mã OTP qua điện thoại",
        "type": "single",
        "stem": "",
        "general_feedback": "Mã OTP chỉ dành cho chính bạn.",
        "choices": [
            ("Đọc mã để phối hợp", False, "Không cơ quan nào yêu cầu đọc mã OTP qua điện thoại."),
            ("Từ chối, gác máy và báo bộ phận CNTT", True, "Đúng."),
            ("Đọc mã rồi đổi mật khẩu", False, ""),
        ],
    }
    assert question.stem == "Một người tự xưng là công an phường xin mã OTP. Bạn làm gì?"


def test_equal_weights_make_a_multiple_response_question():
    question = only("""\
        Which passwords are strong? {
            ~%33.33333%Xk9!pQ2-rz
            ~%33.33333%T@o-Lao-2024-b#Long and mixed.
            ~%33.33334%correct-horse-battery-staple
            ~%-100%123456#Far too easy.
            ~password
        }
    """)
    assert question.type == "multiple"
    assert [(c.text, c.correct) for c in question.choices] == [
        ("Xk9!pQ2-rz", True),
        ("T@o-Lao-2024-b", True),
        ("correct-horse-battery-staple", True),
        ("123456", False),
        ("password", False),
    ]
    assert question.choices[1].feedback == "Long and mixed."
    assert question.choices[3].feedback == "Far too easy."
    assert question.title == "Which passwords are strong?" and question.qid == "which-passwords-are-strong"


def test_a_single_full_weight_without_equals_sign_stays_multiple_response():
    text, problems = gift_to_markdown(
        "::Một::Chọn các đáp án đúng {~%100%Hà Nội ~Huế ~%0%Đà Nẵng}", title="T"
    )
    assert problems == []
    assert "{#mot type=multiple}" in text
    question = parse_markdown(text)[2].questions[0]
    assert question.type == "multiple" and [c.correct for c in question.choices] == [True, False, False]


@pytest.mark.parametrize(
    "answers, reason",
    [
        ("~%40%Hà Nội ~%40%Huế ~Đà Nẵng", "add up to 80%, not 100%"),
        ("~Hà Nội ~Huế", "no option is right"),
        ("=Hà Nội ~%150%Huế", "beyond -100%..100%"),
    ],
)
def test_weights_that_cannot_be_expressed_are_reported_by_line(answers, reason):
    gift = f"// câu hỏi đầu\n::Đúng::1 + 1 = 2 {{T}}\n\n\n// trọng số\n::Trọng số::Chọn {{{answers}}}\n"
    quiz, problems = convert(gift)
    assert [q.qid for q in quiz.questions] == ["dung"]
    assert lines_of(problems) == [6]
    assert problems[0].message.startswith("question 'Trọng số' left out: ")
    assert reason in problems[0].message


@pytest.mark.parametrize(
    "answers, weights",
    [
        ("~%70%Hà Nội ~%30%Huế ~Đà Nẵng", [70, 30, 0]),
        ("=Hà Nội ~%50%Huế ~Đà Nẵng", [100, 50, 0]),
        ("~%50%Hà Nội ~%25%Huế ~%25%Đà Nẵng ~Vinh", [50, 25, 25, 0]),
        ("=Hà Nội =Huế ~Đà Nẵng", [100, 100, 0]),
    ],
)
def test_unequal_weights_are_imported_with_their_weights(answers, weights):
    """Once refused (the engine had no per-option weights); now each option keeps Moodle's weight."""
    quiz, problems = convert(f"::Trọng số::Chọn {{{answers}}}\n")
    assert [p.message for p in problems] == []
    assert choice_weights(quiz.questions[0]) == pytest.approx(weights)


def test_true_false_feedback_goes_to_the_right_options():
    quiz, problems = convert("""\
        ::Tròn::Trái đất hình cầu. {T#Sai rồi: ảnh vệ tinh cho thấy điều đó.#Chính xác.}

        ::Quay::Mặt trời quay quanh Trái đất. {
            FALSE#Không đúng.#Đúng, Trái đất quay quanh Mặt trời.
            ####Thuyết nhật tâm.
        }

        ::Ngắn::Nước sôi ở 100 độ C (ở mực nước biển). {TRUE}

        ::Chỉ đúng::Hà Nội là thủ đô. {F##Đúng vậy, nó là thủ đô.}
    """)
    assert problems == []
    tron, quay, ngan, chi_dung = quiz.questions
    assert all(q.type == "truefalse" for q in quiz.questions)
    # Moodle: the first feedback is shown for a wrong answer, the second for the right one.
    assert [(c.text, c.correct, c.feedback) for c in tron.choices] == [
        ("Đúng", True, "Chính xác."),
        ("Sai", False, "Sai rồi: ảnh vệ tinh cho thấy điều đó."),
    ]
    assert [(c.text, c.correct, c.feedback) for c in quay.choices] == [
        ("Đúng", False, "Không đúng."),
        ("Sai", True, "Đúng, Trái đất quay quanh Mặt trời."),
    ]
    assert quay.general_feedback == "Thuyết nhật tâm."
    assert [(c.correct, c.feedback) for c in ngan.choices] == [(True, ""), (False, "")]
    assert [(c.correct, c.feedback) for c in chi_dung.choices] == [
        (False, ""),
        (True, "Đúng vậy, nó là thủ đô."),
    ]


def test_short_answer_with_several_answers_ignores_case_like_moodle():
    question = only("""\
        ::Thủ đô::Thủ đô của Việt Nam là thành phố nào? {
            =Hà Nội#Chính xác.
            =Ha Noi
            =Thăng Long#Tên cũ, vẫn đúng.
        }
    """)
    assert question.type == "short"
    assert [(a.text, a.feedback) for a in question.answers] == [
        ("Hà Nội", "Chính xác."),
        ("Ha Noi", ""),
        ("Thăng Long", "Tên cũ, vẫn đúng."),
    ]
    assert question.ignore_case and not question.ignore_diacritics


def test_short_answer_that_looks_numeric_stays_short():
    text, problems = gift_to_markdown("::Năm::Cách mạng tháng Tám thành công năm nào? {=1945}", title="T")
    assert problems == [] and "{#nam type=short case=ignore}" in text
    assert parse_markdown(text)[2].questions[0].type == "short"


def test_short_answer_weights():
    quiz, problems = convert("""\
        ::Sai cụ thể::Thủ đô? {=Hà Nội =%0%Huế#Huế là cố đô. =%0%*#Chưa đúng.}

        ::Một phần::Thủ đô? {=Hà Nội =%50%Thăng Long}

        ::Ký tự đại diện::Tên? {=Ng*ễn}
    """)
    assert [q.qid for q in quiz.questions] == ["sai-cu-the", "mot-phan"]
    assert [(a.text, a.weight, a.feedback) for a in quiz.questions[0].answers] == [
        ("Hà Nội", None, ""),
        ("Huế", 0, "Huế là cố đô."),
        ("*", None, "Chưa đúng."),
    ]
    assert [(a.text, a.weight) for a in quiz.questions[1].answers] == [("Hà Nội", None), ("Thăng Long", 50)]
    assert [(p.line, p.message) for p in problems] == [
        (
            5,
            "question 'Ký tự đại diện' left out: the answer 'Ng*ễn' uses the Moodle wildcard '*', which "
            "Boiduong cannot express",
        ),
    ]


def test_numeric_tolerance_ranges_and_several_answers():
    quiz, problems = convert("""\
        ::Năm sinh::Bác Hồ sinh năm nào? {#1890}

        ::Pi::Số pi, hai chữ số thập phân? {#3.14:0.005}

        ::Khoảng::A number from 1 to 5? {#1..5}

        ::Nhiều::Nhiệt độ sôi (°C) hoặc (°F)? {#
            =100:0.5#Độ C.
            =211..213#Độ F.
            ####Ở mực nước biển.
        }

        ::Mũ::Một nghìn? {#1e3}
    """)
    assert problems == []
    assert all(q.type == "numeric" for q in quiz.questions)
    nam, pi, khoang, nhieu, mu = quiz.questions
    assert [a.text for a in nam.answers] == ["1890"] and nam.answers[0].numeric == (1890, 1890)
    assert pi.answers[0].text == "3.14 +- 0.005"
    assert pi.answers[0].numeric == pytest.approx((3.135, 3.145))
    assert khoang.answers[0].text == "1..5" and khoang.answers[0].numeric == (1, 5)
    assert [(a.text, a.numeric, a.feedback) for a in nhieu.answers] == [
        ("100 +- 0.5", (99.5, 100.5), "Độ C."),
        ("211..213", (211, 213), "Độ F."),
    ]
    assert nhieu.general_feedback == "Ở mực nước biển."
    assert mu.answers[0].text == "1000"


def test_numeric_problems():
    quiz, problems = convert("""\
        ::Chữ::Bao nhiêu? {#mười}

        ::Một phần::Bao nhiêu? {#=%100%10 =%50%9:1}

        ::Ngược::Bao nhiêu? {#5..1}

        ::Sai::Bao nhiêu? {#=10#Đúng. ~#Hãy đếm lại.}
    """)
    assert [q.qid for q in quiz.questions] == ["mot-phan", "sai"]
    assert lines_of(problems) == [1, 5]
    assert "'mười' is not a number" in problems[0].message
    assert "'5..1' is not a range" in problems[1].message
    assert [(a.text, a.weight) for a in quiz.questions[0].answers] == [("10", None), ("9 +- 1", 50)]
    assert [(a.text, a.feedback) for a in quiz.questions[1].answers] == [
        ("10", "Đúng."),
        ("*", "Hãy đếm lại."),
    ]


def test_matching_pairs_and_distractors():
    quiz, problems = convert("""\
        ::Ghép::Ghép mỗi loại tấn công với dấu hiệu của nó. {
            =Lừa đảo qua thư -> Đường link giả mạo
            =Mã độc tống tiền -> Tệp bị mã hoá
            =Giả danh qua điện thoại -> Xin mã OTP
            = -> Máy in hết mực
            ####Hãy cảnh giác.
        }
    """)
    question = quiz.questions[0]
    assert question.type == "matching"
    assert question.pairs == [
        ("Lừa đảo qua thư", "Đường link giả mạo"),
        ("Mã độc tống tiền", "Tệp bị mã hoá"),
        ("Giả danh qua điện thoại", "Xin mã OTP"),
    ]
    assert question.general_feedback == "Hãy cảnh giác."
    message = (
        "question 'Ghép': the extra right-hand answer 'Máy in hết mực' (a distractor) was left out: "
        "Boiduong matching questions have none"
    )
    assert [(p.line, p.message) for p in problems] == [(1, message)]


def test_escaped_characters():
    question = only(r"""
        ::Ký tự\: đặc biệt::Trong GIFT, các dấu \~ \= \# \{ \} \: và \\ phải thoát.\nDòng hai. {
            =a\#b\=c#Phản hồi có \{ngoặc\} và \~.
            =x\:y
        }
    """)
    assert question.title == "Ký tự: đặc biệt" and question.qid == "ky-tu-dac-biet"
    # The backslash is doubled so that Markdown shows it (`\\` alone would escape what follows).
    assert question.stem == "Trong GIFT, các dấu ~ = # { } : và \\\\ phải thoát.\nDòng hai."
    assert [(a.text, a.feedback) for a in question.answers] == [
        ("a#b=c", "Phản hồi có {ngoặc} và ~."),
        ("x:y", ""),
    ]


def test_missing_word_puts_a_blank_in_the_stem():
    question = only("Mật khẩu mạnh có ít nhất {~6 =12 ~4} ký tự và không dùng lại.\n")
    assert question.stem == "Mật khẩu mạnh có ít nhất _____ ký tự và không dùng lại."
    assert question.title == "Mật khẩu mạnh có ít nhất _____ ký…"
    assert [c.text for c in question.choices if c.correct] == ["12"]


def test_comments_and_categories_are_skipped_silently():
    quiz, problems = convert("""\
        // Ngân hàng câu hỏi An toàn thông tin
        // xuất từ Moodle

        $CATEGORY: $course$/top/An toàn thông tin

        // question: 101  name: Câu 1
        ::Câu 1::Chọn đáp án đúng {
            // một chú thích giữa các đáp án
            =Đúng
            ~Sai hẳn
        }

        $CATEGORY: $course$/top/Khác
        ::Câu 2::Hai cộng hai? {#4}
    """)
    assert problems == []
    assert [(q.qid, q.type) for q in quiz.questions] == [("cau-1", "single"), ("cau-2", "numeric")]


def test_essay_imports_and_a_broken_block_is_reported_by_line():
    quiz, problems = convert("""\
        ::Giới thiệu::Các câu sau nói về mật khẩu.

        ::Một::Mật khẩu nên dài bao nhiêu? {#12..64}

        // tự luận
        ::Tự luận::Hãy mô tả cách bạn giữ mật khẩu.
        {}

        ::Mở::Thiếu ngoặc đóng {=a
    """)
    # An essay arrives as one, for the course's trainer to mark.
    assert [(q.qid, q.type) for q in quiz.questions] == [("mot", "numeric"), ("tu-luan", "essay")]
    assert quiz.questions[1].stem == "Hãy mô tả cách bạn giữ mật khẩu."
    # The description is imported as text (the quiz's introduction), no longer left out.
    assert quiz.intro == "Các câu sau nói về mật khẩu."
    assert lines_of(problems) == [9]
    assert "'Mở' left out: its braces do not match" in problems[0].message


def test_nothing_to_convert_is_reported():
    text, problems = gift_to_markdown("// chỉ có chú thích\n\n$CATEGORY: a\n", title="Trống")
    assert problems == [GiftProblem(1, "no question in the file could be converted")]
    assert text.endswith("# Trống\n")


def test_format_prefixes():
    quiz, problems = convert("""\
        ::HTML::[html]<p>Chọn <b>một</b>&nbsp;đáp án &amp; bấm gửi</p>{
            =<i>Hà Nội</i>#<p>Đúng &lt;3</p>
            ~[plain]Huế
        }

        ::MD::[markdown]Chọn **một** đáp án {=Hà Nội ~Huế ####[markdown]Xem *bài 2*.}

        ::Plain::[plain]Chọn một {=[moodle]Có ~Không}
    """)
    assert problems == []
    html_q, md_q, plain_q = quiz.questions
    # HTML bold and italics are kept as Markdown; a '<' in the text stays text.
    assert html_q.stem == "Chọn **một** đáp án & bấm gửi"
    assert [(c.text, c.feedback) for c in html_q.choices] == [("*Hà Nội*", "Đúng &lt;3"), ("Huế", "")]
    assert md_q.stem == "Chọn **một** đáp án" and md_q.general_feedback == "Xem *bài 2*."
    assert plain_q.stem == "Chọn một" and plain_q.choices[0].text == "Có"


def test_ids_from_titles_and_stems_are_unique():
    quiz, problems = convert("""\
        ::Câu hỏi về Đà Nẵng::Thành phố nào? {=Đà Nẵng ~Huế}

        ::Câu hỏi về Đà Nẵng::Sông nào? {=Hàn ~Hồng}

        Đường dây nóng của Bộ Thông tin và Truyền thông là số nào? {=5656 =156}

        ::!!!::Không có chữ? {T}

        ::otp::Tự sinh, nhưng id otp đã có người giữ. {T}

        // id: otp
        ::Có id::Giữ id otp. {F}
    """)
    assert problems == []
    assert [q.qid for q in quiz.questions] == [
        "cau-hoi-ve-da-nang",
        "cau-hoi-ve-da-nang-2",
        "duong-day-nong-cua-bo-thong-tin-va",
        "khong-co-chu",
        "otp-2",
        "otp",
    ]
    assert quiz.questions[2].title == "Đường dây nóng của Bộ Thông tin và…"


def test_boiduong_and_moodle_comment_details_are_read():
    quiz, problems = convert("""\
        // id: mat-khau points: 3 tags: co-ban,mat-khau case: match diacritics: ignore
        ::Mật khẩu::Từ tiếng Anh cho mật khẩu? {=password}

        // [id:Q 12] [tag:Cơ bản] [tag:Nâng cao]
        ::Moodle::Câu từ Moodle {T}

        // id: trung points: 0
        ::Trùng::Câu một {T}

        // id: trung
        ::Trùng::Câu hai {T}
    """)
    mat_khau, moodle, trung, trung_2 = quiz.questions
    assert (mat_khau.qid, mat_khau.points, mat_khau.tags) == ("mat-khau", 3, ("co-ban", "mat-khau"))
    assert (mat_khau.ignore_case, mat_khau.ignore_diacritics) == (False, True)
    assert (moodle.qid, moodle.tags) == ("q-12", ("co-ban", "nang-cao"))
    assert (trung.qid, trung.points, trung_2.qid) == ("trung", 1, "trung-2")
    assert [(p.line, p.message) for p in problems] == [
        (5, "the id 'Q 12' became 'q-12': ids are unique and use a-z, 0-9 and dashes"),
        (8, "points '0' in the comment were left out: points are a whole number from 1 to 100"),
        (11, "the id 'trung' became 'trung-2': ids are unique and use a-z, 0-9 and dashes"),
    ]


def test_stem_lines_the_quiz_parser_would_misread_are_escaped():
    quiz, problems = convert(r"""
        ::Danh sách::Câu hỏi\n## Không phải tiêu đề\n- [x] không phải đáp án\n    - [ ] thụt lề {=a ~b}

        ::Bằng::Câu hỏi\n\= 5 {=năm =5a}

        ::Mã::Đoạn mã chưa đóng:\n```\n## print(1) {=a ~b}

        ::Sau::Câu sau đoạn mã {T}
    """)
    assert problems == []
    danh_sach, bang, ma, sau = quiz.questions
    assert (
        danh_sach.stem
        == "Câu hỏi\n\\## Không phải tiêu đề\n\\- \\[x\\] không phải đáp án\n\\- \\[ \\] thụt lề"
    )
    assert [c.text for c in danh_sach.choices] == ["a", "b"]
    assert bang.stem == "Câu hỏi\n&#61; 5" and [a.text for a in bang.answers] == ["năm", "5a"]
    # GIFT text is text: a ``` line is no code block (it used to be closed for the reader).
    assert ma.stem == "Đoạn mã chưa đóng:\n\\`\\`\\`\n\\## print(1)"
    assert sau.qid == "sau" and sau.type == "truefalse"


def test_windows_line_ends_and_byte_order_mark():
    question = only("\ufeff// chú thích\r\n::Câu::Chọn {\r\n=Có\r\n~Không\r\n}\r\n\r\n")
    assert question.qid == "cau" and [c.text for c in question.choices] == ["Có", "Không"]


# --------------------------------------------------------------------------------------------------
# Export

QUIZ_MARKDOWN = """\
---
type: quiz
kind: graded
pass_mark: 80
---
# Kiểm tra cuối khoá

Đọc kỹ trước khi làm.

## Mã OTP qua điện thoại {#otp-qua-dien-thoai points=2 tags=co-ban,lua-dao}

Một người tự xưng là công an phường gọi điện, đề nghị bạn đọc mã OTP vừa nhận. Bạn làm gì?

- [ ] Đọc mã để phối hợp với cơ quan chức năng
  > Không cơ quan nào yêu cầu đọc mã OTP qua điện thoại.
- [x] Từ chối, gác máy và báo bộ phận công nghệ thông tin
- [ ] %50% người chọn đọc mã rồi đổi mật khẩu

> Mã OTP chỉ dành cho chính bạn; ai hỏi mã đều là dấu hiệu lừa đảo.

## Mật khẩu mạnh {#mat-khau-manh tags=nang-cao}

Chọn **các** mật khẩu mạnh: (dấu `#`, `{`, `}` và `~` có nghĩa riêng trong GIFT)

- [x] Xk9#pQ2~rz{}
  > Dài và trộn ký tự.
- [x] correct=horse:battery\\staple
- [ ] 123456
  > Quá dễ đoán.
- [ ] [html] mat-khau

## Một đáp án nhưng nhiều lựa chọn {#mot-dap-an type=multiple}

Chọn tất cả các thành phố trực thuộc trung ương ở miền Trung.

- [x] Đà Nẵng
- [ ] Huế
- [ ] Vinh

## Trái đất {#trai-dat}

Mặt trời quay quanh Trái đất.

- [ ] True
  > Không đúng.
- [x] False
  > Đúng, Trái đất quay quanh Mặt trời.

> Thuyết nhật tâm.

## Đúng sai không phản hồi {#dung-sai}

Hà Nội là thủ đô.

- [x] Đúng
- [ ] Sai

## Thủ đô {#thu-do}

Thủ đô của Việt Nam là _____.

= Hà Nội
  > Chính xác.
= Thăng Long
= 50%

## Không phân biệt {#khong-phan-biet case=ignore diacritics=ignore points=3}

Tên gọi khác của thư rác?

= spam*

## Số đo {#so-do}

Điện áp lưới điện dân dụng ở Việt Nam (V)?

= 220 +- 10
  > Đúng.
= 2,5..3,5
= 0,5

> Điện áp chuẩn là 220 V.

## Ghép {#ghep}

Ghép mỗi tấn công với dấu hiệu.

- Lừa đảo qua thư -> Đường link: giả mạo
- Mã độc tống tiền -> Tệp bị mã hoá
- Giả danh -> Xin mã OTP

## Thứ tự {#thu-tu}

Xếp các bước xử lý sự cố.

1. Ngắt mạng
2. Báo cáo
3. Khôi phục

## Ảnh {#anh}

Đây là trang gì? ![Trang đăng nhập giả](images/trang-gia.png)

- [x] Trang giả mạo
- [ ] Trang thật
"""


def test_export_writes_moodle_gift():
    quiz = parse_markdown(QUIZ_MARKDOWN)[2]
    gift, problems = quiz_to_gift(quiz)
    chunks = gift.split("\n\n")
    assert chunks[0] == (
        "// id: otp-qua-dien-thoai points: 2 tags: co-ban,lua-dao\n"
        "::Mã OTP qua điện thoại::[markdown]Một người tự xưng là công an phường gọi điện, đề nghị bạn đọc mã "
        "OTP vừa nhận. Bạn làm gì?{\n"
        "\t~Đọc mã để phối hợp với cơ quan chức năng#Không cơ quan nào yêu cầu đọc mã OTP qua điện thoại.\n"
        "\t=Từ chối, gác máy và báo bộ phận công nghệ thông tin\n"
        "\t~%0%%50% người chọn đọc mã rồi đổi mật khẩu\n"
        "\t####Mã OTP chỉ dành cho chính bạn; ai hỏi mã đều là dấu hiệu lừa đảo.\n"
        "}"
    )
    assert chunks[1] == (
        "// id: mat-khau-manh tags: nang-cao\n"
        "::Mật khẩu mạnh::[markdown]Chọn **các** mật khẩu mạnh\\: (dấu `\\#`, `\\{`, `\\}` và `\\~` có nghĩa "
        "riêng trong GIFT){\n"
        "\t~%50%Xk9\\#pQ2\\~rz\\{\\}#Dài và trộn ký tự.\n"
        "\t~%50%correct\\=horse\\:battery\\\\staple\n"
        "\t~%-50%123456#Quá dễ đoán.\n"
        "\t~%-50%[markdown][html] mat-khau\n"
        "}"
    )
    assert "\t~%100%Đà Nẵng\n\t~%-100%Huế\n" in chunks[2]
    assert chunks[3].endswith("{F#Không đúng.#Đúng, Trái đất quay quanh Mặt trời.####Thuyết nhật tâm.}")
    assert chunks[4].endswith("{T}")
    assert chunks[5] == (
        "// id: thu-do case: match\n::Thủ đô::[markdown]Thủ đô của Việt Nam là _____.{\n"
        "\t=Hà Nội#Chính xác.\n\t=Thăng Long\n\t=50%\n}"
    )
    assert chunks[6].startswith("// id: khong-phan-biet points: 3 diacritics: ignore\n")
    assert "\t=spam\\\\*\n" in chunks[6]
    assert chunks[7].endswith("{#\n\t=220:10#Đúng.\n\t=2.5..3.5\n\t=0.5\n\t####Điện áp chuẩn là 220 V.\n}")
    assert chunks[8].endswith(
        "{\n\t=Lừa đảo qua thư -> Đường link\\: giả mạo\n\t=Mã độc tống tiền -> Tệp bị mã hoá\n"
        "\t=Giả danh -> Xin mã OTP\n}"
    )
    assert len(chunks) == 10 and "thu-tu" not in gift
    by_id = {q.qid: q.line for q in quiz.questions}
    assert [(p.line, p.message) for p in problems] == [
        (
            by_id["thu-do"],
            "question 'thu-do': Moodle compares short answers ignoring case: GIFT cannot ask "
            "for the exact case, which is kept only in the '// id:' comment",
        ),
        (
            by_id["khong-phan-biet"],
            "question 'khong-phan-biet': Moodle cannot ignore diacritics in short "
            "answers: diacritics=ignore is kept only in the '// id:' comment",
        ),
        (by_id["thu-tu"], "question 'thu-tu' left out: GIFT has no ordering questions"),
        (
            by_id["anh"],
            "question 'anh': GIFT carries no files: upload images/trang-gia.png to Moodle separately",
        ),
    ]


def test_ordering_question_is_reported_by_its_markdown_line():
    quiz = parse_markdown(QUIZ_MARKDOWN)[2]
    ordering = next(q for q in quiz.questions if q.type == "ordering")
    assert QUIZ_MARKDOWN.split("\n")[ordering.line - 1] == "## Thứ tự {#thu-tu}"
    problems = quiz_to_gift(quiz)[1]
    left_out = GiftProblem(ordering.line, "question 'thu-tu' left out: GIFT has no ordering questions")
    assert left_out in problems


def test_export_leaves_out_what_moodle_would_misread():
    quiz = parse_markdown("""\
---
type: quiz
---
# T

## Mũi tên {#mui-ten}

Viết mũi tên.

= a -> b

## Không đáp án {#khong-dap-an type=multiple}

Chọn?

- [x] a
- [ ] b
""")[2]
    quiz.questions[1].choices[0].correct = False
    gift, problems = quiz_to_gift(quiz)
    assert gift == ""
    assert [p.message for p in problems] == [
        "question 'mui-ten' left out: Moodle would read the '->' in 'a -> b' as a matching question",
        "question 'khong-dap-an' left out: it has no right option",
    ]


# --------------------------------------------------------------------------------------------------
# Round trips


def round_trip(quiz: QuizSource) -> tuple[QuizSource, list[GiftProblem], list[GiftProblem]]:
    gift, export_problems = quiz_to_gift(quiz)
    text, import_problems = gift_to_markdown(gift, title="Lại")
    return parse_markdown(text)[2], export_problems, import_problems


def test_markdown_to_gift_and_back_keeps_every_question_gift_can_express():
    quiz = parse_markdown(QUIZ_MARKDOWN)[2]
    again, export_problems, import_problems = round_trip(quiz)
    assert import_problems == []
    assert len(export_problems) == 4
    expected = [shape(q) for q in quiz.questions if q.type != "ordering"]
    assert [shape(q) for q in again.questions] == expected
    assert {q.type for q in again.questions} == {
        "single",
        "multiple",
        "truefalse",
        "short",
        "numeric",
        "matching",
    }


def test_gift_to_markdown_to_gift_and_back_gives_the_same_questions():
    bank = r"""
        // Ngân hàng câu hỏi An toàn thông tin
        $CATEGORY: $course$/top/ATTT

        ::Mã OTP::Ai có quyền hỏi mã OTP của bạn?{
            ~Công an#Không cơ quan nào hỏi mã OTP.
            =Không ai cả#Đúng.
            ~Ngân hàng
            ####Mã OTP chỉ dành cho bạn.
        }

        ::Mật khẩu::Which passwords are strong? {~%50%Xk9!pQ2-rz ~%50%T@o-Lao-2024 ~%-100%123456#Too easy.}

        Mật khẩu mạnh có ít nhất {~6 =12 ~4} ký tự.

        ::Tròn::The Earth is round. {TRUE#No, look at satellite photos.#Right.####Since Eratosthenes.}

        ::Thủ đô::Thủ đô của Việt Nam? {=Hà Nội =Ha Noi#Không dấu cũng được.}

        ::Năm::Năm nào? {#=1945:0.5#Đúng. =1944..1946}

        ::Ghép::Ghép. {=mèo -> cá =chó -> xương =bò -> cỏ ####Động vật.}

        ::Ký tự\: lạ::Các dấu \~ \= \# \{ \} \: \\ và\ndòng mới {=a\#b =c\=d}
    """
    first, problems = convert(bank)
    assert problems == []
    assert len(first.questions) == 8
    again, export_problems, import_problems = round_trip(first)
    assert export_problems == [] and import_problems == []
    assert [shape(q) for q in again.questions] == [shape(q) for q in first.questions]
    # and once more: a second round trip changes nothing
    assert quiz_to_gift(again)[0] == quiz_to_gift(first)[0]


def test_a_moodle_export_reads_cleanly():
    quiz, problems = convert("""\
        // question: 0  name: Switch category to $course$/top/Mặc định
        $CATEGORY: $course$/top/Mặc định


        // question: 12  name: Thủ đô
        ::Thủ đô::[html]<p>Thủ đô của Việt Nam?</p>{
        \t=%100%Hà Nội#
        \t=%100%Ha Noi#<p>Không dấu.</p>
        }


        // question: 13  name: Số
        ::Số::[html]<p>Hai cộng hai?</p>{#
        \t=%100%4:0#
        \t~#
        }


        // question: 14  name: Ảnh
        ::Ảnh::[html]<p>Đây là gì? <img src\\="@@PLUGINFILE@@/a.png" alt\\="a"></p>{
        \t~<p>Mèo</p>
        \t=<p>Chó</p>#<p>Đúng.</p>
        \t####<p>Một con chó.</p>
        }
    """)
    thu_do, so, anh = quiz.questions
    assert [(a.text, a.feedback) for a in thu_do.answers] == [("Hà Nội", ""), ("Ha Noi", "Không dấu.")]
    assert thu_do.stem == "Thủ đô của Việt Nam?" and thu_do.ignore_case
    assert so.answers[0].numeric == (4, 4)
    assert anh.stem == "Đây là gì?" and anh.general_feedback == "Một con chó."
    assert [(c.text, c.correct, c.feedback) for c in anh.choices] == [
        ("Mèo", False, ""),
        ("Chó", True, "Đúng."),
    ]
    assert problems == [
        GiftProblem(
            20,
            "question 'Ảnh': its HTML was converted with a loss, left out: "
            "a picture '@@PLUGINFILE@@/a.png': GIFT carries no files",
        ),
    ]
