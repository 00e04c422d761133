"""Plan the demo's requests as plain data: when each was uploaded, what its orders ask for, which
files the patient sent, and what operators already did with it. Nothing here touches pixels or SQL.

Everything is drawn from the `rng` passed in, so the same seed and `now` give the same plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from dim_revision.clock import LOCAL_TZ, local_today, to_local
from dim_revision.demo import camera
from dim_revision.demo.catalog import Prestacion
from dim_revision.demo.medicos import Medico, elegir_medico
from dim_revision.demo.orders import AUTORIZACION, ELECTRONICA, MANUSCRITA, Orden
from dim_revision.demo.people import VALIDOS, ObraSocialDemo, PacienteDemo
from dim_revision.demo.wording import diagnostico, prosa_estudio
from dim_revision.domain.enums import ResultadoContacto

DIAS = 10
OTRA_PERSONA = 0.05  # orders of a relative (same surname, their own name and DNI)
VENCIDA = 0.05  # orders issued more than 30 days before the upload
PORCION_HOY = 0.30
CANONICAS_PESO = 0.7  # share of studies drawn from the canonical "most requested" list
OPERADORES = (
    ("mgonzalez", "CC-PC01"),
    ("lfernandez", "CC-PC02"),
    ("jrodriguez", "CC-PC03"),
    ("asosa", "CC-PC04"),
)
# Uploads per local hour (07:00-20:59): a morning peak and an after-work peak.
_HORAS = {
    7: 5,
    8: 10,
    9: 15,
    10: 16,
    11: 15,
    12: 12,
    13: 10,
    14: 9,
    15: 10,
    16: 11,
    17: 12,
    18: 13,
    19: 12,
    20: 9,
}
_DIA_SEMANA = (1.0, 1.0, 1.0, 1.0, 0.95, 0.45, 0.25)  # Monday..Sunday
_CAMARAS = (
    ("samsung", "SM-A125M"),
    ("samsung", "SM-A325M"),
    ("samsung", "SM-A546E"),
    ("motorola", "moto g(30)"),
    ("motorola", "moto e(7) plus"),
    ("Xiaomi", "Redmi Note 10"),
    ("Apple", "iPhone 11"),
    ("Apple", "iPhone 13"),
    ("Google", "Pixel 6a"),
)
_FORMAS = (
    (camera.FOTO, 38),
    (camera.FOTO_EXIF, 30),
    (camera.FOTO_180, 6),
    (camera.FOTO_APAISADA, 12),
    (camera.PNG, 14),
)
_MARCOS = (((1600, 1200), 55), ((2048, 1536), 30), ((2592, 1944), 15))
_PDF_NOMBRES = (
    "CamScanner {d:%d-%m-%Y %H.%M}.pdf",
    "orden.pdf",
    "Orden medica {apellido}.pdf",
    "Documento escaneado.pdf",
    "OrdenMedica_{dni}.pdf",
    "receta {d:%d%m%Y}.pdf",
)
_PNG_NOMBRES = (
    "scan{n:04d}.png",
    "Orden escaneada.png",
    "orden medica.png",
    "Escaneo_{d:%Y%m%d}.png",
    "Escaneo {d:%d-%m-%Y}.png",
)
_COMENTARIOS = {
    ResultadoContacto.CONTACTADO: (
        "Se le explicó cómo sacar el turno desde el portal.",
        "Confirma los estudios; se le envía el link.",
        "Pide turno para la semana próxima, por la tarde.",
        "Se corrigió el teléfono móvil con la paciente.",
    ),
    ResultadoContacto.NO_ATIENDE: (
        "No atiende. Se vuelve a llamar más tarde.",
        "Suena y corta.",
        "No atiende el fijo ni el celular.",
    ),
    ResultadoContacto.NUMERO_ERRONEO: (
        "El número no corresponde al paciente.",
        "Número inexistente.",
        "El móvil cargado es un fijo: no tiene WhatsApp.",
    ),
    ResultadoContacto.DEJO_MENSAJE: (
        "Se dejó mensaje en el contestador.",
        "Se dejó mensaje con un familiar.",
    ),
    ResultadoContacto.VOLVER_A_LLAMAR: (
        "Pide que lo llamen después de las 17 h.",
        "Está manejando; llamar en una hora.",
    ),
    ResultadoContacto.OTRO: (
        "Consulta si la obra social cubre el estudio; se deriva a autorizaciones.",
        "La orden está vencida; debe pedir una nueva al médico.",
    ),
}
_MOTIVOS_BAJA = (
    "Orden duplicada: ya se gestionó en otra solicitud.",
    "El paciente se hizo el estudio en otro centro.",
    "La imagen es ilegible; se le pidió que vuelva a subirla.",
)


@dataclass(frozen=True)
class Archivo:
    """One file to render: its pages and how it is captured."""

    nombre: str
    toma: camera.Toma
    paginas: tuple[Orden, ...]
    papel: int  # paper variant (see textures.PAPELES)
    seed: int


@dataclass(frozen=True)
class ContactoPlan:
    fecha: datetime
    usuario: str
    resultado: ResultadoContacto
    comentario: str


@dataclass
class SolicitudPlan:
    paciente: int  # index into the patients list
    fecha_subida: datetime
    telefono_verificado: bool
    email_verificado: bool
    prestaciones: list[int]  # catalog indexes, in the order the orders ask for them
    archivos: list[Archivo] = field(default_factory=list)
    contactos: list[ContactoPlan] = field(default_factory=list)
    resuelto: datetime | None = None
    usuario_resuelto: str | None = None
    con_prestaciones: bool = False  # resolved by picking the prestaciones (vs. marked resolved)
    baja: datetime | None = None
    usuario_baja: str | None = None
    motivo_baja: str = ""
    turno_en: datetime | None = None  # booked appointment time, for a few resolved requests
    vinculado_en: datetime | None = None  # when the booking linked back to this request


@dataclass
class Contexto:
    """Everything the planner reads."""

    catalogo: list[Prestacion]
    pacientes: list[PacienteDemo]
    obras: list[ObraSocialDemo]
    medicos: list[Medico]
    now: datetime
    canonicas: int
    aptos: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # cache by (sexo, edad)


def plan_solicitudes(ctx: Contexto, n: int, rng: random.Random) -> list[SolicitudPlan]:
    hoy = local_today(ctx.now)
    fechas = sorted(_fechas_subida(n, ctx.now, rng))
    pacientes = _asignar_pacientes(len(fechas), len(ctx.pacientes), rng)
    planes: list[SolicitudPlan] = []
    for fecha, pac_idx in zip(fechas, pacientes, strict=True):
        pac = ctx.pacientes[pac_idx]
        movil_ok = pac.formato_movil in VALIDOS
        plan = SolicitudPlan(
            paciente=pac_idx,
            fecha_subida=fecha,
            telefono_verificado=movil_ok and rng.random() < 0.75,
            email_verificado=pac.email is not None and rng.random() < 0.6,
            prestaciones=_elegir_estudios(ctx, pac, hoy, rng),
        )
        plan.archivos = _archivos(ctx, plan, pac, rng)
        _historia(plan, ctx.now, movil_ok, rng)
        planes.append(plan)
    _bajas(planes, ctx.now, rng)
    _turnos(planes, ctx.now, rng)
    return planes


# --- when ------------------------------------------------------------------------------------


def _fechas_subida(n: int, now: datetime, rng: random.Random) -> list[datetime]:
    """~30% today (strictly before now), the rest over the previous nine local days.

    Uploads happen 07:00-20:59; before 07:00 "today" only has the night owls since midnight."""
    hoy = local_today(now)
    ventana_hoy = [h for h in _HORAS if _inicio(hoy, h) < now]
    if not ventana_hoy:
        ventana_hoy = [h for h in range(7) if _inicio(hoy, h) < now]
    n_hoy = round(n * PORCION_HOY) if ventana_hoy else 0
    dias = [hoy - timedelta(days=d) for d in range(1, DIAS)]
    pesos = [_DIA_SEMANA[d.weekday()] for d in dias]
    fechas = [_momento(hoy, ventana_hoy, now, rng) for _ in range(n_hoy)]
    fechas += [
        _momento(rng.choices(dias, pesos)[0], list(_HORAS), now, rng) for _ in range(n - n_hoy)
    ]
    return fechas


def _inicio(dia: date, hora: int) -> datetime:
    return datetime.combine(dia, time(hora), LOCAL_TZ).astimezone(UTC)


def _momento(dia: date, horas: list[int], now: datetime, rng: random.Random) -> datetime:
    """A whole second in one of `horas` of `dia` (weighted), strictly before `now`."""
    hora = rng.choices(horas, [_HORAS.get(h, 1) for h in horas])[0]
    inicio = _inicio(dia, hora)
    segundos = max(1, min(3600, int((now - inicio).total_seconds())))
    return inicio + timedelta(seconds=rng.randrange(segundos))


def _asignar_pacientes(n: int, total: int, rng: random.Random) -> list[int]:
    """Mostly one request per patient; about one in twelve patients uploads twice."""
    disponibles = list(range(total))
    rng.shuffle(disponibles)
    elegidos: list[int] = []
    for _ in range(n):
        if elegidos and rng.random() < 0.08:
            elegidos.append(rng.choice(elegidos))
        else:
            elegidos.append(disponibles.pop() if disponibles else rng.randrange(total))
    return elegidos


# --- what ------------------------------------------------------------------------------------


def _apto(p: Prestacion, pac: PacienteDemo, edad: int) -> bool:
    e = p.estudio
    return p.activa and (e.sexo is None or e.sexo == pac.sexo) and e.edad[0] <= edad <= e.edad[1]


def _elegir_estudios(ctx: Contexto, pac: PacienteDemo, hoy: date, rng: random.Random) -> list[int]:
    edad = pac.edad(hoy)
    clave = (pac.sexo, edad)
    if clave not in ctx.aptos:  # the catalog scan is the planner's only hot loop
        ctx.aptos[clave] = [i for i, p in enumerate(ctx.catalogo) if _apto(p, pac, edad)]
    aptos = ctx.aptos[clave]
    if not aptos:
        return []
    canonicas = [i for i in aptos if i < ctx.canonicas]
    pool = canonicas if canonicas and rng.random() < CANONICAS_PESO else aptos
    primera = rng.choice(pool)
    elegidas = [primera]
    if rng.random() < 0.22:  # a second study about the same region ("RMN + Rx de rodilla")
        palabras = {w for w in ctx.catalogo[primera].estudio.zona.split() if len(w) > 3}
        afines = [
            i
            for i in aptos
            if i != primera and palabras & set(ctx.catalogo[i].estudio.zona.split())
        ]
        segunda = rng.choice(afines or [i for i in canonicas if i != primera] or [primera])
        if segunda != primera:
            elegidas.append(segunda)
    return elegidas


def _cobertura(ctx: Contexto, pac: PacienteDemo) -> str:
    if pac.obra_social is None:
        return "-"
    obra = ctx.obras[pac.obra_social]
    if not obra.planes:
        return "Particular"
    nombre = obra.sigla if obra.sigla and len(obra.nombre) > 16 else obra.nombre
    plan = obra.planes[pac.plan or 0].nombre
    return (
        nombre
        if plan in ("PMO", "Obligatorio", "Titular", "Jubilados y pensionados")
        else f"{nombre} {plan}"
    )


def _orden(
    ctx: Contexto, plan: SolicitudPlan, pac: PacienteDemo, idx: int, rng: random.Random
) -> Orden:
    p = ctx.catalogo[idx]
    hoy = to_local(plan.fecha_subida).date()
    medico = elegir_medico(ctx.medicos, p.nombre, pac.edad(hoy), rng)
    electronica = rng.random() < 0.35
    nombre = pac.nombre.title() if pac.nombre.isupper() else pac.nombre
    apellido = pac.apellido.title() if pac.apellido.isupper() else pac.apellido
    fecha = hoy - timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 7, 10, 14, 21)))
    # Drawn from their own generator so adding them left every other demo value unchanged.
    extra = random.Random(f"orden:{pac.dni}:{idx}:{plan.fecha_subida.isoformat()}")
    dni, ajena = pac.dni, extra.random() < OTRA_PERSONA
    if ajena:  # a relative's order uploaded from the family's account
        otro = extra.choice([p for p in ctx.pacientes if p.dni != pac.dni] or [pac])
        nombre = otro.nombre.title() if otro.nombre.isupper() else otro.nombre
        dni = otro.dni
    if extra.random() < VENCIDA:
        fecha = hoy - timedelta(days=extra.randint(35, 90))
    return Orden(
        tipo=ELECTRONICA if electronica else MANUSCRITA,
        medico=medico,
        fecha=fecha,
        paciente=rng.choice((f"{apellido}, {nombre}", f"{nombre} {apellido}")),
        dni=dni,
        cobertura=_cobertura(ctx, pac),
        afiliado=pac.numero_afiliado,
        estudios=(prosa_estudio(p.estudio, rng),),
        diagnostico=diagnostico([p.estudio], rng),
        codigo=f"{rng.randint(1000, 9999)}-{hoy:%Y%m%d}-{rng.randint(100000, 999999)}",
        pide=(idx,),
        de_otra_persona=ajena and dni != pac.dni,
    )


def _autorizacion(
    ctx: Contexto, base: Orden, emisor: str, indices: list[int], rng: random.Random
) -> Orden:
    return Orden(
        tipo=AUTORIZACION,
        medico=base.medico,
        fecha=base.fecha + timedelta(days=rng.randint(0, 3)),
        paciente=base.paciente,
        dni=base.dni,
        cobertura=base.cobertura,
        afiliado=base.afiliado,
        estudios=tuple(f"{ctx.catalogo[i].codigo} {ctx.catalogo[i].nombre}" for i in indices),
        diagnostico="",
        codigo=str(rng.randint(100_000_000, 999_999_999)),
        emisor=emisor,
        pide=tuple(indices),
        de_otra_persona=base.de_otra_persona,
    )


# --- files -----------------------------------------------------------------------------------


def _archivos(
    ctx: Contexto, plan: SolicitudPlan, pac: PacienteDemo, rng: random.Random
) -> list[Archivo]:
    """One order page per study (obras sociales want one order per practice), sometimes the
    insurer's authorization, sometimes a second photo of the same order; 1 to 3 files."""
    ordenes = [_orden(ctx, plan, pac, i, rng) for i in plan.prestaciones]
    if not ordenes:  # nobody to order anything for (never with the default catalog)
        ordenes = [_orden(ctx, plan, pac, 0, rng)]
    obra = ctx.obras[pac.obra_social] if pac.obra_social is not None else None
    if obra is not None and obra.planes and rng.random() < 0.2:
        emisor = obra.nombre if len(obra.nombre) <= 16 or not obra.sigla else obra.sigla
        ordenes.append(_autorizacion(ctx, ordenes[0], emisor, plan.prestaciones, rng))
    local = to_local(plan.fecha_subida).replace(tzinfo=None)
    archivos: list[Archivo] = []
    if rng.random() < 0.17:  # one scanned PDF with every page
        paginas = tuple(ordenes[:3])
        archivos.append(_archivo(camera.PDF, paginas, local, pac, rng, len(archivos)))
        if rng.random() < 0.15:  # and, to be sure, a photo of the first order
            archivos.append(_archivo(_forma(rng), paginas[:1], local, pac, rng, len(archivos)))
        return archivos
    objetivo = rng.choices((1, 2, 3), (55, 30, 15))[0]
    paginas_por_archivo = [(o,) for o in ordenes[:3]]
    while len(paginas_por_archivo) < objetivo:  # a retake of an order already photographed
        paginas_por_archivo.append(rng.choice(paginas_por_archivo[:1] * 2 + paginas_por_archivo))
    for paginas in paginas_por_archivo:
        archivos.append(_archivo(_forma(rng), paginas, local, pac, rng, len(archivos)))
    return archivos


def _forma(rng: random.Random) -> str:
    return rng.choices([f for f, _ in _FORMAS], [w for _, w in _FORMAS])[0]


def _archivo(
    forma: str,
    paginas: tuple[Orden, ...],
    subida: datetime,
    pac: PacienteDemo,
    rng: random.Random,
    n: int,
) -> Archivo:
    # Usually photographed minutes before uploading; sometimes days before, at a sensible hour.
    if rng.random() < 0.85:
        tomada = subida - timedelta(seconds=rng.randint(40, 45 * 60))
    else:
        dia = subida.date() - timedelta(days=rng.randint(1, 4))
        tomada = datetime.combine(
            dia, time(rng.randint(8, 21), rng.randrange(60), rng.randrange(60))
        )
    seed = rng.getrandbits(64)
    if forma in (camera.PDF, camera.PNG):
        escaner = forma == camera.PDF and rng.random() < 0.5
        toma = camera.Toma(
            forma, 1240, 1754, rng.randint(68, 80), tomada, ("CamScanner", "") if escaner else None
        )
        plantillas = _PDF_NOMBRES if forma == camera.PDF else _PNG_NOMBRES
        nombre = rng.choice(plantillas).format(
            d=tomada, apellido=pac.apellido.split()[0].title(), dni=pac.dni, n=rng.randint(1, 400)
        )
        return Archivo(nombre, toma, paginas, 1, seed)
    whatsapp = forma != camera.FOTO_EXIF and rng.random() < 0.45
    if whatsapp:  # WhatsApp strips EXIF and recompresses to 1600 px
        ancho, alto = 1600, 1200
        toma = camera.Toma(forma, ancho, alto, rng.randint(76, 82), tomada)
        nombre = f"IMG-{tomada:%Y%m%d}-WA{rng.randint(1, 120):04d}.jpg"
        return Archivo(nombre, toma, paginas, rng.randrange(4), seed)
    ancho, alto = rng.choices([m for m, _ in _MARCOS], [w for _, w in _MARCOS])[0]
    if forma == camera.FOTO_APAISADA:
        ancho, alto = 1600, 1200
    marca, modelo = rng.choice(_CAMARAS)
    orientacion = rng.choice((6, 6, 6, 8)) if forma == camera.FOTO_EXIF else 1
    toma = camera.Toma(
        forma, ancho, alto, rng.randint(80, 85), tomada, (marca, modelo), orientacion
    )
    if marca == "samsung":
        nombre = f"{tomada:%Y%m%d_%H%M%S}.jpg"
    elif marca == "Apple":
        nombre = f"IMG_{rng.randint(1000, 9999)}.JPG"
    elif marca == "Google":
        utc = tomada.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
        nombre = f"PXL_{utc:%Y%m%d_%H%M%S}{rng.randint(0, 999):03d}.jpg"
    else:
        nombre = f"IMG_{tomada:%Y%m%d_%H%M%S}.jpg"
    return Archivo(nombre, toma, paginas, rng.randrange(4), seed)


# --- what operators did ---------------------------------------------------------------------


def _entre(rng: random.Random, desde: datetime, hasta: datetime) -> datetime | None:
    """A whole-second instant strictly inside (desde, hasta), or None if there is no room."""
    segundos = int((hasta - desde).total_seconds()) - 1
    if segundos < 60:
        return None
    return desde + timedelta(seconds=rng.randint(60, segundos))


def _historia(plan: SolicitudPlan, now: datetime, movil_ok: bool, rng: random.Random) -> None:
    edad_dias = (local_today(now) - to_local(plan.fecha_subida).date()).days
    p_resuelta = (0.12, 0.55, 0.75)[edad_dias] if edad_dias < 3 else 0.88
    p_contacto = 0.2 if movil_ok else 0.65  # no WhatsApp possible: operators phone
    limite = min(now, plan.fecha_subida + timedelta(hours=30))
    if rng.random() < p_contacto:
        momento = plan.fecha_subida
        for _ in range(rng.choice((1, 1, 2))):
            cuando = _entre(rng, momento, min(limite, momento + timedelta(hours=6)))
            if cuando is None:
                break
            opciones: list[ResultadoContacto]
            if movil_ok:
                opciones = [
                    r for r in ResultadoContacto if r is not ResultadoContacto.NUMERO_ERRONEO
                ]
            else:
                opciones = [
                    ResultadoContacto.NUMERO_ERRONEO,
                    ResultadoContacto.NO_ATIENDE,
                    ResultadoContacto.CONTACTADO,
                ]
            resultado = rng.choice(opciones)
            usuario = rng.choice(OPERADORES)[0]
            plan.contactos.append(
                ContactoPlan(cuando, usuario, resultado, rng.choice(_COMENTARIOS[resultado]))
            )
            momento = cuando
    if rng.random() < p_resuelta:
        desde = plan.contactos[-1].fecha if plan.contactos else plan.fecha_subida
        cuando = _entre(rng, desde, limite if limite > desde else now)
        if cuando is not None:
            plan.resuelto = cuando
            plan.usuario_resuelto = rng.choice(OPERADORES)[0]
            plan.con_prestaciones = (
                bool(plan.prestaciones) and (movil_ok or rng.random() < 0.3) and rng.random() < 0.9
            )


def _bajas(planes: list[SolicitudPlan], now: datetime, rng: random.Random) -> None:
    """Soft-delete a few open requests, preferring a patient's duplicate upload."""
    if len(planes) < 10:
        return
    vistos: set[int] = set()
    duplicadas = []
    for i, p in enumerate(planes):
        if p.paciente in vistos:
            duplicadas.append(i)
        vistos.add(p.paciente)
    candidatas = duplicadas[:1] + rng.sample(range(len(planes)), len(planes))
    elegidas: set[int] = set()
    for i in candidatas:
        p = planes[i]
        if p.resuelto is not None or i in elegidas or len(elegidas) >= 3:
            continue
        cuando = _entre(rng, p.fecha_subida, min(now, p.fecha_subida + timedelta(hours=20)))
        if cuando is None:
            continue
        p.baja = cuando
        p.usuario_baja = rng.choice(OPERADORES)[0]
        p.motivo_baja = _MOTIVOS_BAJA[len(elegidas) % len(_MOTIVOS_BAJA)]
        elegidas.add(i)


def _turnos(planes: list[SolicitudPlan], now: datetime, rng: random.Random) -> None:
    """A few patients already booked from the link; most of those bookings linked their order."""
    resueltas = [
        p for p in planes if p.con_prestaciones and p.resuelto is not None and p.baja is None
    ]
    for i, p in enumerate(rng.sample(resueltas, min(6, len(resueltas)))):
        assert p.resuelto is not None
        reserva = _entre(rng, p.resuelto, min(now, p.resuelto + timedelta(days=2)))
        if reserva is None:
            continue
        dia = to_local(reserva).date() + timedelta(days=rng.randint(2, 12))
        p.turno_en = datetime.combine(
            dia, time(rng.randint(8, 18), rng.choice((0, 15, 30, 45))), LOCAL_TZ
        ).astimezone(UTC)
        if i < 4:
            p.vinculado_en = reserva
