"""`dim-revision serve`: the always-on service (portal API, Botmaker webhook, the single sender).

Nothing here is built at import time: `bootstrap.build_service` wires a `ServiceRuntime`, whose
`create_app` builds the ASGI app over the same core services, settings and database.
"""
