"""deskpro-cli: build, validate, package and serve Deskpro apps (Apps v1)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
