"""Six languages: complete catalogues, translated pages, catalogue names as data."""

from __future__ import annotations

import ast
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from scoretrack.accounts.models import User
from scoretrack.demo import catalogue
from scoretrack.reference.models import CountryProgramme, Module
from scoretrack.training.models import Delivery

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["es", "fr", "id", "vi", "zh_Hans"]  # English is the source language: no .po
IGNORED = ["locale", "__pycache__", "static", "node_modules"]


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    strings: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header and obsolete #~ entries left out)."""
    entries: list[Entry] = []
    entry, key = Entry(), ""
    values: dict[str, str] = {}

    def finish() -> None:
        nonlocal entry, values
        if "msgid" in values:
            entry.context = values.get("msgctxt")
            entry.msgid = values["msgid"]
            entry.plural = values.get("msgid_plural")
            entry.strings = [v for k, v in sorted(values.items()) if k.startswith("msgstr")]
            if entry.msgid:
                entries.append(entry)
        entry, values = Entry(), {}

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            finish()
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            values[key] += ast.literal_eval(line)
        else:
            key, _, text = line.partition(" ")
            values[key] = ast.literal_eval(text)
    return entries


def keys(entries: list[Entry]) -> set[tuple[str | None, str]]:
    return {(e.context, e.msgid) for e in entries}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if not e.strings or not all(e.strings)] == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is missing")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_finds_no_error_and_counts_no_untranslated_entry(language: str) -> None:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is missing")
def test_every_message_marked_in_the_source_is_in_every_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fresh extraction from a copy of the code, so that the real catalogues stay untouched.
    source = Path(settings.BASE_DIR) / "scoretrack"
    shutil.copytree(source, tmp_path / "scoretrack", ignore=shutil.ignore_patterns(*IGNORED))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path / "locale"])
    call_command("makemessages", locale=["es"], verbosity=0)
    marked = keys(read_po(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    assert len(marked) > 300
    for language in LANGUAGES:
        catalogue = keys(read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
        assert sorted(marked - catalogue, key=str) == [], language


def test_the_login_page_comes_out_in_spanish_and_in_chinese(db: Any) -> None:
    client = Client()
    client.post("/language", {"language": "es"})
    page = client.get("/login/").content.decode()
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page
    assert "Contraseña" in page
    client.post("/language", {"language": "zh-hans"})
    page = client.get("/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page
    assert "密码" in page


def test_the_home_page_comes_out_in_spanish_and_in_chinese(admin_client: Client) -> None:
    CountryProgramme.objects.create(code="VN", name="Viet Nam", currency="VND")
    admin_client.post("/language", {"language": "es"})
    page = admin_client.get("/").content.decode()
    assert "Panel del programa" in page
    assert "Certificaciones por aprobar" in page
    assert "Empresas" in page  # the navigation
    assert "Programme dashboard" not in page
    admin_client.post("/language", {"language": "zh-hans"})
    page = admin_client.get("/").content.decode()
    assert "项目仪表板" in page
    assert "待批准的认证" in page
    assert "企业" in page


def test_a_module_shows_its_name_in_the_page_language(admin: User, admin_client: Client) -> None:
    country = CountryProgramme.objects.create(code="VN", name="Viet Nam", currency="VND")
    module = Module.objects.create(
        code="M1",
        name="Workplace Cooperation",
        name_translations={"es": "Cooperación en el lugar de trabajo", "zh-hans": "工作场所合作"},
    )
    delivery = Delivery.objects.create(
        key="D-1", country=country, module=module, start_date="2020-03-02"
    )
    url = reverse("training:delivery-detail", args=[delivery.pk])
    admin_client.post("/language", {"language": "es"})
    assert "M1 Cooperación en el lugar de trabajo" in admin_client.get(url).content.decode()
    admin_client.post("/language", {"language": "zh-hans"})
    assert "M1 工作场所合作" in admin_client.get(url).content.decode()
    admin_client.post("/language", {"language": "fr"})  # no French name: the name itself
    assert "M1 Workplace Cooperation" in admin_client.get(url).content.decode()


def test_a_module_choice_is_labelled_in_the_page_language(admin_client: Client) -> None:
    CountryProgramme.objects.create(code="VN", name="Viet Nam", currency="VND")
    Module.objects.create(
        code="M2", name="Quality Management", name_translations={"es": "Gestión de la calidad"}
    )
    admin_client.post("/language", {"language": "es"})
    page = admin_client.get(reverse("training:delivery-create")).content.decode()
    assert "M2 Gestión de la calidad" in page


def test_a_record_form_labels_model_fields_in_the_page_language(admin_client: Client) -> None:
    CountryProgramme.objects.create(code="VN", name="Viet Nam", currency="VND")
    admin_client.post("/language", {"language": "es"})
    page = admin_client.get(reverse("training:delivery-create")).content.decode()
    assert "Fecha de inicio" in page  # the model's "start date"
    assert "Su propio identificador, único por país" in page  # its help text


def test_a_list_filter_labels_its_fields_in_the_page_language(admin_client: Client) -> None:
    admin_client.post("/language", {"language": "fr"})
    page = admin_client.get(reverse("training:delivery-list")).content.decode()
    assert ">Organisateur<" in page
    assert ">Organiser<" not in page


def test_the_demo_catalogue_names_every_module_practice_and_kpi_in_five_languages() -> None:
    assert set(catalogue.MODULE_NAMES) == {code for code, *_ in catalogue.MODULES}
    assert set(catalogue.PRACTICE_NAMES) == {code for code, *_ in catalogue.PRACTICES}
    assert set(catalogue.KPI_NAMES) == {spec.code for spec in catalogue.KPIS}
    tables = [catalogue.MODULE_NAMES, catalogue.PRACTICE_NAMES, catalogue.KPI_NAMES]
    assert all(all(names) for table in tables for names in table.values())
    assert catalogue.name_translations(catalogue.MODULE_NAMES["M1"])["zh-hans"] == "工作场所合作"


def test_the_loaded_demo_catalogue_carries_the_translations(db: Any) -> None:
    catalogue.load_catalogues()
    module = Module.objects.get(code="M1")
    assert module.localized_name("es") == "Cooperación en el lugar de trabajo"
    assert module.localized_name("vi") == "Hợp tác tại nơi làm việc"
