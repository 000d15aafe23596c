"""`flask courses import-gift` and `export-gift`."""

from __future__ import annotations

from tests.helpers import write_course

BANK = """// Ngân hàng câu hỏi thử
$CATEGORY: an-toan

::OTP::Có nên đọc mã OTP cho người gọi điện tự xưng công an? {
  ~Có#Không cơ quan nào hỏi OTP.
  =Không#Đúng.
  ####Mã OTP chỉ dành cho bạn.
}

::Số phường:: Hà Nội có bao nhiêu xã, phường sau 1/7/2025? {#126}

::Bài luận:: Trình bày suy nghĩ của bạn. {}
"""


def test_import_gift_writes_a_quiz_that_imports(app, courses_root, tmp_path, import_folder):
    folder = write_course(courses_root)
    bank = tmp_path / "ngan-hang.gift"
    bank.write_text(BANK, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["courses", "import-gift", str(bank), "--course", str(folder), "--title", "Ngân hàng thử"]
    )
    assert result.exit_code == 0, result.output
    written = folder / "04-ngan-hang-thu.md"
    # $CATEGORY: an-toan is now a tag of the questions after it (it used to vanish).
    assert written.exists() and "## OTP {#otp tags=an-toan}" in written.read_text(encoding="utf-8")
    # The essay (it used to be left out) arrives as one, for the course's trainer to mark.
    assert "{#bai-luan tags=an-toan type=essay}" in written.read_text(encoding="utf-8")
    outcome = import_folder(folder)
    assert outcome.status == "created", outcome.problems

    exported = runner.invoke(args=["courses", "export-gift", str(written)])
    assert exported.exit_code == 0, exported.output
    assert "::OTP::" in exported.output and "=Không#Đúng." in exported.output and "{#" in exported.output
    assert "::Bài luận::[markdown]Trình bày suy nghĩ của bạn.{}" in exported.output


def test_export_gift_reports_ordering_questions(app, courses_root, tmp_path):
    folder = write_course(
        courses_root,
        lessons={
            "01-de.md": "---\ntype: quiz\nshuffle_options: true\n---\n# Đề\n\n"
            "## Xếp {#xep}\n\n1. Một\n2. Hai\n\n"
            "## Chọn {#chon}\n\n- [x] A\n- [ ] B\n"
        },
    )
    out = tmp_path / "de.gift"
    result = app.test_cli_runner().invoke(
        args=["courses", "export-gift", str(folder / "01-de.md"), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert f"{folder / '01-de.md'}:7:" in result.output
    assert "::Chọn::" in out.read_text(encoding="utf-8") and "Xếp" not in out.read_text(encoding="utf-8")


def test_export_gift_refuses_a_lesson(app, courses_root):
    folder = write_course(courses_root)
    result = app.test_cli_runner().invoke(args=["courses", "export-gift", str(folder / "01-mo-dau.md")])
    assert result.exit_code != 0 and "is not a quiz file" in result.output
