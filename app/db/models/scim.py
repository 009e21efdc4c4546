"""What SCIM (RFC 7643) keeps beside the directory: the provisioning client's externalId, and whether the client
deleted the resource. A row is keyed by the id of the employee, org unit or assignment it describes (one id space:
random UUIDs). The directory row itself stays: WithU never forgets a person (SEP-6, RET-1)."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base


class ScimRecord(Base):
    __tablename__ = "scim_record"
    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    # RFC 7644 §3.6: a deleted resource answers 404 and leaves every list; the directory row is kept.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
