//! Canonical form of a tenant: natural keys, deterministic order, and the hashes
//! built on them (per-row change hash, snapshot content hash, chain hash).
//!
//! The canonical form of a [`Tenant`] keeps, per table, the first record of each
//! natural key (duplicates flagged by the importer are dropped here, the first one
//! wins) and orders records by that key. Everything that must be reproducible —
//! the content hash, the chain hash, the order `load_tenant` returns — goes through
//! this one path. This module must never do I/O or SQL, and must never depend on
//! anything that varies between runs or machines (no `RandomState`, no addresses,
//! no locale): changing what it produces changes every stored hash.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{
    key, scope_key, Assignment, DenyAssignment, Eligibility, Flag, GroupEligibility, InputFile,
    MemberEdge, Operation, Principal, ResourceFacts, RoleDefinition, ScopeNode, Tenant,
};

/// A record of one versioned table: it knows its lowercase natural key.
pub(crate) trait Record: Serialize {
    fn natural_key(&self) -> Key<'_>;
}

/// A lowercase natural key, borrowed from the record when it is spelled as its key
/// (the common case: ids are mostly lowercase already). A member edge's key has two
/// parts, group and member; it compares and prints as the two joined by
/// [`EDGE_SEP`], exactly as the single joined string it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Key<'a> {
    pub(crate) first: Cow<'a, str>,
    pub(crate) second: Option<Cow<'a, str>>,
}

impl<'a> Key<'a> {
    pub(crate) fn one(k: Cow<'a, str>) -> Key<'a> {
        Key {
            first: k,
            second: None,
        }
    }

    /// The key of a single-part table.
    pub(crate) fn as_str(&self) -> &str {
        debug_assert!(self.second.is_none(), "a two-part key");
        &self.first
    }

    /// The joined key split at its first [`EDGE_SEP`] (the group and member keys as
    /// the `member_edges` columns store them), the second part empty when none.
    pub(crate) fn parts(&self) -> (Cow<'_, str>, Cow<'_, str>) {
        match &self.second {
            Some(second) if !self.first.contains(EDGE_SEP) => {
                (Cow::Borrowed(&*self.first), Cow::Borrowed(&**second))
            }
            _ => {
                let joined = self.to_string();
                let (g, m) = joined.split_once(EDGE_SEP).unwrap_or((&joined, ""));
                (Cow::Owned(g.to_string()), Cow::Owned(m.to_string()))
            }
        }
    }

    /// The bytes of the joined key.
    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let sep = self.second.as_ref().map(|_| EDGE_SEP as u8);
        let second = self.second.as_deref().unwrap_or("");
        self.first.bytes().chain(sep).chain(second.bytes())
    }
}

impl Ord for Key<'_> {
    /// Byte order of the joined keys.
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.first.as_bytes(), other.first.as_bytes());
        if a.len() == b.len() || self.second.is_none() && other.second.is_none() {
            // Equal lengths: the first parts decide unless equal, then the rest does.
            match a.cmp(b) {
                Ordering::Equal if a.len() == b.len() => {}
                o => return o,
            }
            return match (&self.second, &other.second) {
                (Some(x), Some(y)) => x.cmp(y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            };
        }
        let n = a.len().min(b.len());
        match a[..n].cmp(&b[..n]) {
            Ordering::Equal => self.bytes().cmp(other.bytes()),
            o => o,
        }
    }
}

impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key<'_> {}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.first)?;
        if let Some(second) = &self.second {
            write!(f, "{EDGE_SEP}{second}")?;
        }
        Ok(())
    }
}

/// [`key`], borrowed when `s` is already lowercase.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(key(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// [`scope_key`], borrowed when `s` is already normalised.
fn lower_scope(s: &str) -> Cow<'_, str> {
    let t = s.trim().trim_end_matches('/');
    if t.starts_with('/') && !t.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(scope_key(s))
    }
}

/// The `role_definitions.key` a role (or a reference to a role) is stored under:
/// the model's one rule ([`crate::model::role_key`]).
pub(crate) use crate::model::role_key;

impl Record for Principal {
    fn natural_key(&self) -> Key<'_> {
        Key::one(lower(&self.id))
    }
}

/// Separator of the two halves of a member edge's key (in Rust only; the table
/// stores them as two columns). It sorts below every other character, so ordering
/// by the joined key is ordering by (group, member), as SQLite orders the table.
pub(crate) const EDGE_SEP: char = '\0';

impl Record for MemberEdge {
    fn natural_key(&self) -> Key<'_> {
        Key {
            first: lower(&self.group_id),
            second: Some(lower(&self.member_id)),
        }
    }
}

/// An entry of `Tenant::member_lists` (a group id).
impl Record for String {
    fn natural_key(&self) -> Key<'_> {
        Key::one(lower(self))
    }
}

// The Azure records' keys are the model's one rule (`record_key`); the store's
// hashes are built on them.
impl Record for RoleDefinition {
    fn natural_key(&self) -> Key<'_> {
        Key::one(Cow::Owned(self.record_key()))
    }
}

impl Record for Assignment {
    fn natural_key(&self) -> Key<'_> {
        Key::one(self.record_key())
    }
}

impl Record for Eligibility {
    fn natural_key(&self) -> Key<'_> {
        Key::one(self.record_key())
    }
}

impl Record for DenyAssignment {
    fn natural_key(&self) -> Key<'_> {
        Key::one(self.record_key())
    }
}

impl Record for ScopeNode {
    fn natural_key(&self) -> Key<'_> {
        Key::one(lower_scope(&self.id))
    }
}

/// Suffix of a data-plane operation's key. A catalogue may list one name in both
/// planes (`Microsoft.KeyVault/vaults/keys/read`); both are kept (SPEC §2.12). The
/// control-plane entry keeps the bare name as its key; `#` sorts below `/`, so the
/// data-plane entry sorts right after it, where a data-only entry keyed by its bare
/// name sorted before this suffix existed (old snapshots verify unchanged).
pub(crate) const DATA_PLANE_SUFFIX: &str = "#data";

/// The key of a catalogue operation: its lowercase name, with
/// [`DATA_PLANE_SUFFIX`] for a data action.
pub(crate) fn operation_key(name: &str, is_data_action: bool) -> String {
    let mut k = key(name);
    if is_data_action {
        k.push_str(DATA_PLANE_SUFFIX);
    }
    k
}

impl Record for Operation {
    fn natural_key(&self) -> Key<'_> {
        if self.is_data_action {
            Key::one(Cow::Owned(operation_key(&self.name, true)))
        } else {
            Key::one(lower(&self.name))
        }
    }
}

/// A resource's facts are keyed by its resource id, as its scope is.
impl Record for ResourceFacts {
    fn natural_key(&self) -> Key<'_> {
        Key::one(lower_scope(&self.id))
    }
}

impl Record for GroupEligibility {
    fn natural_key(&self) -> Key<'_> {
        Key::one(self.record_key())
    }
}

/// One record in canonical position, with its change hash.
pub(crate) struct Row<'a, T> {
    pub(crate) key: Key<'a>,
    /// The first 8 bytes of the sha256 of the record's canonical JSON (big-endian),
    /// as stored in the `hash` column. A cryptographic hash, so that no crafted
    /// export can change a record while keeping its hash (and so its old version).
    pub(crate) hash: i64,
    pub(crate) rec: &'a T,
}

/// First record per natural key, ordered by key (ties are ordered by position, so
/// the first occurrence of a duplicated key comes first and `dedup_by` keeps it).
/// Hashes are left 0.
fn canonical_rows<T: Record>(items: &[T]) -> Vec<Row<'_, T>> {
    // Sorted by (prefix, key, position): the prefix decides most comparisons with
    // one integer comparison, and never contradicts the key order.
    let mut v: Vec<(u64, Row<'_, T>)> = items
        .iter()
        .map(|rec| {
            let key = rec.natural_key();
            (sort_prefix(&key), Row { key, hash: 0, rec })
        })
        .collect();
    // Records are elements of `items`, so address order is position order.
    v.sort_unstable_by(|(pa, a), (pb, b)| {
        pa.cmp(pb)
            .then_with(|| a.key.cmp(&b.key))
            .then_with(|| (a.rec as *const T).cmp(&(b.rec as *const T)))
    });
    v.dedup_by(|(_, later), (_, earlier)| later.key == earlier.key);
    v.into_iter().map(|(_, row)| row).collect()
}

/// The first 8 bytes of the joined key, big-endian, zero-padded: a shorter key is
/// padded with bytes no greater than any it could continue with, so
/// `sort_prefix(a) < sort_prefix(b)` implies `a < b`.
fn sort_prefix(k: &Key<'_>) -> u64 {
    let mut b = [0u8; 8];
    for (slot, byte) in b.iter_mut().zip(k.bytes()) {
        *slot = byte;
    }
    u64::from_be_bytes(b)
}

/// Below this many rows a table is hashed on the calling thread only.
const PARALLEL_MIN_ROWS: usize = 50_000;

/// Canonical rows of one table; feeds the table's section into the content digest:
/// `<table name> <record count>\n`, then the 32-byte sha256 of each record's JSON.
/// Large tables are hashed on up to 4 threads, block by block, each thread over a
/// contiguous run of the block; the digests are fed in row order, so the result
/// does not depend on the split.
fn rows<'a, T: Record + Sync>(
    table: &str,
    items: &'a [T],
    digest: &mut Sha256,
    buf: &mut Vec<u8>,
) -> Vec<Row<'a, T>> {
    let mut rows = canonical_rows(items);
    digest.update(format!("{table} {}\n", rows.len()).as_bytes());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if rows.len() < PARALLEL_MIN_ROWS || threads < 2 {
        for row in &mut rows {
            digest.update(hash_row(row, buf));
        }
        return rows;
    }
    // Blocks of rows, each split between the threads, keep the digests small.
    let mut digests = vec![[0u8; 32]; PARALLEL_MIN_ROWS.min(rows.len())];
    for block in rows.chunks_mut(PARALLEL_MIN_ROWS) {
        let digests = &mut digests[..block.len()];
        let part = block.len().div_ceil(threads);
        std::thread::scope(|scope| {
            for (rows, digests) in block.chunks_mut(part).zip(digests.chunks_mut(part)) {
                scope.spawn(move || {
                    let mut buf = Vec::with_capacity(1024);
                    for (row, d) in rows.iter_mut().zip(digests) {
                        *d = hash_row(row, &mut buf);
                    }
                });
            }
        });
        for d in digests.iter() {
            digest.update(d);
        }
    }
    rows
}

/// Sets a row's change hash; returns the sha256 of its canonical JSON.
fn hash_row<T: Record>(row: &mut Row<'_, T>, buf: &mut Vec<u8>) -> [u8; 32] {
    buf.clear();
    serde_json::to_writer(&mut *buf, row.rec).expect("model records serialize to JSON");
    let row_digest: [u8; 32] = Sha256::digest(&buf[..]).into();
    row.hash = row_hash(&row_digest);
    row_digest
}

/// A tenant in canonical form, borrowed, with its content hash.
pub(crate) struct Prepared<'a> {
    pub(crate) principals: Vec<Row<'a, Principal>>,
    pub(crate) member_edges: Vec<Row<'a, MemberEdge>>,
    pub(crate) member_lists: Vec<Row<'a, String>>,
    pub(crate) roles: Vec<Row<'a, RoleDefinition>>,
    pub(crate) assignments: Vec<Row<'a, Assignment>>,
    pub(crate) eligibilities: Vec<Row<'a, Eligibility>>,
    pub(crate) denies: Vec<Row<'a, DenyAssignment>>,
    pub(crate) scopes: Vec<Row<'a, ScopeNode>>,
    pub(crate) operations: Vec<Row<'a, Operation>>,
    pub(crate) partial_member_lists: Vec<Row<'a, String>>,
    pub(crate) group_eligibilities: Vec<Row<'a, GroupEligibility>>,
    pub(crate) resource_facts: Vec<Row<'a, ResourceFacts>>,
    pub(crate) content_hash: String,
}

/// [`rows`] for a table added after the first release: an empty one adds nothing to
/// the digest, so a tenant that does not use it hashes as it did before.
fn rows_if_any<'a, T: Record + Sync>(
    table: &str,
    items: &'a [T],
    digest: &mut Sha256,
    buf: &mut Vec<u8>,
) -> Vec<Row<'a, T>> {
    if items.is_empty() {
        Vec::new()
    } else {
        rows(table, items, digest, buf)
    }
}

pub(crate) fn prepare(t: &Tenant) -> Prepared<'_> {
    let mut d = Sha256::new();
    d.update(b"whocan-tenant-v1\n");
    let mut buf = Vec::with_capacity(1024);
    let b = &mut buf;
    let principals = rows("principals", &t.principals, &mut d, b);
    let member_edges = rows("member_edges", &t.member_edges, &mut d, b);
    let member_lists = rows("member_lists", &t.member_lists, &mut d, b);
    let roles = rows("roles", &t.roles, &mut d, b);
    let assignments = rows("assignments", &t.assignments, &mut d, b);
    let eligibilities = rows("eligibilities", &t.eligibilities, &mut d, b);
    let denies = rows("denies", &t.denies, &mut d, b);
    let scopes = rows("scopes", &t.scopes, &mut d, b);
    let operations = rows("operations", &t.operations, &mut d, b);
    let partial_member_lists =
        rows_if_any("partial_member_lists", &t.partial_member_lists, &mut d, b);
    let group_eligibilities = rows_if_any("group_eligibilities", &t.group_eligibilities, &mut d, b);
    ledger_section(t.collection.as_ref(), &mut d);
    // Added with migration V8, after the ledger (`Tenant` field order): a
    // snapshot without facts hashes as before.
    let resource_facts = rows_if_any("resource_facts", &t.resource_facts, &mut d, b);
    Prepared {
        resource_facts,
        partial_member_lists,
        group_eligibilities,
        principals,
        member_edges,
        member_lists,
        roles,
        assignments,
        eligibilities,
        denies,
        scopes,
        operations,
        content_hash: hex(&d.finalize()),
    }
}

/// The collection ledger's section of the content digest (added with migration
/// V6): nothing when the snapshot was not collected, so such a snapshot hashes as
/// it did before; else `collection_ledger <entry count>\n` and the sha256 of the
/// ledger's JSON (header, then the entries in the order the file gave them).
fn ledger_section(ledger: Option<&crate::model::CollectionLedger>, d: &mut Sha256) {
    let Some(l) = ledger else {
        return;
    };
    d.update(format!("collection_ledger {}\n", l.entries.len()).as_bytes());
    let json = serde_json::to_vec(l).expect("a ledger serializes to JSON");
    d.update(Sha256::digest(&json));
}

/// The content hash of a tenant: sha256 (hex) over its canonical form — a version
/// line, then per table (in `Tenant` field order) a line with its name and record
/// count followed by the sha256 of each record's serde_json — first record per
/// natural key, records ordered by natural key. Independent of the order of the
/// input files and of the records in them; equal to the hash of what
/// `Store::load_tenant` returns for a snapshot written from `t`.
pub(crate) fn content_hash(t: &Tenant) -> String {
    prepare(t).content_hash
}

/// The canonical form of a tenant: duplicates (same natural key) dropped, the first
/// kept, every table ordered by natural key. `Store::load_tenant` returns exactly
/// `canonicalize(written)`.
#[cfg(test)]
pub(crate) fn canonicalize(t: &Tenant) -> Tenant {
    fn owned<T: Record + Clone>(items: &[T]) -> Vec<T> {
        canonical_rows(items)
            .into_iter()
            .map(|r| r.rec.clone())
            .collect()
    }
    Tenant {
        principals: owned(&t.principals),
        member_edges: owned(&t.member_edges),
        member_lists: owned(&t.member_lists),
        roles: owned(&t.roles),
        assignments: owned(&t.assignments),
        eligibilities: owned(&t.eligibilities),
        denies: owned(&t.denies),
        scopes: owned(&t.scopes),
        operations: owned(&t.operations),
        partial_member_lists: owned(&t.partial_member_lists),
        group_eligibilities: owned(&t.group_eligibilities),
        listed_kinds: Some(Tenant::listed_kinds_of(&t.principals)),
        mg_holdings: t.mg_holdings_of(),
        collection: t.collection.clone(),
        resource_facts: owned(&t.resource_facts),
        // Never content: a slice's reading aid only.
        assignment_notes: Vec::new(),
        eligibility_notes: Vec::new(),
        partial_access_files: Vec::new(),
    }
}

/// The chain hash of a snapshot: sha256 (hex) of the previous snapshot's chain hash
/// (empty for the first), the content hash, `taken_at` (as stored) and the label
/// (empty when none), each followed by a newline. Altering, inserting or removing
/// an earlier snapshot changes every later chain hash.
pub fn chain_hash(
    previous: &str,
    content_hash: &str,
    taken_at: &str,
    label: Option<&str>,
) -> String {
    let mut d = Sha256::new();
    for part in [previous, content_hash, taken_at, label.unwrap_or("")] {
        d.update(part.as_bytes());
        d.update(b"\n");
    }
    hex(&d.finalize())
}

/// The newest snapshot chain version ([`chain_hash_v2`]); new imports use it.
pub(crate) const CHAIN_VERSION: i64 = 2;

/// A sha256 over a domain tag and a sequence of fields, each unambiguous whatever
/// bytes it holds (labels, paths and flag details may contain newlines): a present
/// field is `0x01`, its length as 8 bytes big-endian, then its bytes; an absent
/// one (`None`) is the single byte `0x00`.
struct Fields(Sha256);

impl Fields {
    fn new(tag: &str) -> Fields {
        let mut f = Fields(Sha256::new());
        f.text(tag);
        f
    }

    fn text(&mut self, s: &str) {
        self.0.update([1u8]);
        self.0.update((s.len() as u64).to_be_bytes());
        self.0.update(s.as_bytes());
    }

    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.0.update([0u8]),
        }
    }

    fn int(&mut self, n: i64) {
        self.text(&n.to_string());
    }

    fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// What a version-2 snapshot chain hash covers besides the previous link.
#[derive(Debug, Clone, Copy)]
pub struct ChainInput<'a> {
    pub id: i64,
    pub content_hash: &'a str,
    pub taken_at: &'a str,
    pub label: Option<&'a str>,
    pub tool_version: &'a str,
    pub imported_at: &'a str,
    /// The input files in import order (`snapshot_files` by `seq`).
    pub files: &'a [InputFile],
    /// The import's flags in the order raised (`snapshot_flags` by `seq`).
    pub flags: &'a [Flag],
}

/// The version-2 chain hash of a snapshot: [`Fields`] tagged `whocan-chain-v2` over
/// the previous snapshot's chain hash (empty for the first), the snapshot's id,
/// content hash, `taken_at`, label (absent when none), `tool_version`,
/// `imported_at`, the number of input files and each file's path, kind, sha256 and
/// record count, then the number of flags and each flag's kind, subject and
/// detail. Editing any of them, or a file's or flag's order, changes it.
pub fn chain_hash_v2(previous: &str, s: &ChainInput<'_>) -> String {
    let mut f = Fields::new("whocan-chain-v2");
    f.text(previous);
    f.int(s.id);
    f.text(s.content_hash);
    f.text(s.taken_at);
    f.opt(s.label);
    f.text(s.tool_version);
    f.text(s.imported_at);
    f.int(s.files.len() as i64);
    for file in s.files {
        f.text(&file.path);
        f.text(&file.kind);
        f.text(&file.sha256);
        f.int(file.records as i64);
    }
    f.int(s.flags.len() as i64);
    for flag in s.flags {
        f.text(&flag.kind);
        f.text(&flag.subject);
        f.text(&flag.detail);
    }
    f.finish()
}

/// One row of an applied review sheet, as `review_decisions` stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailRow {
    pub sheet_row: i64,
    /// Lowercase.
    pub review_key: String,
    pub target_scope_key: String,
    pub target_scope: String,
    /// Lowercase `approve` / `remove` / `flag`, or None when left blank.
    pub decision: Option<String>,
    pub comment: Option<String>,
    pub content_hash: String,
}

/// One applied review sheet, as `review_applies` stores it.
#[derive(Debug, Clone, Copy)]
pub struct TrailLink<'a> {
    pub id: i64,
    pub snapshot_id: i64,
    pub file: &'a str,
    pub sheet_sha256: &'a str,
    pub reviewer: &'a str,
    pub applied_at: &'a str,
    /// In the order recorded (`review_decisions` by id).
    pub rows: &'a [TrailRow],
}

/// The review audit trail's chain hash of one applied sheet: [`Fields`] tagged
/// `whocan-review-chain-v1` over the previous apply's chain hash (empty for the
/// first), the apply's id, snapshot id, file, sheet sha256, reviewer, `applied_at`,
/// the number of rows and, for each row in recorded order, its sheet row, review
/// key, target scope key, target scope, decision (absent when blank), comment
/// (absent when none) and content hash.
pub fn review_chain_hash(previous: &str, a: &TrailLink<'_>) -> String {
    let mut f = Fields::new("whocan-review-chain-v1");
    f.text(previous);
    f.int(a.id);
    f.int(a.snapshot_id);
    f.text(a.file);
    f.text(a.sheet_sha256);
    f.text(a.reviewer);
    f.text(a.applied_at);
    f.int(a.rows.len() as i64);
    for r in a.rows {
        f.int(r.sheet_row);
        f.text(&r.review_key);
        f.text(&r.target_scope_key);
        f.text(&r.target_scope);
        f.opt(r.decision.as_deref());
        f.opt(r.comment.as_deref());
        f.text(&r.content_hash);
    }
    f.finish()
}

/// The `hash` column value of a row from its sha256 digest.
fn row_hash(digest: &[u8]) -> i64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssignmentSource, PrincipalKind, ScopeKind};

    fn principal(id: &str, name: &str) -> Principal {
        Principal {
            mail: None,
            other_mails: Vec::new(),
            from_member_list: false,
            id: id.to_string(),
            kind: PrincipalKind::User,
            display_name: name.to_string(),
            user_principal_name: Some(format!("{name}@c")),
            user_type: None,
            account_enabled: Some(true),
            app_id: None,
        }
    }

    fn edge(g: &str, m: &str) -> MemberEdge {
        MemberEdge {
            group_id: g.to_string(),
            member_id: m.to_string(),
            member_kind: Some(PrincipalKind::Group),
        }
    }

    fn assignment(id: &str, principal: &str, scope: &str) -> Assignment {
        Assignment {
            principal_display_name: None,
            can_delegate: None,
            start_date_time: None,
            end_date_time: None,
            id: id.to_string(),
            principal_id: principal.to_string(),
            principal_type: "User".to_string(),
            principal_name: None,
            role_definition_id: "ABC".to_string(),
            role_definition_name: Some("Reader".to_string()),
            scope: scope.to_string(),
            condition: None,
            condition_version: None,
            created_on: None,
            source: AssignmentSource::RoleAssignment,
        }
    }

    /// Mixed case, duplicates (first wins), keys that are prefixes of others, ids
    /// with and without their canonical spelling, records without ids.
    fn tenant() -> Tenant {
        Tenant {
            listed_kinds: None,
            mg_holdings: false,
            collection: None,
            assignment_notes: Vec::new(),
            eligibility_notes: Vec::new(),
            partial_access_files: Vec::new(),
            resource_facts: Vec::new(),
            partial_member_lists: Vec::new(),
            group_eligibilities: Vec::new(),
            principals: vec![
                principal("B-1", "Bea"),
                principal("a-1", "Al"),
                principal("b-1", "Bea again"),
                principal("a", "A"),
            ],
            member_edges: vec![
                edge("G1", "a-1"),
                edge("g", "G1"),
                edge("g1", "B-1"),
                edge("g", "a"),
                edge("G1", "A-1"),
                edge("g1x", "a"),
                edge("G", "b-1"),
            ],
            member_lists: vec!["G1".into(), "g".into(), "g1".into(), "g1x".into()],
            roles: vec![
                RoleDefinition {
                    id: "ABC".into(),
                    role_name: "Reader".into(),
                    role_type: "BuiltInRole".into(),
                    description: "Reads".into(),
                    permissions: vec![Default::default()],
                    assignable_scopes: vec!["/".into()],
                },
                RoleDefinition {
                    id: String::new(),
                    role_name: "Custom Thing".into(),
                    role_type: "CustomRole".into(),
                    description: String::new(),
                    permissions: Vec::new(),
                    assignable_scopes: Vec::new(),
                },
            ],
            assignments: vec![
                assignment("/Subscriptions/S/providers/X/roleAssignments/2", "a-1", "/"),
                assignment(
                    "/subscriptions/s/providers/x/roleassignments/1",
                    "B-1",
                    "/s",
                ),
                assignment("", "a", "/Subscriptions/S/"),
                assignment("/SUBSCRIPTIONS/S/PROVIDERS/X/ROLEASSIGNMENTS/2", "a", "/"),
            ],
            eligibilities: Vec::new(),
            denies: Vec::new(),
            scopes: vec![
                ScopeNode {
                    id: "/subscriptions/s/".into(),
                    kind: ScopeKind::Subscription,
                    name: "s".into(),
                    display_name: Some("S".into()),
                    resource_type: None,
                    parent_id: None,
                },
                ScopeNode {
                    id: "/subscriptions/s/resourceGroups/RG".into(),
                    kind: ScopeKind::ResourceGroup,
                    name: "RG".into(),
                    display_name: None,
                    resource_type: None,
                    parent_id: None,
                },
                ScopeNode {
                    id: "subscriptions/t".into(),
                    kind: ScopeKind::Subscription,
                    name: "t".into(),
                    display_name: None,
                    resource_type: None,
                    parent_id: None,
                },
            ],
            operations: vec![Operation {
                name: "Microsoft.X/read".into(),
                display_name: None,
                is_data_action: false,
                provider: "Microsoft.X".into(),
                resource_type: String::new(),
            }],
        }
    }

    /// Stored hashes must never change (existing databases compare row hashes across
    /// imports, `verify` recomputes content hashes): these values were computed by
    /// the original implementation, which serialised every row and built every key.
    #[test]
    fn content_and_row_hashes_are_pinned() {
        let t = tenant();
        let p = prepare(&t);
        let edges: Vec<(String, i64)> = p
            .member_edges
            .iter()
            .map(|r| (r.key.to_string().replace(EDGE_SEP, "|"), r.hash))
            .collect();
        let keys = |rows: Vec<String>| rows.join(" ");
        let summary = format!(
            "{}\n{:?}\n{}\n{}\n{}\n{}\n{}",
            p.content_hash,
            edges,
            keys(
                p.principals
                    .iter()
                    .map(|r| format!("{}={}", r.key.as_str(), r.hash))
                    .collect()
            ),
            keys(p.member_lists.iter().map(|r| r.key.to_string()).collect()),
            keys(p.roles.iter().map(|r| r.key.to_string()).collect()),
            keys(p.assignments.iter().map(|r| r.key.to_string()).collect()),
            keys(p.scopes.iter().map(|r| r.key.to_string()).collect()),
        );
        assert_eq!(
            summary,
            concat!(
                "af186cc7ac431cf67d811ab674632ab4dd372db8dfd3f578821d76c47c30409d\n",
                "[(\"g|a\", 1454159427620133133), (\"g|b-1\", 1863285045930559634), ",
                "(\"g|g1\", 348008426575506729), (\"g1|a-1\", -5653925482891262366), ",
                "(\"g1|b-1\", 5486863318047165663), (\"g1x|a\", 8972923444234137540)]\n",
                "a=-7384892018767153107 a-1=-4763654977046042802 b-1=3509294539372094125\n",
                "g g1 g1x\n",
                "abc name:custom thing\n",
                "/subscriptions/s/providers/x/roleassignments/1 ",
                "/subscriptions/s/providers/x/roleassignments/2 ~a|abc|/subscriptions/s\n",
                "/subscriptions/s /subscriptions/s/resourcegroups/rg /subscriptions/t"
            )
        );
        assert_eq!(content_hash(&canonicalize(&t)), p.content_hash);
    }

    #[test]
    fn parallel_hashing_matches_one_thread() {
        let items: Vec<MemberEdge> = (0..PARALLEL_MIN_ROWS as u32 * 2 + 7)
            .map(|i| {
                edge(
                    &format!("G{}", i % 997),
                    &format!("m{}", i.wrapping_mul(2654435761)),
                )
            })
            .collect();
        let (mut d1, mut d2) = (Sha256::new(), Sha256::new());
        let mut buf = Vec::new();
        let parallel = rows("member_edges", &items, &mut d1, &mut buf);
        let mut one = canonical_rows(&items);
        d2.update(format!("member_edges {}\n", one.len()).as_bytes());
        for row in &mut one {
            d2.update(hash_row(row, &mut buf));
        }
        assert_eq!(hex(&d1.finalize()), hex(&d2.finalize()));
        let hashes = |r: &[Row<'_, MemberEdge>]| r.iter().map(|r| r.hash).collect::<Vec<_>>();
        assert_eq!(hashes(&parallel), hashes(&one));
    }

    proptest::proptest! {
        /// Two-part keys order, compare and split exactly as the joined strings they
        /// stand for, even when a part holds the separator or prefixes another.
        #[test]
        fn keys_behave_as_joined_strings(
            a in "[ab\\x00]{0,6}", b in proptest::option::of("[ab\\x00]{0,6}"),
            c in "[ab\\x00]{0,6}", d in proptest::option::of("[ab\\x00]{0,6}"),
        ) {
            let k = |f: &str, s: &Option<String>| Key {
                first: Cow::Owned(f.to_string()),
                second: s.clone().map(Cow::Owned),
            };
            let joined = |f: &str, s: &Option<String>| match s {
                Some(s) => format!("{f}{EDGE_SEP}{s}"),
                None => f.to_string(),
            };
            let (x, y) = (k(&a, &b), k(&c, &d));
            let (jx, jy) = (joined(&a, &b), joined(&c, &d));
            proptest::prop_assert_eq!(x.cmp(&y), jx.cmp(&jy));
            proptest::prop_assert_eq!(
                sort_prefix(&x).cmp(&sort_prefix(&y)).then_with(|| x.cmp(&y)),
                jx.cmp(&jy)
            );
            proptest::prop_assert_eq!(x == y, jx == jy);
            proptest::prop_assert_eq!(x.to_string(), jx.clone());
            let (g, m) = jx.split_once(EDGE_SEP).unwrap_or((&jx, ""));
            let (pg, pm) = x.parts();
            proptest::prop_assert_eq!((pg.as_ref(), pm.as_ref()), (g, m));
        }
    }
}

#[cfg(test)]
mod chain_tests {
    use super::*;

    fn input<'a>(files: &'a [InputFile], flags: &'a [Flag]) -> ChainInput<'a> {
        ChainInput {
            id: 1,
            content_hash: "c",
            taken_at: "2026-10-01T00:00:00Z",
            label: Some("q4"),
            tool_version: "0.1.0",
            imported_at: "2026-10-02T00:00:00Z",
            files,
            flags,
        }
    }

    fn file(path: &str, sha: &str) -> InputFile {
        InputFile {
            path: path.into(),
            kind: "role-assignments".into(),
            sha256: sha.into(),
            records: 3,
        }
    }

    /// Version 1 is what databases written before V5 hold: it must never change.
    #[test]
    fn version_1_is_pinned() {
        assert_eq!(
            chain_hash("", "c", "2026-10-01T00:00:00Z", Some("q4")),
            hex(&Sha256::digest(b"\nc\n2026-10-01T00:00:00Z\nq4\n"))
        );
    }

    #[test]
    fn version_2_covers_every_provenance_field() {
        let files = [file("a.json", "aa"), file("b.json", "bb")];
        let flags = [Flag {
            kind: "undefined-role".into(),
            subject: "x".into(),
            detail: "d".into(),
        }];
        let base = chain_hash_v2("p", &input(&files, &flags));
        let mut seen = std::collections::HashSet::from([base.clone()]);
        let mut differs = |h: String| assert!(seen.insert(h), "a field left the hash unchanged");
        differs(chain_hash_v2("q", &input(&files, &flags)));
        for edit in 0..6 {
            let mut i = input(&files, &flags);
            match edit {
                0 => i.id = 2,
                1 => i.content_hash = "d",
                2 => i.label = None,
                3 => i.tool_version = "0.2.0",
                4 => i.imported_at = "2026-10-03T00:00:00Z",
                _ => i.taken_at = "2026-10-01T00:00:01Z",
            }
            differs(chain_hash_v2("p", &i));
        }
        let swapped = [file("b.json", "bb"), file("a.json", "aa")];
        differs(chain_hash_v2("p", &input(&swapped, &flags)));
        let edited = [file("a.json", "ab"), file("b.json", "bb")];
        differs(chain_hash_v2("p", &input(&edited, &flags)));
        differs(chain_hash_v2("p", &input(&files, &[])));
        // A label of "" is not an absent label.
        let mut i = input(&files, &flags);
        i.label = Some("");
        differs(chain_hash_v2("p", &i));
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        let rows = |c: Option<&str>| {
            vec![TrailRow {
                sheet_row: 2,
                review_key: "k".into(),
                target_scope_key: "/s".into(),
                target_scope: "/S".into(),
                decision: Some("approve".into()),
                comment: c.map(str::to_string),
                content_hash: "h".into(),
            }]
        };
        let link = |file: &'static str, sha: &'static str, rows: &'static [TrailRow]| TrailLink {
            id: 1,
            snapshot_id: 1,
            file,
            sheet_sha256: sha,
            reviewer: "r",
            applied_at: "t",
            rows,
        };
        let none: &'static [TrailRow] = Box::leak(rows(None).into_boxed_slice());
        let empty: &'static [TrailRow] = Box::leak(rows(Some("")).into_boxed_slice());
        assert_ne!(
            review_chain_hash("", &link("ab", "c", none)),
            review_chain_hash("", &link("a", "bc", none))
        );
        assert_ne!(
            review_chain_hash("", &link("a", "b", none)),
            review_chain_hash("", &link("a", "b", empty))
        );
    }
}
