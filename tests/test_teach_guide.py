"""The trainers' guide page: the guide in the reader's language (courses/HUONG-DAN.md in
Vietnamese, courses/README.md in English), sanitised like a lesson."""

from __future__ import annotations

import pytest

from app.teach import service

VIETNAMESE_HEADINGS = ("Hướng dẫn biên soạn khoá học trên Boiduong", "Kiểm tra và nhập khoá học")
ENGLISH_HEADINGS = ("Writing a course for Boiduong", "Checking and importing")


@pytest.fixture
def trainer(make_user, auth):
    make_user("gv@example.vn", role="trainer")
    auth.login("gv@example.vn")


def guide_page(client) -> str:
    response = client.get("/teach/guide")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("vi", VIETNAMESE_HEADINGS, ENGLISH_HEADINGS), ("en", ENGLISH_HEADINGS, VIETNAMESE_HEADINGS)],
)
def test_a_trainer_reads_the_guide_in_their_language(trainer, auth, client, language, shown, not_shown):
    if language != "vi":  # Vietnamese is the default
        auth.post("/language", {"language": language, "next": "/teach/guide"})
    html = guide_page(client)
    assert f'<html lang="{language}">' in html
    for heading in shown:
        assert heading in html
    for heading in not_shown:
        assert heading not in html
    assert "<code>category</code>" in html  # the course file syntax stays as the software reads it


def test_the_guide_in_either_language_is_sanitised(trainer, auth, client, tmp_path, monkeypatch):
    files = {}
    for language, title in (("vi", "Hướng dẫn thử"), ("en", "Test guide")):
        files[language] = tmp_path / f"{language}.md"
        files[language].write_text(
            f'# {title}\n\n<script>alert("{language}")</script>\n\n<a href="javascript:alert(1)" '
            f'onclick="alert(2)">link</a>\n',
            encoding="utf-8",
        )
    monkeypatch.setattr(service, "GUIDE_FILES", files)
    vietnamese = guide_page(client)
    auth.post("/language", {"language": "en", "next": "/teach/guide"})
    english = guide_page(client)
    for html, title, other in (
        (vietnamese, "Hướng dẫn thử", "Test guide"),
        (english, "Test guide", "Hướng dẫn thử"),
    ):
        assert title in html and other not in html
        guide = html.split('<article class="card prose">', 1)[1].split("</article>", 1)[0]
        assert title in guide and "link" in guide
        assert "<script" not in guide and "javascript:" not in guide and "onclick" not in guide


def test_the_shipped_guides_say_the_same_things():
    """HUONG-DAN.md is kept in step with README.md: the same sections, tables and examples."""
    english = service.GUIDE_FILES["en"].read_text(encoding="utf-8")
    vietnamese = service.GUIDE_FILES["vi"].read_text(encoding="utf-8")

    def shape(text: str) -> list[int]:
        lines = text.splitlines()
        return [
            sum(1 for line in lines if line.startswith("## ")),
            sum(1 for line in lines if line.startswith("### ")),
            sum(1 for line in lines if line.startswith("|---")),
            sum(1 for line in lines if line.startswith("```")),
        ]

    assert shape(vietnamese) == shape(english)
