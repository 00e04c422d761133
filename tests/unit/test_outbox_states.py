"""The Envio state machine, checked on every (from, to) pair and for each kind of actor."""

from __future__ import annotations

import itertools

import pytest

from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio.estados import TRANSITIONS, Quien, check_transition, is_allowed
from dim_revision.errors import InvalidTransition, UserError

P, EN, ED, C, F, IN = E.PROGRAMADO, E.ENVIANDO, E.ENVIADO, E.CANCELADO, E.FALLIDO, E.INCIERTO

# Written out independently of the module's table, from the issue text.
# (IN, P) for the worker: the service's reconciliation re-queues an incierto Botmaker provably
# never received (issue #17 item 2). (F, P) by the worker: the same permanent error several
# times in a row pauses the sender and returns those sends to the queue (issue #17, item 9).
WORKER = {(P, EN), (EN, ED), (EN, P), (EN, F), (EN, IN), (IN, ED), (IN, P), (F, P)}
PERSONA = {(P, C), (F, P), (IN, P), (IN, ED)}
ANY = WORKER | PERSONA
ALL_PAIRS = list(itertools.product(E, E))


def test_the_table_is_exactly_the_specified_one() -> None:
    assert set(TRANSITIONS) == ANY
    assert len(ALL_PAIRS) == 36


@pytest.mark.parametrize(("a", "b"), ALL_PAIRS, ids=lambda e: e.value)
def test_every_pair_for_anyone(a: E, b: E) -> None:
    if (a, b) in ANY:
        check_transition(a, b)
        check_transition(a.value, b.value)  # the strings stored in the database work too
        assert is_allowed(a, b)
    else:
        with pytest.raises(InvalidTransition) as info:
            check_transition(a, b)
        message = str(info.value)
        assert message.startswith("No se puede pasar un envío de ")
        assert f"«{a.etiqueta}»" in message and f"«{b.etiqueta}»" in message
        assert not is_allowed(a, b)


@pytest.mark.parametrize(("a", "b"), ALL_PAIRS, ids=lambda e: e.value)
@pytest.mark.parametrize("quien", list(Quien), ids=lambda q: q.value)
def test_every_pair_by_who_may_do_it(a: E, b: E, quien: Quien) -> None:
    allowed = (a, b) in (WORKER if quien is Quien.WORKER else PERSONA)
    assert is_allowed(a, b, quien) is allowed
    if allowed:
        check_transition(a, b, quien)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(a, b, quien)


def test_refusals_are_user_errors_with_a_reason_a_supervisor_understands() -> None:
    with pytest.raises(UserError, match="ya está «Enviado» y no admite cambios"):
        check_transition(ED, P)
    with pytest.raises(InvalidTransition, match="ya está «Cancelado»"):
        check_transition(C, C)
    with pytest.raises(InvalidTransition, match="se está enviando a Botmaker en este momento"):
        check_transition(EN, C)
    with pytest.raises(InvalidTransition, match="sólo puede pasar a «Programado»"):
        check_transition(F, ED)
    # A person cannot do what only the worker does, and is told what they can do instead.
    with pytest.raises(InvalidTransition, match="sólo puede pasar a «Cancelado»"):
        check_transition(P, EN, Quien.PERSONA)


def test_states_from_the_database_that_are_not_states_are_rejected() -> None:
    with pytest.raises(ValueError):
        check_transition("borrado", "programado")
