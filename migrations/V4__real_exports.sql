-- whocan schema, version 4: what real exports carry (issue 9).
--
-- principals: a user's mail and otherMails (resolution by mail, SPEC §3), and
-- whether the record is known only from a group member file's own entry (not a
-- directory listing: no evidence for or against deletion, SPEC §1).
ALTER TABLE principals ADD COLUMN mail TEXT;
ALTER TABLE principals ADD COLUMN other_mails TEXT;              -- JSON array, NULL when empty
ALTER TABLE principals ADD COLUMN from_member_list INTEGER NOT NULL DEFAULT 0;
CREATE INDEX principals_mail ON principals (lower(mail));

-- role_assignments: a time-bound PIM active instance's window (SPEC §2.10), and
-- what PowerShell exports next to the sign-in name.
ALTER TABLE role_assignments ADD COLUMN start_date_time TEXT;
ALTER TABLE role_assignments ADD COLUMN end_date_time TEXT;
ALTER TABLE role_assignments ADD COLUMN principal_display_name TEXT;
ALTER TABLE role_assignments ADD COLUMN can_delegate INTEGER;

-- Groups whose imported member list was one page of several (@odata.nextLink):
-- `members partial` in every answer that walks them (SPEC §4).
CREATE TABLE partial_member_lists (
    key        TEXT NOT NULL,            -- lowercase group id
    group_id   TEXT,                     -- original spelling, NULL when equal to key
    hash       INTEGER NOT NULL,
    valid_from INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to   INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX partial_member_lists_key ON partial_member_lists (key, valid_from);

-- PIM for Groups: eligible (or time-bound active) membership / ownership of a group
-- (SPEC §2.11).
CREATE TABLE group_eligibilities (
    key             TEXT NOT NULL,       -- lowercase instance id
    id              TEXT NOT NULL,
    group_key       TEXT NOT NULL,
    group_id        TEXT NOT NULL,
    principal_key   TEXT NOT NULL,
    principal_id    TEXT NOT NULL,
    access_id       TEXT NOT NULL,       -- member | owner
    member_type     TEXT,
    start_date_time TEXT,
    end_date_time   TEXT,
    active          INTEGER NOT NULL,    -- 1: assignmentScheduleInstances, 0: eligibility
    hash            INTEGER NOT NULL,
    valid_from      INTEGER NOT NULL REFERENCES snapshots (id),
    valid_to        INTEGER REFERENCES snapshots (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX group_eligibilities_key ON group_eligibilities (key, valid_from);
CREATE INDEX group_eligibilities_group ON group_eligibilities (group_key);
CREATE INDEX group_eligibilities_principal ON group_eligibilities (principal_key);

-- Whether a snapshot imported a directory listing of a kind (users, groups,
-- service principals): an id in no listing is orphaned only when its kind was
-- listed (SPEC §1, "Orphans only on evidence"). One index seek per kind.
CREATE INDEX principals_listed_kind ON principals (kind, from_member_list, valid_from);

-- `can` walks down from the groups that hold access to find nested groups whose
-- members were not imported: only a group's group members (or members of unknown
-- kind), not its users.
CREATE INDEX member_edges_group_kind ON member_edges (group_key, member_kind);
