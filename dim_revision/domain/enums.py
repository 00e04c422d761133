"""Closed vocabularies stored as short strings (portable across SQLite, PostgreSQL, SQL Server)."""

from __future__ import annotations

from enum import StrEnum


class EstadoEnvio(StrEnum):
    PROGRAMADO = "programado"  # waiting for its time (the 15-minute correction window) or a retry
    ENVIANDO = "enviando"  # a worker holds it and may be talking to Botmaker
    ENVIADO = "enviado"
    CANCELADO = "cancelado"
    FALLIDO = "fallido"  # permanent failure, needs a person
    INCIERTO = "incierto"  # may have reached Botmaker: never resent without a person deciding

    @property
    def etiqueta(self) -> str:
        return _ETIQUETAS[self]


_ETIQUETAS = {
    EstadoEnvio.PROGRAMADO: "Programado",
    EstadoEnvio.ENVIANDO: "Enviando",
    EstadoEnvio.ENVIADO: "Enviado",
    EstadoEnvio.CANCELADO: "Cancelado",
    EstadoEnvio.FALLIDO: "Fallido",
    EstadoEnvio.INCIERTO: "Incierto",
}

ESTADOS_VIVOS = (EstadoEnvio.PROGRAMADO, EstadoEnvio.ENVIANDO)


class EstadoEntrega(StrEnum):
    """What WhatsApp reports after Botmaker accepted a send (a column beside `EstadoEnvio`)."""

    ENTREGADO = "entregado"
    LEIDO = "leido"
    ERROR_ENTREGA = "error_entrega"

    @property
    def etiqueta(self) -> str:
        return _ENTREGAS[self]

    @property
    def rango(self) -> int:
        """Progress order: a late 'delivered' never undoes 'read'; an error is final."""
        return _RANGO_ENTREGA[self]


_ENTREGAS = {
    EstadoEntrega.ENTREGADO: "Entregado",
    EstadoEntrega.LEIDO: "Leído",
    EstadoEntrega.ERROR_ENTREGA: "Error de entrega",
}
_RANGO_ENTREGA = {
    EstadoEntrega.ENTREGADO: 1,
    EstadoEntrega.LEIDO: 2,
    EstadoEntrega.ERROR_ENTREGA: 3,
}
ENTREGAS_FINALES = (EstadoEntrega.LEIDO, EstadoEntrega.ERROR_ENTREGA)


def etiqueta_envio(estado: str | None, entrega: str | None) -> str:
    """The one word the grid and the record show: Programado / Enviado / Entregado / Leído /
    Error de entrega / Incierto… (delivery wins once Botmaker reports it)."""
    if not estado:
        return ""
    if entrega and estado == EstadoEnvio.ENVIADO.value:
        try:
            return EstadoEntrega(entrega).etiqueta
        except ValueError:
            pass
    try:
        return EstadoEnvio(estado).etiqueta
    except ValueError:
        return estado


class ResultadoContacto(StrEnum):
    CONTACTADO = "contactado"
    NO_ATIENDE = "no_atiende"
    NUMERO_ERRONEO = "numero_erroneo"
    DEJO_MENSAJE = "dejo_mensaje"
    VOLVER_A_LLAMAR = "volver_a_llamar"
    OTRO = "otro"

    @property
    def etiqueta(self) -> str:
        return _RESULTADOS[self]

    @property
    def pide_comentario(self) -> bool:
        """A talk or "otro" needs a few words; "no atiende" and the like say it all (issue 13.7)."""
        return self in (ResultadoContacto.CONTACTADO, ResultadoContacto.OTRO)


_RESULTADOS = {
    ResultadoContacto.CONTACTADO: "Contactado",
    ResultadoContacto.NO_ATIENDE: "No atiende",
    ResultadoContacto.NUMERO_ERRONEO: "Número erróneo",
    ResultadoContacto.DEJO_MENSAJE: "Se dejó mensaje",
    ResultadoContacto.VOLVER_A_LLAMAR: "Volver a llamar",
    ResultadoContacto.OTRO: "Otro",
}


class EstadoFiltro(StrEnum):
    """The grid's state filter."""

    PENDIENTES = "pendientes"  # unresolved, plus those requiring attention (issue 13.2)
    RESUELTAS = "resueltas"
    TODAS = "todas"
    # The operators' default view: unresolved from the chosen days *and every earlier day*
    # (resolved ones are counted only for the chosen days). See `queue.pendientes_todas`.
    PENDIENTES_TODAS = "pendientes_todas"
    ATENCION = "atencion"  # «Requiere atención»: resolved, but the send failed or is incierto
