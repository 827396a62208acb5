-- whocan schema, version 2: the access-review audit trail (`whocan review apply`).
--
-- Append-only: one `review_applies` row per applied sheet, one `review_decisions`
-- row per row of that sheet (decision NULL = left undecided; the row was seen).
-- Triggers refuse UPDATE and DELETE so that the trail cannot be rewritten through
-- whocan; the latest non-NULL decision of a review key is the one in force.
-- `content_hash` is the row's access-relevant content when it was decided
-- (engine::review::ReviewRow::content_hash): a decision carries over to the next
-- review only while the row's content is unchanged.
--
-- Only src/store/review.rs reads or writes these tables. Never edit this file once
-- released: add a V3__*.sql instead.

CREATE TABLE review_applies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id), -- the latest when applied
    file         TEXT NOT NULL,          -- the sheet's path as given
    sheet_sha256 TEXT NOT NULL,          -- hex sha256 of the sheet's bytes
    reviewer     TEXT NOT NULL,
    applied_at   TEXT NOT NULL           -- UTC, %Y-%m-%dT%H:%M:%SZ
);

CREATE TABLE review_decisions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    apply_id         INTEGER NOT NULL REFERENCES review_applies (id),
    sheet_row        INTEGER NOT NULL,   -- spreadsheet row number (header = 1)
    review_key       TEXT NOT NULL,      -- lowercase
    target_scope_key TEXT NOT NULL,      -- model::scope_key(target_scope)
    target_scope     TEXT NOT NULL,
    decision         TEXT CHECK (decision IS NULL OR decision IN ('approve', 'remove', 'flag')),
    reviewer_comment TEXT,
    content_hash     TEXT NOT NULL
);
CREATE INDEX review_decisions_key ON review_decisions (review_key, id);
CREATE INDEX review_decisions_target ON review_decisions (target_scope_key);

CREATE TRIGGER review_applies_append_only_update BEFORE UPDATE ON review_applies
BEGIN SELECT RAISE(ABORT, 'review_applies is append-only'); END;
CREATE TRIGGER review_applies_append_only_delete BEFORE DELETE ON review_applies
BEGIN SELECT RAISE(ABORT, 'review_applies is append-only'); END;
CREATE TRIGGER review_decisions_append_only_update BEFORE UPDATE ON review_decisions
BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END;
CREATE TRIGGER review_decisions_append_only_delete BEFORE DELETE ON review_decisions
BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END;
