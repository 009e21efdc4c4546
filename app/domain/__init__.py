"""The rulebook (../shared/RULES.md) as pure functions and tables. Imports nothing else of `app`; never reads the clock."""
