"""Tests of the compile step (deskpro_cli.build.compiler and its helpers)."""
