-- whocan schema, version 1.
--
-- Snapshots are stored as validity intervals (slowly changing dimension, type 2):
-- every row of a versioned table carries `valid_from` (the snapshot that first held
-- it) and `valid_to` (NULL while the latest snapshot still holds it, else the last
-- snapshot id that held it). A row belongs to snapshot s iff
--     valid_from <= s AND (valid_to IS NULL OR valid_to >= s).
-- `key` columns are the lowercase natural keys (model::key / scope_key / role_guid);
-- the original spelling is kept next to them for display. `hash` is a stable 64-bit
-- hash of the row's canonical JSON, used to detect changes between imports.
--
-- Secondary indexes may be dropped and recreated (from their sqlite_schema text)
-- inside an import transaction that bulk-loads a table; keep them plain CREATE INDEX.
--
-- Only src/store/ reads or writes these tables. Never edit this file once released:
-- add a V2__*.sql instead (refinery refuses diverging applied migrations).

CREATE TABLE snapshots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    taken_at     TEXT NOT NULL,          -- UTC, %Y-%m-%dT%H:%M:%SZ
    label        TEXT,
    tool_version TEXT NOT NULL,
    imported_at  TEXT NOT NULL,          -- UTC, %Y-%m-%dT%H:%M:%SZ
    content_hash TEXT NOT NULL,          -- sha256 hex of the canonical tenant
    chain_hash   TEXT NOT NULL           -- sha256 hex chaining the previous snapshot
);
CREATE INDEX snapshots_taken_at ON snapshots (taken_at);

CREATE TABLE snapshot_files (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    seq         INTEGER NOT NULL,
    path        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    records     INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
) WITHOUT ROWID;

CREATE TABLE snapshot_flags (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
) WITHOUT ROWID;

-- Directory objects. Query by UPN / display name with `lower(col) = ?` so the
-- expression indexes apply (SQLite's lower() folds ASCII only, like model::key).
CREATE TABLE principals (
    key                 TEXT NOT NULL,   -- lowercase object id
    id                  TEXT NOT NULL,
    kind                TEXT NOT NULL,   -- PrincipalKind::as_str
    display_name        TEXT NOT NULL,
    user_principal_name TEXT,
    user_type           TEXT,
    account_enabled     INTEGER,
    app_id              TEXT,
    hash                INTEGER NOT NULL,
    valid_from          INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to            INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX principals_key ON principals (key, valid_from);
CREATE INDEX principals_upn ON principals (lower(user_principal_name));
CREATE INDEX principals_display_name ON principals (lower(display_name));
CREATE INDEX principals_app_id ON principals (lower(app_id));

-- Direct membership edges, the largest table: clustered on its natural key
-- (WITHOUT ROWID), which doubles as the by-group index. To keep it small, `group_id`
-- and `member_id` hold the original spelling only when it differs from the lowercase
-- key (NULL otherwise, the common case): display COALESCE(group_id, group_key).
CREATE TABLE member_edges (
    group_key   TEXT NOT NULL,
    member_key  TEXT NOT NULL,
    valid_from  INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to    INTEGER REFERENCES snapshots (id),
    hash        INTEGER NOT NULL,
    member_kind TEXT,                    -- PrincipalKind::as_str, NULL when unknown
    group_id    TEXT,
    member_id   TEXT,
    PRIMARY KEY (group_key, member_key, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
) WITHOUT ROWID;
CREATE INDEX member_edges_member ON member_edges (member_key);

-- Groups whose direct member list was imported (even if empty).
CREATE TABLE member_lists (
    key        TEXT NOT NULL,            -- lowercase group id
    group_id   TEXT,                     -- original spelling, NULL when equal to key
    hash       INTEGER NOT NULL,
    valid_from INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to   INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX member_lists_key ON member_lists (key, valid_from);

CREATE TABLE role_definitions (
    key               TEXT NOT NULL,     -- lowercase GUID, or name:<lowercase roleName>
    id                TEXT NOT NULL,
    role_name         TEXT NOT NULL,
    role_type         TEXT NOT NULL,
    description       TEXT NOT NULL,
    permissions       TEXT NOT NULL,     -- JSON array of model::PermissionBlock
    assignable_scopes TEXT NOT NULL,     -- JSON array of strings
    hash              INTEGER NOT NULL,
    valid_from        INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to          INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX role_definitions_key ON role_definitions (key, valid_from);
CREATE INDEX role_definitions_name ON role_definitions (lower(role_name));

CREATE TABLE role_assignments (
    key                  TEXT NOT NULL,  -- lowercase assignment id
    id                   TEXT NOT NULL,
    principal_key        TEXT NOT NULL,
    principal_id         TEXT NOT NULL,
    principal_type       TEXT NOT NULL,
    principal_name       TEXT,
    role_key             TEXT NOT NULL,  -- joins role_definitions.key
    role_definition_id   TEXT NOT NULL,
    role_definition_name TEXT,
    scope_key            TEXT NOT NULL,  -- model::scope_key(scope)
    scope                TEXT NOT NULL,
    condition            TEXT,
    condition_version    TEXT,
    created_on           TEXT,
    source               TEXT NOT NULL,  -- RoleAssignment | PimActive
    hash                 INTEGER NOT NULL,
    valid_from           INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to             INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX role_assignments_scope ON role_assignments (scope_key);
CREATE INDEX role_assignments_principal ON role_assignments (principal_key);
CREATE INDEX role_assignments_role ON role_assignments (role_key);

CREATE TABLE eligibilities (
    key                TEXT NOT NULL,
    id                 TEXT NOT NULL,
    principal_key      TEXT NOT NULL,
    principal_id       TEXT NOT NULL,
    principal_type     TEXT NOT NULL,
    role_key           TEXT NOT NULL,
    role_definition_id TEXT NOT NULL,
    scope_key          TEXT NOT NULL,
    scope              TEXT NOT NULL,
    start_date_time    TEXT,
    end_date_time      TEXT,
    member_type        TEXT,
    condition          TEXT,
    hash               INTEGER NOT NULL,
    valid_from         INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to           INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX eligibilities_key ON eligibilities (key, valid_from);
CREATE INDEX eligibilities_scope ON eligibilities (scope_key);
CREATE INDEX eligibilities_principal ON eligibilities (principal_key);

CREATE TABLE deny_assignments (
    key                          TEXT NOT NULL,
    id                           TEXT NOT NULL,
    name                         TEXT NOT NULL,
    scope_key                    TEXT NOT NULL,
    scope                        TEXT NOT NULL,
    permissions                  TEXT NOT NULL, -- JSON array of model::PermissionBlock
    principals                   TEXT NOT NULL, -- JSON array of model::DenyPrincipal
    exclude_principals           TEXT NOT NULL, -- JSON array of model::DenyPrincipal
    do_not_apply_to_child_scopes INTEGER NOT NULL,
    condition                    TEXT,
    hash                         INTEGER NOT NULL,
    valid_from                   INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to                     INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX deny_assignments_key ON deny_assignments (key, valid_from);
CREATE INDEX deny_assignments_scope ON deny_assignments (scope_key);

CREATE TABLE scopes (
    key           TEXT NOT NULL,         -- model::scope_key(id)
    id            TEXT NOT NULL,
    kind          TEXT NOT NULL,         -- ScopeKind::as_str
    name          TEXT NOT NULL,
    display_name  TEXT,
    resource_type TEXT,
    parent_key    TEXT,                  -- model::scope_key(parent_id)
    parent_id     TEXT,
    hash          INTEGER NOT NULL,
    valid_from    INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to      INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX scopes_key ON scopes (key, valid_from);
CREATE INDEX scopes_name ON scopes (lower(name));
CREATE INDEX scopes_parent ON scopes (parent_key);

CREATE TABLE operations (
    key            TEXT NOT NULL,        -- lowercase operation name
    name           TEXT NOT NULL,
    display_name   TEXT,
    is_data_action INTEGER NOT NULL,
    provider       TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    hash           INTEGER NOT NULL,
    valid_from     INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to       INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX operations_key ON operations (key, valid_from);
