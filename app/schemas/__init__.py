"""Request and response shapes shared by the HTTP edge and the use cases (Pydantic v2)."""
