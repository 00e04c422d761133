"""`doctor`'s Botmaker checks: the token reaches the API, and the template and line exist."""

from __future__ import annotations

import requests

from dim_revision.config import BotmakerSettings
from dim_revision.doctor_result import AVISO, FALLA, OK, Resultado
from dim_revision.errors import UserError
from dim_revision.outbox.botmaker import DEFAULT_BASE_URL, TOKEN_SECRET
from dim_revision.secrets import SecretStore

BOTMAKER_TIMEOUT = (3.0, 5.0)  # connect, read: doctor must answer fast
CHANNELS_PATH = "/v2.0/channels"


# --- Botmaker ------------------------------------------------------------------------------


def check_botmaker(
    settings: BotmakerSettings, store: SecretStore, session: requests.Session | None = None
) -> Resultado:
    """One cheap authenticated GET: the host answers and the token is accepted."""
    nombre = "Botmaker"
    if not settings.canal.strip():
        return Resultado(
            nombre,
            FALLA,
            "falta la línea de WhatsApp",
            "Configurá [botmaker] canal (channelId en v2, número de la línea en v1).",
        )
    try:
        token = store.get(TOKEN_SECRET)
    except UserError as exc:
        return Resultado(nombre, FALLA, str(exc), "Revisá el llavero del sistema.")
    if not token:
        return Resultado(
            nombre, FALLA, "falta el token", f"dim-revision secrets set {TOKEN_SECRET}"
        )
    base = (settings.base_url or DEFAULT_BASE_URL[settings.api_version]).rstrip("/")
    # No cheap authenticated read is known for v1: there we only check the host answers.
    url = base + "/" if settings.api_version == "v1" else base + CHANNELS_PATH
    http = session or requests.Session()
    try:
        response = http.get(
            url,
            headers={"access-token": token, "Accept": "application/json"},
            timeout=BOTMAKER_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return Resultado(
            nombre,
            FALLA,
            f"no responde en {base} ({type(exc).__name__})",
            "Revisá la conexión a Internet, el proxy/firewall y [botmaker] base_url.",
        )
    finally:
        if session is None:
            http.close()
    status = response.status_code
    response.close()
    if settings.api_version == "v1":
        return Resultado(
            nombre,
            AVISO if status >= 500 else OK,
            f"{base} responde ({status}); con la API v1 el token se verifica en el primer envío",
        )
    if status in (401, 403):
        return Resultado(
            nombre,
            FALLA,
            f"rechazó el token ({status})",
            f"Cargá un token válido: dim-revision secrets set {TOKEN_SECRET}",
        )
    if 200 <= status < 300:
        return Resultado(nombre, OK, f"{base} acepta el token")
    return Resultado(
        nombre,
        AVISO,
        f"{url} respondió {status}",
        "Revisá [botmaker] base_url y api_version.",
    )


TEMPLATES_PATH = "/api/v1.0/waTemplates/"


def check_plantilla_y_linea(
    settings: BotmakerSettings, store: SecretStore, session: requests.Session | None = None
) -> Resultado:
    """The template exists and is APPROVED (Botmaker's documented `GET /api/v1.0/waTemplates/
    {name}`, on the v1 host whatever API sends) and the line exists (v2 `GET /v2.0/channels`).
    A wrong one fails message after message; the sender would pause after a few."""
    nombre = "Plantilla y línea"
    token = store.get(TOKEN_SECRET) or ""
    headers = {"access-token": token, "Accept": "application/json"}
    v1_base = (settings.base_url if settings.base_url else DEFAULT_BASE_URL["v1"]).rstrip("/")
    v2_base = (settings.base_url or DEFAULT_BASE_URL["v2"]).rstrip("/")
    from urllib.parse import quote

    http = session or requests.Session()
    problemas: list[str] = []
    try:
        t = http.get(
            v1_base + TEMPLATES_PATH + quote(settings.plantilla, safe=""),
            headers=headers,
            timeout=BOTMAKER_TIMEOUT,
            allow_redirects=False,
        )
        data = _json_or_none(t)
        estado = data.get("state") if isinstance(data, dict) else None
        if t.status_code == 404:
            problemas.append(f"la plantilla «{settings.plantilla}» no existe en Botmaker")
        elif t.status_code == 200 and estado != "APPROVED":
            problemas.append(
                f"la plantilla «{settings.plantilla}» está {estado or 'sin estado'}, no APPROVED"
            )
        elif t.status_code != 200:
            problemas.append(f"no se pudo leer la plantilla ({t.status_code})")
        if settings.api_version == "v2":
            c = http.get(
                v2_base + CHANNELS_PATH,
                headers=headers,
                timeout=BOTMAKER_TIMEOUT,
                allow_redirects=False,
            )
            items = _json_or_none(c)
            items = items.get("items") if isinstance(items, dict) else None
            ids = {
                str(v)
                for it in (items if isinstance(items, list) else [])
                if isinstance(it, dict)
                for k, v in it.items()
                if k in ("id", "channelId", "number", "phone")
            }
            if c.status_code == 200 and settings.canal not in ids:
                problemas.append(f"la línea «{settings.canal}» no existe en Botmaker")
            elif c.status_code != 200:
                problemas.append(f"no se pudo leer la lista de líneas ({c.status_code})")
    except requests.RequestException as exc:
        return Resultado(nombre, AVISO, f"no se pudo consultar Botmaker ({type(exc).__name__})")
    finally:
        if session is None:
            http.close()
    if problemas:
        return Resultado(
            nombre,
            FALLA,
            "; ".join(problemas),
            "Corregí [botmaker] plantilla y canal (deben coincidir con Botmaker).",
        )
    detalle = f"«{settings.plantilla}» aprobada"
    if settings.api_version == "v2":
        detalle += f", línea «{settings.canal}» existe"
    return Resultado(nombre, OK, detalle)


def _json_or_none(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
    finally:
        response.close()
