"""The two DIM layouts every integration test runs on, selected by configuration alone.

- "standins": our stand-ins for DIM's tables (`[dim]` defaults), created by `db upgrade`.
- "legacy": what a legacy DIM database may look like — other table and column names, one
  "APELLIDO, NOMBRE" column, the DNI as a number, char flags ('S'/'N', 'A'/'I'), integer flags, turno times in local
  Buenos Aires time, files attached in DIM's own table; on PostgreSQL in a `dbo` schema. These
  tables exist before we arrive (`modo = "existente"`): the fixture creates them as DIM's DBA
  would, and `db upgrade` must not touch them.
"""

from __future__ import annotations

import dataclasses

from dim_revision.config import DimSettings

STANDINS = DimSettings()

LEGACY = DimSettings(
    modo="existente",
    horas="local",
    adjuntos_destino="dim",
    paciente_tabla="dbo.Pacientes",
    paciente_id="IdPaciente",
    paciente_dni="NroDocumento",
    paciente_dni_numerico=True,  # BIGINT: read as a string, LIKE through a CAST
    paciente_nombre_completo="ApellidoNombre",
    paciente_apellido="",
    paciente_nombre="",
    paciente_fecha_nacimiento="",
    paciente_telefono_movil="CelularNro",
    paciente_telefono_fijo="TelefonoNro",
    paciente_email="EMail",
    paciente_obra_social_id="IdObraSocial",
    paciente_plan_id="IdPlan",
    paciente_numero_afiliado="NroAfiliado",
    obra_social_tabla="dbo.ObrasSociales",
    obra_social_id="IdObraSocial",
    obra_social_nombre="Descripcion",
    obra_social_sigla="",
    obra_social_activa="Activa",
    obra_social_activa_valores="S/N",
    plan_tabla="dbo.Planes",
    plan_id="IdPlan",
    plan_obra_social_id="IdObraSocial",
    plan_nombre="Descripcion",
    plan_activo="Estado",
    plan_activo_valores="A/I",
    prestacion_tabla="dbo.Prestaciones",
    prestacion_id="IdPrestacion",
    prestacion_codigo="CodPrestacion",
    prestacion_nombre="Descripcion",
    prestacion_modalidad="",
    prestacion_activa="Habilitada",
    prestacion_activa_valores="1/0",
    prestacion_codigo_nomenclador="CodNomenclador",
    turno_tabla="dbo.Turnos",
    turno_id="IdTurno",
    turno_paciente_id="IdPaciente",
    turno_prestacion_id="IdPrestacion",
    turno_fecha_hora="FechaHora",
    turno_estado="",
    adjunto_tabla="dbo.TurnosArchivos",
    adjunto_id="IdArchivo",
    adjunto_turno_id="IdTurno",
    adjunto_nombre_archivo="NombreArchivo",
    adjunto_mime="TipoContenido",
    adjunto_tamano="",
    adjunto_sha256="",
    adjunto_contenido="Archivo",
    adjunto_origen_id="",
    adjunto_fecha_alta="FechaAlta",
)

LAYOUTS = {"standins": STANDINS, "legacy": LEGACY}


def as_dba(settings: DimSettings) -> DimSettings:
    """The same mapping in stand-ins mode: how the fixture plays DIM's DBA creating the tables."""
    return dataclasses.replace(settings, modo="standins")


def dim_config_values(settings: DimSettings) -> dict[str, dict[str, object]]:
    """The `[dim]` section a config file needs for this layout (only non-default keys)."""
    default = DimSettings()
    values = {
        f.name: getattr(settings, f.name)
        for f in dataclasses.fields(DimSettings)
        if getattr(settings, f.name) != getattr(default, f.name)
    }
    return {"dim": values} if values else {}
