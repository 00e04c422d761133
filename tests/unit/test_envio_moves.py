"""The Envío has one owner (issue #16): the move table agrees with the transition table, and no
module outside `dim_revision/envio/` writes `envio.estado`, `envio.estado_entrega` or a move's
audit event. `tests/integration/test_envio_moves_driven.py` drives every move on a database."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio.estados import MOVIMIENTOS, TRANSITIONS, Mov, is_allowed, pares

ROOT = Path(__file__).resolve().parents[2] / "dim_revision"
OWNER = ROOT / "envio"
STATE_COLUMNS = {"estado", "estado_entrega"}


def test_every_move_is_made_of_allowed_pairs_for_its_actor() -> None:
    for mov, m in MOVIMIENTOS.items():
        for a, b in pares(mov):
            assert (a, b) in TRANSITIONS, (mov, a, b)
            assert is_allowed(a, b, m.quien), (mov, a, b, m.quien)
        if not pares(mov):  # a move that keeps the state keeps it on its own state
            assert m.desde in ((), (m.hacia,)), mov


def test_every_allowed_pair_is_made_by_some_move_of_each_allowed_actor() -> None:
    made = {(a, b, MOVIMIENTOS[mov].quien) for mov in Mov for a, b in pares(mov)}
    for (a, b), t in TRANSITIONS.items():
        for quien in t.quien:
            assert (a, b, quien) in made, f"{a}→{b} by {quien}: no move in the code makes it"


def test_each_move_writes_its_own_audit_event() -> None:
    events = Counter(m.evento for m in MOVIMIENTOS.values() if m.evento is not None)
    assert all(n == 1 for n in events.values()), events
    # only "begun" writes no event: nothing may sit between its commit and the POST's last byte
    assert [mov for mov, m in MOVIMIENTOS.items() if m.evento is None] == [Mov.EMPEZAR]
    assert (
        MOVIMIENTOS[Mov.PROGRAMAR].desde == () and MOVIMIENTOS[Mov.PROGRAMAR].hacia is E.PROGRAMADO
    )


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(ROOT.rglob("*.py"))]


def _is_update_envio(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "update"
        and any(isinstance(a, ast.Name) and a.id == "Envio" for a in node.args)
    )


def _state_writes(tree: ast.Module) -> list[int]:
    """Lines writing a state column of Envio: `update(Envio)….values(estado=…)`,
    `Envio(estado=…)`, `x.estado = …` (ORM), or `.values(**something)` on `update(Envio)`."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            pass
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "values":
            if any(_is_update_envio(n) for n in ast.walk(node.func)):
                lines.extend(
                    node.lineno for kw in node.keywords if kw.arg is None or kw.arg in STATE_COLUMNS
                )
        elif isinstance(node.func, ast.Name) and node.func.id == "Envio":
            lines.extend(node.lineno for kw in node.keywords if kw.arg in STATE_COLUMNS)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr in STATE_COLUMNS:
                    lines.append(node.lineno)
    return lines


def test_no_module_outside_the_owner_writes_an_envio_state() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path, tree in _modules()
        if OWNER not in path.parents and (lines := _state_writes(tree))
    }
    assert offenders == {}


def test_the_check_itself_sees_the_owners_writes() -> None:
    """Guard against a check that finds nothing: it does find the writes where they belong."""
    found = {
        path.name for path, tree in _modules() if OWNER in path.parents and _state_writes(tree)
    }
    assert {"mover.py", "por_persona.py", "por_botmaker.py"} <= found


def test_no_module_outside_the_owner_writes_a_moves_audit_event() -> None:
    """A move's event is written once, by `mover`: nobody else names it in a call."""
    events = {m.evento for m in MOVIMIENTOS.values() if m.evento}
    offenders = []
    for path, tree in _modules():
        if OWNER in path.parents:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for arg in [*node.args, *(kw.value for kw in node.keywords)]:
                    if isinstance(arg, ast.Constant) and arg.value in events:
                        offenders.append((str(path.relative_to(ROOT)), node.lineno, arg.value))
    assert offenders == []


def test_every_move_in_the_table_is_made_somewhere_in_the_owner() -> None:
    used: set[str] = set()
    for path in OWNER.glob("por_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Mov"
            ):
                used.add(node.attr)
    assert used == {m.name for m in Mov}
