"""Repositories: the only place with select(), one module per noun they return (accounts, ambassador, audit, case,
contract, decision_proposal, escrow, evidence, idempotency, notifications, outbox, personnel, protection, reporting,
sanctions, separation, staff).

Every read that returns cases is in case.py and scoped to the actor (ACC-1), unless its docstring begins
'Unscoped:' and says who checks instead. Elsewhere cases are only counted (reporting.py, ambassador.py) or
joined to the deadlines they carry (notifications.py: the queue takes the actor's visible_ids, the scan is the
worker's)."""
