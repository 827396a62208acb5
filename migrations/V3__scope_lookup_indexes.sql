-- whocan schema, version 3: indexes for reading only the scope nodes a question
-- needs instead of every one of tens of thousands.
--
-- The nodes that carry the tree (root, management groups, subscriptions) by kind.
CREATE INDEX scopes_kind ON scopes (kind, valid_from);
-- A scope by the last segment of its key (a workspace by the name in its id):
-- rtrim(key, <key without '/'>) is the key up to its last '/', so the replace
-- leaves the last segment. Queries must spell the expression exactly like this.
CREATE INDEX scopes_last_segment ON scopes (replace(key, rtrim(key, replace(key, '/', '')), ''));
