"""The personnel directory: organisations, units, employees, assignments, change events."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.personnel_models import Employee


class PersonnelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    async def employee(self, employee_id: uuid.UUID) -> Employee | None:
        return await self.session.get(Employee, employee_id)

    async def employee_by_number(self, employee_number: str) -> Employee | None:
        return await self.session.scalar(select(Employee).where(Employee.employee_number == employee_number))
