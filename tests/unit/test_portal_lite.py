"""The Portal LITE URL template (issue 13.10): dni and the chosen prestaciones' ids."""

from __future__ import annotations

import pytest

from dim_revision.config import Settings
from dim_revision.domain.portal_lite import url_portal_lite
from dim_revision.errors import ValidationError


def test_the_default_template_carries_the_dni_and_the_prestaciones() -> None:
    url = url_portal_lite(
        Settings().portal_lite.url,
        dni="20123456",
        paciente_id=7,
        solicitud_id=9,
        prestacion_ids=[127, 33],
    )
    assert url == "https://portallite.dim.com.ar/turnos?dni=20123456&prestaciones=127,33"


def test_values_are_encoded_and_none_chosen_is_empty() -> None:
    url = url_portal_lite(
        "https://x/p/{paciente_id}?d={dni}&s={solicitud_id}&ids={prestaciones}",
        dni="20 123&456",
        paciente_id=7,
        solicitud_id=9,
    )
    assert url == "https://x/p/7?d=20%20123%26456&s=9&ids="


@pytest.mark.parametrize("template", ["https://x/?d={documento}", "https://x/?d={dni", "{0}"])
def test_a_broken_template_is_a_spanish_error(template: str) -> None:
    with pytest.raises(ValidationError, match="no es válida"):
        url_portal_lite(template, dni="1", paciente_id=1, solicitud_id=1)
