-- whocan schema, version 14: drops an index no statement uses.
--
-- `member_edges_group_kind (group_key, member_kind)` (V4) served no query: a
-- group's members are read through the table's primary key (group_key first),
-- and its nested groups through `member_edges_nested_by_group` (V9). Each
-- membership edge cost an entry in it at import (2.1 million on the xl
-- tenant). Only src/store/ uses the schema. Never edit this file once
-- released: add a V15__*.sql.

DROP INDEX member_edges_group_kind;
