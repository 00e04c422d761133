"""Demo people: Argentine obras sociales and plans, and patients with data as messy as the real thing.

Mobiles come in every format patients type (with 15, with +54 9, without either, landline only,
missing, invalid) so the WhatsApp normalisation and the "no mobile" paths show up in the demo.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

# (name, sigla, plans, share of patients in %); plans starting with "~" are discontinued.
OBRAS_SOCIALES: tuple[tuple[str, str | None, tuple[str, ...], int], ...] = (
    ("OSDE", "OSDE", ("210", "310", "410", "450", "510", "~250"), 18),
    ("Swiss Medical", "SMG", ("SMG20", "SMG30", "SMG40", "SMG50", "SMG60", "~SMG01"), 10),
    ("Galeno", "GALENO", ("Azul 220", "Plata 330", "Oro 440", "Oro 550"), 6),
    ("Medifé", "MEDIFE", ("Bronce", "Plata", "Oro", "Platinum"), 5),
    ("OMINT", "OMINT", ("Clásico", "Global", "Premium"), 3),
    ("Sancor Salud", "SANCOR", ("1000", "2000", "3000", "4000", "4500"), 4),
    ("IOMA", "IOMA", ("Obligatorio",), 10),
    ("PAMI", "PAMI", ("Jubilados y pensionados",), 12),
    ("OSECAC", "OSECAC", ("PMO",), 5),
    ("OSPRERA", "OSPRERA", ("PMO",), 2),
    ("Unión Personal", "UP", ("Classic", "Familiar", "Joven"), 3),
    ("Accord Salud", "ACCORD", ("Accord 110", "Accord 210", "Accord 310"), 2),
    ("Plan de Salud Hospital Italiano", "HIBA", ("Plan Joven", "Plan Clásico"), 2),
    ("OSDEPYM", "OSDEPYM", ("Plan 2000", "Plan 3000", "Plan 4000"), 2),
    ("Federada Salud", "FEDERADA", ("1000", "2000", "3000"), 1),
    ("Jerárquicos Salud", "JERARQUICOS", ("PMI 2000", "PMI 3000"), 1),
    ("OBSBA", "OBSBA", ("PMO",), 2),
    ("IOSFA", "IOSFA", ("Titular",), 1),
    ("OSPLAD", "OSPLAD", ("PMO",), 1),
    ("Particular (sin obra social)", "PARTICULAR", (), 6),
)
SIN_OBRA_SOCIAL_PCT = 2  # patients with no insurer recorded at all


def _lista(texto: str) -> tuple[str, ...]:
    """Names written as prose ("a, b, c") to keep long lists readable."""
    return tuple(texto.split(", "))


NOMBRES_F = _lista(
    "María José, María Laura, María Belén, Ana, Ana Paula, Agustina, Lucía, Valentina, Sofía, "
    "Martina, Camila, Florencia, Micaela, Julieta, Milagros, Romina, Carolina, Silvia, "
    "Graciela, Norma, Susana, Marta, Mirta, Alicia, Beatriz, Liliana, Claudia, Patricia, "
    "Mónica, Gabriela, Verónica, Natalia, Soledad, Celeste, Rocío, Inés, Daniela, Paula, "
    "Luciana, Mariana, Cecilia, Lorena, Andrea, Sandra, Stella Maris, Nélida, Elsa, Rosa, "
    "Delfina, Catalina, Josefina, Emilia, Ángeles"
)
NOMBRES_M = _lista(
    "Juan, Juan Pablo, Juan Manuel, Carlos, Jorge, Luis, José, José Luis, Miguel Ángel, "
    "Roberto, Ricardo, Daniel, Héctor, Raúl, Rubén, Sergio, Marcelo, Gustavo, Diego, Pablo, "
    "Martín, Federico, Gonzalo, Nicolás, Matías, Santiago, Facundo, Lautaro, Tomás, Joaquín, "
    "Agustín, Ezequiel, Maximiliano, Leandro, Hernán, Germán, Julián, Ramón, Néstor, Óscar, "
    "Ignacio, Alejandro, Fernando, Walter, Claudio, Hugo, Mario, Alberto, Benjamín, Thiago, "
    "Bautista, Mateo"
)
APELLIDOS = _lista(
    "González, Rodríguez, Gómez, Fernández, López, Díaz, Martínez, Pérez, García, Sánchez, "
    "Romero, Sosa, Álvarez, Torres, Ruiz, Ramírez, Flores, Acosta, Benítez, Medina, Suárez, "
    "Herrera, Aguirre, Pereyra, Gutiérrez, Giménez, Molina, Silva, Castro, Rojas, Ortiz, "
    "Núñez, Luna, Juárez, Cabrera, Ríos, Ferreyra, Godoy, Morales, Domínguez, Moreno, "
    "Peralta, Vega, Carrizo, Quiroga, Castillo, Ledesma, Muñoz, Ojeda, Ponce, Vera, Vázquez, "
    "Villalba, Cardozo, Navarro, Ramos, Arias, Coronel, Córdoba, Figueroa, Correa, Cáceres, "
    "Vargas, Paz, Maldonado, Mansilla, Farías, Rivero, Miranda, Roldán, Méndez, Lucero, "
    "Agüero, Páez, Blanco, Mendoza, Barrios, Escobar, Ávila, Soria, Leiva, Acuña, Maidana, "
    "Moyano, Campos, Olivera, Duarte, Bustos, Chávez, Ibáñez, Peña, Zúñiga, Bianchi, Rossi, "
    "Ferrari, Russo, Romano, Colombo, Fontana, Costa, Greco, Bruno, Gallo, Conti, De Luca, "
    "Mancini, Lombardi, Marino, Echeverría, Etcheverry, Iturralde, Goñi, Aramburu, Goldberg, "
    "Katz, Levy, Schwartz, Rosenberg, Müller, Schmidt, Weber, Fernández Ríos, Pérez Achával, "
    "Del Valle"
)

# (area code, subscriber digits, city); area + subscriber = 10 digits in Argentina.
AREAS = (
    ("11", 8, "CABA/GBA"),
    ("11", 8, "CABA/GBA"),
    ("11", 8, "CABA/GBA"),
    ("11", 8, "CABA/GBA"),
    ("351", 7, "Córdoba"),
    ("341", 7, "Rosario"),
    ("261", 7, "Mendoza"),
    ("221", 7, "La Plata"),
    ("381", 7, "Tucumán"),
    ("223", 7, "Mar del Plata"),
    ("299", 7, "Neuquén"),
    ("2345", 6, "25 de Mayo"),
)
_DOMINIOS = (
    ("gmail.com", 58),
    ("hotmail.com", 18),
    ("yahoo.com.ar", 7),
    ("outlook.com", 6),
    ("live.com.ar", 3),
    ("fibertel.com.ar", 3),
    ("icloud.com", 3),
    ("hotmail.com.ar", 2),
)

# Mobile formats and their weights; see `telefonos`.
FORMATOS_MOVIL = (
    ("con_15_guiones", 18),  # 011 15-2345-6789 / (0351) 15 555-1234
    ("con_15_compacto", 6),  # 0351-155551234
    ("mas54_9", 16),  # +54 9 11 2345-6789
    ("mas54_9_compacto", 6),  # +5491123456789
    ("54_9", 7),  # 54 9 11 2345 6789
    ("sin_9_15", 18),  # 11 2345-6789
    ("digitos", 9),  # 1123456789
    ("fijo_solo", 5),  # mobile empty, landline set
    ("fijo_en_movil", 2),  # a landline typed in the mobile field
    ("vacio", 5),
    ("invalido", 8),  # 15-2345-6789, 123, letters
)
VALIDOS = {
    "con_15_guiones",
    "con_15_compacto",
    "mas54_9",
    "mas54_9_compacto",
    "54_9",
    "sin_9_15",
    "digitos",
}


@dataclass(frozen=True)
class PlanDemo:
    nombre: str
    activo: bool


@dataclass(frozen=True)
class ObraSocialDemo:
    nombre: str
    sigla: str | None
    planes: tuple[PlanDemo, ...]
    peso: int


@dataclass(frozen=True)
class PacienteDemo:
    dni: str
    apellido: str
    nombre: str
    sexo: str  # "F" / "M": decides which studies an order may ask for
    fecha_nacimiento: date
    telefono_movil: str | None
    telefono_fijo: str | None
    formato_movil: str  # key of FORMATOS_MOVIL
    email: str | None
    obra_social: int | None  # index into obras_sociales()
    plan: int | None  # index into that obra social's planes
    numero_afiliado: str | None

    @property
    def nombre_completo(self) -> str:
        return f"{self.apellido}, {self.nombre}"

    def edad(self, hoy: date) -> int:
        years = hoy.year - self.fecha_nacimiento.year
        if (hoy.month, hoy.day) < (self.fecha_nacimiento.month, self.fecha_nacimiento.day):
            years -= 1
        return years


def obras_sociales() -> list[ObraSocialDemo]:
    return [
        ObraSocialDemo(
            nombre,
            sigla,
            tuple(PlanDemo(p.lstrip("~"), not p.startswith("~")) for p in planes),
            peso,
        )
        for nombre, sigla, planes, peso in OBRAS_SOCIALES
    ]


def generate_pacientes(n: int, rng: random.Random, hoy: date) -> list[PacienteDemo]:
    """`n` patients with unique DNIs; deterministic for a given `rng` state."""
    obras = obras_sociales()
    weights = [o.peso for o in obras]
    dnis: set[str] = set()
    pacientes: list[PacienteDemo] = []
    while len(pacientes) < n:
        sexo = "F" if rng.random() < 0.58 else "M"  # more women book imaging studies
        nombre = rng.choice(NOMBRES_F if sexo == "F" else NOMBRES_M)
        apellido = rng.choice(APELLIDOS)
        if rng.random() < 0.12:
            apellido = f"{apellido} {rng.choice(APELLIDOS)}"
        nacimiento = _fecha_nacimiento(rng, hoy)
        obra_idx: int | None = rng.choices(range(len(obras)), weights)[0]
        if rng.randrange(100) < SIN_OBRA_SOCIAL_PCT:
            obra_idx = None
        edad = _edad(nacimiento, hoy)
        if obra_idx is not None and obras[obra_idx].sigla == "PAMI" and edad < 60:
            obra_idx = 0  # PAMI covers retirees
        dni = _dni(rng, nacimiento, dnis)
        obra = obras[obra_idx] if obra_idx is not None else None
        plan_idx = rng.randrange(len(obra.planes)) if obra and obra.planes else None
        movil, fijo, formato = telefonos(rng)
        if rng.random() < 0.15:  # typed at a reception desk in capitals without accents
            apellido, nombre = _legacy(apellido), _legacy(nombre)
        pacientes.append(
            PacienteDemo(
                dni=dni,
                apellido=apellido,
                nombre=nombre,
                sexo=sexo,
                fecha_nacimiento=nacimiento,
                telefono_movil=movil,
                telefono_fijo=fijo,
                formato_movil=formato,
                email=_email(rng, nombre, apellido, nacimiento),
                obra_social=obra_idx,
                plan=plan_idx,
                numero_afiliado=_afiliado(rng, obra, dni) if obra and obra.planes else None,
            )
        )
    return pacientes


def _fecha_nacimiento(rng: random.Random, hoy: date) -> date:
    # Imaging patients skew older; a few children and babies too.
    bucket = rng.random()
    if bucket < 0.05:
        edad = rng.randint(0, 12)
    elif bucket < 0.25:
        edad = rng.randint(13, 34)
    elif bucket < 0.70:
        edad = rng.randint(35, 64)
    else:
        edad = rng.randint(65, 92)
    return hoy - timedelta(days=edad * 365 + rng.randrange(365))


def _edad(nacimiento: date, hoy: date) -> int:
    return (hoy - nacimiento).days // 365


def _dni(rng: random.Random, nacimiento: date, usados: set[str]) -> str:
    """DNI numbers grew with birth year (≈ 13 M in 1960, 42 M in 2000); foreigners get 9x M."""
    while True:
        if rng.random() < 0.03:
            numero = rng.randint(92_000_000, 96_999_999)
        else:
            year = nacimiento.year
            if year < 1960:  # old LE/LC numbers
                millones = max(1.0, 4.0 + 0.30 * (year - 1930) + rng.uniform(-2.0, 2.0))
            else:
                millones = 13.5 + 0.72 * (year - 1960) + rng.uniform(-1.5, 1.5)
            numero = int(millones * 1_000_000) + rng.randrange(1_000)
        dni = str(numero)
        if 7 <= len(dni) <= 8 and dni not in usados:
            usados.add(dni)
            return dni


def _legacy(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in plain if not unicodedata.combining(c) or c == "\u0303")
    return unicodedata.normalize("NFC", kept).upper()


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in plain if c.isalnum() and c.isascii())


def _email(rng: random.Random, nombre: str, apellido: str, nacimiento: date) -> str | None:
    if rng.random() < 0.13:
        return None
    first = _ascii(nombre.split()[0])
    particula = apellido.lower().startswith(("de ", "del "))
    last = _ascii(apellido if particula else apellido.split()[0])
    dominio = rng.choices([d for d, _ in _DOMINIOS], [w for _, w in _DOMINIOS])[0]
    estilo = rng.randrange(5)
    if estilo == 0:
        local = f"{first}.{last}"
    elif estilo == 1:
        local = f"{first}{last}{nacimiento.year % 100:02d}"
    elif estilo == 2:
        local = f"{first[0]}{last}"
    elif estilo == 3:
        local = f"{last}.{first}{rng.randint(1, 99)}"
    else:
        local = f"{first}_{last}{nacimiento.year}"
    email = f"{local}@{dominio}"
    return email.upper() if rng.random() < 0.03 else email


def _afiliado(rng: random.Random, obra: ObraSocialDemo, dni: str) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(12))
    if obra.sigla == "OSDE":
        return f"61 {digits[:6]} {digits[6]} 0{rng.randint(1, 4)}"
    if obra.sigla == "PAMI":
        return f"15{digits[:10]}/00"
    if obra.sigla == "IOMA":
        return f"{dni}/{rng.randint(0, 3):02d}"
    if obra.sigla == "SMG":
        return f"80002{digits[:8]}"
    return digits[: rng.randint(8, 11)]


def telefonos(rng: random.Random) -> tuple[str | None, str | None, str]:
    """(mobile as typed, landline, format key)."""
    formato = rng.choices([f for f, _ in FORMATOS_MOVIL], [w for _, w in FORMATOS_MOVIL])[0]
    area, largo, _ = rng.choice(AREAS)
    abonado = str(rng.randint(2, 6)) + "".join(str(rng.randrange(10)) for _ in range(largo - 1))
    head, tail = abonado[:-4], abonado[-4:]
    fijo = _fijo(rng, area, largo) if rng.random() < 0.35 else None
    if formato == "con_15_guiones":
        movil = f"0{area} 15-{head}-{tail}" if area == "11" else f"(0{area}) 15 {head}-{tail}"
    elif formato == "con_15_compacto":
        movil = f"0{area}-15{abonado}"
    elif formato == "mas54_9":
        movil = f"+54 9 {area} {head}-{tail}"
    elif formato == "mas54_9_compacto":
        movil = f"+549{area}{abonado}"
    elif formato == "54_9":
        movil = f"54 9 {area} {head} {tail}"
    elif formato == "sin_9_15":
        movil = f"{area} {head}-{tail}"
    elif formato == "digitos":
        movil = f"{area}{abonado}"
    elif formato == "fijo_solo":
        movil, fijo = None, fijo or _fijo(rng, area, largo)
    elif formato == "fijo_en_movil":
        movil = _fijo(rng, area, largo)
    elif formato == "vacio":
        movil = rng.choice((None, ""))
    else:
        movil = rng.choice(
            (
                f"15-{head}-{tail}",
                "123",
                "no tiene",
                "llamar a la tarde",
                f"11-{head[:2]}-{tail}",
                "sin dato",
            )
        )
    return movil, fijo, formato


def _fijo(rng: random.Random, area: str, largo: int) -> str:
    abonado = "4" + "".join(str(rng.randrange(10)) for _ in range(largo - 1))
    return (
        f"0{area} {abonado[:-4]}-{abonado[-4:]}"
        if rng.random() < 0.6
        else f"{abonado[:-4]}-{abonado[-4:]}"
    )
