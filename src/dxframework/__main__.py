"""``python -m dxframework`` runs the ``dxf`` command line."""

from dxframework.cli import main

if __name__ == "__main__":
    main()
