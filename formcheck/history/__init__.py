"""History: takes finished sessions and keeps their per-side figures in a SQLite file; gives the
progress table and trend plot of ``formcheck history``."""
