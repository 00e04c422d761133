"""What each imaging modality studies, written out so every generated name makes medical sense.

`all_studies()` yields (modalidad, NOMBRE, Estudio). The Estudio says how a doctor writes the same
study on an order (family abbreviation, region, side, contrast, extra) and which diagnoses, sex and
ages go with it, so demo orders never ask for an obstetric scan for a man.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

RM = "RESONANCIA"
TC = "TOMOGRAFÍA"
ECO = "ECOGRAFÍA"
DOPPLER = "ECODOPPLER"
RX = "RADIOGRAFÍA"
MAMO = "MAMOGRAFÍA"
DMO = "DENSITOMETRÍA"
MN = "MEDICINA NUCLEAR"
PET = "PET-CT"
MODALIDADES = (RM, TC, ECO, DOPPLER, RX, MAMO, DMO, MN, PET)

# modalidad -> (nomenclador chapter, first group); groups of 99 items, ranges never overlap.
CAPITULOS = {
    RX: ("34", 1),
    MAMO: ("34", 20),
    DMO: ("34", 25),
    TC: ("34", 30),
    RM: ("34", 50),
    ECO: ("18", 1),
    DOPPLER: ("18", 30),
    MN: ("20", 1),
    PET: ("20", 40),
}

CONTRASTE = {
    "sin": "SIN CONTRASTE",
    "con": "CON CONTRASTE",
    "sin_y_con": "SIN Y CON CONTRASTE",
    "oral_ev": "CON CONTRASTE ORAL Y ENDOVENOSO",
}
SCC = ("sin", "con", "sin_y_con")
SC = ("sin", "con")
SIN = ("sin",)
CON = ("con",)


@dataclass(frozen=True)
class Estudio:
    """How the study is written on an order and who it is for."""

    familia: str  # abbreviation family for the handwritten prose (see wording.py)
    zona: str  # prose after the abbreviation: "de rodilla", "abdominal completa"
    genero: str = "f"  # agreement of the side: derecha / derecho
    lado: str | None = None  # "D", "I", "B"
    contraste: str | None = None  # key of CONTRASTE
    extra: str = ""  # prose for a modifier: "bajo sedación", "F y P"
    dx: tuple[str, ...] = ()
    sexo: str | None = None  # "F" / "M" when only one sex can need it
    edad: tuple[int, int] = (0, 100)


@dataclass(frozen=True)
class Zona:
    nombre: str  # "RODILLA"
    corto: str  # "rodilla"
    genero: str
    dx: tuple[str, ...]
    plural: str = ""  # "MIEMBROS INFERIORES" for the bilateral form


def lado_nombre(zona: Zona, lado: str) -> str:
    if lado == "B":
        return f"{zona.plural or zona.nombre} BILATERAL"  # "MIEMBROS INFERIORES BILATERAL"
    fem = zona.genero == "f"
    if lado == "D":
        return f"{zona.nombre} {'DERECHA' if fem else 'DERECHO'}"
    return f"{zona.nombre} {'IZQUIERDA' if fem else 'IZQUIERDO'}"


ADULTO = (16, 95)

# fmt: off
HOMBRO = Zona("HOMBRO", "hombro", "m", ("omalgia", "síndrome de manguito rotador", "tendinopatía del supraespinoso", "luxación recidivante de hombro"))
BRAZO = Zona("BRAZO", "brazo", "m", ("traumatismo de brazo", "tumoración de partes blandas"))
HUMERO = Zona("HÚMERO", "húmero", "m", ("traumatismo de brazo", "control de fractura de húmero"))
CODO = Zona("CODO", "codo", "m", ("epicondilitis", "epitrocleítis", "traumatismo de codo", "bursitis olecraneana"))
ANTEBRAZO = Zona("ANTEBRAZO", "antebrazo", "m", ("traumatismo de antebrazo", "control de fractura"))
MUNECA = Zona("MUÑECA", "muñeca", "f", ("síndrome del túnel carpiano", "traumatismo de muñeca", "quiste sinovial", "tenosinovitis de De Quervain"))
MANO = Zona("MANO", "mano", "f", ("artritis de mano", "dedo en gatillo", "traumatismo de mano", "rizartrosis"))
CADERA = Zona("CADERA", "cadera", "f", ("coxalgia", "coxartrosis", "bursitis trocantérica", "necrosis de cabeza femoral"))
MUSLO = Zona("MUSLO", "muslo", "m", ("desgarro muscular", "tumoración de partes blandas"))
FEMUR = Zona("FÉMUR", "fémur", "m", ("traumatismo de muslo", "control de fractura de fémur"))
RODILLA = Zona("RODILLA", "rodilla", "f", ("gonalgia", "lesión meniscal", "ruptura de LCA", "gonartrosis", "esguince de rodilla", "condromalacia rotuliana"))
PIERNA = Zona("PIERNA", "pierna", "f", ("desgarro de gemelo", "fractura por estrés", "traumatismo de pierna"))
TOBILLO = Zona("TOBILLO", "tobillo", "m", ("esguince de tobillo", "tendinopatía aquiliana", "inestabilidad de tobillo", "traumatismo de tobillo"))
PIE = Zona("PIE", "pie", "m", ("fascitis plantar", "metatarsalgia", "hallux valgus", "neuroma de Morton"))
ANTEPIE = Zona("ANTEPIÉ", "antepié", "m", ("metatarsalgia", "neuroma de Morton", "hallux valgus"))
PLEXO = Zona("PLEXO BRAQUIAL", "plexo braquial", "m", ("cervicobraquialgia", "parestesias de miembro superior"))
CLAVICULA = Zona("CLAVÍCULA", "clavícula", "f", ("traumatismo de clavícula", "control de fractura de clavícula"))
CALCANEO = Zona("CALCÁNEO", "calcáneo", "m", ("talalgia", "espolón calcáneo"))
PARRILLA = Zona("PARRILLA COSTAL", "parrilla costal", "f", ("traumatismo de tórax", "dolor costal"))
AQUILES = Zona("TENDÓN DE AQUILES", "tendón de Aquiles", "m", ("tendinopatía aquiliana", "ruptura parcial del tendón de Aquiles"))
INGLE = Zona("REGIÓN INGUINAL", "región inguinal", "f", ("hernia inguinal", "tumoración inguinal"))
AXILA = Zona("REGIÓN AXILAR", "axila", "f", ("adenopatía axilar", "tumoración axilar"))
GLUTEA = Zona("REGIÓN GLÚTEA", "región glútea", "f", ("tumoración glútea", "absceso"))
MAMA = Zona("MAMA", "mama", "f", ("nódulo mamario", "BI-RADS 4", "mastalgia"))
MI = Zona("MIEMBRO INFERIOR", "miembro inferior", "m", ("várices", "edema de miembro inferior", "insuficiencia venosa", "descartar TVP"), "MIEMBROS INFERIORES")
MS = Zona("MIEMBRO SUPERIOR", "miembro superior", "m", ("edema de miembro superior", "descartar trombosis venosa"), "MIEMBROS SUPERIORES")
# fmt: on

LADOS = ("D", "I", "B")
LADOS_UNI = ("D", "I")


def _lateral(
    modalidad: str,
    prefijo: str,
    familia: str,
    zonas: tuple[Zona, ...],
    *,
    contrastes: tuple[str, ...] | tuple[None] = (None,),
    variantes: tuple[tuple[str, str], ...] = (("", ""),),
    lados: tuple[str, ...] = LADOS,
    zona_prosa: str = "de {z}",
    edad: tuple[int, int] = (0, 100),
) -> Iterator[tuple[str, str, Estudio]]:
    for zona in zonas:
        for lado in lados:
            for contraste in contrastes:
                for sufijo, extra in variantes:
                    nombre = f"{prefijo} {lado_nombre(zona, lado)}"
                    if contraste:
                        nombre += f" {CONTRASTE[contraste]}"
                    nombre += f" {sufijo}" if sufijo else ""
                    yield (
                        modalidad,
                        nombre,
                        Estudio(
                            familia,
                            zona_prosa.format(z=zona.corto),
                            zona.genero,
                            lado,
                            contraste,
                            extra,
                            zona.dx,
                            edad=edad,
                        ),
                    )


@dataclass(frozen=True)
class Item:
    """One non-lateral study: NAME after the modality prefix, prose, contrasts and modifiers."""

    nombre: str
    zona: str
    contrastes: tuple[str, ...] | tuple[None] = (None,)
    dx: tuple[str, ...] = ()
    mods: str = ""  # letters of MODIFICADORES that make sense for it
    sexo: str | None = None
    edad: tuple[int, int] = (0, 100)
    familia: str = ""


MODIFICADORES = {
    "s": ("CON SEDACIÓN", "bajo sedación"),
    "a": ("CON ANESTESIA GENERAL", "con anestesia general"),
    "o": ("EN RESONADOR ABIERTO", "en resonador abierto"),
    "t": ("EN RESONADOR DE 3 TESLA", "en equipo 3T"),
    "r": ("CON RECONSTRUCCIÓN 3D", "con reconstrucción 3D"),
    "p": ("PEDIÁTRICA", "pediátrica"),
    "d": ("CON DOPPLER COLOR", "con doppler"),
    "e": ("CON SPECT-CT", "con SPECT-CT"),
    "x": ("CON EQUIPO PORTÁTIL", "portátil"),
}


def _items(
    modalidad: str, prefijo: str, familia: str, items: tuple[Item, ...]
) -> Iterator[tuple[str, str, Estudio]]:
    for it in items:
        variantes = [("", "")] + [MODIFICADORES[m] for m in it.mods]
        for contraste in it.contrastes:
            for sufijo, extra in variantes:
                # A "sola" item is written whole, without the modality's prefix.
                nombre = it.nombre if it.familia == "sola" else f"{prefijo} {it.nombre}".strip()
                if contraste:
                    nombre += f" {CONTRASTE[contraste]}"
                nombre += f" {sufijo}" if sufijo else ""
                yield (
                    modalidad,
                    nombre,
                    Estudio(
                        it.familia or familia,
                        it.zona,
                        lado=None,
                        contraste=contraste,
                        extra=extra,
                        dx=it.dx,
                        sexo=it.sexo,
                        edad=(0, 15) if sufijo == MODIFICADORES["p"][0] else it.edad,
                    ),
                )


OBST = (15, 46)  # ages for pregnancy-related studies

# --- RESONANCIA MAGNÉTICA ---------------------------------------------------------------------

_NEURO_DX = (
    "cefalea",
    "vértigo",
    "deterioro cognitivo",
    "epilepsia",
    "control de lesión ocupante de espacio",
    "ACV",
)
# fmt: off
RM_ITEMS = (
    Item("DE CEREBRO", "de cerebro", SCC, _NEURO_DX, "saot"),
    Item("DE CEREBRO CON ESPECTROSCOPIA", "de cerebro con espectroscopía", CON, ("tumor cerebral", "control de glioma"), "st"),
    Item("DE CEREBRO CON DIFUSIÓN Y PERFUSIÓN", "de cerebro con difusión y perfusión", CON, ("ACV", "control de glioma"), "st"),
    Item("DE CEREBRO (PROTOCOLO EPILEPSIA)", "de cerebro protocolo epilepsia", ("sin", "sin_y_con"), ("epilepsia", "crisis convulsivas"), "sat"),
    Item("DE CEREBRO (PROTOCOLO DEMENCIA CON VOLUMETRÍA HIPOCAMPAL)", "de cerebro protocolo demencia", SIN, ("deterioro cognitivo", "trastornos de memoria"), "st", edad=(50, 95)),
    Item("DE HIPÓFISIS (SILLA TURCA)", "de hipófisis", ("con", "sin_y_con"), ("hiperprolactinemia", "adenoma hipofisario"), "st"),
    Item("DE ÓRBITAS", "de órbitas", SCC, ("exoftalmos", "neuritis óptica"), "sa"),
    Item("DE OÍDOS Y CONDUCTOS AUDITIVOS INTERNOS", "de oídos y CAI", SCC, ("hipoacusia neurosensorial", "acúfenos", "vértigo"), "sat"),
    Item("DE MACIZO FACIAL", "de macizo facial", SCC, ("tumoración facial", "sinusitis crónica"), "sa"),
    Item("DE SENOS PARANASALES", "de senos paranasales", SC, ("sinusitis crónica", "poliposis nasal"), "sa"),
    Item("DE CUELLO", "de cuello", SCC, ("adenopatía cervical", "tumoración cervical"), "sa"),
    Item("DE ARTICULACIONES TEMPOROMANDIBULARES", "de ATM", SIN, ("disfunción de ATM", "bruxismo"), "o"),
    Item("DE COLUMNA CERVICAL", "de columna cervical", SCC, ("cervicalgia", "cervicobraquialgia", "hernia de disco cervical"), "saot"),
    Item("DE COLUMNA DORSAL", "de columna dorsal", SCC, ("dorsalgia", "fractura vertebral"), "saot"),
    Item("DE COLUMNA LUMBOSACRA", "de columna lumbosacra", SCC, ("lumbalgia", "lumbociatalgia", "hernia de disco L4-L5", "conducto lumbar estrecho"), "saot"),
    Item("DE COLUMNA SACROCOCCÍGEA", "de sacro y cóccix", SC, ("coccigodinia",), "o"),
    Item("DE COLUMNA TOTAL", "de columna total", SC, ("escoliosis", "dolor raquídeo difuso"), "sa"),
    Item("DE ARTICULACIONES SACROILÍACAS", "de sacroilíacas", SC, ("sacroileítis", "espondiloartropatía"), "o"),
    Item("DE TÓRAX (MEDIASTINO)", "de tórax", SC, ("masa mediastinal",), "s"),
    Item("DE ABDOMEN SUPERIOR", "de abdomen superior", SCC, ("lesión hepática", "nódulo suprarrenal"), "sa"),
    Item("DE HÍGADO CON CONTRASTE HEPATOESPECÍFICO", "de hígado c/contraste hepatoespecífico", (None,), ("lesión focal hepática", "hiperplasia nodular focal")),
    Item("DE PÁNCREAS", "de páncreas", ("con", "sin_y_con"), ("lesión quística de páncreas", "pancreatitis crónica")),
    Item("DE ABDOMEN Y PELVIS", "de abdomen y pelvis", SCC, ("control oncológico", "dolor abdominal"), "sa"),
    Item("DE PELVIS", "de pelvis", SCC, ("miomatosis uterina", "masa anexial", "dolor pelviano"), "s"),
    Item("DE PELVIS (PROTOCOLO ENDOMETRIOSIS)", "de pelvis protocolo endometriosis", SC, ("endometriosis profunda", "dismenorrea"), sexo="F", edad=(15, 55)),
    Item("DE RECTO (ESTADIFICACIÓN)", "de recto", CON, ("neoplasia de recto",), edad=ADULTO),
    Item("DE PELVIS (FÍSTULA PERIANAL)", "de pelvis por fístula perianal", CON, ("fístula perianal",), edad=ADULTO),
    Item("DE PRÓSTATA MULTIPARAMÉTRICA", "de próstata multiparamétrica", (None,), ("PSA elevado", "PSA 6,2 ng/ml", "vigilancia activa"), "t", sexo="M", edad=(40, 95)),
    Item("DE PRÓSTATA BIPARAMÉTRICA", "de próstata biparamétrica", SIN, ("PSA elevado",), sexo="M", edad=(40, 95)),
    Item("DE MAMAS", "de mamas", CON, ("BI-RADS 4", "control de alto riesgo", "BRCA1 positivo"), sexo="F", edad=(25, 90)),
    Item("DE MAMAS PARA EVALUACIÓN DE PRÓTESIS", "de mamas (prótesis)", SIN, ("control de prótesis mamarias", "sospecha de ruptura protésica"), sexo="F", edad=(20, 90)),
    Item("CARDÍACA", "cardíaca", CON, ("miocardiopatía", "miocarditis")),
    Item("CARDÍACA CON ESTRÉS FARMACOLÓGICO", "cardíaca con estrés farmacológico", CON, ("cardiopatía isquémica",), edad=ADULTO),
    Item("DE PLACENTA", "de placenta", SIN, ("sospecha de acretismo placentario",), sexo="F", edad=OBST),
    Item("DINÁMICA DE PISO PELVIANO (DEFECORRESONANCIA)", "dinámica de piso pelviano", SIN, ("constipación crónica", "prolapso de órganos pelvianos"), edad=ADULTO),
    Item("FETAL", "fetal", SIN, ("malformación fetal", "embarazo de 28 semanas"), sexo="F", edad=(16, 45)),
    Item("DE COLUMNA DORSOLUMBAR", "de columna dorsolumbar", SCC, ("dorsolumbalgia", "fractura vertebral"), "saot"),
    Item("DE CAVUM Y NASOFARINGE", "de cavum", SCC, ("tumoración de cavum", "otitis serosa a repetición"), "sa"),
    Item("DE GLÁNDULAS SUPRARRENALES", "de suprarrenales", SCC, ("incidentaloma suprarrenal",), "s"),
    Item("DE RIÑONES", "renal", SCC, ("quiste renal complejo", "masa renal"), "s"),
    Item("ESCROTAL", "escrotal", SC, ("masa testicular",), sexo="M"),
    Item("DE FOSA POSTERIOR", "de fosa posterior", SCC, ("vértigo", "neuralgia del trigémino"), "sat"),
    Item("DE CUERPO ENTERO (DIFUSIÓN)", "de cuerpo entero", SIN, ("estadificación oncológica", "mieloma múltiple"), edad=ADULTO),
)
RM_SOLA_ITEMS = (
    Item("COLANGIORRESONANCIA", "Colangio-RM", (None,), ("litiasis coledociana", "dilatación de vía biliar"), "s", edad=ADULTO),
    Item("ENTERORRESONANCIA", "Entero-RM", (None,), ("enfermedad de Crohn",)),
    Item("URORRESONANCIA", "Uro-RM", SC, ("hidronefrosis",)),
)
ANGIO_RM_ITEMS = (
    Item("ARTERIAL CEREBRAL", "arterial cerebral", SIN, ("aneurisma cerebral", "cefalea"), "t"),
    Item("VENOSA CEREBRAL", "venosa cerebral", SC, ("trombosis de senos venosos",)),
    Item("DE VASOS DE CUELLO", "de vasos de cuello", SC, ("estenosis carotídea", "mareos")),
    Item("DE AORTA TORÁCICA", "de aorta torácica", (None,), ("aneurisma de aorta",)),
    Item("DE AORTA ABDOMINAL", "de aorta abdominal", (None,), ("aneurisma de aorta abdominal",)),
    Item("DE ARTERIAS RENALES", "de arterias renales", (None,), ("HTA refractaria",)),
    Item("DE MIEMBROS INFERIORES", "de miembros inferiores", (None,), ("claudicación intermitente",)),
)
# fmt: on
_MSK = (
    HOMBRO,
    BRAZO,
    CODO,
    ANTEBRAZO,
    MUNECA,
    MANO,
    CADERA,
    MUSLO,
    RODILLA,
    PIERNA,
    TOBILLO,
    PIE,
    ANTEPIE,
    PLEXO,
)
_RM_MSK_VARIANTES = (("", ""), *(MODIFICADORES[m] for m in "saot"))


def _resonancia() -> Iterator[tuple[str, str, Estudio]]:
    yield from _items(RM, "RESONANCIA MAGNÉTICA", "rm", RM_ITEMS)
    yield from _items(RM, "", "sola", RM_SOLA_ITEMS)
    yield from _lateral(
        RM, "RESONANCIA MAGNÉTICA DE", "rm", _MSK, contrastes=SCC, variantes=_RM_MSK_VARIANTES
    )
    yield from _lateral(
        RM,
        "ARTRORRESONANCIA DE",
        "artro_rm",
        (HOMBRO, CADERA, RODILLA, MUNECA, CODO, TOBILLO),
        lados=LADOS_UNI,
    )
    yield from _items(RM, "ANGIORRESONANCIA", "angio_rm", ANGIO_RM_ITEMS)


# --- TOMOGRAFÍA COMPUTADA ---------------------------------------------------------------------

# fmt: off
TC_ITEMS = (
    Item("DE CEREBRO", "de cerebro", SCC, ("TEC", "cefalea", "ACV", "síndrome confusional"), "sa"),
    Item("DE SENOS PARANASALES", "de senos paranasales", SC, ("sinusitis crónica", "poliposis nasal", "prequirúrgico"), "s"),
    Item("DE MACIZO FACIAL", "de macizo facial", SC, ("traumatismo facial",), "r"),
    Item("DE ÓRBITAS", "de órbitas", SC, ("traumatismo orbitario", "exoftalmos")),
    Item("DE PEÑASCOS (OÍDOS)", "de peñascos", SC, ("otitis media crónica", "colesteatoma")),
    Item("DE CUELLO", "de cuello", SCC, ("adenopatía cervical", "tumoración cervical")),
    Item("DE ARTICULACIONES TEMPOROMANDIBULARES", "de ATM", SIN, ("disfunción de ATM",)),
    Item("DE LARINGE", "de laringe", CON, ("disfonía crónica",), edad=ADULTO),
    Item("DE TÓRAX", "de tórax", SCC, ("nódulo pulmonar", "tos crónica", "control oncológico", "neumonía"), "s"),
    Item("DE TÓRAX DE ALTA RESOLUCIÓN", "de tórax alta resolución", (None,), ("EPID", "fibrosis pulmonar", "disnea")),
    Item("DE TÓRAX DE BAJA DOSIS (SCREENING DE CÁNCER DE PULMÓN)", "de tórax baja dosis", (None,), ("tabaquista 30 paquetes/año", "screening de cáncer de pulmón"), edad=(50, 80)),
    Item("DE ABDOMEN", "de abdomen", ("sin", "con", "sin_y_con", "oral_ev"), ("dolor abdominal", "control oncológico"), "s"),
    Item("DE ABDOMEN Y PELVIS", "de abdomen y pelvis", ("sin", "con", "sin_y_con", "oral_ev"), ("dolor abdominal", "control oncológico", "diverticulitis", "apendicitis"), "s"),
    Item("DE PELVIS", "de pelvis", SC, ("masa pelviana", "dolor pelviano")),
    Item("DE CUELLO, TÓRAX, ABDOMEN Y PELVIS", "de cuello, tórax, abdomen y pelvis", ("con", "oral_ev"), ("estadificación oncológica", "linfoma")),
    Item("DE HÍGADO TRIFÁSICA", "de hígado trifásica", (None,), ("lesión focal hepática", "cirrosis")),
    Item("DE TÓRAX, ABDOMEN Y PELVIS", "de tórax, abdomen y pelvis", ("con", "sin_y_con", "oral_ev"), ("estadificación oncológica", "control oncológico")),
    Item("DE COLUMNA CERVICAL", "de columna cervical", SC, ("cervicalgia", "traumatismo cervical"), "r"),
    Item("DE COLUMNA DORSAL", "de columna dorsal", SC, ("dorsalgia", "fractura vertebral"), "r"),
    Item("DE COLUMNA LUMBOSACRA", "de columna lumbosacra", SC, ("lumbalgia", "lumbociatalgia", "espondilolistesis"), "r"),
    Item("DE PELVIS ÓSEA", "de pelvis ósea", SIN, ("fractura de pelvis",), "r"),
    Item("DE ARTERIAS CORONARIAS (SCORE DE CALCIO)", "score de calcio coronario", (None,), ("riesgo cardiovascular", "dislipemia"), edad=(35, 90)),
    Item("DENTAL (CONE BEAM) DE MAXILAR SUPERIOR", "dental cone beam maxilar superior", (None,), ("implantes dentales", "pieza incluida")),
    Item("DENTAL (CONE BEAM) DE MAXILAR INFERIOR", "dental cone beam maxilar inferior", (None,), ("implantes dentales", "pieza incluida")),
    Item("DENTAL (CONE BEAM) DE AMBOS MAXILARES", "dental cone beam ambos maxilares", (None,), ("implantes dentales", "planificación quirúrgica")),
)
UROTC_ITEMS = (
    Item("UROTOMOGRAFÍA", "Urotomografía", SC, ("cólico renal", "hematuria", "litiasis renal"), familia="sola"),
    Item("ENTEROTOMOGRAFÍA", "Enterotomografía", ("oral_ev",), ("enfermedad de Crohn", "dolor abdominal crónico"), familia="sola"),
    Item("COLONOGRAFÍA POR TOMOGRAFÍA (COLONOSCOPIA VIRTUAL)", "Colonoscopia virtual", (None,), ("screening de cáncer colorrectal",), familia="sola", edad=(45, 85)),
)
ANGIO_TC_ITEMS = (
    Item("CEREBRAL", "cerebral", (None,), ("aneurisma cerebral", "ACV")),
    Item("DE VASOS DE CUELLO", "de vasos de cuello", (None,), ("estenosis carotídea",)),
    Item("DE ARTERIAS PULMONARES", "de arterias pulmonares", (None,), ("descartar TEP", "disnea súbita")),
    Item("DE AORTA TORÁCICA", "de aorta torácica", (None,), ("aneurisma de aorta", "control de disección aórtica")),
    Item("DE AORTA ABDOMINAL", "de aorta abdominal", (None,), ("aneurisma de aorta abdominal",)),
    Item("DE AORTA TOTAL", "de aorta total", (None,), ("control de endoprótesis aórtica",)),
    Item("CORONARIA", "coronaria", (None,), ("dolor precordial atípico", "cardiopatía isquémica"), edad=(30, 90)),
    Item("DE ARTERIAS RENALES", "de arterias renales", (None,), ("HTA refractaria",)),
    Item("DE MIEMBROS INFERIORES", "de miembros inferiores", (None,), ("claudicación intermitente", "arteriopatía periférica")),
    Item("DE MIEMBROS SUPERIORES", "de miembros superiores", (None,), ("síndrome de desfiladero torácico",)),
    Item("DE VENAS PULMONARES (PREABLACIÓN)", "de venas pulmonares", (None,), ("fibrilación auricular",), edad=ADULTO),
)
# fmt: on
_TC_MSK = (
    HOMBRO,
    HUMERO,
    CODO,
    ANTEBRAZO,
    MUNECA,
    MANO,
    CADERA,
    FEMUR,
    RODILLA,
    PIERNA,
    TOBILLO,
    PIE,
)


def _tomografia() -> Iterator[tuple[str, str, Estudio]]:
    yield from _items(TC, "TOMOGRAFÍA COMPUTADA", "tc", TC_ITEMS)
    yield from _items(TC, "", "sola", UROTC_ITEMS)
    yield from _items(TC, "ANGIOTOMOGRAFÍA", "angio_tc", ANGIO_TC_ITEMS)
    yield from _lateral(
        TC,
        "TOMOGRAFÍA COMPUTADA DE",
        "tc",
        _TC_MSK,
        contrastes=SC,
        variantes=(("", ""), MODIFICADORES["r"]),
    )
    yield from _lateral(
        TC,
        "ARTROTOMOGRAFÍA DE",
        "artro_tc",
        (HOMBRO, CADERA, RODILLA, MUNECA, TOBILLO),
        lados=LADOS_UNI,
    )


# --- ECOGRAFÍA --------------------------------------------------------------------------------

# fmt: off
ECO_ITEMS = (
    Item("ABDOMINAL COMPLETA", "abdominal completa", dx=("dolor abdominal", "litiasis vesicular", "esteatosis hepática", "dispepsia"), mods="p"),
    Item("HEPATOBILIOPANCREÁTICA", "hepatobiliopancreática", dx=("litiasis vesicular", "dolor en hipocondrio derecho", "hepatograma alterado")),
    Item("RENAL Y VESICAL", "renal y vesical", dx=("litiasis renal", "infección urinaria a repetición", "cólico renal"), mods="p"),
    Item("RENAL", "renal", dx=("litiasis renal", "insuficiencia renal crónica", "HTA"), mods="d"),
    Item("VESICAL CON RESIDUO POSMICCIONAL", "vesical c/residuo", dx=("síntomas urinarios bajos", "incontinencia urinaria")),
    Item("VESICOPROSTÁTICA CON RESIDUO POSMICCIONAL", "vesicoprostática", dx=("HPB", "prostatismo", "PSA elevado"), sexo="M", edad=(40, 95)),
    Item("PROSTÁTICA TRANSRECTAL", "prostática transrectal", dx=("PSA elevado", "HPB"), sexo="M", edad=(40, 95)),
    Item("TESTICULAR", "testicular", dx=("varicocele", "dolor testicular", "nódulo testicular"), mods="d", sexo="M"),
    Item("TIROIDEA", "tiroidea", dx=("nódulo tiroideo", "hipotiroidismo", "bocio", "control de tiroiditis de Hashimoto"), mods="dp"),
    Item("DE CUELLO", "de cuello", dx=("adenopatía cervical", "tumoración cervical"), mods="p"),
    Item("DE GLÁNDULAS SALIVALES", "de glándulas salivales", dx=("parotiditis", "sialolitiasis")),
    Item("GINECOLÓGICA TRANSABDOMINAL", "ginecológica", dx=("control ginecológico", "metrorragia", "dismenorrea"), sexo="F", edad=(12, 90)),
    Item("TRANSVAGINAL", "transvaginal", dx=("metrorragia", "control de DIU", "quiste de ovario", "miomatosis uterina"), mods="d", sexo="F", edad=(16, 90)),
    Item("TRANSVAGINAL CON MONITOREO FOLICULAR", "TV con monitoreo folicular", dx=("esterilidad primaria", "búsqueda de embarazo"), sexo="F", edad=OBST),
    Item("OBSTÉTRICA (PRIMER TRIMESTRE)", "obstétrica 1er trimestre", dx=("embarazo de 8 semanas", "control prenatal", "metrorragia del primer trimestre"), sexo="F", edad=OBST),
    Item("OBSTÉTRICA (SEGUNDO TRIMESTRE)", "obstétrica 2do trimestre", dx=("embarazo de 20 semanas", "control prenatal"), sexo="F", edad=OBST),
    Item("OBSTÉTRICA (TERCER TRIMESTRE)", "obstétrica 3er trimestre", dx=("embarazo de 32 semanas", "control de crecimiento fetal"), sexo="F", edad=OBST),
    Item("OBSTÉTRICA CON TRANSLUCENCIA NUCAL", "obstétrica c/translucencia nucal", dx=("embarazo de 12 semanas",), sexo="F", edad=OBST),
    Item("OBSTÉTRICA MORFOLÓGICA", "morfológica fetal", dx=("embarazo de 22 semanas", "control prenatal"), sexo="F", edad=OBST),
    Item("OBSTÉTRICA 3D/4D", "obstétrica 4D", dx=("embarazo de 28 semanas",), sexo="F", edad=OBST),
    Item("OBSTÉTRICA GEMELAR", "obstétrica gemelar", dx=("embarazo gemelar",), sexo="F", edad=OBST),
    Item("OBSTÉTRICA CON PERFIL BIOFÍSICO", "obstétrica c/perfil biofísico", dx=("embarazo de 36 semanas", "disminución de movimientos fetales"), sexo="F", edad=OBST),
    Item("MAMARIA BILATERAL", "mamaria bilateral", dx=("control anual", "nódulo mamario", "mastalgia", "mamas densas"), mods="d", sexo="F", edad=(18, 90)),
    Item("DE PARTES BLANDAS DE PARED ABDOMINAL", "de pared abdominal", dx=("hernia umbilical", "eventración", "lipoma")),
    Item("DE PARTES BLANDAS DE CUELLO", "de partes blandas de cuello", dx=("lipoma", "quiste sebáceo")),
    Item("DE PARTES BLANDAS DE REGIÓN LUMBAR", "de partes blandas región lumbar", dx=("lipoma", "tumoración lumbar")),
    Item("DE PARTES BLANDAS DE CUERO CABELLUDO", "de cuero cabelludo", dx=("quiste sebáceo",)),
    Item("TRANSFONTANELAR", "transfontanelar", dx=("control de recién nacido prematuro", "macrocefalia"), edad=(0, 1)),
    Item("DE CADERAS DEL LACTANTE (DISPLASIA)", "de caderas del lactante", dx=("displasia de cadera", "pliegues asimétricos"), edad=(0, 1)),
    Item("DE PÍLORO", "de píloro", dx=("vómitos del lactante", "estenosis hipertrófica de píloro"), edad=(0, 1)),
    Item("DE APÉNDICE CECAL", "de apéndice", dx=("dolor en fosa ilíaca derecha", "descartar apendicitis"), edad=(3, 40)),
    Item("ELASTOGRAFÍA HEPÁTICA", "Elastografía hepática", dx=("hígado graso", "hepatitis C crónica", "hepatograma alterado"), familia="sola", edad=ADULTO),
    Item("DE TÓRAX (PLEURAL)", "pleural", dx=("derrame pleural",)),
    Item("DE PENE", "de pene", dx=("enfermedad de Peyronie",), sexo="M", edad=ADULTO),
    Item("PUNCIÓN ASPIRATIVA CON AGUJA FINA (PAAF) DE TIROIDES BAJO ECOGRAFÍA", "PAAF de tiroides ecoguiada", dx=("nódulo tiroideo TI-RADS 4",), familia="sola", edad=ADULTO),
    Item("PUNCIÓN BIOPSIA DE GANGLIO BAJO ECOGRAFÍA", "punción biopsia ganglionar ecoguiada", dx=("adenopatía cervical",), familia="sola", edad=ADULTO),
)
# fmt: on
_ECO_MSK = (HOMBRO, CODO, MUNECA, MANO, CADERA, RODILLA, TOBILLO, PIE, AQUILES)
_ECO_PB = (MUSLO, PIERNA, BRAZO, ANTEBRAZO, GLUTEA)


def _ecografia() -> Iterator[tuple[str, str, Estudio]]:
    yield from _items(ECO, "ECOGRAFÍA", "eco", ECO_ITEMS)
    yield from _lateral(ECO, "ECOGRAFÍA DE", "eco", _ECO_MSK)
    # Rheumatology asks for doppler to grade synovitis.
    yield from _lateral(
        ECO,
        "ECOGRAFÍA DE",
        "eco",
        (CODO, MUNECA, MANO, RODILLA, TOBILLO, PIE),
        variantes=(MODIFICADORES["d"],),
    )
    yield from _lateral(
        ECO,
        "ECOGRAFÍA DE PARTES BLANDAS DE",
        "eco",
        _ECO_PB,
        zona_prosa="partes blandas de {z}",
        variantes=(("", ""), MODIFICADORES["d"]),
    )
    yield from _lateral(ECO, "ECOGRAFÍA DE", "eco", (INGLE, AXILA))
    mama_dx = ("nódulo mamario", "mastalgia", "BI-RADS 3", "secreción por pezón")
    for lado in LADOS_UNI:
        nombre = lado_nombre(MAMA, lado)
        yield (
            ECO,
            f"ECOGRAFÍA DE {nombre}",
            Estudio("eco", "de mama", "f", lado, dx=mama_dx, sexo="F", edad=(18, 90)),
        )
        for titulo, prosa in (
            ("PUNCIÓN BIOPSIA (CORE) BAJO ECOGRAFÍA DE", "Core biopsia ecoguiada de mama"),
            (
                "MARCACIÓN PREQUIRÚRGICA BAJO ECOGRAFÍA DE",
                "Marcación prequirúrgica ecoguiada de mama",
            ),
        ):
            yield (
                ECO,
                f"{titulo} {nombre}",
                Estudio(
                    "sola",
                    prosa,
                    "f",
                    lado,
                    dx=("BI-RADS 4", "nódulo mamario"),
                    sexo="F",
                    edad=(18, 90),
                ),
            )
    infiltraciones = (
        ("", ""),
        ("CON ÁCIDO HIALURÓNICO", "c/ácido hialurónico"),
        ("CON PLASMA RICO EN PLAQUETAS", "c/PRP"),
    )
    yield from _lateral(
        ECO,
        "INFILTRACIÓN ECOGUIADA DE",
        "infiltracion",
        (HOMBRO, CODO, MUNECA, CADERA, RODILLA, TOBILLO),
        lados=LADOS_UNI,
        variantes=infiltraciones,
        edad=ADULTO,
    )


# --- ECODOPPLER -------------------------------------------------------------------------------

# fmt: off
DOPPLER_ITEMS = (
    Item("DE VASOS DE CUELLO (CAROTÍDEO Y VERTEBRAL)", "de vasos de cuello", dx=("mareos", "soplo carotídeo", "HTA", "dislipemia", "prequirúrgico cardiovascular"), edad=ADULTO),
    Item("TRANSCRANEAL", "transcraneal", dx=("vasoespasmo", "ACV"), edad=ADULTO),
    Item("RENAL", "renal", dx=("HTA", "insuficiencia renal")),
    Item("DE ARTERIAS RENALES", "de arterias renales", dx=("HTA refractaria",), edad=ADULTO),
    Item("HEPÁTICO (ESPLENOPORTAL)", "esplenoportal", dx=("hipertensión portal", "cirrosis"), edad=ADULTO),
    Item("DE AORTA ABDOMINAL E ILÍACAS", "de aorta abdominal", dx=("aneurisma de aorta abdominal",), edad=(40, 95)),
    Item("OBSTÉTRICO (FETOPLACENTARIO)", "obstétrico", dx=("RCIU", "embarazo de 32 semanas", "HTA gestacional"), sexo="F", edad=(15, 46)),
    Item("TESTICULAR", "testicular", dx=("varicocele", "dolor testicular"), sexo="M"),
    Item("PENEANO CON FÁRMACO VASOACTIVO", "peneano", dx=("disfunción eréctil",), sexo="M", edad=ADULTO),
    Item("TIROIDEO", "tiroideo", dx=("nódulo tiroideo",)),
    Item("DE VENA CAVA E ILÍACAS", "de cava e ilíacas", dx=("trombosis venosa",), edad=ADULTO),
    Item("DE TRASPLANTE RENAL", "de trasplante renal", dx=("control de trasplante renal",), edad=ADULTO),
    Item("DE ARTERIAS TEMPORALES", "de arterias temporales", dx=("sospecha de arteritis de la temporal",), edad=(50, 95)),
    Item("VENOSO DE VASOS DE CUELLO (YUGULARES)", "venoso de cuello", dx=("trombosis yugular",), edad=ADULTO),
)
ECOCARDIO_ITEMS = (
    Item("ECOCARDIOGRAMA DOPPLER COLOR", "Ecocardiograma doppler color", dx=("soplo cardíaco", "HTA", "disnea", "prequirúrgico", "fibrilación auricular", "palpitaciones")),
    Item("ECOCARDIOGRAMA DOPPLER CON ESTRÉS FARMACOLÓGICO (DOBUTAMINA)", "Eco-estrés con dobutamina", dx=("cardiopatía isquémica",), edad=ADULTO),
    Item("ECOCARDIOGRAMA DOPPLER CON ESFUERZO (ECO-ESTRÉS)", "Eco-estrés con esfuerzo", dx=("dolor precordial", "cardiopatía isquémica"), edad=ADULTO),
    Item("ECOCARDIOGRAMA DOPPLER FETAL", "Ecocardiograma fetal", dx=("embarazo de 24 semanas",), sexo="F", edad=(15, 46)),
    Item("ECOCARDIOGRAMA TRANSESOFÁGICO", "Ecocardiograma transesofágico", dx=("fibrilación auricular", "descartar trombo intracavitario"), edad=ADULTO),
    Item("ECOCARDIOGRAMA DOPPLER PEDIÁTRICO", "Ecocardiograma doppler pediátrico", dx=("soplo cardíaco",), edad=(0, 15)),
)
# fmt: on


def _doppler() -> Iterator[tuple[str, str, Estudio]]:
    yield from _items(DOPPLER, "ECODOPPLER", "doppler", DOPPLER_ITEMS)
    yield from _items(DOPPLER, "", "sola", ECOCARDIO_ITEMS)
    for tipo, prosa in (("VENOSO", "venoso de"), ("ARTERIAL", "arterial de")):
        for zona in (MI, MS):
            for lado in LADOS:
                dx = (
                    zona.dx
                    if tipo == "VENOSO"
                    else ("claudicación intermitente", "arteriopatía periférica")
                )
                yield (
                    DOPPLER,
                    f"ECODOPPLER {tipo} DE {lado_nombre(zona, lado)}",
                    Estudio(
                        "doppler", f"{prosa} {zona.corto}", zona.genero, lado, dx=dx, edad=ADULTO
                    ),
                )
    for lado in LADOS:
        yield (
            DOPPLER,
            f"ECODOPPLER VENOSO Y ARTERIAL DE {lado_nombre(MI, lado)}",
            Estudio(
                "doppler", "venoso y arterial de miembro inferior", "m", lado, dx=MI.dx, edad=ADULTO
            ),
        )
        yield (
            DOPPLER,
            f"MAPEO VENOSO PREQUIRÚRGICO DE {lado_nombre(MI, lado)}",
            Estudio(
                "sola",
                "Mapeo venoso prequirúrgico de miembro inferior",
                "m",
                lado,
                dx=("várices", "prequirúrgico de safenectomía"),
                edad=ADULTO,
            ),
        )
    for lado in LADOS_UNI:
        yield (
            DOPPLER,
            f"ECODOPPLER DE FÍSTULA ARTERIOVENOSA DE {lado_nombre(MS, lado)}",
            Estudio(
                "doppler",
                "de FAV de miembro superior",
                "m",
                lado,
                dx=("control de FAV para hemodiálisis",),
                edad=ADULTO,
            ),
        )


# --- RADIOGRAFÍA ------------------------------------------------------------------------------

FP = ("(FRENTE Y PERFIL)", "F y P")
# fmt: off
RX_ITEMS = (
    Item("DE TÓRAX (FRENTE)", "de tórax frente", dx=("prequirúrgico", "tos", "neumonía"), mods="x"),
    Item("DE TÓRAX (FRENTE Y PERFIL)", "de tórax F y P", dx=("prequirúrgico", "tos persistente", "neumonía", "control", "apto físico")),
    Item("DE CRÁNEO (FRENTE Y PERFIL)", "de cráneo F y P", dx=("TEC",)),
    Item("DE SENOS PARANASALES (FRONTONASOPLACA Y MENTONASOPLACA)", "de senos paranasales FNP y MNP", dx=("sinusitis", "cefalea frontal")),
    Item("DE SENOS PARANASALES (MENTONASOPLACA)", "de senos paranasales MNP", dx=("sinusitis",)),
    Item("DE ÓRBITAS (DESCARTE DE CUERPO EXTRAÑO METÁLICO)", "de órbitas p/descartar cuerpo extraño", dx=("previo a resonancia magnética",)),
    Item("DE HUESOS PROPIOS DE LA NARIZ (PERFIL)", "de huesos propios nasales", dx=("traumatismo nasal",)),
    Item("DE CAVUM (PERFIL)", "de cavum", dx=("hipertrofia adenoidea", "respirador bucal"), edad=(1, 14)),
    Item("DE COLUMNA CERVICAL (FRENTE Y PERFIL)", "de columna cervical F y P", dx=("cervicalgia", "rectificación cervical")),
    Item("DE COLUMNA CERVICAL (FRENTE, PERFIL Y OBLICUAS)", "de columna cervical F, P y oblicuas", dx=("cervicobraquialgia",)),
    Item("DE COLUMNA CERVICAL DINÁMICA (FLEXIÓN Y EXTENSIÓN)", "de columna cervical dinámica", dx=("inestabilidad cervical",)),
    Item("DE COLUMNA CERVICAL (PERFIL)", "de columna cervical perfil", dx=("cervicalgia",)),
    Item("DE COLUMNA DORSAL (FRENTE Y PERFIL)", "de columna dorsal F y P", dx=("dorsalgia", "cifosis")),
    Item("DE COLUMNA LUMBOSACRA (FRENTE Y PERFIL)", "de columna lumbosacra F y P", dx=("lumbalgia", "lumbociatalgia")),
    Item("DE COLUMNA LUMBOSACRA (FRENTE, PERFIL Y OBLICUAS)", "de columna lumbosacra F, P y oblicuas", dx=("espondilolisis",)),
    Item("DE COLUMNA LUMBOSACRA DINÁMICA (FLEXIÓN Y EXTENSIÓN)", "de columna lumbar dinámica", dx=("espondilolistesis",)),
    Item("DE COLUMNA LUMBOSACRA (PERFIL)", "de columna lumbar perfil", dx=("lumbalgia",)),
    Item("DE SACRO Y CÓCCIX (FRENTE Y PERFIL)", "de sacro-cóccix F y P", dx=("coccigodinia", "traumatismo sacro")),
    Item("PANORÁMICA DE COLUMNA DE PIE (FRENTE)", "panorámica de columna de pie", dx=("escoliosis",)),
    Item("PANORÁMICA DE COLUMNA DE PIE (FRENTE Y PERFIL)", "panorámica de columna F y P", dx=("escoliosis", "dorso curvo")),
    Item("DE PELVIS (FRENTE)", "de pelvis frente", dx=("coxalgia", "traumatismo de pelvis"), mods="x"),
    Item("DE CADERAS (FRENTE Y LOWENSTEIN)", "de caderas frente y Lowenstein", dx=("displasia de cadera", "coxalgia")),
    Item("DE ABDOMEN (DE PIE)", "de abdomen de pie", dx=("dolor abdominal", "suboclusión intestinal")),
    Item("DE ABDOMEN (ACOSTADO)", "de abdomen acostado", dx=("constipación", "control de catéter doble J")),
    Item("DE ABDOMEN (DE PIE Y ACOSTADO)", "de abdomen de pie y acostado", dx=("suboclusión intestinal", "constipación")),
    Item("DE ESTERNÓN (FRENTE Y PERFIL)", "de esternón", dx=("traumatismo de tórax",)),
    Item("DE ARTICULACIONES SACROILÍACAS (FRENTE Y OBLICUAS)", "de sacroilíacas", dx=("sacroileítis",)),
    Item("DE ARTICULACIONES TEMPOROMANDIBULARES (BOCA ABIERTA Y CERRADA)", "de ATM boca abierta y cerrada", dx=("disfunción de ATM",)),
    Item("RADIOGRAFÍA PANORÁMICA DENTAL (ORTOPANTOMOGRAFÍA)", "Panorámica dental", dx=("control odontológico", "terceros molares", "tratamiento de ortodoncia"), familia="sola"),
    Item("TELERRADIOGRAFÍA DE CRÁNEO (CEFALOMETRÍA)", "Telerradiografía de cráneo c/cefalometría", dx=("tratamiento de ortodoncia",), familia="sola", edad=(6, 40)),
    Item("SERIE PERIAPICAL COMPLETA", "Seriada periapical completa", dx=("control odontológico",), familia="sola"),
    Item("DE MANO Y MUÑECA IZQUIERDA PARA EDAD ÓSEA", "de mano izq. para edad ósea", dx=("talla baja", "control de crecimiento"), edad=(2, 16)),
    Item("TELERRADIOGRAFÍA DE MIEMBROS INFERIORES (MEDICIÓN)", "Telerradiografía de MMII", dx=("dismetría de miembros inferiores", "genu varo"), familia="sola"),
    Item("SERIADA ESOFAGOGASTRODUODENAL", "SEGD", dx=("dispepsia", "reflujo gastroesofágico", "disfagia"), familia="sola"),
    Item("ESOFAGOGRAMA (DEGLUCIÓN CON BARIO)", "Esofagograma", dx=("disfagia",), familia="sola"),
    Item("TRÁNSITO DE INTESTINO DELGADO", "Tránsito de intestino delgado", dx=("enfermedad de Crohn", "diarrea crónica"), familia="sola"),
    Item("COLON POR ENEMA (DOBLE CONTRASTE)", "Colon por enema doble contraste", dx=("constipación crónica",), familia="sola", edad=ADULTO),
    Item("UROGRAMA EXCRETOR", "Urograma excretor", dx=("hematuria", "litiasis renal"), familia="sola"),
    Item("CISTOURETROGRAFÍA MICCIONAL", "Cistouretrografía miccional", dx=("reflujo vesicoureteral", "infección urinaria a repetición"), familia="sola"),
    Item("HISTEROSALPINGOGRAFÍA", "Histerosalpingografía", dx=("esterilidad primaria", "esterilidad secundaria"), familia="sola", sexo="F", edad=(18, 46)),
)
# fmt: on
RX_LATERAL = (
    (
        HOMBRO,
        (
            FP,
            ("(FRENTE)", "frente"),
            ("(FRENTE CON ROTACIÓN INTERNA Y EXTERNA)", "frente c/rotaciones"),
            ("(FRENTE Y PERFIL DE ESCÁPULA)", "F y perfil de escápula"),
            ("(AXIAL)", "axial"),
        ),
    ),
    (CLAVICULA, (("(FRENTE)", "frente"),)),
    (HUMERO, (FP,)),
    (CODO, (FP,)),
    (ANTEBRAZO, (FP,)),
    (
        MUNECA,
        (
            FP,
            ("(FRENTE)", "frente"),
            ("(FRENTE, PERFIL Y OBLICUA)", "F, P y oblicua"),
            ("(INCIDENCIAS PARA ESCAFOIDES)", "incidencias p/escafoides"),
        ),
    ),
    (MANO, (("(FRENTE Y OBLICUA)", "F y oblicua"), FP, ("(FRENTE)", "frente"))),
    (
        CADERA,
        (
            ("(FRENTE)", "frente"),
            FP,
            ("(FRENTE Y AXIAL)", "F y axial"),
            ("(FRENTE Y LOWENSTEIN)", "F y Lowenstein"),
        ),
    ),
    (FEMUR, (FP, ("(FRENTE Y PERFIL) CON EQUIPO PORTÁTIL", "F y P portátil"))),
    (
        RODILLA,
        (
            FP,
            ("(FRENTE)", "frente"),
            ("(FRENTE, PERFIL Y AXIAL DE RÓTULA)", "F, P y axial de rótula"),
            ("(FRENTE Y PERFIL CON CARGA)", "F y P c/carga"),
            ("(AXIAL DE RÓTULA A 30, 60 Y 90 GRADOS)", "axial de rótula 30-60-90"),
            ("(INCIDENCIA DE ROSENBERG)", "Rosenberg"),
        ),
    ),
    (PIERNA, (FP,)),
    (
        TOBILLO,
        (
            FP,
            ("(FRENTE)", "frente"),
            ("(FRENTE, PERFIL Y MORTAJA)", "F, P y mortaja"),
            ("(FRENTE Y PERFIL CON CARGA)", "F y P c/carga"),
        ),
    ),
    (
        PIE,
        (
            ("(FRENTE Y OBLICUA)", "F y oblicua"),
            ("(FRENTE Y PERFIL CON CARGA)", "F y P c/carga"),
            ("(FRENTE, PERFIL Y OBLICUA)", "F, P y oblicua"),
            ("(PERFIL CON CARGA)", "perfil c/carga"),
        ),
    ),
    (CALCANEO, (("(PERFIL Y AXIAL)", "perfil y axial"),)),
    (PARRILLA, (("(FRENTE Y OBLICUA)", "F y oblicua"),)),
)


def _radiografia() -> Iterator[tuple[str, str, Estudio]]:
    yield from _items(RX, "RADIOGRAFÍA", "rx", RX_ITEMS)
    for zona, vistas in RX_LATERAL:
        yield from _lateral(RX, "RADIOGRAFÍA DE", "rx", (zona,), variantes=vistas)


# --- MAMOGRAFÍA, DENSITOMETRÍA ----------------------------------------------------------------

_MAMO_DX = (
    "control anual",
    "screening",
    "antecedente familiar de cáncer de mama",
    "BI-RADS 3 control a 6 meses",
    "nódulo palpable",
)


def _mamografia() -> Iterator[tuple[str, str, Estudio]]:
    edad = (35, 90)
    bilat = (
        ("MAMOGRAFÍA BILATERAL", "bilateral"),
        ("MAMOGRAFÍA BILATERAL CON TOMOSÍNTESIS", "bilateral c/tomosíntesis"),
        (
            "MAMOGRAFÍA BILATERAL CON PROYECCIONES COMPLEMENTARIAS",
            "bilateral c/proyecciones complementarias",
        ),
        ("MAMOGRAFÍA BILATERAL CON PRÓTESIS (MANIOBRA DE EKLUND)", "bilateral c/prótesis (Eklund)"),
        ("MAMOGRAFÍA BILATERAL CON CONTRASTE (ESPECTRAL)", "bilateral con contraste espectral"),
        ("MAMOGRAFÍA BILATERAL Y ECOGRAFÍA MAMARIA", "bilateral + eco mamaria"),
    )
    for nombre, prosa in bilat:
        yield MAMO, nombre, Estudio("mamo", prosa, dx=_MAMO_DX, sexo="F", edad=edad)
    for lado, palabra in (("D", "DERECHA"), ("I", "IZQUIERDA")):
        for nombre, prosa, dx in (
            (
                "MAMOGRAFÍA UNILATERAL {l}",
                "unilateral",
                ("control de mastectomía contralateral", "nódulo palpable"),
            ),
            (
                "MAMOGRAFÍA UNILATERAL {l} CON TOMOSÍNTESIS",
                "unilateral c/tomosíntesis",
                ("nódulo palpable",),
            ),
            ("MAMOGRAFÍA CON MAGNIFICACIÓN {l}", "c/magnificación", ("microcalcificaciones",)),
            (
                "MAMOGRAFÍA CON COMPRESIÓN FOCALIZADA {l}",
                "c/compresión focalizada",
                ("asimetría focal",),
            ),
            (
                "MARCACIÓN PREQUIRÚRGICA BAJO MAMOGRAFÍA (ARPÓN) MAMA {l}",
                "Marcación prequirúrgica con arpón",
                ("microcalcificaciones BI-RADS 4",),
            ),
            (
                "BIOPSIA ESTEREOTÁXICA (MAMOTOMÍA) MAMA {l}",
                "Mamotomía estereotáxica",
                ("microcalcificaciones BI-RADS 4",),
            ),
        ):
            familia = "sola" if nombre.startswith(("MARCACIÓN", "BIOPSIA")) else "mamo"
            yield (
                MAMO,
                nombre.format(l=palabra),
                Estudio(familia, prosa, "f", lado, dx=dx, sexo="F", edad=edad),
            )


def _densitometria() -> Iterator[tuple[str, str, Estudio]]:
    dx = (
        "osteoporosis",
        "osteopenia",
        "menopausia",
        "control de tratamiento con bifosfonatos",
        "corticoterapia prolongada",
    )
    adult = (40, 95)
    for nombre, prosa in (
        ("DE COLUMNA LUMBAR Y CADERA", "columna y cadera"),
        ("DE COLUMNA LUMBAR", "columna lumbar"),
        ("DE CUERPO ENTERO", "cuerpo entero"),
        ("DE CUERPO ENTERO (COMPOSICIÓN CORPORAL)", "composición corporal"),
        ("DE COLUMNA, CADERA Y ANTEBRAZO", "columna, cadera y antebrazo"),
        (
            "DE COLUMNA LUMBAR Y CADERA CON EVALUACIÓN DE FRACTURAS VERTEBRALES (VFA)",
            "columna y cadera c/VFA",
        ),
    ):
        yield DMO, f"DENSITOMETRÍA ÓSEA {nombre}", Estudio("dmo", prosa, dx=dx, edad=adult)
    yield (
        DMO,
        "DENSITOMETRÍA ÓSEA PEDIÁTRICA DE CUERPO ENTERO",
        Estudio("dmo", "pediátrica cuerpo entero", dx=("baja masa ósea",), edad=(4, 17)),
    )
    cadera = Zona("CADERA", "cadera", "f", dx)
    antebrazo = Zona("ANTEBRAZO (RADIO DISTAL)", "antebrazo", "m", dx)
    yield from _lateral(
        DMO, "DENSITOMETRÍA ÓSEA DE", "dmo", (cadera, antebrazo), zona_prosa="{z}", edad=adult
    )


# --- MEDICINA NUCLEAR, PET-CT ----------------------------------------------------------------

# fmt: off
MN_ITEMS = (
    Item("CENTELLOGRAMA ÓSEO CORPORAL TOTAL", "Centellograma óseo corporal total", dx=("estadificación oncológica", "dolor óseo", "PSA elevado"), mods="e"),
    Item("CENTELLOGRAMA TIROIDEO", "Centellograma tiroideo", dx=("hipertiroidismo", "nódulo tiroideo")),
    Item("CENTELLOGRAMA TIROIDEO CON CAPTACIÓN DE IODO 131", "Centellograma tiroideo c/captación de I-131", dx=("hipertiroidismo", "enfermedad de Graves")),
    Item("CENTELLOGRAMA DE PARATIROIDES (SESTAMIBI)", "Centellograma de paratiroides con sestamibi", dx=("hiperparatiroidismo primario",), mods="e"),
    Item("RASTREO CORPORAL TOTAL CON IODO 131", "Rastreo corporal total con I-131", dx=("control de carcinoma diferenciado de tiroides",)),
    Item("PERFUSIÓN MIOCÁRDICA (SPECT) EN ESFUERZO Y REPOSO", "Perfusión miocárdica SPECT esfuerzo y reposo", dx=("cardiopatía isquémica", "dolor precordial", "prequirúrgico"), edad=ADULTO),
    Item("PERFUSIÓN MIOCÁRDICA (SPECT) CON APREMIO FARMACOLÓGICO", "Perfusión miocárdica SPECT con dipiridamol", dx=("cardiopatía isquémica",), edad=ADULTO),
    Item("VENTRICULOGRAMA RADIOISOTÓPICO", "Ventriculograma radioisotópico", dx=("control de cardiotoxicidad",), edad=ADULTO),
    Item("RENOGRAMA RADIOISOTÓPICO", "Renograma radioisotópico", dx=("hidronefrosis",)),
    Item("RENOGRAMA RADIOISOTÓPICO CON DIURÉTICO", "Renograma con diurético", dx=("hidronefrosis", "estenosis pieloureteral")),
    Item("RENOGRAMA RADIOISOTÓPICO CON CAPTOPRIL", "Renograma con captopril", dx=("HTA renovascular",)),
    Item("CENTELLOGRAMA RENAL (DMSA)", "Centellograma renal DMSA", dx=("pielonefritis", "cicatrices renales")),
    Item("CENTELLOGRAMA PULMONAR DE VENTILACIÓN Y PERFUSIÓN", "Centellograma pulmonar V/Q", dx=("descartar TEP",)),
    Item("CENTELLOGRAMA HEPATOESPLÉNICO", "Centellograma hepatoesplénico", dx=("esplenomegalia",)),
    Item("CENTELLOGRAMA CON GALIO 67", "Centellograma con galio", dx=("fiebre de origen desconocido",)),
    Item("SPECT CEREBRAL DE PERFUSIÓN", "SPECT cerebral de perfusión", dx=("deterioro cognitivo", "epilepsia")),
    Item("CENTELLOGRAMA DE GLÁNDULAS SALIVALES", "Centellograma de glándulas salivales", dx=("síndrome de Sjögren",)),
    Item("CISTOGRAMA RADIOISOTÓPICO", "Cistograma radioisotópico", dx=("reflujo vesicoureteral",), edad=(0, 15)),
    Item("ESTUDIO DE VACIAMIENTO GÁSTRICO", "Vaciamiento gástrico", dx=("gastroparesia",)),
    Item("CENTELLOGRAMA CON GLÓBULOS ROJOS MARCADOS (HEMORRAGIA DIGESTIVA)", "Centellograma con GR marcados", dx=("hemorragia digestiva",)),
    Item("DETECCIÓN DE DIVERTÍCULO DE MECKEL", "Centellograma para divertículo de Meckel", dx=("hemorragia digestiva baja",), edad=(0, 30)),
    Item("LINFOCENTELLOGRAFÍA DE MIEMBROS INFERIORES", "Linfocentellografía de MMII", dx=("linfedema",)),
)
PET_ITEMS = (
    Item("PET-CT CON FDG (CORPORAL TOTAL)", "PET-CT con FDG", dx=("estadificación oncológica", "linfoma", "control post tratamiento", "nódulo pulmonar"), mods="c"),
    Item("PET-CT CON FDG DE CEREBRO", "PET-CT cerebral con FDG", dx=("deterioro cognitivo", "epilepsia refractaria")),
    Item("PET-CT CON FDG CARDÍACO (VIABILIDAD MIOCÁRDICA)", "PET-CT cardíaco con FDG", dx=("miocardiopatía isquémica",), edad=ADULTO),
    Item("PET-CT CON PSMA (GALIO-68)", "PET-CT con PSMA Ga-68", dx=("recaída bioquímica", "cáncer de próstata"), sexo="M", edad=(40, 95)),
    Item("PET-CT CON PSMA (FLÚOR-18)", "PET-CT con PSMA F-18", dx=("recaída bioquímica", "cáncer de próstata"), sexo="M", edad=(40, 95)),
    Item("PET-CT CON DOTATATE (GALIO-68)", "PET-CT con Dotatate", dx=("tumor neuroendocrino",), edad=ADULTO),
    Item("PET-CT CON FLUORURO DE SODIO (ÓSEO)", "PET-CT óseo con NaF", dx=("metástasis óseas",), edad=ADULTO),
    Item("PET-CT CON COLINA", "PET-CT con colina", dx=("cáncer de próstata",), sexo="M", edad=(40, 95)),
    Item("PET-CT CON FDG (CABEZA Y CUELLO)", "PET-CT cabeza y cuello con FDG", dx=("carcinoma de cabeza y cuello",), edad=ADULTO),
)
# fmt: on


def _nuclear() -> Iterator[tuple[str, str, Estudio]]:
    yield from _items(MN, "", "sola", MN_ITEMS)
    for zona in (CADERA, RODILLA, PIE, MANO, HOMBRO, TOBILLO, MUNECA, CODO):
        for lado in LADOS:
            yield (
                MN,
                f"CENTELLOGRAMA ÓSEO TRIFÁSICO DE {lado_nombre(zona, lado)}",
                Estudio(
                    "sola",
                    f"Centellograma óseo trifásico de {zona.corto}",
                    zona.genero,
                    lado,
                    dx=("aflojamiento protésico", "osteomielitis", "algodistrofia"),
                ),
            )
    for region, corto in (
        ("COLUMNA CERVICAL", "columna cervical"),
        ("COLUMNA DORSAL", "columna dorsal"),
        ("COLUMNA LUMBAR", "columna lumbar"),
        ("PELVIS", "pelvis"),
    ):
        yield (
            MN,
            f"SPECT ÓSEO DE {region}",
            Estudio(
                "sola",
                f"SPECT óseo de {corto}",
                dx=("dolor óseo", "espondilolisis", "metástasis óseas"),
            ),
        )
    for lado in LADOS_UNI:
        yield (
            MN,
            f"LINFOCENTELLOGRAFÍA (GANGLIO CENTINELA) DE {lado_nombre(MAMA, lado)}",
            Estudio(
                "sola",
                "Linfocentellografía ganglio centinela de mama",
                "f",
                lado,
                dx=("carcinoma de mama",),
                sexo="F",
                edad=(25, 90),
            ),
        )
    for it in PET_ITEMS:
        variantes = [("", "")] + (
            [("CON CONTRASTE ENDOVENOSO", "c/cte EV")] if "c" in it.mods else []
        )
        for sufijo, extra in variantes:
            estudio = Estudio("sola", it.zona, extra=extra, dx=it.dx, sexo=it.sexo, edad=it.edad)
            yield PET, f"{it.nombre} {sufijo}".strip(), estudio


def all_studies() -> Iterator[tuple[str, str, Estudio]]:
    yield from _resonancia()
    yield from _tomografia()
    yield from _ecografia()
    yield from _doppler()
    yield from _radiografia()
    yield from _mamografia()
    yield from _densitometria()
    yield from _nuclear()


# The most requested studies, first in the catalog (lowest ids) in this order.
CANONICAS = (
    "RESONANCIA MAGNÉTICA DE CEREBRO SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE COLUMNA LUMBOSACRA SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE RODILLA DERECHA SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE RODILLA IZQUIERDA SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE COLUMNA CERVICAL SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE HOMBRO DERECHO SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE HOMBRO IZQUIERDO SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE CEREBRO SIN Y CON CONTRASTE",
    "RESONANCIA MAGNÉTICA DE PELVIS SIN Y CON CONTRASTE",
    "RESONANCIA MAGNÉTICA DE PRÓSTATA MULTIPARAMÉTRICA",
    "COLANGIORRESONANCIA",
    "RESONANCIA MAGNÉTICA DE MAMAS CON CONTRASTE",
    "RESONANCIA MAGNÉTICA DE TOBILLO DERECHO SIN CONTRASTE",
    "RESONANCIA MAGNÉTICA DE CADERA BILATERAL SIN CONTRASTE",
    "ANGIORRESONANCIA ARTERIAL CEREBRAL SIN CONTRASTE",
    "TOMOGRAFÍA COMPUTADA DE CEREBRO SIN CONTRASTE",
    "TOMOGRAFÍA COMPUTADA DE TÓRAX SIN CONTRASTE",
    "TOMOGRAFÍA COMPUTADA DE ABDOMEN Y PELVIS CON CONTRASTE ORAL Y ENDOVENOSO",
    "TOMOGRAFÍA COMPUTADA DE SENOS PARANASALES SIN CONTRASTE",
    "TOMOGRAFÍA COMPUTADA DE TÓRAX DE BAJA DOSIS (SCREENING DE CÁNCER DE PULMÓN)",
    "TOMOGRAFÍA COMPUTADA DE COLUMNA LUMBOSACRA SIN CONTRASTE",
    "ANGIOTOMOGRAFÍA CORONARIA",
    "UROTOMOGRAFÍA SIN CONTRASTE",
    "ECOGRAFÍA ABDOMINAL COMPLETA",
    "ECOGRAFÍA RENAL Y VESICAL",
    "ECOGRAFÍA TIROIDEA",
    "ECOGRAFÍA MAMARIA BILATERAL",
    "ECOGRAFÍA TRANSVAGINAL",
    "ECOGRAFÍA GINECOLÓGICA TRANSABDOMINAL",
    "ECOGRAFÍA OBSTÉTRICA (PRIMER TRIMESTRE)",
    "ECOGRAFÍA OBSTÉTRICA MORFOLÓGICA",
    "ECOGRAFÍA VESICOPROSTÁTICA CON RESIDUO POSMICCIONAL",
    "ECOGRAFÍA DE HOMBRO DERECHO",
    "ECOGRAFÍA DE HOMBRO IZQUIERDO",
    "ECOGRAFÍA DE PARTES BLANDAS DE PARED ABDOMINAL",
    "ECODOPPLER VENOSO DE MIEMBROS INFERIORES BILATERAL",
    "ECODOPPLER ARTERIAL DE MIEMBROS INFERIORES BILATERAL",
    "ECODOPPLER DE VASOS DE CUELLO (CAROTÍDEO Y VERTEBRAL)",
    "ECOCARDIOGRAMA DOPPLER COLOR",
    "ECODOPPLER OBSTÉTRICO (FETOPLACENTARIO)",
    "RADIOGRAFÍA DE TÓRAX (FRENTE Y PERFIL)",
    "RADIOGRAFÍA DE TÓRAX (FRENTE)",
    "RADIOGRAFÍA DE COLUMNA LUMBOSACRA (FRENTE Y PERFIL)",
    "RADIOGRAFÍA DE COLUMNA CERVICAL (FRENTE Y PERFIL)",
    "RADIOGRAFÍA DE RODILLA DERECHA (FRENTE Y PERFIL)",
    "RADIOGRAFÍA DE RODILLA IZQUIERDA (FRENTE Y PERFIL)",
    "RADIOGRAFÍA DE SENOS PARANASALES (FRONTONASOPLACA Y MENTONASOPLACA)",
    "RADIOGRAFÍA PANORÁMICA DENTAL (ORTOPANTOMOGRAFÍA)",
    "RADIOGRAFÍA DE PELVIS (FRENTE)",
    "RADIOGRAFÍA DE TOBILLO IZQUIERDO (FRENTE Y PERFIL)",
    "MAMOGRAFÍA BILATERAL",
    "MAMOGRAFÍA BILATERAL CON TOMOSÍNTESIS",
    "DENSITOMETRÍA ÓSEA DE COLUMNA LUMBAR Y CADERA",
    "DENSITOMETRÍA ÓSEA DE CUERPO ENTERO",
    "CENTELLOGRAMA ÓSEO CORPORAL TOTAL",
    "CENTELLOGRAMA TIROIDEO",
    "PERFUSIÓN MIOCÁRDICA (SPECT) EN ESFUERZO Y REPOSO",
    "RENOGRAMA RADIOISOTÓPICO CON DIURÉTICO",
    "PET-CT CON FDG (CORPORAL TOTAL)",
    "PET-CT CON PSMA (GALIO-68)",
)
