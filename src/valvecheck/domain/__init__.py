"""The pure domain: no I/O, no database, no file formats."""
