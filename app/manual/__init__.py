"""The manual's data files (MAN-1, MAN-2): see docs/manual.md. Loaded by app.services.manual."""
