"""Pieces both the services and the sender use, below both of them in the layers.

`actor` (who does something, from which PC), `audit` (the append-only Evento trail, written in
the caller's transaction), `masking` (what provider text may be logged or stored) and `guards`
(the one conditional write of a solicitud: version, deletion, another workstation's lease). The Envío
state table and its moves live one layer up, in `dim_revision.envio`.
"""
