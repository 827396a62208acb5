-- whocan schema, version 5: evidence that proves itself (issue 10).
--
-- snapshots.chain_version: how a snapshot's chain hash was computed.
--   1 — snapshots written before this migration: sha256 over the previous chain
--       hash, the content hash, taken_at and the label (canon::chain_hash).
--   2 — every snapshot written since: also over the snapshot's id, tool_version,
--       imported_at, every input file (path, kind, sha256, records) and every
--       import flag (canon::chain_hash_v2), so a snapshot's provenance is covered.
-- Old rows keep their old hashes and verify as version 1; versions never go down
-- along the chain (a version-1 snapshot after a version-2 one is a break).
--
-- review_applies.chain_hash: the review audit trail's hash chain
-- (canon::review_chain_hash): each applied sheet's hash covers the previous one's,
-- the sheet's sha256, file, reviewer, time, snapshot and every row recorded from
-- it. NULL only for sheets applied before this migration (their link is computed
-- at verify time and covered by the next chained apply); a NULL after a chained
-- apply, or on an apply against a version-2 snapshot, is a break.
--
-- Only src/store/ reads or writes these columns. Never edit this file once
-- released: add a V6__*.sql instead.

ALTER TABLE snapshots ADD COLUMN chain_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE review_applies ADD COLUMN chain_hash TEXT;
