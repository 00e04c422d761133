"""DIM Revisión: the Qt-free core (domain rules, persistence, integrations, services, CLI)."""

__version__ = "0.1.0"
