"""Building an app: compile, assemble the bundle, add the installer, verify, scan, zip.

:func:`deskpro_cli.build.pipeline.build` is the one entry point, shared by ``deskpro package``
and ``deskpro serve``. The other modules each do one step and never print.
"""
