"""Every refusal is the same JSON: {"error": {"codigo": <stable code>, "mensaje": <Spanish>}}."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(
        self, status: int, codigo: str, mensaje: str, headers: dict[str, str] | None = None
    ):
        super().__init__(mensaje)
        self.status = status
        self.codigo = codigo
        self.mensaje = mensaje
        self.headers = headers


def error_body(codigo: str, mensaje: str) -> dict[str, Any]:
    return {"error": {"codigo": codigo, "mensaje": mensaje}}


def error_response(
    status: int, codigo: str, mensaje: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(codigo, mensaje), status_code=status, headers=headers)


ERROR_SCHEMA: dict[str, Any] = {
    "description": "Error con un código estable",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "codigo": {"type": "string"},
                            "mensaje": {"type": "string"},
                        },
                        "required": ["codigo", "mensaje"],
                    }
                },
                "required": ["error"],
            }
        }
    },
}
