"""``python -m deskpro_cli``: the same as the ``deskpro`` console script."""

from deskpro_cli.cli import main

if __name__ == "__main__":
    main()
