"""Active PDFs, disguised files and image bombs are refused with a Spanish reason; benign PDFs
with a plain /OpenAction destination still pass. (Peak memory: `benchmarks.intake_memory`.)"""

from __future__ import annotations

import pytest

from benchmarks.hostile_corpus import BENIGNOS, CORPUS, Hostil
from dim_revision.config import IntakeSettings
from dim_revision.errors import ValidationError
from dim_revision.services.archivos import MIME_PDF, inspeccionar_archivo

LIMITS = IntakeSettings()


@pytest.mark.parametrize("hostil", CORPUS, ids=[h.nombre for h in CORPUS])
def test_hostile_file_refused_with_a_reason(hostil: Hostil) -> None:
    data = hostil.hacer()
    assert len(data) <= 10 * 1024 * 1024
    with pytest.raises(ValidationError) as info:
        inspeccionar_archivo(hostil.nombre, data, LIMITS)
    message = str(info.value)
    assert message.startswith(f"«{hostil.nombre}»: ")
    assert hostil.motivo in message


PDFS = [b for b in BENIGNOS if b[0].endswith(".pdf")]


@pytest.mark.parametrize(("nombre", "hacer"), PDFS, ids=[b[0] for b in PDFS])
def test_benign_pdfs_pass(nombre: str, hacer: object) -> None:
    archivo = inspeccionar_archivo(nombre, hacer(), LIMITS)  # type: ignore[operator]
    assert archivo.mime == MIME_PDF and archivo.paginas == 1


def test_trailing_whitespace_after_eof_is_fine() -> None:
    from benchmarks.hostile_corpus import simple_pdf

    assert inspeccionar_archivo("o.pdf", simple_pdf() + b"\r\n\x00 ", LIMITS).paginas == 1
