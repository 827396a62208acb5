-- whocan schema, version 8: what resources' own records state (issue 15).
--
-- A workspace's linked resources (storage account, key vault, container
-- registry, Application Insights), a storage account's `allowSharedKeyAccess`, a
-- key vault's `enableRbacAuthorization`, a user-assigned identity's principal, the
-- managed identities assigned to a resource (`identity`), and an AzureML
-- datastore's account, container and credential type: one row per resource id,
-- versioned like every other table (V1: valid_from / valid_to, change hash).
-- `facts` is the serde_json of model::ResourceFacts (every field, id and type
-- included), so that reading it back gives exactly what was written. No secret
-- is ever held here: the importer reads only the fields ResourceFacts names.
--
-- The content hash covers these rows (canon: a section only when a snapshot has
-- facts, so snapshots without any hash as before).
--
-- Only src/store/ reads or writes this table. Never edit this file once
-- released: add a V9__*.sql instead.

CREATE TABLE resource_facts (
    key           TEXT NOT NULL,          -- model::scope_key(id)
    id            TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    facts         TEXT NOT NULL,          -- JSON of model::ResourceFacts
    hash          INTEGER NOT NULL,
    valid_from    INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to      INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX resource_facts_key ON resource_facts (key, valid_from);
