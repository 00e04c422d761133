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

    PENDIENTES = "pendientes"
    RESUELTAS = "resueltas"
    TODAS = "todas"
