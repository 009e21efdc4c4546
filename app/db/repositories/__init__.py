"""Repositories: the only place with select(). Case reads are scoped to the actor (ACC-1)."""
