"""Use cases: load through repositories, ask the domain, change rows, audit. They never commit."""
