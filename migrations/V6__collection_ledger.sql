-- whocan schema, version 6: the completeness ledger of a collection (issue 12).
--
-- `whocan collect` writes DIR/collection.json (SPEC §6): every scope and
-- collection it asked, with status, pages, items and error. `import` keeps it
-- with the snapshot: one collection_ledgers row (the header) and one
-- collection_entries row per entry, in file order (seq). A snapshot not imported
-- from a collection has no rows here.
--
-- The ledger is part of the snapshot's content: the content hash covers it
-- (canon::ledger_section: a section only when a ledger exists, so snapshots
-- without one hash as before), and the chain covers the content hash, so `verify`
-- catches an edited, added or removed ledger row.
--
-- An unreadable scope is an `arm` entry whose status is not `complete`; answers
-- touching one list it in `incomplete` (`scope unreadable`, SPEC §4).
--
-- Only src/store/ reads or writes these tables. Never edit this file once
-- released: add a V7__*.sql instead.

CREATE TABLE collection_ledgers (
    snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots (id),
    tool        TEXT,
    arm_url     TEXT,
    graph_url   TEXT,
    started_at  TEXT,
    finished_at TEXT,
    complete    INTEGER NOT NULL          -- 1 only when every entry is complete
);

CREATE TABLE collection_entries (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    seq         INTEGER NOT NULL,         -- position in the ledger file
    api         TEXT NOT NULL,            -- arm | graph
    collection  TEXT NOT NULL,
    scope       TEXT NOT NULL,            -- as the ledger spells it
    scope_key   TEXT NOT NULL,            -- lowercase, no trailing slash (model::scope_key)
    status      TEXT NOT NULL,            -- complete | forbidden | throttled | failed | refused | pending
    http_status INTEGER,
    pages       INTEGER NOT NULL,
    items       INTEGER NOT NULL,
    retries     INTEGER NOT NULL,
    error       TEXT,
    files       TEXT NOT NULL,            -- JSON array of the files written
    PRIMARY KEY (snapshot_id, seq)
);
-- The unreadable scopes of a snapshot (what answers read).
CREATE INDEX collection_entries_unreadable ON collection_entries (snapshot_id, api, status);
