from __future__ import annotations

from django.utils import translation

from scoretrack.reference.models import Module


def test_a_catalogue_name_follows_the_page_language_with_the_name_as_fallback() -> None:
    module = Module(
        code="M1",
        name="Workplace Cooperation",
        name_translations={"es": "Cooperación en el lugar de trabajo", "zh-hans": "工作场所合作"},
    )
    with translation.override("es"):
        assert module.localized_name() == "Cooperación en el lugar de trabajo"
    with translation.override("zh-hans"):
        assert module.localized_name() == "工作场所合作"
    with translation.override("fr"):
        assert module.localized_name() == "Workplace Cooperation"
    assert module.localized_name("es-bo") == "Cooperación en el lugar de trabajo"
