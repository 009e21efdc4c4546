"""the queue at 1,000,000 cases (issue 17): case_file.next_due_on and met_late, kept by the database

`case_file.next_due_on`: the earliest due day of the case's unmet deadlines (NULL: none), the queue's next-deadline
order. `case_file.met_late`: a deadline of the case was met after its due day. A case is overdue (CASE-2's
is_breached, for any of its deadlines) exactly when met_late, or next_due_on is before today. Both are kept by
triggers on case_deadline, on both databases, so that every path that creates, meets, reopens, extends, moves or
deletes a deadline keeps them exactly right — the app's services, a bulk load, a statement typed by an operator —
and the app never writes them. Existing rows: computed from their deadlines.

- SQLite: row triggers. An insert updates the case only when it lowers the next due day or is the first deadline
  met late; an update or delete computes the case's two values again from its deadlines (ix_case_deadline_open_by_
  case). SQLite has one writer at a time, so no two transactions interleave.
- PostgreSQL: statement triggers with transition tables (a COPY of many deadlines is one pass, not one per row),
  which first lock the cases concerned (by id, in order; NO KEY UPDATE) and then compute their values again in a
  new statement: under READ COMMITTED that statement sees what a concurrent transaction that changed another
  deadline of the same case committed, so the last writer never leaves a value computed without it. Cases whose
  values did not change are not written. A transition takes the case's row before the deadlines it meets
  (triage, investigation), and no path that meets a deadline first (feedback, the public body's duties, the
  contract link) meets those, so the lock adds waits, not deadlocks.

The queue's three covering indexes, partial (the cases staff may see at all: not sealed, CASE-8), replace
ix_case_file_queue_cover and ix_case_file_id_cover: newest first and the next-deadline order, each in its own
columns' directions (a page is a walk of its entries from either end), and a narrow one for counts.

A later migration that copies case_file or case_deadline on SQLite (a batch "move and copy") must drop these
triggers first and create them again afterwards: SQLite refuses to rename the copy while a trigger names the table.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `sealed` is always false in these partial indexes; listed so that SQLite reads them alone (it tests the term again).
NEWEST = [
    sa.text("opened_on DESC"),
    sa.text("arrival DESC"),
    "reference",
    "id",
    "team",
    "status",
    "met_late",
    "next_due_on",
    "sealed",
]
DUE = [
    "next_due_on",
    sa.text("opened_on DESC"),
    sa.text("arrival DESC"),
    "reference",
    "id",
    "team",
    "status",
    "met_late",
    "sealed",
]
COUNT = ["team", "status", "met_late", "next_due_on", "sealed"]
NOT_SEALED = {"sqlite_where": sa.text("sealed = 0"), "postgresql_where": sa.text("sealed = false")}
OLD_COVER = ["opened_on", "arrival", "reference", "id", "sealed", "team", "status"]
OLD_ID_COVER = ["id", "sealed", "team", "status", "opened_on", "reference"]

# Both databases: a case's two values from its deadlines (the backfill, and what every trigger keeps equal).
NEXT_DUE = "(SELECT min(d.due_on) FROM case_deadline d WHERE d.case_id = case_file.id AND d.met_on IS NULL)"
MET_LATE = "EXISTS (SELECT 1 FROM case_deadline d WHERE d.case_id = case_file.id AND d.met_on > d.due_on)"

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER case_deadline_keeps_case_insert AFTER INSERT ON case_deadline
    WHEN NEW.met_on IS NULL OR NEW.met_on > NEW.due_on
    BEGIN
        UPDATE case_file SET
            next_due_on = CASE WHEN NEW.met_on IS NULL AND (next_due_on IS NULL OR NEW.due_on < next_due_on)
                               THEN NEW.due_on ELSE next_due_on END,
            met_late = CASE WHEN NEW.met_on > NEW.due_on THEN 1 ELSE met_late END
        WHERE id = NEW.case_id
          AND ((NEW.met_on IS NULL AND (next_due_on IS NULL OR NEW.due_on < next_due_on))
               OR (NEW.met_on > NEW.due_on AND met_late = 0));
    END
    """,
    """
    CREATE TRIGGER case_deadline_keeps_case_update AFTER UPDATE OF case_id, due_on, met_on ON case_deadline
    BEGIN
        UPDATE case_file SET next_due_on = {next_due}, met_late = {met_late}
        WHERE id IN (OLD.case_id, NEW.case_id);
    END
    """,
    """
    CREATE TRIGGER case_deadline_keeps_case_delete AFTER DELETE ON case_deadline
    BEGIN
        UPDATE case_file SET next_due_on = {next_due}, met_late = {met_late}
        WHERE id = OLD.case_id;
    END
    """,
]
BACKFILL = "UPDATE case_file SET next_due_on = {next_due}, met_late = {met_late}"

POSTGRESQL_FUNCTION = """
    CREATE FUNCTION case_deadline_keeps_case() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids uuid[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            ids := ARRAY(SELECT DISTINCT case_id FROM new_rows ORDER BY case_id);
        ELSIF TG_OP = 'UPDATE' THEN
            ids := ARRAY(SELECT case_id FROM new_rows UNION SELECT case_id FROM old_rows ORDER BY case_id);
        ELSE
            ids := ARRAY(SELECT DISTINCT case_id FROM old_rows ORDER BY case_id);
        END IF;
        -- Lock first, then read: the next statement's snapshot holds what a transaction that held a lock committed.
        -- NO KEY UPDATE: rows that only point at the case (its messages, its audit entries) are not held up.
        PERFORM 1 FROM case_file c JOIN unnest(ids) AS a(case_id) ON c.id = a.case_id ORDER BY c.id
            FOR NO KEY UPDATE OF c;
        UPDATE case_file c SET next_due_on = s.next_due_on, met_late = s.met_late
        FROM (
            SELECT a.case_id,
                   min(d.due_on) FILTER (WHERE d.met_on IS NULL) AS next_due_on,
                   coalesce(bool_or(d.met_on > d.due_on), false) AS met_late
            FROM unnest(ids) AS a(case_id) LEFT JOIN case_deadline d ON d.case_id = a.case_id
            GROUP BY a.case_id
        ) s
        WHERE c.id = s.case_id
          AND (c.next_due_on IS DISTINCT FROM s.next_due_on OR c.met_late IS DISTINCT FROM s.met_late);
        RETURN NULL;
    END
    $$
"""
POSTGRESQL_TRIGGERS = [
    """
    CREATE TRIGGER case_deadline_keeps_case_insert AFTER INSERT ON case_deadline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_deadline_keeps_case()
    """,
    """
    CREATE TRIGGER case_deadline_keeps_case_update AFTER UPDATE ON case_deadline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_deadline_keeps_case()
    """,
    """
    CREATE TRIGGER case_deadline_keeps_case_delete AFTER DELETE ON case_deadline
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_deadline_keeps_case()
    """,
]
TRIGGER_NAMES = [
    "case_deadline_keeps_case_insert",
    "case_deadline_keeps_case_update",
    "case_deadline_keeps_case_delete",
]


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("met_late", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text(BACKFILL.format(next_due=NEXT_DUE, met_late=MET_LATE)))
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_queue_cover")
        batch_op.drop_index("ix_case_file_id_cover")
        batch_op.create_index("ix_case_file_queue_newest", NEWEST, unique=False, **NOT_SEALED)
        batch_op.create_index("ix_case_file_queue_due", DUE, unique=False, **NOT_SEALED)
        batch_op.create_index("ix_case_file_queue_count", COUNT, unique=False, **NOT_SEALED)
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(sa.text(trigger.format(next_due=NEXT_DUE, met_late=MET_LATE)))
    else:
        op.execute(sa.text(POSTGRESQL_FUNCTION))
        for trigger in POSTGRESQL_TRIGGERS:
            op.execute(sa.text(trigger))


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON case_deadline"))
    if op.get_bind().dialect.name != "sqlite":
        op.execute(sa.text("DROP FUNCTION IF EXISTS case_deadline_keeps_case()"))
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_queue_count")
        batch_op.drop_index("ix_case_file_queue_due")
        batch_op.drop_index("ix_case_file_queue_newest")
        batch_op.create_index("ix_case_file_id_cover", OLD_ID_COVER, unique=False)
        batch_op.create_index("ix_case_file_queue_cover", OLD_COVER, unique=False)
        batch_op.drop_column("met_late")
        batch_op.drop_column("next_due_on")
