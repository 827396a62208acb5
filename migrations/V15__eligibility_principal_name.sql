-- whocan schema, version 15: the principal's name a PIM eligibility export gives.
--
-- ARM's roleEligibilityScheduleInstances carry the principal's display name in
-- `properties.expandedProperties.principal.displayName` (Az PowerShell:
-- `PrincipalDisplayName`). Answers show it for a principal in no directory
-- listing, as they show a role assignment's `principalName`. NULL for
-- eligibilities imported before, and for exports without it. Never edit this
-- file once released: add a V16__*.sql.

ALTER TABLE eligibilities ADD COLUMN principal_display_name TEXT;
