"""Models, repositories, the unit of work and the engine. Importing the package registers every model."""

from app.db import (  # noqa: F401
    ambassador_models,
    contract_models,
    evidence_models,
    models,
    notification_models,
    personnel_models,
    protection_models,
    sanction_models,
)
