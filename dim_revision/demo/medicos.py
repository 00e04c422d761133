"""Who signs the demo orders: fictional clinics and doctors, chosen by the specialty of the study."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dim_revision.demo.people import APELLIDOS, NOMBRES_F, NOMBRES_M

CLINICAS = (
    ("Centro Médico Rivadavia", "Av. Rivadavia 14.520 - Ramos Mejía", "Tel. 4658-2233"),
    ("Consultorios Médicos Plaza Oeste", "Av. Gaona 3.250 - Haedo", "Tel. 4629-5500"),
    ("Clínica Santa Clara", "Belgrano 234 - Morón", "Tel. (011) 4489-1200"),
    ("Sanatorio del Parque", "Av. Pueyrredón 1.045 - Castelar", "Tel. 4627-8800"),
    ("Policonsultorio San Martín", "San Martín 887 - Ituzaingó", "Tel. 4458-3030"),
    ("Instituto Médico del Oeste", "Arieta 3.150 - San Justo", "Tel. 4441-7700"),
    ("Centro de Especialidades Médicas Belgrano", "Av. Cabildo 2.040 - CABA", "Tel. 4781-9090"),
    ("Clínica de Fracturas y Ortopedia", "Av. de Mayo 1.320 - Ramos Mejía", "Tel. 4656-1122"),
    ("Instituto Cardiovascular Oeste", "Brown 1.560 - Morón", "Tel. 4483-6600"),
    ("Centro Integral de la Mujer", "Sarmiento 745 - Castelar", "Tel. 4661-2020"),
    ("Consultorios Pediátricos Arcoíris", "Rivadavia 18.030 - Morón", "Tel. 4627-3344"),
    ("Hospital de Día Villa Sarmiento", "Av. Presidente Perón 2.210 - Haedo", "Tel. 4443-5050"),
    ("Centro Médico Córdoba Norte", "Av. Colón 1.480 - Córdoba", "Tel. (0351) 423-8899"),
    ("Consultorio Médico Plaza Moreno", "Calle 12 Nº 820 - La Plata", "Tel. (0221) 427-4455"),
)

ESPECIALIDADES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("MAMA", "MAMOGRAFÍA", "MAMARIA", "MAMOTOMÍA"), "Ginecología y Mastología"),
    (
        (
            "OBSTÉTRIC",
            "FETAL",
            "TRANSVAGINAL",
            "GINECOLÓGICA",
            "HISTEROSALPINGO",
            "PLACENTA",
            "ENDOMETRIOSIS",
            "FOLICULAR",
            "TRANSLUCENCIA",
        ),
        "Ginecología y Obstetricia",
    ),
    (
        (
            "ECOCARDIOGRAMA",
            "PERFUSIÓN MIOCÁRDICA",
            "CORONARIA",
            "CARDÍACA",
            "CARDÍACO",
            "VENTRICULOGRAMA",
            "CALCIO",
            "VENAS PULMONARES",
        ),
        "Cardiología",
    ),
    (
        (
            "PRÓSTATA",
            "PROSTÁTICA",
            "TESTICULAR",
            "ESCROTAL",
            "PENE",
            "PENEANO",
            "RENOGRAMA",
            "UROTOMOGRAFÍA",
            "UROGRAMA",
            "RENAL Y VESICAL",
            "CISTOURETRO",
            "VESICAL",
            "PSMA",
            "COLINA",
        ),
        "Urología",
    ),
    (("ECODOPPLER", "MAPEO VENOSO", "ANGIO", "AORTA"), "Cirugía Cardiovascular"),
    (("DENTAL", "PERIAPICAL", "CEFALOMETRÍA", "TEMPOROMANDIBULARES"), "Odontología"),
    (
        (
            "PET-CT",
            "CORPORAL TOTAL",
            "CUERPO ENTERO (DIFUSIÓN)",
            "TÓRAX, ABDOMEN Y PELVIS",
            "CUELLO, TÓRAX",
        ),
        "Oncología",
    ),
    (
        (
            "TIROIDEA",
            "TIROIDEO",
            "TIROIDES",
            "PARATIROIDES",
            "HIPÓFISIS",
            "DENSITOMETRÍA",
            "SUPRARRENALES",
        ),
        "Endocrinología",
    ),
    (
        (
            "CEREBRO",
            "ÓRBITAS",
            "OÍDOS",
            "FOSA POSTERIOR",
            "SPECT CEREBRAL",
            "CEREBRAL",
            "TRANSCRANEAL",
        ),
        "Neurología",
    ),
    (
        (
            "ABDOMINAL",
            "ABDOMEN",
            "HEPÁTICO",
            "HÍGADO",
            "HEPATO",
            "COLANGIO",
            "PÁNCREAS",
            "SERIADA",
            "COLON",
            "ENTERO",
            "ESOFAGOGRAMA",
            "VACIAMIENTO",
            "INTESTINO",
            "APÉNDICE",
            "ELASTOGRAFÍA",
        ),
        "Gastroenterología",
    ),
    (
        (
            "COLUMNA",
            "HOMBRO",
            "RODILLA",
            "CADERA",
            "TOBILLO",
            "PIE",
            "MUÑECA",
            "MANO",
            "CODO",
            "BRAZO",
            "MUSLO",
            "PIERNA",
            "FÉMUR",
            "HÚMERO",
            "CLAVÍCULA",
            "CALCÁNEO",
            "AQUILES",
            "ANTEPIÉ",
            "SACRO",
            "PELVIS ÓSEA",
            "INFILTRACIÓN",
        ),
        "Traumatología y Ortopedia",
    ),
    (
        ("SENOS PARANASALES", "CAVUM", "LARINGE", "PEÑASCOS", "NARIZ", "SALIVALES"),
        "Otorrinolaringología",
    ),
    (("TÓRAX", "PULMONAR", "PLEURAL"), "Neumonología"),
)
GENERALES = ("Clínica Médica", "Medicina General y Familiar")
PEDIATRIA = "Pediatría"


@dataclass(frozen=True)
class Medico:
    nombre: str  # "Dra. María Laura Fernández"
    especialidad: str
    matricula: str  # "M.N. 123.456" and/or "M.P. 45.678"
    clinica: str
    direccion: str
    telefono: str
    color: tuple[int, int, int]  # letterhead ink
    mano: int  # which handwriting face (see fonts.MANOS)
    tinta: tuple[int, int, int]  # pen
    sello: tuple[int, int, int]  # stamp pad


_COLORES = ((24, 70, 140), (0, 110, 90), (120, 30, 50), (40, 40, 40), (10, 90, 150), (90, 60, 140))
_TINTAS = ((25, 45, 130), (20, 30, 90), (30, 30, 35), (15, 60, 150))
_SELLOS = ((70, 50, 150), (40, 70, 160), (60, 60, 120), (30, 40, 110))


def especialidad_para(nombre_prestacion: str) -> str:
    for claves, especialidad in ESPECIALIDADES:
        if any(c in nombre_prestacion for c in claves):
            return especialidad
    return GENERALES[0]


def generate_medicos(rng: random.Random) -> list[Medico]:
    """Two or three doctors per specialty plus generalists and paediatricians."""
    especialidades = [e for _, e in ESPECIALIDADES] + list(GENERALES) + [PEDIATRIA]
    medicos: list[Medico] = []
    for especialidad in especialidades:
        for _ in range(rng.randint(2, 3)):
            mujer = rng.random() < 0.5
            nombre = rng.choice(NOMBRES_F if mujer else NOMBRES_M)
            titulo = "Dra." if mujer else "Dr."
            clinica, direccion, telefono = rng.choice(CLINICAS)
            mn = f"M.N. {rng.randint(40, 180)}.{rng.randrange(1000):03d}"
            mp = f"M.P. {rng.randint(10, 99)}.{rng.randrange(1000):03d}"
            matricula = rng.choice((mn, mp, f"{mn} - {mp}"))
            medicos.append(
                Medico(
                    nombre=f"{titulo} {nombre} {rng.choice(APELLIDOS)}",
                    especialidad=especialidad,
                    matricula=matricula,
                    clinica=clinica,
                    direccion=direccion,
                    telefono=telefono,
                    color=rng.choice(_COLORES),
                    mano=rng.randrange(4),
                    tinta=rng.choice(_TINTAS),
                    sello=rng.choice(_SELLOS),
                )
            )
    return medicos


def elegir_medico(
    medicos: list[Medico], nombre_prestacion: str, edad: int, rng: random.Random
) -> Medico:
    if edad < 14 and rng.random() < 0.6:
        especialidad = PEDIATRIA
    elif rng.random() < 0.25:
        especialidad = rng.choice(GENERALES)
    else:
        especialidad = especialidad_para(nombre_prestacion)
    candidatos = [m for m in medicos if m.especialidad == especialidad]
    return rng.choice(candidatos)
