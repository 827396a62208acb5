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

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{
    key, role_guid, scope_key, Assignment, DenyAssignment, Eligibility, MemberEdge, Operation,
    Principal, RoleDefinition, ScopeNode, Tenant,
};

/// A record of one versioned table: it knows its lowercase natural key.
pub(crate) trait Record: Serialize {
    fn natural_key(&self) -> String;
}

/// The `role_definitions.key` a role (or a reference to a role) joins on: the
/// lowercase GUID, or `name:<lowercase roleName>` when the id is empty.
pub fn role_key(id: &str, name: Option<&str>) -> String {
    if id.trim().is_empty() {
        format!("name:{}", key(name.unwrap_or("").trim()))
    } else {
        role_guid(id)
    }
}

/// Fallback key for records exported without an id: what they are about.
fn anonymous_key(principal: &str, role: &str, scope: &str) -> String {
    format!("~{}|{}|{}", key(principal), role, scope_key(scope))
}

impl Record for Principal {
    fn natural_key(&self) -> String {
        key(&self.id)
    }
}

/// Separator of the two halves of a member edge's key (in Rust only; the table
/// stores them as two columns). It sorts below every other character, so ordering
/// by the joined key is ordering by (group, member), as SQLite orders the table.
pub(crate) const EDGE_SEP: char = '\0';

impl Record for MemberEdge {
    fn natural_key(&self) -> String {
        let mut k = String::with_capacity(self.group_id.len() + self.member_id.len() + 1);
        k.push_str(&self.group_id);
        k.push(EDGE_SEP);
        k.push_str(&self.member_id);
        k.make_ascii_lowercase();
        k
    }
}

/// An entry of `Tenant::member_lists` (a group id).
impl Record for String {
    fn natural_key(&self) -> String {
        key(self)
    }
}

impl Record for RoleDefinition {
    fn natural_key(&self) -> String {
        role_key(&self.id, Some(&self.role_name))
    }
}

impl Record for Assignment {
    fn natural_key(&self) -> String {
        if self.id.trim().is_empty() {
            anonymous_key(
                &self.principal_id,
                &role_key(
                    &self.role_definition_id,
                    self.role_definition_name.as_deref(),
                ),
                &self.scope,
            )
        } else {
            key(&self.id)
        }
    }
}

impl Record for Eligibility {
    fn natural_key(&self) -> String {
        if self.id.trim().is_empty() {
            anonymous_key(
                &self.principal_id,
                &role_key(&self.role_definition_id, None),
                &self.scope,
            )
        } else {
            key(&self.id)
        }
    }
}

impl Record for DenyAssignment {
    fn natural_key(&self) -> String {
        if self.id.trim().is_empty() {
            format!("~{}|{}", scope_key(&self.scope), key(&self.name))
        } else {
            key(&self.id)
        }
    }
}

impl Record for ScopeNode {
    fn natural_key(&self) -> String {
        scope_key(&self.id)
    }
}

impl Record for Operation {
    fn natural_key(&self) -> String {
        key(&self.name)
    }
}

/// One record in canonical position, with its change hash.
pub(crate) struct Row<'a, T> {
    pub key: String,
    /// The first 8 bytes of the sha256 of the record's canonical JSON (big-endian),
    /// as stored in the `hash` column. A cryptographic hash, so that no crafted
    /// export can change a record while keeping its hash (and so its old version).
    pub hash: i64,
    pub rec: &'a T,
}

/// First record per natural key, ordered by key (ties are ordered by position, so
/// the first occurrence of a duplicated key comes first and `dedup_by` keeps it).
pub(crate) fn canonical<T: Record>(items: &[T]) -> Vec<(String, &T)> {
    let mut v: Vec<(String, usize, &T)> = items
        .iter()
        .enumerate()
        .map(|(i, r)| (r.natural_key(), i, r))
        .collect();
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    v.dedup_by(|later, earlier| later.0 == earlier.0);
    v.into_iter().map(|(k, _, r)| (k, r)).collect()
}

/// Canonical rows of one table; feeds the table's section into the content digest:
/// `<table name> <record count>\n`, then the 32-byte sha256 of each record's JSON.
fn rows<'a, T: Record>(
    table: &str,
    items: &'a [T],
    digest: &mut Sha256,
    buf: &mut Vec<u8>,
) -> Vec<Row<'a, T>> {
    let canonical = canonical(items);
    digest.update(format!("{table} {}\n", canonical.len()).as_bytes());
    canonical
        .into_iter()
        .map(|(key, rec)| {
            buf.clear();
            serde_json::to_writer(&mut *buf, rec).expect("model records serialize to JSON");
            let row_digest = Sha256::digest(&buf[..]);
            digest.update(row_digest);
            Row {
                key,
                hash: row_hash(&row_digest),
                rec,
            }
        })
        .collect()
}

/// A tenant in canonical form, borrowed, with its content hash.
pub(crate) struct Prepared<'a> {
    pub principals: Vec<Row<'a, Principal>>,
    pub member_edges: Vec<Row<'a, MemberEdge>>,
    pub member_lists: Vec<Row<'a, String>>,
    pub roles: Vec<Row<'a, RoleDefinition>>,
    pub assignments: Vec<Row<'a, Assignment>>,
    pub eligibilities: Vec<Row<'a, Eligibility>>,
    pub denies: Vec<Row<'a, DenyAssignment>>,
    pub scopes: Vec<Row<'a, ScopeNode>>,
    pub operations: Vec<Row<'a, Operation>>,
    pub content_hash: String,
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
    Prepared {
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

/// The content hash of a tenant: sha256 (hex) over its canonical form — a version
/// line, then per table (in `Tenant` field order) a line with its name and record
/// count followed by the sha256 of each record's serde_json — first record per
/// natural key, records ordered by natural key. Independent of the order of the
/// input files and of the records in them; equal to the hash of what
/// `Store::load_tenant` returns for a snapshot written from `t`.
pub fn content_hash(t: &Tenant) -> String {
    prepare(t).content_hash
}

/// The canonical form of a tenant: duplicates (same natural key) dropped, the first
/// kept, every table ordered by natural key. `Store::load_tenant` returns exactly
/// `canonicalize(written)`.
pub fn canonicalize(t: &Tenant) -> Tenant {
    fn owned<T: Record + Clone>(items: &[T]) -> Vec<T> {
        canonical(items)
            .into_iter()
            .map(|(_, r)| r.clone())
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
