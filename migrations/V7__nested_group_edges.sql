-- whocan schema, version 7: the nested-group edges in one covering index (issue 11).
--
-- `can` lists every group below a granting holder whose members were not imported
-- (SPEC §4). It walked the membership graph one SQL statement per group; on a
-- large tenant that was half of a `can`. Group-in-group edges are few (about 2% of
-- the edges in the synthetic tenants), so this partial index holds all of them
-- with every column the walk reads: one sequential read gives the whole
-- nested-group graph of a snapshot, which the walk then follows in memory
-- (store::slice::walk_down).
--
-- Only src/store/ uses it. Never edit this file once released: add a V8__*.sql.

CREATE INDEX member_edges_nested ON member_edges
    (valid_from, valid_to, group_key, member_key, member_kind, group_id, member_id)
    WHERE member_kind IS NULL OR member_kind = 'Group';
