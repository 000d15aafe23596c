"""A course folder packed as a .zip, unpacked safely so that it is checked and imported like a folder.

Trainers work in their own editor and send a course as one file. The archive is measured from its
directory before anything is inflated (size, entry count, unpacked total, inflation ratio), every
entry's name is read as UTF-8 and must stay inside the folder (no absolute path, no "..", no drive,
no backslash, no link), and the course is either the archive's top level or its one top folder.
Every refusal is a `Problem` naming the archive (and the entry), so the trainer sees what to change.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from app.courses.source import COURSE_FILE, MAX_IMAGE_BYTES, Problem
from app.messages import Message, _l
from app.text import nfc

# A course is text and a few images: the nine shipped courses pack to under 1 MB together.
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ENTRY_BYTES = max(MAX_IMAGE_BYTES, 5 * 1024 * 1024)
# Text inflates 3 to 10 times, an SVG up to ~50; a deflate bomb about 1,000 times. Checked on entries
# above 1 MiB (small ones may be denser without harm).
MAX_RATIO = 200
_RATIO_CHECKED_ABOVE = 1024 * 1024
# What archivers add beside the files: never part of a course, left out without a word.
_JUNK_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
# What Python's zipfile unpacks; anything else (e.g. Deflate64 from Windows for large folders) is
# refused from the directory, with its name, rather than failing half-way.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


def megabytes(size: int) -> str:
    return f"{size // (1024 * 1024):,}"


def too_big_file(name: str, size: int) -> Message:
    """A file of the course (in an archive or a repository) over the limit for one file."""
    return _l(
        "'%(name)s' is %(size)s MB; a file of a course is at most %(most)s MB",
        name=name,
        size=megabytes(size),
        most=megabytes(MAX_ENTRY_BYTES),
    )


def _too_big(size: int, label: str) -> list[Problem]:
    message = _l(
        "the archive is %(size)s MB; at most %(most)s MB", size=megabytes(size), most=megabytes(MAX_ZIP_BYTES)
    )
    return [Problem(label, 1, message)]


def _entry_name(info: zipfile.ZipInfo) -> str | None:
    """The entry's name as UTF-8 (NFC), or None when it is not UTF-8.

    zipfile reads names without the UTF-8 flag as CP437; archivers that write UTF-8 without setting
    the flag are read back through that, and a name that is neither is refused."""
    name = info.filename
    if info.flag_bits & _UTF8_FLAG or name.isascii():
        return nfc(name)
    try:
        return nfc(name.encode("cp437").decode("utf-8"))
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _unsafe(name: str) -> Message | None:
    """Why a name may not be written inside the course folder, or None."""
    if "\\" in name:
        return _l(
            "'%(name)s' uses '\\' in its path: pack the folder with a zip tool that writes '/'", name=name
        )
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
        return _l("'%(name)s' has an absolute path", name=name)
    if ".." in path.parts:
        return _l("'%(name)s' has '..' in its path, which would leave the course folder", name=name)
    if any(ord(ch) < 32 for ch in name):
        return _l("'%(name)s' has a control character in its name", name=name)
    return None


def _measure(zf: zipfile.ZipFile, label: str) -> list[Problem]:
    """Problems of the archive as a whole, from its directory alone."""
    entries = zf.infolist()
    if len(entries) > MAX_ENTRIES:
        message = _l(
            "the archive has %(count)s entries; at most %(most)s",
            count=f"{len(entries):,}",
            most=f"{MAX_ENTRIES:,}",
        )
        return [Problem(label, 1, message)]
    total = sum(info.file_size for info in entries)
    if total > MAX_UNPACKED_BYTES:
        message = _l(
            "the archive unpacks to %(size)s MB; at most %(most)s MB",
            size=megabytes(total),
            most=megabytes(MAX_UNPACKED_BYTES),
        )
        return [Problem(label, 1, message)]
    return []


def _entry_problem(info: zipfile.ZipInfo, name: str | None) -> Message | None:
    """Why an entry is refused, naming it (by its raw name when that is not UTF-8), or None."""
    if name is None:
        return _l(
            "'%(name)s' its name is not UTF-8: pack the folder with a zip tool that writes UTF-8 names",
            name=info.filename,
        )
    unsafe = _unsafe(name)
    if unsafe:
        return unsafe
    if _is_link(info):
        return _l("'%(name)s' is a symbolic link: put the file itself in the archive", name=name)
    if info.flag_bits & _ENCRYPTED_FLAG:
        return _l("'%(name)s' is encrypted: pack the course without a password", name=name)
    if info.compress_type not in _METHODS:
        return _l(
            "'%(name)s' is packed with a method this site does not read: "
            "use 'deflate', any zip tool's default",
            name=name,
        )
    if info.file_size > MAX_ENTRY_BYTES:
        return too_big_file(name, info.file_size)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
        return _l(
            "'%(name)s' unpacks to %(ratio)s times its packed size; at most %(most)s",
            name=name,
            ratio=f"{int(ratio):,}",
            most=MAX_RATIO,
        )
    return None


def _files(zf: zipfile.ZipFile, label: str) -> tuple[dict[str, zipfile.ZipInfo], list[Problem]]:
    """The archive's files by their (NFC, UTF-8) name, junk left out; each bad entry a problem."""
    files: dict[str, zipfile.ZipInfo] = {}
    problems: list[Problem] = []
    folded: dict[str, str] = {}
    for info in zf.infolist():
        name = _entry_name(info)
        if name is not None and (_JUNK_PARTS & set(PurePosixPath(name).parts)):
            continue
        why = _entry_problem(info, name)
        shown = name if name is not None else info.filename
        if why:
            problems.append(Problem(f"{label}/{shown}", 1, why))
            continue
        if info.is_dir():
            continue
        key = name.casefold()
        if key in folded:
            problems.append(
                Problem(
                    f"{label}/{name}",
                    1,
                    _l("'%(name)s' is also in the archive as '%(other)s'", name=name, other=folded[key]),
                )
            )
            continue
        folded[key] = name
        files[name] = info
    return files, problems


def _course_root(names: list[str]) -> str | None:
    """'' when course.md is at the top, 'folder/' when it is in the one top folder, else None."""
    if COURSE_FILE in names:
        return ""
    tops = {PurePosixPath(name).parts[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{COURSE_FILE}" in names:
            return f"{top}/"
    return None


def unpack(data: bytes, into: Path, label: str) -> tuple[Path | None, list[Problem]]:
    """Unpack the course in a .zip's bytes under `into` (an empty folder); `label` names the archive
    in problems. Returns the course folder (None on any problem: nothing of it is then used)."""
    if len(data) > MAX_ZIP_BYTES:
        return None, _too_big(len(data), label)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None, [Problem(label, 1, _l("not a readable .zip archive (damaged, or another kind of file)"))]
    with zf:
        problems = _measure(zf, label)
        if problems:
            return None, problems
        files, problems = _files(zf, label)
        if problems:
            return None, problems
        root = _course_root(sorted(files))
        if root is None:
            message = _l("no %(file)s at the top of the archive or in its one top folder", file=COURSE_FILE)
            return None, [Problem(label, 1, message)]
        folder = into / (PurePosixPath(root).name or "course")
        for name, info in files.items():
            if not name.startswith(root):
                continue
            target = folder / name[len(root) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as source:
                    content = source.read(info.file_size + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # a damaged entry
                message = _l("'%(name)s' cannot be unpacked (%(reason)s)", name=name, reason=str(exc))
                return None, [Problem(f"{label}/{name}", 1, message)]
            if len(content) != info.file_size:
                message = _l("'%(name)s' is not the size the archive states", name=name)
                return None, [Problem(f"{label}/{name}", 1, message)]
            target.write_bytes(content)
    return folder, []


def unpack_file(path: Path, into: Path) -> tuple[Path | None, list[Problem]]:
    """`unpack` for an archive on disk, refused by its size before it is read."""
    size = path.stat().st_size
    if size > MAX_ZIP_BYTES:
        return None, _too_big(size, str(path))
    return unpack(path.read_bytes(), into, str(path))
