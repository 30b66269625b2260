"""``python -m bench.import``: the import benchmark (the same program as ``bench.import_people``,
see its docstring)."""

from bench.import_people import main

if __name__ == "__main__":
    main()
