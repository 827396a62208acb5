-- whocan schema, version 12: which rule raised a snapshot's members-not-imported flags.
--
-- From this version the import raises `members-not-imported` for every group
-- without a member list below a holder, following every member that is or may be
-- a group (its kind, its record, a member list or members of its own), so `can`
-- and `what` can find the groups their `incomplete` lists among the flags instead
-- of walking down every nested group below the holders. Snapshots imported before
-- (0) were flagged following only members known to be groups: for them the walk
-- down is kept. Only src/store/ uses it. Never edit this file once released: add a
-- V13__*.sql.

ALTER TABLE snapshots ADD COLUMN gap_flags INTEGER NOT NULL DEFAULT 0;
