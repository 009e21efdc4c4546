"""Models, repositories, the unit of work and the engine. Importing the package registers every model."""

from app.db import evidence_models, models, personnel_models, protection_models  # noqa: F401
