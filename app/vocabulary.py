"""The words of the personnel files, both ways: the column headings and values that the exports
write and the import reads, codes ↔ Vietnamese.

Each table below is the one place a word is defined. An export writes the first heading of a
column and the word of a value (`GENDER_WORDS`, `STAFF_WORDS`, `date_text`); the import reads those
and the other spellings personnel offices use (`GENDERS`, `STAFF`, `UNIT_TYPE_WORDS`,
`parse_date`), so an exported file imports back unchanged.
"""

from __future__ import annotations

from datetime import date, datetime

from app.text import fold

# --- column headings ----------------------------------------------------------------------------
# field: the headings that name it, as the import folds a heading (app.imports.reader.header_key);
# an export writes the first.
CADRE_COLUMNS = {
    "employee_code": ("employee_code", "ma_can_bo", "ma_cb", "ma_nhan_vien", "ma_so_can_bo"),
    "full_name": ("full_name", "ho_ten", "ho_va_ten"),
    "date_of_birth": ("date_of_birth", "ngay_sinh"),
    "gender": ("gender", "gioi_tinh"),
    "staff_type": ("staff_type", "loai_can_bo", "doi_tuong"),
    "unit_code": ("unit_code", "ma_don_vi"),
    "job_position": ("job_position", "vi_tri_viec_lam"),
    "title_code": ("title_code", "ma_chuc_vu", "chuc_vu"),
    "rank": ("rank", "ngach"),
    "professional_qualification": ("professional_qualification", "trinh_do_chuyen_mon", "chuyen_mon"),
    "email": ("email", "thu_dien_tu"),
}
UNIT_COLUMNS = {
    "code": ("code", "ma_don_vi", "unit_code"),
    "name": ("name", "ten_don_vi", "ten"),
    "type": ("type", "loai_don_vi", "loai"),
    "parent_code": ("parent_code", "ma_don_vi_cap_tren", "don_vi_cap_tren"),
    "valid_from": ("valid_from", "hieu_luc_tu", "ngay_thanh_lap"),
}


def headings(columns: dict[str, tuple[str, ...]], fields: tuple[str, ...]) -> list[str]:
    """The heading row an export writes for `fields` of a format (CADRE_COLUMNS, UNIT_COLUMNS)."""
    return [columns[name][0] for name in fields]


# --- values -------------------------------------------------------------------------------------
# code: the word an export writes.
GENDER_WORDS = {"male": "Nam", "female": "Nữ"}
STAFF_WORDS = {"cadre": "cán bộ", "civil_servant": "công chức", "public_employee": "viên chức"}
# code: the words a unit type goes by (an export writes the code, which the import reads as well).
UNIT_TYPE_NAMES = {
    "city": ("thành phố",),
    "department": ("sở", "ban"),
    "district": ("quận", "huyện", "thị xã"),
    "ward": ("phường",),
    "commune": ("xã",),
    "division": ("phòng",),
    "office": ("văn phòng",),
    "other": ("khác",),
}


def _reading(words: dict[str, str], **spellings: str) -> dict[str, str]:
    """What the import reads (folded, "_" as a space), back to the code: the code itself, the word
    an export writes, and other `spellings`."""
    table = {}
    for code, word in words.items():
        table.update({code: code, code.replace("_", " "): code, fold(word): code})
    table.update(spellings)
    return table


# The folded text of a cell: its code.
GENDERS = _reading(GENDER_WORDS, m="male", f="female")
STAFF = _reading(STAFF_WORDS)
UNIT_TYPE_WORDS = {fold(word): code for code, names in UNIT_TYPE_NAMES.items() for word in names}

# --- dates --------------------------------------------------------------------------------------
# As Vietnamese offices write a date; an export writes the first, the import reads them all.
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def date_text(day: date) -> str:
    """A date as an export writes it: dd/mm/yyyy."""
    return day.strftime(DATE_FORMATS[0])


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (as Vietnamese offices write it), d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd."""
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
