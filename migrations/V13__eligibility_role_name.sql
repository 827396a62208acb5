-- whocan schema, version 13: the role name a PIM eligibility export gives.
--
-- ARM's roleEligibilityScheduleInstances carry the role's display name in
-- `properties.expandedProperties.roleDefinition.displayName` (Az PowerShell:
-- `RoleDefinitionDisplayName`). The one role join joins by GUID first; only
-- when no role has that GUID, a role defined without an id (a custom-role file
-- without `Id`) by this name, as assignments already are by
-- `roleDefinitionName`. NULL for eligibilities imported before, and for exports
-- without it. Never edit this file once released: add a V14__*.sql.

ALTER TABLE eligibilities ADD COLUMN role_definition_name TEXT;
