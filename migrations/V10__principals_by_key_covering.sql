-- whocan schema, version 10: principal records read from their index (issue 11).
--
-- A `who` reads the record of every principal it answers with, by key: on the xl
-- tenant about 18,000 lookups, each a seek in `principals_key` and then a second
-- one in the table, and that was about a quarter of the question's time. This index
-- holds the columns a question reads (store::read::PRINCIPAL_COLS) after the same
-- (key, valid_from) prefix, so a lookup is one seek; it replaces `principals_key`,
-- which it covers. On xl the database grows by about 3% (measured in BENCHMARKS.md).
--
-- Only src/store/ uses it. Never edit this file once released: add a V11__*.sql.

CREATE INDEX principals_by_key ON principals
    (key, valid_from, valid_to, id, kind, display_name, user_principal_name, user_type,
     account_enabled, app_id, mail, other_mails, from_member_list);

DROP INDEX principals_key;
