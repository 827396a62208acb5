-- whocan schema, version 11: a deny assignment's effect (issue 15 follow-up).
--
-- The Authorization API 2024-07-01-preview gives a deny assignment a
-- `denyAssignmentEffect`: `enforced` blocks access, `audit` logs without blocking.
-- NULL when the export does not say (every stable API version), which Azure reads as
-- enforced. Only src/store/ uses it. Never edit this file once released: add a V12__*.sql.

ALTER TABLE deny_assignments ADD COLUMN effect TEXT;
