"""Load Markdown, plain text, HTML, PDF and JSONL files into Documents.

Every failure is an IngestError that names the file and what to do, so the indexer can skip the file
and report it instead of aborting the run.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rightfit.core.errors import IngestError
from rightfit.core.jsonio import loads as loads_json
from rightfit.types import Document

logger = logging.getLogger(__name__)

SUPPORTED = {".md": "md", ".markdown": "md", ".txt": "txt", ".html": "html", ".htm": "html",
             ".pdf": "pdf", ".jsonl": "jsonl"}
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate is not Unicode: SQLite, hashing and JSON output all choke on it, so none may enter the index.
_SURROGATE = re.compile("[\ud800-\udfff]")
# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def doc_id_for(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    return rel.as_posix()


def shown_name(rel: str) -> str:
    """A path as it can be printed and stored: bytes that are not UTF-8 are shown escaped (caf\\xe9.md).

    Python reads such names as lone surrogates, which cannot be encoded, hashed as UTF-8 or stored in SQLite.
    """
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def name_problem(rel: str) -> str | None:
    """Why a file cannot be indexed under this name, or None; the name is also its document id."""
    if _SURROGATE.search(rel):
        return "the name is not valid UTF-8; rename it to a UTF-8 name"
    return None


def _bom(head: bytes) -> str | None:
    return next((label for mark, label in _BOMS if head.startswith(mark)), None)


def _looks_utf16(head: bytes) -> bool:
    """NUL in (nearly) every other byte and nowhere else: UTF-16 text of mostly Latin letters without a BOM."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 8:
        return False
    return (odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0) or (
        even.count(0) >= 0.9 * len(even) and odd.count(0) == 0)


def _refuse_binary(head: bytes, name: str) -> None:
    """A NUL byte in a file's first 8 KiB: it is binary, whatever its name says."""
    if b"\x00" in head:
        if _looks_utf16(head):
            raise IngestError(f"{name}: looks like UTF-16 text without a byte-order mark; re-save the file as UTF-8")
        raise IngestError(f"{name}: looks like a binary file (NUL bytes); only text, HTML, PDF and JSONL are indexed")


def _one_line(title: str) -> str:
    """A title as shown on one line of a terminal or page: no control characters (an escape sequence in a
    title would reach the user's terminal), no line breaks."""
    return re.sub(r"\s+", " ", _CONTROL.sub("", title)).strip()


def _clean(text: str) -> str:
    # Normalize line endings so offsets are the same on every platform; drop stray control characters.
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def decode_text(raw: bytes, name: str) -> str:
    """Strict UTF-8 (a BOM is allowed), or UTF-16/32 that says so with a BOM (Windows "Unicode" text)."""
    label = _bom(raw[:4])
    if label is not None:
        try:
            text = raw.decode(label.lower())  # the codec reads the BOM for byte order and drops it
        except UnicodeDecodeError as exc:
            raise IngestError(f"{name}: starts with a {label} byte-order mark but is not valid {label} "
                              f"(byte {exc.start}); re-save the file as UTF-8") from None
        if "\x00" in text[:4096]:  # decoding a binary file that merely starts with the mark gives NULs
            raise IngestError(f"{name}: looks like a binary file (NUL characters after a {label} byte-order mark); "
                              "only text, HTML, PDF and JSONL are indexed")
        return _clean(text)
    _refuse_binary(raw[:8192], name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{name}: not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8"
        ) from None
    return _clean(text)


def _title_from_text(text: str, fallback: str) -> str:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            return match.group(1).strip()
        if line.strip():
            return line.strip()[:200]
    return fallback


def _load_html(raw: bytes, name: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup  # lazy: only HTML needs it

    html = decode_text(raw, name)
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    blocks: list[str] = []
    body = soup.body or soup
    tables: dict[int, str | None] = {}  # each table's Markdown, by element, once seen
    tags = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "tr", "pre", "blockquote", "dt", "dd"]
    for el in body.find_all(tags):
        if el.find_parent(["p", "li", "tr", "pre", "blockquote"]) is not None:
            continue  # its text is already part of the enclosing block
        if el.name == "table":
            tables[id(el)] = _markdown_table(el)
            if tables[id(el)] is not None:
                blocks.append(tables[id(el)] or "")
            continue
        if el.name == "tr":
            if tables.get(id(el.find_parent("table"))) is not None:
                continue  # written with its table
            cells = [c.get_text(" ", strip=True) for c in el.find_all(["td", "th"])]
            text = " | ".join(c for c in cells if c)
        else:
            text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name and el.name[0] == "h" and el.name[1:].isdigit():
            blocks.append("#" * int(el.name[1:]) + " " + text)
        elif el.name == "li":
            blocks.append("- " + text)
        else:
            blocks.append(text)
    if not blocks:  # markup without the usual block tags: fall back to all visible text
        blocks = [" ".join(body.get_text(" ", strip=True).split())]
    return title, "\n\n".join(b for b in blocks if b)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def _markdown_table(table: Any) -> str | None:
    """An HTML table whose first row holds header cells, as a Markdown table: a row's cells are read with
    their column names ("Premier debit card: 0%"), which a row of bare values loses. None for a table
    without a header row (its rows stay lines of their own)."""
    rows = [r for r in table.find_all("tr") if r.find_parent("table") is table]
    if len(rows) < 2 or not rows[0].find_all("th") or rows[0].find_all("td"):
        return None
    header = [_cell(c.get_text(" ", strip=True)) for c in rows[0].find_all(["th", "td"])]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows[1:]:
        cells = [_cell(c.get_text(" ", strip=True)) for c in row.find_all(["td", "th"])]
        if not any(cells):
            continue
        cells = (cells + [""] * len(header))[: max(len(header), len(cells))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _load_pdf(path: Path, name: str) -> tuple[str, str]:
    from pypdf import PdfReader  # lazy
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        encrypted = reader.is_encrypted
        pages = [] if encrypted else [(page.extract_text() or "").strip() for page in reader.pages]
        meta_title = "" if encrypted else (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    if encrypted:
        raise IngestError(f"{name}: the PDF is encrypted; save an unencrypted copy to index it")
    # Odd fonts can map glyphs to half a surrogate pair: show those as U+FFFD rather than refuse the PDF.
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", "\n\n".join(p for p in pages if p)))
    return _SURROGATE.sub("\ufffd", str(meta_title)), text


def load_file(path: Path, root: Path, *, max_bytes: int = 20_000_000) -> tuple[list[Document], list[str]]:
    """Documents in one file (a JSONL file holds many) and the problems of any lines skipped inside it.

    Each problem starts "line N: " and does not repeat the file name, which the caller reports it under.

    `max_bytes` caps one document: a whole file, or one line of a JSONL file (a JSONL corpus such as a BEIR
    dataset's can be far larger than any one document). Raises IngestError when nothing in the file is usable.
    """
    name = path.relative_to(root).as_posix()
    problem = name_problem(name)
    if problem is not None:
        raise IngestError(f"{shown_name(name)}: {problem}")
    fmt = SUPPORTED.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(f"{name}: unsupported file type {path.suffix!r}; supported: {', '.join(sorted(SUPPORTED))}")
    if fmt == "jsonl":
        problems: list[str] = []
        try:
            docs = list(_load_jsonl(path, name, problems, max_bytes))
        except OSError as exc:
            raise IngestError(f"{name}: cannot be read ({exc.strerror})") from None
        if not docs:
            raise IngestError(f"{name}: no usable line ({'; '.join(problems[:3]) or 'file is empty'})")
        return docs, problems
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"{name}: {size} bytes is over the {max_bytes}-byte limit; split the file")
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{name}: cannot be read ({exc.strerror})") from None
    doc_id = doc_id_for(path, root)
    if fmt == "pdf":
        if not raw.startswith(b"%PDF"):
            raise IngestError(f"{name}: has a .pdf name but is not a PDF file")
        title, text = _load_pdf(path, name)
    elif fmt == "html":
        title, text = _load_html(raw, name)
    else:
        text = decode_text(raw, name)
        title = ""
    if not text.strip():
        raise IngestError(f"{name}: has no text to index")
    title = _one_line(title) or _title_from_text(text, path.stem)
    return [Document(doc_id=doc_id, title=title, text=text, source=name, fmt=fmt)], []


def _load_jsonl(path: Path, name: str, bad: list[str], max_bytes: int) -> Iterator[Document]:
    """One document per line: {"_id" or "id", "title"?, "text"} (the BEIR corpus format), read line by line."""
    with path.open("rb") as fh:
        head = fh.read(8192)
        label = _bom(head[:4])
        if label is not None:  # read line by line as bytes, so only UTF-8 can be split at newlines
            raise IngestError(f"{name}: is {label} text (it starts with a {label} byte-order mark); "
                              "re-save the file as UTF-8")
        _refuse_binary(head, name)
        fh.seek(0)
        for lineno, raw in enumerate(fh, start=1):
            if len(raw) > max_bytes:
                bad.append(f"line {lineno}: {len(raw)} bytes is over the {max_bytes}-byte limit per document")
                continue
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                bad.append(f"line {lineno}: not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8")
                continue
            doc = _jsonl_document(line, name, lineno, bad)
            if doc is not None:
                yield doc


def _jsonl_document(line: str, name: str, lineno: int, bad: list[str]) -> Document | None:
    if not line.strip():
        return None
    where = f"line {lineno}"
    try:
        obj = loads_json(line)
    except json.JSONDecodeError as exc:
        bad.append(f"{where}: invalid JSON ({exc.msg})")
        return None
    if not isinstance(obj, dict):
        bad.append(f"{where}: expected a JSON object")
        return None
    doc_id = obj.get("_id", obj.get("id"))
    body = obj.get("text")
    title = obj.get("title") if isinstance(obj.get("title"), str) else ""
    # bool is an int to Python, but `"id": true` is a mistake, not document "True".
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or not str(doc_id).strip():
        bad.append(f"{where}: needs a non-empty \"_id\" (or \"id\") string or number")
        return None
    if not isinstance(body, str) or not body.strip():
        bad.append(f"{where}: needs a non-empty \"text\"")
        return None
    for field, value in (("_id" if "_id" in obj else "id", str(doc_id)), ("title", title or ""),
                         ("text", body)):
        half = _SURROGATE.search(value)  # JSON's \uXXXX escapes can spell half of a character
        if half is not None:
            bad.append(f"{where}: \"{field}\" holds an unpaired surrogate escape (\\u{ord(half[0]):04x}), which is "
                       "not valid Unicode; fix the escape or re-export the file as UTF-8")
            return None
    if _CONTROL.search(str(doc_id)) or re.search(r"[\n\r\t]", str(doc_id)):
        bad.append(f"{where}: the id holds control characters or line breaks; give a plain id")
        return None
    return Document(doc_id=str(doc_id), title=_one_line(title or ""), text=_CONTROL.sub("", body),
                    source=f"{name}:{lineno}", fmt="jsonl")
