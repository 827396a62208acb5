-- whocan schema, version 9: the nested-group edges indexed by group (issue 11).
--
-- `can` and `what` list every group below the asked principal's holders whose
-- members were not imported (SPEC §4). V7 put the nested-group edges in a partial
-- index ordered by snapshot, so that one sequential read gave the whole
-- nested-group graph of a snapshot; on the xl tenant that read is about 43,000
-- edges and most of a `can`'s time. This index holds the same edges ordered by
-- group, so the walk reads only the groups it reaches, one seek each
-- (store::slice::walk_down); V7's index has no reader left and is dropped.
--
-- Only src/store/ uses it. Never edit this file once released: add a V10__*.sql.

CREATE INDEX member_edges_nested_by_group ON member_edges
    (group_key, valid_from, valid_to, member_key, member_kind, group_id, member_id)
    WHERE member_kind IS NULL OR member_kind = 'Group';

DROP INDEX member_edges_nested;
