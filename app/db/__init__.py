"""Models, repositories, the unit of work and the engine. Importing `app.db.models` registers every model."""
