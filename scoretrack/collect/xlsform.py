"""XLSForm plumbing: labels in every interface language, the workbook, pyxform, CSVs.

A form's definition is plain data (its `survey` and `choices` rows, as the XLSForm
sheets hold them); this module writes it as an .xlsx, compiles that with pyxform (the
real XLSForm compiler, so what a phone gets is what KoboToolbox or ODK Central would
make of the same file) and reads an instance back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from openpyxl import Workbook
from pyxform.xls2xform import convert

ROOT = "data"  # the instance's root element (pyxform's default form name)
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def language_columns() -> list[tuple[str, str]]:
    """(Django language code, XLSForm language name "English (en)") per interface language."""
    found = []
    for code, name in settings.LANGUAGES:
        # The language's ISO 639-1 code, as XLSForm wants it (zh-hans: 中文 (zh)).
        found.append((code, f"{name} ({code.split('-')[0]})"))
    return found


def default_language() -> str:
    return dict(language_columns())[settings.LANGUAGE_CODE]


def labels(text: Any, column: str = "label") -> dict[str, str]:
    """`label::English (en)` ... for a (lazily) translated text, in every language.

    A plain string (a model choice's label) is looked up in the catalogues too, so
    the choices the pages show translated are translated here the same way.
    """
    cells = {}
    for code, language in language_columns():
        with translation.override(code):
            cells[f"{column}::{language}"] = translation.gettext(str(text))
    return cells


def named(entry: Any, column: str = "label") -> dict[str, str]:
    """The language columns of a catalogue entry's name, as the catalogue holds it
    (`localized_name`: its `name_translations`, its name where a language has none)."""
    return {
        f"{column}::{language}": entry.localized_name(code) for code, language in language_columns()
    }


def field_name(prefix: str, code: str, taken: set[str]) -> str:
    """A valid XLSForm name for a catalogue code: `p_WC1`, never one already taken."""
    base = f"{prefix}_{re.sub(r'[^A-Za-z0-9_.-]', '_', code)}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def fingerprint(definition: dict[str, Any]) -> str:
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def workbook(sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    """The XLSForm: one sheet per entry, the union of its rows' keys as header."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        header = list(dict.fromkeys(key for row in rows for key in row))
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(key, "") for key in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def compile_xform(xlsx: bytes, warnings: list[str] | None = None) -> str:
    """The XForm XML pyxform makes of the workbook (it raises on a form it rejects;
    what it only warns about is added to `warnings`)."""
    result = convert(
        xlsform=xlsx, file_type=".xlsx", form_name=ROOT, pretty_print=True, warnings=warnings
    )
    return result.xform


def csv_file(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# --- reading an instance -----------------------------------------------------------


def local(tag: str) -> str:
    """An element's name without its namespace (`{http://...}sex` -> `sex`)."""
    return tag.rsplit("}", 1)[-1]


def read_instance(root: ET.Element, repeats: Iterable[str]) -> dict[str, Any]:
    """The instance's values by field name: groups flattened, each repeat a list of
    its instances' values; an empty element is None. Namespaced or not alike."""
    repeats = set(repeats)
    values: dict[str, Any] = {name: [] for name in repeats}

    def walk(element: ET.Element, into: dict[str, Any]) -> None:
        for child in element:
            name = local(child.tag)
            if name in repeats:
                item: dict[str, Any] = {}
                walk(child, item)
                into.setdefault(name, []).append(item)
            elif len(child):
                walk(child, into)
            else:
                text = (child.text or "").strip()
                into[name] = text or None

    walk(root, values)
    return values
