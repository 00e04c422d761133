"""What comes next, claimed and read in one background task (`claim_then_read`, issue 19)."""

from __future__ import annotations

from datetime import timedelta

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from dim_revision.services.claims import Claim
from dim_revision.services.detalle import SolicitudDetalle
from dim_revision.services.queue import QueueFilter
from dim_revision.workstation.claiming import claim_first, claim_then_read
from tests import factories

LEASE = timedelta(minutes=10)
ANA = Actor("ana", "pc-01")
LUIS = Actor("luis", "pc-02")


def _two(db: Database, clock: FakeClock) -> list[int]:
    with db.uow() as uow:
        pac = factories.paciente(uow.session, apellido="Pérez")
        ids = [
            factories.solicitud(uow.session, pac, clock() - timedelta(minutes=2 - i)).id
            for i in range(2)
        ]
        uow.commit()
    return ids


def _ana_claims_next(
    db: Database, clock: FakeClock, ids: list[int]
) -> tuple[Claim | None, SolicitudDetalle | None]:
    """Ana's «siguiente» over `ids` in the Pendientes view: the claim and the claimed detail."""
    return claim_then_read(
        claim_first, db, ANA, clock(), ids, QueueFilter.pendientes(clock()), LEASE, frozenset()
    )


def test_the_claimed_record_comes_with_its_detail_read_after_the_claim(
    database: Database, clock: FakeClock
) -> None:
    first, second = _two(database, clock)
    claims.claim(database, LUIS, clock(), first, LEASE)  # held by someone else: skipped

    claim, detalle = _ana_claims_next(database, clock, [first, second])

    assert claim is not None and claim.solicitud_id == second
    assert detalle is not None and detalle.id == second
    assert detalle.tomado_clave == "ana@pc-01"  # read after our claim, not before
    assert len(detalle.adjuntos) == 1


def test_nothing_left_to_claim_reads_nothing(database: Database, clock: FakeClock) -> None:
    first, second = _two(database, clock)
    for sid in (first, second):
        claims.claim(database, LUIS, clock(), sid, LEASE)

    claimed = _ana_claims_next(database, clock, [first, second])

    assert claimed == (None, None)
