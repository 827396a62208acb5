//! The access review (SPEC §5): one row per (principal, assignment, path) that gives
//! access at or below a target scope, with the facts a reviewer needs (privileged?
//! inherited? through which groups? active or eligible?) and the recommendations the
//! data supports; plus the carry-over of earlier decisions and the removal plan.
//!
//! Pure like the rest of the engine: rows come from an [`Index`] and a scope, the
//! reference time is the snapshot's `taken_at` (never the clock), earlier decisions
//! come in as plain values. No SQL, no printing, no file.

use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{key, role_guid, scope_key, AssignmentSource};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::engine::decide::{
    deny_reaches, holder_ids, principal_info, DenyNames, GroupRef, Incomplete, IncompleteReason,
    PrincipalInfo,
};
use crate::engine::index::Index;
use crate::engine::permissions::{denied_operations, deny_takes_from, is_privileged};
use crate::engine::window::{window_state, window_text, WindowState};
use crate::model::Timestamp;

/// (role id, scope key, eligible): a role held at a scope, for counting holders.
type RoleAtScope = (Rc<str>, Rc<str>, bool);
/// How many users holding one role directly at one scope call for a group.
pub(crate) const MANY_DIRECT_USERS: usize = 5;

/// The most membership paths listed below one group holder; past it the review is
/// marked incomplete instead of growing without bound (nested groups with many
/// diamonds have exponentially many simple paths).
pub(crate) const MAX_PATHS_PER_HOLDER: usize = 100_000;

/// How the row's access is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
// `ActivePim` spells the sheet's "active (PIM)"; the lint only fires now the enum is crate-private.
#[allow(clippy::enum_variant_names)]
pub(crate) enum Pim {
    /// A role assignment.
    #[serde(rename = "active")]
    Active,
    /// An active PIM assignment (roleAssignmentScheduleInstances) with no plain
    /// role assignment behind it.
    #[serde(rename = "active (PIM)")]
    ActivePim,
    /// A PIM eligibility instance: grants nothing until activated.
    #[serde(rename = "eligible")]
    Eligible,
}

impl Pim {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Pim::Active => "active",
            Pim::ActivePim => "active (PIM)",
            Pim::Eligible => "eligible",
        }
    }
}

/// What the data suggests doing with a row, most urgent kind first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum RecommendationKind {
    Remove,
    Review,
    UseGroup,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Recommendation {
    pub(crate) kind: RecommendationKind,
    /// Stable identifier: `orphaned`, `disabled`, `eligibility-ended`,
    /// `scheduled`, `undefined-role`, `guest-privileged`, `members-not-imported`,
    /// `many-direct-users`, `eligible-only`, `also-active`.
    pub(crate) code: &'static str,
    /// One line for the sheet, starting with the kind (`remove: ...`).
    pub(crate) text: Rc<str>,
}

/// One line of the review sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRow {
    /// Stable across snapshots for the same (principal, assignment, group path).
    pub(crate) review_key: String,
    /// Shared by the rows of one principal.
    pub(crate) principal: Rc<PrincipalInfo>,
    /// The role's name; for an undefined role the name the assignment gave, if any.
    /// (Strings that many rows share are reference-counted: a sheet has millions.)
    pub(crate) role_name: Rc<str>,
    /// The role's GUID (lowercase).
    pub(crate) role_id: Rc<str>,
    /// `BuiltInRole`, `CustomRole`, or empty when the role is not defined.
    pub(crate) role_type: Rc<str>,
    pub(crate) role_defined: bool,
    /// The role grants `Microsoft.Authorization/roleAssignments/write` (per block).
    pub(crate) privileged: bool,
    /// The role assignment id, or the PIM eligibility instance id.
    pub(crate) assignment_id: Rc<str>,
    pub(crate) assignment_scope: Rc<str>,
    pub(crate) target_scope: Rc<str>,
    /// Held at an ancestor of the target scope.
    pub(crate) inherited: bool,
    /// Held below the target scope (a child resource).
    pub(crate) below: bool,
    /// Groups from the principal to the assignment's holder, nearest first (empty
    /// when the principal holds the assignment itself).
    /// Shared by the rows through one membership path.
    pub(crate) via: Rc<[GroupRef]>,
    /// `Alice Nguyen → ML Data Scientists → All ML Staff`, or `direct`.
    pub(crate) access_path: Rc<str>,
    /// PIM for Groups: the index in `via` of the group the principal's path reaches
    /// by an eligible membership; None for a path of memberships only.
    pub(crate) via_eligible: Option<usize>,
    pub(crate) condition: Option<Rc<str>>,
    pub(crate) pim: Pim,
    pub(crate) start_date_time: Option<Rc<str>>,
    pub(crate) end_date_time: Option<Rc<str>>,
    /// An eligibility whose end lies before the snapshot's `taken_at`.
    pub(crate) expired: bool,
    pub(crate) recommendations: Vec<Recommendation>,
    /// Hash of the access-relevant content (see [`ReviewRow::access_fields`]) and
    /// of the role's permissions: a decision carries over only while it is unchanged.
    pub(crate) content_hash: String,
    /// The deny assignments that block some of the role's actions for this
    /// principal where the access reaches the reviewed scopes (SPEC §5 `blocked_by`),
    /// in import order; empty when none does.
    pub(crate) blocked_by: Rc<[DenyRef]>,
    /// The PIM or time-bound window, `START..END` in the one timestamp format
    /// ([`crate::engine::window::window_text`]); empty when the access has none.
    pub(crate) window: Rc<str>,
    /// How many reviewed target scopes the row stands for (SPEC §5 `covers`): more
    /// than one for access held above several targets, 1 otherwise.
    pub(crate) covers: usize,
    /// Those target scopes, as scope keys.
    #[serde(skip)]
    pub(crate) covered: Rc<[String]>,
}

/// A deny assignment named on a review row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DenyRef {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scope: String,
}

impl ReviewRow {
    /// The recommendations as one cell: `remove: ...; note: ...`.
    #[cfg(test)]
    pub(crate) fn recommendation(&self) -> String {
        self.recommendations
            .iter()
            .map(|r| &*r.text)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The sheet cells, by column name, whose change makes an earlier decision stale.
    /// Display names are not among them: renaming changes no access.
    pub(crate) fn access_fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(12);
        self.each_access_field(|k, v| out.push((k, v.to_string())));
        out
    }

    /// [`ReviewRow::access_fields`] one at a time, borrowed.
    fn each_access_field(&self, mut f: impl FnMut(&'static str, &str)) {
        let b = |v: bool| if v { "true" } else { "false" };
        f("review_key", &self.review_key);
        f("principal_id", &self.principal.id);
        f("principal_type", &self.principal.kind);
        f(
            "user_type",
            self.principal.user_type.as_deref().unwrap_or(""),
        );
        f(
            "account_enabled",
            self.principal.account_enabled.map(b).unwrap_or(""),
        );
        f("role_id", &self.role_id);
        f("privileged", b(self.privileged));
        f("assignment_id", &self.assignment_id);
        f("assignment_scope", &self.assignment_scope);
        f("condition", self.condition.as_deref().unwrap_or(""));
        f("pim", self.pim.as_str());
        f("orphaned", self.principal.orphan_text());
    }

    /// The hash of the access fields (values lowercased), the role's permissions
    /// (`role_digest`) and the PIM window: `short_hash` of those lines joined by
    /// newlines, fed to the hasher piece by piece. The definition; rows are hashed
    /// by [`content_hash`] from parts made once per principal and held access.
    #[cfg(test)]
    fn access_hash(&self, role_digest: &str) -> String {
        let mut h = Sha256::new();
        let mut first = true;
        let mut lower = Vec::new();
        self.each_access_field(|k, v| {
            if !first {
                h.update(b"\n");
            }
            first = false;
            lower.clear();
            lower.extend(v.bytes().map(|c| c.to_ascii_lowercase()));
            h.update(k.as_bytes());
            h.update(b"=");
            h.update(&lower);
        });
        h.update(b"\nrole=");
        h.update(role_digest.as_bytes());
        h.update(b"\nwindow=");
        h.update(self.start_date_time.as_deref().unwrap_or("").as_bytes());
        h.update(b"..");
        h.update(self.end_date_time.as_deref().unwrap_or("").as_bytes());
        hex8(&h.finalize())
    }
}

/// [`ReviewRow::access_hash`] from its parts, into `out`: the principal's fields
/// (`principal_id=...` to `account_enabled=...`, values lowercased), the held
/// access's (`role_id=...` to `pim=...`), the orphaned text, and the tail
/// (`\nrole=DIGEST\nwindow=START..END`, as is). `input` is the buffer the hashed
/// text is put together in (one digest call per row).
fn content_hash(
    input: &mut Vec<u8>,
    out: &mut [u8; 16],
    review_key: &str,
    principal: &str,
    held: &str,
    orphaned: &str,
    tail: &str,
) {
    input.clear();
    for part in [
        "review_key=",
        review_key,
        "\n",
        principal,
        "\n",
        held,
        "\norphaned=",
        orphaned,
        tail,
    ] {
        input.extend_from_slice(part.as_bytes());
    }
    hex8_into(&Sha256::digest(input.as_slice()), out);
}

/// `principal_id=..\nprincipal_type=..\nuser_type=..\naccount_enabled=..`, lowercased.
fn principal_part(p: &PrincipalInfo) -> String {
    let b = |v: bool| if v { "true" } else { "false" };
    format!(
        "principal_id={}\nprincipal_type={}\nuser_type={}\naccount_enabled={}",
        p.id,
        p.kind,
        p.user_type.as_deref().unwrap_or(""),
        p.account_enabled.map(b).unwrap_or("")
    )
    .to_ascii_lowercase()
}

/// The review of one or more target scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub(crate) targets: Vec<String>,
    /// The scopes of the rows, in order: where access shared by several targets is
    /// held (broadest first), then each target (in the order asked).
    pub(crate) scopes: Vec<ReviewScope>,
    /// By scope, then principal name, role, assignment scope, path.
    pub rows: Vec<ReviewRow>,
    /// Groups whose members the sheet could not list (never imported, or too many paths).
    pub incomplete: Vec<Incomplete>,
}

/// `review_key`: the first 16 hex digits of the sha256 of the lowercase principal id,
/// assignment id and group path (nearest group first).
#[cfg(test)]
pub(crate) fn review_key(principal_id: &str, assignment_id: &str, via: &[String]) -> String {
    let via: Vec<String> = via.iter().map(|g| key(g)).collect();
    let digest = key_digest(
        &mut Vec::new(),
        &key(principal_id),
        &key(assignment_id),
        &via.join(">"),
    );
    hex8(&digest)
}

/// The digest of [`review_key`] of keys (lowercase already), its first 8 bytes:
/// the hash of `principal\nassignment\n` and the groups joined by `>` (`via`).
/// `input` is the buffer the hashed text is put together in (one digest call).
fn key_digest(input: &mut Vec<u8>, principal: &str, assignment: &str, via: &str) -> [u8; 8] {
    input.clear();
    input.extend_from_slice(principal.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(assignment.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(via.as_bytes());
    let digest = Sha256::digest(input.as_slice());
    let mut out = [0; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

#[cfg(test)]
fn short_hash(s: &str) -> String {
    hex8(&Sha256::digest(s.as_bytes()))
}

/// The first 8 bytes of a digest, in lowercase hex.
#[cfg(test)]
fn hex8(d: &[u8]) -> String {
    let mut out = [0; 16];
    hex8_into(d, &mut out);
    hex_str(&out).to_string()
}

/// The first 8 bytes of a digest, in lowercase hex, into `out`.
fn hex8_into(d: &[u8], out: &mut [u8; 16]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in d.iter().take(8).enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 15)];
    }
}

/// Hex digits as text.
fn hex_str(hex: &[u8; 16]) -> &str {
    std::str::from_utf8(hex).unwrap_or_default()
}

/// The groups of one membership path below a holder, shared by every member
/// reached through them.
struct Via {
    /// The groups from the nearest up to the holder (empty: held directly).
    groups: Box<[Rc<PrincipalFacts>]>,
    /// Their keys joined by `>`: the path's part of the review key ([`key_digest`]).
    joined: Box<str>,
    /// ` → Group → Holder`: what follows the member's name in `access_path`.
    suffix: Box<str>,
    /// The groups as a row names them, made when a whole row is (a sheet written
    /// as it is made does not need them).
    refs: OnceCell<Rc<[GroupRef]>>,
    /// PIM for Groups: the index in `groups` of the group the path reaches by an
    /// eligible membership (the principal before it may join it); None for a path
    /// of memberships only.
    eligible_hop: Option<usize>,
}

/// The path of `chain`, the groups from the holder down to a member's group.
fn via_of(ix: &Index, chain: &[Rc<PrincipalFacts>]) -> Via {
    via_through(ix, chain.iter().rev().cloned().collect(), None)
}

/// `via` continued by an eligible membership (PIM for Groups) of `up[0]`, then the
/// memberships from it up to the holder (`up`, nearest first). The hop is named
/// in the path (`→ Group (eligible)`) and, with the membership instance's record
/// key `instance`, in the review key's part: it is never the same path as a
/// membership of that group, nor as another instance (a renewal) of it.
fn via_eligible(ix: &Index, via: &Via, up: &[Rc<PrincipalFacts>], instance: &str) -> Via {
    let groups = via.groups.iter().chain(up).cloned().collect();
    via_through(ix, groups, Some((via.groups.len(), instance)))
}

/// A held access's parts of the content hash ([`content_hash`]): what it grants,
/// where, how (`pim`), and its role's permissions and window.
fn hash_parts(
    role: &RoleFacts,
    id: &str,
    scope: &str,
    condition: Option<&str>,
    pim: Pim,
    start: Option<&str>,
    end: Option<&str>,
) -> (String, String) {
    let b = |v: bool| if v { "true" } else { "false" };
    let part = format!(
        "role_id={}\nprivileged={}\nassignment_id={}\nassignment_scope={}\ncondition={}\npim={}",
        role.id,
        b(role.privileged),
        id,
        scope,
        condition.unwrap_or(""),
        pim.as_str()
    )
    .to_ascii_lowercase();
    let tail = format!(
        "\nrole={}\nwindow={}..{}",
        role.digest,
        start.unwrap_or(""),
        end.unwrap_or("")
    );
    (part, tail)
}

/// The [`Via`] of `groups` (nearest first), with its eligible hop (index, and the
/// membership instance's record key) when it has one.
fn via_through(ix: &Index, groups: Box<[Rc<PrincipalFacts>]>, hop: Option<(usize, &str)>) -> Via {
    let mut suffix = String::new();
    let mut joined = String::new();
    for (i, g) in groups.iter().enumerate() {
        suffix.push_str(" → ");
        suffix.push_str(g.group_name(ix));
        if i > 0 {
            joined.push('>');
        }
        joined.push_str(&g.member);
        if let Some((_, instance)) = hop.filter(|h| h.0 == i) {
            suffix.push_str(" (eligible)");
            joined.push_str("!eligible:");
            joined.push_str(&key(instance));
        }
    }
    Via {
        groups,
        joined: joined.into(),
        suffix: suffix.into(),
        refs: OnceCell::new(),
        eligible_hop: hop.map(|h| h.0),
    }
}

impl Via {
    fn is_direct(&self) -> bool {
        self.groups.is_empty()
    }

    /// The group keys, nearest first: how paths compare.
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(|g| g.member.as_str())
    }

    fn refs(&self, ix: &Index) -> Rc<[GroupRef]> {
        self.refs
            .get_or_init(|| {
                self.groups
                    .iter()
                    .map(|g| GroupRef {
                        id: g.member.clone(),
                        name: g.group_name(ix).to_string(),
                    })
                    .collect()
            })
            .clone()
    }
}

/// One direct member of a group, as the membership walk needs it.
struct Member {
    /// None for a device or contact: members, never principals (SPEC §1).
    p: Option<Rc<PrincipalFacts>>,
    /// The key of a member that is no principal (a principal's is `p.member`).
    other: Option<Box<str>>,
    /// A group with members of its own.
    has_members: bool,
}

impl Member {
    fn key(&self) -> &str {
        match &self.p {
            Some(p) => &p.member,
            None => self.other.as_deref().unwrap_or_default(),
        }
    }
}

/// A principal as the review rows show it, made once per principal.
struct PrincipalFacts {
    /// Its key.
    member: String,
    /// Its number among the reviewer's principals, in the order they were first
    /// met: what a sheet writer keeps the principal's cells by ([`RowParts::principal_no`]).
    no: u32,
    info: Rc<PrincipalInfo>,
    /// Its display name lowercased: the rows' sort order.
    sort_name: Box<str>,
    /// [`principal_part`], made when a row's content hash first needs it (a CSV
    /// sheet hashes only the rows decided before).
    hash_part: OnceCell<Box<str>>,
    /// [`Index::is_principal`] and "a group with members of its own", asked once
    /// per principal instead of once per membership edge.
    is_principal: bool,
    has_members: bool,
    /// What its rows' recommendations ask of it, read once from `info`.
    flags: PrincipalFlags,
    /// Its place in the rows' order ([`Reviewer::rank`]).
    rank: Cell<u32>,
    /// The deny assignments that name it, as a deny list id ([`Reviewer::naming`]).
    denies: OnceCell<u32>,
    /// Its name on a path through it ([`Index::name_of`]), once asked.
    group_name: OnceCell<Box<str>>,
    /// (role, scope id) of what it holds actively ([`Reviewer::active_of`]).
    active: OnceCell<Box<[(u32, u32)]>>,
}

impl PrincipalFacts {
    /// The name that begins an access path: the display name, else the id.
    fn name_or_id(&self) -> &str {
        if self.info.display_name.is_empty() {
            &self.info.id
        } else {
            &self.info.display_name
        }
    }

    fn hash_part(&self) -> &str {
        self.hash_part
            .get_or_init(|| principal_part(&self.info).into())
    }

    fn group_name(&self, ix: &Index) -> &str {
        self.group_name
            .get_or_init(|| ix.name_of(&self.member).into())
    }
}

/// A principal's standing as its rows' recommendations read it.
#[derive(Clone, Copy)]
struct PrincipalFlags {
    /// `true`, `false` or `unknown` ([`PrincipalInfo::orphan_text`]).
    orphan_text: &'static str,
    orphaned: bool,
    disabled: bool,
    guest: bool,
    user: bool,
    /// A group whose members were not imported.
    unlisted_group: bool,
}

/// One membership path below a holder: the principal at its end and the groups
/// on the way. Every row through it shares both.
struct PathFacts {
    p: Rc<PrincipalFacts>,
    via: Rc<Via>,
    /// The group the path's member would join by activating a PIM for Groups
    /// eligibility (an eligible row's path): the denies that would name it
    /// then are those that name it once a member ([`Reviewer::path_naming`]).
    joins: Option<Rc<str>>,
}

impl PathFacts {
    /// `Alice Nguyen → ML Data Scientists → All ML Staff`, or `direct`, into `out`.
    fn access_path(&self, out: &mut String) {
        out.clear();
        if self.via.is_direct() {
            out.push_str(DIRECT);
        } else {
            out.push_str(self.p.name_or_id());
            out.push_str(&self.via.suffix);
        }
    }
}

/// The access path of a principal that holds the access itself.
const DIRECT: &str = "direct";

/// `is_principal`: [`Index::is_principal`] of `id`, when the caller asked already.
fn principal_facts(ix: &Index, id: &str, no: u32, is_principal: Option<bool>) -> PrincipalFacts {
    let info = principal_info(ix, id);
    PrincipalFacts {
        member: id.to_string(),
        no,
        sort_name: info.display_name.to_lowercase().into(),
        hash_part: OnceCell::new(),
        is_principal: is_principal.unwrap_or_else(|| ix.is_principal(id)),
        has_members: ix.members_of.contains_key(id),
        flags: PrincipalFlags {
            orphan_text: info.orphan_text(),
            orphaned: info.is_orphaned(),
            disabled: info.account_enabled == Some(false),
            guest: info.is_guest(),
            user: info.kind.eq_ignore_ascii_case("User"),
            unlisted_group: info.is_group() && !ix.member_lists.contains(&info.id),
        },
        rank: Cell::new(0),
        denies: OnceCell::new(),
        group_name: OnceCell::new(),
        active: OnceCell::new(),
        info: Rc::new(info),
    }
}

/// The membership paths below one holder, and what the review could not see there.
struct HolderPaths {
    paths: Vec<PathFacts>,
    /// Cut at [`MAX_PATHS_PER_HOLDER`].
    truncated: bool,
    /// Groups on the paths whose members were not (fully) imported, or whose PIM
    /// for Groups could not be read: ([`group_gap_key`](crate::engine::query::group_gap_key), gap).
    gaps: Vec<(String, Incomplete)>,
}

/// What every row of one role shares.
struct RoleFacts {
    /// Position in the index's roles; None for an undefined role.
    index: Option<usize>,
    name: Rc<str>,
    /// Lowercase name: the rows' sort order.
    sort: Rc<str>,
    id: Rc<str>,
    role_type: Rc<str>,
    privileged: bool,
    /// The permissions as JSON (part of the content hash), `undefined` when none.
    digest: String,
}

/// One held access (a role assignment or a PIM eligibility) before it is expanded
/// to the principals that have it.
struct HeldAccess {
    /// The holder's key, and the membership paths below it.
    holder: String,
    paths: Rc<HolderPaths>,
    assignment_id: Rc<str>,
    assignment_key: Rc<str>,
    scope: Rc<str>,
    scope_key: Rc<str>,
    role: Rc<RoleFacts>,
    /// Trimmed: the sheet's cell is read back trimmed, and a row must look the same
    /// after `review apply` as before it.
    condition: Option<Rc<str>>,
    pim: Pim,
    start: Option<Rc<str>>,
    end: Option<Rc<str>>,
    window: Rc<str>,
    expired: bool,
    /// Its window starts after the snapshot: it grants nothing yet.
    scheduled: bool,
    /// Its place in the rows' order ([`Reviewer::rank`]).
    rank: u32,
    /// Its parts of the content hash ([`content_hash`]).
    hash_part: String,
    hash_tail: String,
    /// The reviewed targets at or below the held scope (indices), and the deny
    /// assignments that may block the role at one of them.
    covered: Rc<[usize]>,
    /// The recommendations whose words depend on the held access alone, made once.
    notes: HeldNotes,
    /// The held scope and its ancestors, as scope ids ([`Reviewer::scope_id`]).
    anc: Box<[u32]>,
}

/// A held access's recommendation texts ([`Reviewer::recommend`] decides which
/// rows get them).
#[derive(Default)]
struct HeldNotes {
    /// `eligibility-ended`: the eligibility, or the time-bound active assignment,
    /// ended before the snapshot.
    ended: Option<Rc<str>>,
    /// `scheduled`: the eligibility, or the time-bound active assignment, starts
    /// after the snapshot.
    scheduled: Option<Rc<str>>,
    /// `many-direct-users`: this many users hold the role directly at the scope.
    many: Option<Rc<str>>,
    /// `also-active` and `eligible-only`, for an eligibility that has not ended.
    eligible: Option<(Rc<str>, Rc<str>)>,
}

impl HeldNotes {
    /// The texts of held access `h`, which `direct_users` users hold directly.
    fn of(h: &HeldAccess, direct_users: usize) -> HeldNotes {
        // The same codes for both: a time-bound active assignment (a PIM
        // activation) starts and ends as an eligibility does.
        let what = if h.pim == Pim::Eligible {
            "the eligibility"
        } else {
            "the time-bound assignment"
        };
        let ended = h.expired.then(|| {
            format!(
                "remove: {what} ended {}, before the snapshot",
                h.end.as_deref().unwrap_or("")
            )
            .into()
        });
        let scheduled = h.scheduled.then(|| {
            format!(
                "note: {what} starts {}, after the snapshot; it grants nothing until then",
                h.start.as_deref().unwrap_or("")
            )
            .into()
        });
        let many = (direct_users >= MANY_DIRECT_USERS).then(|| {
            format!(
                "use a group: {direct_users} users hold {} directly at this scope",
                h.role.name
            )
            .into()
        });
        let eligible = (h.pim == Pim::Eligible && !h.expired).then(|| {
            let window = format!(
                "{} → {}",
                h.start.as_deref().unwrap_or("?"),
                h.end.as_deref().unwrap_or("no end")
            );
            (
                format!("note: also held active; this eligibility ({window}) adds nothing").into(),
                format!(
                    "note: held only through PIM eligibility ({window}); grants nothing until activated"
                )
                .into(),
            )
        });
        HeldNotes {
            ended,
            scheduled,
            many,
            eligible,
        }
    }
}

/// The recommendation texts that are the same on every row.
struct Texts {
    orphaned: Rc<str>,
    disabled: Rc<str>,
    undefined_role: Rc<str>,
    guest_privileged: Rc<str>,
    members_not_imported: Rc<str>,
}

impl Texts {
    fn new() -> Texts {
        Texts {
            orphaned: "remove: the principal is in no directory listing (deleted?)".into(),
            disabled: "remove: the account is disabled".into(),
            undefined_role: "remove: the role is not defined; the assignment grants nothing".into(),
            guest_privileged: "review: a guest with a privileged role (can change access)".into(),
            members_not_imported:
                "review: the group's members were not imported; who holds this through it is unknown"
                    .into(),
        }
    }
}

/// Where a row's held scope stands to the reviewed scope(s) of its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// The held scope is the target.
    At,
    /// Held above: inherited by the target(s).
    Above,
    /// Held below the target (a child resource).
    Below,
}

/// One row of a group before it is made: a held access, a path below its holder,
/// and where the row stands. Indices into its plan, no references, so that the
/// entries the size estimate's sample made can be kept for the writer
/// ([`Reviewer::sample`], [`Kept`]). The review key is made with the row
/// ([`Reviewer::make`]): the sort does not need it.
struct Entry {
    /// Its principal's and its held access's ranks (the sort order).
    rank: u64,
    /// The held access's index in the plan.
    held_no: u32,
    /// The path's index among the held access's paths.
    path_no: u32,
    /// The targets the row stands for: an index of [`Reviewer::lists`].
    covered: u32,
    /// The deny assignments that block it: a deny list id ([`Reviewer::intern`]).
    blocked: u32,
    relation: Relation,
}

impl Entry {
    fn held<'p>(&self, plan: &'p RowPlan) -> &'p HeldAccess {
        &plan.helds[self.held_no as usize]
    }

    fn path<'p>(&self, plan: &'p RowPlan) -> &'p PathFacts {
        &self.held(plan).paths.paths[self.path_no as usize]
    }
}

/// The sorted entries of one group that the size estimate's sample made, kept
/// until [`Reviewer::each_row`] reaches the group so that they are not made twice
/// (a subscription's review is mostly one group of hundreds of thousands).
struct Kept {
    /// The plan ([`RowPlan::id`]) and the group's index in it.
    plan: u64,
    group: usize,
    entries: Vec<Entry>,
}

/// A row of a target's group split off a shared one (a deny assignment blocks the
/// access at this target and not at the others); it stands for that target alone.
struct Extra {
    held: u32,
    path: u32,
    blocked: u32,
    relation: Relation,
}

/// Where one path's rows through a held access shared by several targets go
/// ([`Reviewer::split`]): the shared row's (targets, denies), if any, and the
/// (target, denies) of the rows of their own; denies as deny list ids.
struct Split {
    shared: Option<(Rc<[usize]>, u32)>,
    own: Vec<(usize, u32)>,
}

/// The rows of one scope: access held above several targets (`shared`), or one
/// target's own rows.
struct Group {
    /// The rows' `target_scope`: the held scope of a shared group, else the target.
    scope: Rc<str>,
    /// The targets the group's scope covers.
    covered: Rc<[usize]>,
    shared: bool,
    /// Held accesses (indices) and how they stand to the group's scope.
    helds: Vec<(usize, Relation)>,
    /// Rows split off a shared group.
    extra: Vec<Extra>,
    rows: usize,
}

/// One scope of a review and how many targets it stands for: a reviewed target,
/// or a scope above several (where their shared access is held).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReviewScope {
    pub(crate) scope: String,
    pub(crate) covers: usize,
}

/// The review's rows, planned and counted before any is made: which rows each
/// scope holds, and what the review could not see. Holds one entry per held access,
/// never one per row, so that a review of any size is planned in little memory;
/// rows are made group by group ([`Reviewer::each_row`]).
pub(crate) struct RowPlan {
    /// Which plan this is, one number per plan made in the process: what the
    /// entries a reviewer keeps ([`Kept`]) and its target lists belong to.
    id: u64,
    pub(crate) targets: Vec<String>,
    /// The targets as rows name them, and as scope keys.
    target_rcs: Vec<Rc<str>>,
    target_keys: Vec<String>,
    /// Per target: the scopes at and above it, as scope ids.
    target_anc: Vec<Box<[u32]>>,
    /// Per target: the deny assignments (indices) that reach it.
    reach: Vec<Rc<FxHashSet<usize>>>,
    helds: Vec<HeldAccess>,
    groups: Vec<Group>,
    /// Groups whose members the sheet could not list, and other gaps.
    pub(crate) incomplete: Vec<Incomplete>,
    /// How many rows the review has.
    pub(crate) rows: usize,
}

impl RowPlan {
    /// The scopes of the review, in the order their rows come.
    pub(crate) fn scopes(&self) -> Vec<ReviewScope> {
        self.groups
            .iter()
            .map(|g| ReviewScope {
                scope: g.scope.to_string(),
                covers: g.covered.len(),
            })
            .collect()
    }
}

/// The group the rows that follow belong to.
pub(crate) struct GroupHead<'p> {
    /// The rows' `target_scope`.
    pub(crate) scope: &'p str,
    /// How many targets the scope covers.
    pub(crate) covers: usize,
}

/// What [`Reviewer::each_row`] hands on: the start of a group (every group, an
/// empty one too), then each of its rows.
pub(crate) enum Visit<'v> {
    Group(GroupHead<'v>),
    Row(&'v RowParts<'v>),
}

/// A list of reviewed targets that rows stand for: indices and scope keys.
struct TargetList {
    targets: Rc<[usize]>,
    keys: Rc<[String]>,
}

/// Reviews the target scopes (SPEC §5). `taken_at` is the snapshot's time, against
/// which PIM windows are evaluated.
pub fn review(ix: &Index, targets: &[String], taken_at: &str) -> Review {
    Reviewer::new(ix, taken_at).review(targets)
}

/// Reviews one or more targets over one index, keeping what reviews share: the
/// membership paths below each holder, principal and role facts, scope ancestries,
/// which deny assignments name whom.
pub(crate) struct Reviewer<'a> {
    ix: &'a Index,
    now: Option<Timestamp>,
    paths_cache: FxHashMap<String, Rc<HolderPaths>>,
    info_cache: FxHashMap<String, Rc<PrincipalFacts>>,
    /// A group's direct members, by the group's number ([`Reviewer::group_members`]).
    members_cache: Vec<Option<Rc<[Member]>>>,
    /// `direct`, the access path every holder's own row shares.
    direct: Rc<str>,
    /// The path of a holder's own row.
    no_via: Rc<Via>,
    /// Ancestors (the scope included) of each scope asked about.
    anc_cache: FxHashMap<String, Rc<FxHashSet<String>>>,
    /// Every scope holding an assignment or eligibility, once.
    held_scopes: Vec<String>,
    role_cache: FxHashMap<(String, String), Rc<RoleFacts>>,
    /// Per deny assignment: the catalogue operations it denies, once asked.
    denied_ops: Vec<Option<Vec<(String, bool)>>>,
    /// (deny, role) → does the deny take something from the role?
    deny_takes: FxHashMap<(usize, usize), bool>,
    /// Scope key → the deny assignments that reach it.
    deny_reach: FxHashMap<String, Rc<FxHashSet<usize>>>,
    /// The catalogue, (lowercase name, data plane), once a deny asks for it.
    catalogue: Option<Vec<(String, bool)>>,
    /// Whom each deny assignment names, indexed once asked.
    deny_names: Option<DenyNames>,
    /// [`Reviewer::path_naming`] of a member joining a group: (member, group) →
    /// deny list id.
    joined_denies: HashMap<(String, String), u32>,
    /// [`Reviewer::split`]'s answers in the current plan, by (targets, denies
    /// naming the member).
    split_cache: FxHashMap<(usize, Vec<usize>), Rc<Split>>,
    /// The distinct lists of deny assignments (few in any tenant): list id `i` is
    /// `deny_lists[i - 1]`, id 0 the empty list; and the lists as rows name them
    /// (`deny_refs[i]`).
    deny_lists: Vec<Rc<[usize]>>,
    deny_refs: Vec<OnceCell<Rc<[DenyRef]>>>,
    deny_list_ids: FxHashMap<Rc<[usize]>, u32>,
    /// When set, only rows with one of these keys get a content hash (the rest an
    /// empty one): a CSV sheet does not show it, and only a row with an earlier
    /// decision compares it ([`carry_over`]).
    hash_only: Option<HashSet<String>>,
    /// Group key → what the group and its holders hold actively ([`Reviewer::active_of`]).
    group_active: FxHashMap<String, Rc<[(u32, u32)]>>,
    /// By role index: does an eligibility name the role? (Made when first asked.)
    eligible_role: Vec<bool>,
    /// Scope key → its number ([`Reviewer::scope_id`]).
    scope_ids: FxHashMap<String, u32>,
    /// The target lists of the rows being made ([`Entry::covered`]), and their ids
    /// by the list's address.
    lists: Vec<TargetList>,
    list_ids: FxHashMap<usize, u32>,
    /// The plan ([`RowPlan::id`]) the target lists were made for (0: none).
    lists_plan: u64,
    /// The entries of the largest group the sample made ([`Reviewer::sample`]).
    kept: Option<Kept>,
    texts: Texts,
    /// The row being made: the input of a hash, the review key (as text), the
    /// content hash, the access path, the recommendations.
    key_input: Vec<u8>,
    key: [u8; 16],
    hash: [u8; 16],
    hashed: bool,
    access_path: String,
    recs: Vec<Recommendation>,
}

impl<'a> Reviewer<'a> {
    pub(crate) fn new(ix: &'a Index, taken_at: &str) -> Reviewer<'a> {
        let mut held_scopes: Vec<String> = ix
            .assignments_by_scope
            .keys()
            .chain(ix.eligibilities_by_scope.keys())
            .cloned()
            .collect();
        held_scopes.sort();
        held_scopes.dedup();
        Reviewer {
            ix,
            now: Timestamp::parse(taken_at),
            paths_cache: FxHashMap::default(),
            info_cache: FxHashMap::default(),
            members_cache: Vec::new(),
            direct: Rc::from(DIRECT),
            no_via: Rc::new(via_of(ix, &[])),
            anc_cache: FxHashMap::default(),
            held_scopes,
            role_cache: FxHashMap::default(),
            denied_ops: vec![None; ix.denies.len()],
            deny_takes: FxHashMap::default(),
            deny_reach: FxHashMap::default(),
            catalogue: None,
            split_cache: FxHashMap::default(),
            deny_lists: Vec::new(),
            deny_list_ids: FxHashMap::default(),
            deny_refs: vec![OnceCell::from(Rc::from(Vec::new()))],
            hash_only: None,
            deny_names: None,
            joined_denies: HashMap::new(),
            group_active: FxHashMap::default(),
            eligible_role: Vec::new(),
            scope_ids: FxHashMap::default(),
            lists: Vec::new(),
            list_ids: FxHashMap::default(),
            lists_plan: 0,
            kept: None,
            texts: Texts::new(),
            key_input: Vec::new(),
            key: [b'0'; 16],
            hash: [b'0'; 16],
            hashed: false,
            access_path: String::new(),
            recs: Vec::new(),
        }
    }

    /// Hashes the content of only the rows with these keys (see `hash_only`).
    pub(crate) fn hash_only(&mut self, keys: HashSet<String>) {
        self.hash_only = Some(keys);
    }

    /// The rows of these targets, all at once (the table, the HTML page, `apply`
    /// and `plan`; the sheet streams them with [`Reviewer::plan`] and
    /// [`Reviewer::each_row`]).
    pub(crate) fn review(&mut self, targets: &[String]) -> Review {
        let plan = self.plan(targets, true);
        self.collect(&plan)
    }

    /// Every row of a plan, held at once.
    pub(crate) fn collect(&mut self, plan: &RowPlan) -> Review {
        let mut rows = Vec::with_capacity(plan.rows);
        let _ = self.each_row(plan, |v| {
            if let Visit::Row(r) = v {
                rows.push(r.to_row());
            }
            Ok::<(), std::convert::Infallible>(())
        });
        Review {
            targets: plan.targets.clone(),
            scopes: plan.scopes(),
            rows,
            incomplete: plan.incomplete.clone(),
        }
    }

    fn ancestors(&mut self, scope: &str) -> Rc<FxHashSet<String>> {
        let ix = self.ix;
        self.anc_cache
            .entry(scope.to_string())
            .or_insert_with(|| Rc::new(ix.tree.ancestors(scope).into_iter().collect()))
            .clone()
    }

    /// Plans the rows of `targets` (SPEC §5): access held at or above several of
    /// them is one row where it is held, covering them; everything else is a row of
    /// its target. `below`: also the access held below each target (a review;
    /// `apply` looks a shared row up without it first).
    pub(crate) fn plan(&mut self, targets: &[String], below: bool) -> RowPlan {
        self.plan_within(targets, None, below)
    }

    /// [`Reviewer::plan`] of the workspaces below a scope (`review --scope S`
    /// where S holds several workspaces, SPEC §5): the workspaces are the targets,
    /// and `within`, the asked scope, is one more target that keeps what is
    /// held below it and reaches none of them (a storage account's assignment, a
    /// resource group without a workspace), so the sheet still has every access
    /// at or below S. `within` covers nothing: access held at or above S is
    /// shared by the workspaces, `covers` their count.
    pub(crate) fn plan_within(
        &mut self,
        workspaces: &[String],
        within: Option<&str>,
        below: bool,
    ) -> RowPlan {
        let mut all: Vec<String> = workspaces.to_vec();
        let residual = within.map(|s| {
            all.push(s.to_string());
            all.len() - 1
        });
        let targets = &all[..];
        let ix = self.ix;
        // Keyed by the targets' list of this plan.
        self.split_cache.clear();
        let target_keys: Vec<String> = targets.iter().map(|t| scope_key(t)).collect();
        let mut incomplete: BTreeMap<String, Incomplete> = BTreeMap::new();
        let mut target_of: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut deny_gaps_seen: HashMap<Vec<usize>, Vec<(String, Incomplete)>> = HashMap::new();
        // An export of access records that was one page of several: every sheet.
        for gap in crate::engine::query::records_partial(ix) {
            incomplete
                .entry(format!("records {}", gap.detail.as_deref().unwrap_or("")))
                .or_insert(gap);
        }
        for (i, t) in target_keys.iter().enumerate() {
            target_of.entry(t.as_str()).or_default().push(i);
            if let Some(gap) = crate::engine::query::chain_gap(ix, t) {
                incomplete
                    .entry(format!("chain {}", gap.scope.as_deref().unwrap_or("")))
                    .or_insert(gap);
            }
            // A scope the collection could not read, on the chain or below it.
            let chain = ix.tree.ancestors(t);
            let unreadable = crate::engine::query::unreadable_on(ix, &chain)
                .chain(crate::engine::query::unreadable_below(ix, t));
            for gap in unreadable {
                incomplete
                    .entry(format!(
                        "unreadable {}",
                        gap.scope.as_deref().map(scope_key).unwrap_or_default()
                    ))
                    .or_insert(gap);
            }
            // A group a deny that reaches the target (or, reviewing below it, a deny
            // below it) names or exempts, or one nested in it, whose members were
            // not imported: the rows' `blocked_by` may be wrong for its members.
            let denies: Vec<usize> = (0..ix.denies.len())
                .filter(|&di| {
                    let ds = scope_key(&ix.denies[di].def.scope);
                    (chain.contains(&ds)
                        && crate::engine::decide::deny_reaches(&ix.denies[di], &ds, t))
                        || (below && ix.tree.is_below(&ds, t))
                })
                .collect();
            // Targets share their denies: each set is walked once.
            let gaps = deny_gaps_seen
                .entry(denies)
                .or_insert_with_key(|d| crate::engine::query::deny_gaps(ix, d));
            for (k, gap) in gaps.iter() {
                incomplete.entry(k.clone()).or_insert_with(|| gap.clone());
            }
        }
        let reach: Vec<Rc<FxHashSet<usize>>> =
            target_keys.iter().map(|t| self.reach_of(t)).collect();
        let target_anc: Vec<Box<[u32]>> =
            target_keys.iter().map(|t| self.ancestor_ids(t)).collect();

        // Which targets each held scope is at or above (covers), and below.
        let held: HashSet<&str> = self.held_scopes.iter().map(String::as_str).collect();
        let mut covers_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in target_keys.iter().enumerate() {
            if Some(i) == residual {
                continue;
            }
            for a in ix.tree.ancestors(t) {
                if held.contains(a.as_str()) {
                    let c = covers_of.entry(a).or_default();
                    if c.last() != Some(&i) {
                        c.push(i);
                    }
                }
            }
        }
        let mut below_of: HashMap<String, Vec<usize>> = HashMap::new();
        if below {
            for s in self.held_scopes.clone() {
                let anc = self.ancestors(&s);
                let mut under: Vec<usize> = anc
                    .iter()
                    .filter(|a| **a != s)
                    .flat_map(|a| target_of.get(a.as_str()).into_iter().flatten().copied())
                    .filter(|&i| Some(i) != residual)
                    .collect();
                // Below the asked scope and reaching none of its workspaces.
                if let Some(r) = residual {
                    if under.is_empty()
                        && !covers_of.contains_key(&s)
                        && anc.contains(&target_keys[r])
                    {
                        under.push(r);
                    }
                }
                if !under.is_empty() {
                    under.sort_unstable();
                    below_of.insert(s, under);
                }
            }
        }

        let mut helds = self.held_accesses(&covers_of, &below_of, &mut incomplete);
        let direct_users = self.direct_users(&helds);
        for h in &mut helds {
            let n = direct_users
                .get(&(
                    h.role.id.clone(),
                    h.scope_key.clone(),
                    h.pim == Pim::Eligible,
                ))
                .copied()
                .unwrap_or(0);
            h.notes = HeldNotes::of(h, n);
        }
        self.rank(&mut helds);

        // Groups: the shared scopes, broadest first, then each target's own.
        let mut shared: Vec<(usize, String)> = covers_of
            .iter()
            .filter(|(_, c)| c.len() > 1)
            .map(|(s, _)| (self.ancestors(s).len(), s.clone()))
            .collect();
        shared.sort();
        let mut groups: Vec<Group> = Vec::new();
        let mut shared_at: HashMap<String, usize> = HashMap::new();
        for (_, s) in &shared {
            shared_at.insert(s.clone(), groups.len());
            groups.push(Group {
                scope: "".into(),
                covered: covers_of[s].clone().into(),
                shared: true,
                helds: Vec::new(),
                extra: Vec::new(),
                rows: 0,
            });
        }
        let first_target = groups.len();
        for (i, t) in targets.iter().enumerate() {
            groups.push(Group {
                scope: t.as_str().into(),
                covered: Rc::from(vec![i]),
                shared: false,
                helds: Vec::new(),
                extra: Vec::new(),
                rows: 0,
            });
        }
        for (hi, h) in helds.iter().enumerate() {
            let s = &*h.scope_key;
            if let Some(&g) = shared_at.get(s) {
                if groups[g].scope.is_empty() {
                    groups[g].scope = h.scope.clone();
                }
                groups[g].helds.push((hi, Relation::Above));
            } else if let Some(&[i]) = covers_of.get(s).map(Vec::as_slice) {
                let relation = if s == target_keys[i] {
                    Relation::At
                } else {
                    Relation::Above
                };
                groups[first_target + i].helds.push((hi, relation));
            }
            for &i in below_of.get(s).into_iter().flatten() {
                groups[first_target + i].helds.push((hi, Relation::Below));
            }
        }

        static PLANS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut plan = RowPlan {
            id: PLANS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            targets: targets.to_vec(),
            target_rcs: targets.iter().map(|t| Rc::from(t.as_str())).collect(),
            target_keys,
            target_anc,
            reach,
            helds,
            groups: Vec::new(),
            incomplete: Vec::new(),
            rows: 0,
        };
        // Count the rows; split off the rows a deny assignment makes differ by target.
        for g in 0..groups.len() {
            if !groups[g].shared {
                let n: usize = groups[g]
                    .helds
                    .iter()
                    .map(|&(h, _)| plan.helds[h].paths.paths.len())
                    .sum();
                groups[g].rows += n;
                continue;
            }
            let mut rows = 0;
            for k in 0..groups[g].helds.len() {
                let (h, _) = groups[g].helds[k];
                let held = &plan.helds[h];
                let candidates = self.candidates(&plan, held);
                let paths = held.paths.clone();
                if candidates.is_empty() {
                    rows += paths.paths.len();
                    continue;
                }
                for (p, pf) in paths.paths.iter().enumerate() {
                    let split = self.split(&plan, pf, &candidates, &groups[g].covered);
                    rows += usize::from(split.shared.is_some());
                    for &(i, blocked) in &split.own {
                        groups[first_target + i].extra.push(Extra {
                            held: h as u32,
                            path: p as u32,
                            relation: if held.scope_key.as_ref() == plan.target_keys[i] {
                                Relation::At
                            } else {
                                Relation::Above
                            },
                            blocked,
                        });
                        groups[first_target + i].rows += 1;
                    }
                }
            }
            groups[g].rows += rows;
        }
        // A shared scope whose every row went to the targets has no group.
        groups.retain(|g| !g.shared || g.rows > 0);
        plan.rows = groups.iter().map(|g| g.rows).sum();
        plan.groups = groups;
        plan.incomplete = incomplete.into_values().collect();
        plan
    }

    /// The held accesses at the scopes that matter, assignments then eligibilities,
    /// each in index order; with their roles, windows and paths made once.
    fn held_accesses(
        &mut self,
        covers_of: &HashMap<String, Vec<usize>>,
        below_of: &HashMap<String, Vec<usize>>,
        incomplete: &mut BTreeMap<String, Incomplete>,
    ) -> Vec<HeldAccess> {
        let ix = self.ix;
        let relevant = |s: &String| covers_of.contains_key(s) || below_of.contains_key(s);
        let mut assignment_ids: Vec<usize> = ix
            .assignments_by_scope
            .iter()
            .filter(|(s, _)| relevant(s))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        assignment_ids.sort_unstable();
        let mut eligibility_ids: Vec<usize> = ix
            .eligibilities_by_scope
            .iter()
            .filter(|(s, _)| relevant(s))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        eligibility_ids.sort_unstable();
        struct Raw<'x> {
            holder: &'x str,
            id: &'x str,
            role_guid: &'x str,
            role_name_hint: Option<&'x str>,
            scope: &'x str,
            condition: Option<&'x str>,
            pim: Pim,
            start: Option<&'x str>,
            end: Option<&'x str>,
        }
        let raws = assignment_ids
            .iter()
            .map(|&i| {
                let a = &ix.assignments[i];
                Raw {
                    holder: &a.principal_id,
                    id: &a.id,
                    role_guid: &a.role_definition_id,
                    role_name_hint: a.role_definition_name.as_deref(),
                    scope: &a.scope,
                    condition: a.condition.as_deref(),
                    pim: match a.source {
                        AssignmentSource::RoleAssignment => Pim::Active,
                        AssignmentSource::PimActive => Pim::ActivePim,
                    },
                    start: a.start_date_time.as_deref(),
                    end: a.end_date_time.as_deref(),
                }
            })
            .chain(eligibility_ids.iter().map(|&i| {
                let e = &ix.eligibilities[i];
                Raw {
                    holder: &e.principal_id,
                    id: &e.id,
                    role_guid: &e.role_definition_id,
                    role_name_hint: None,
                    scope: &e.scope,
                    condition: e.condition.as_deref(),
                    pim: Pim::Eligible,
                    start: e.start_date_time.as_deref(),
                    end: e.end_date_time.as_deref(),
                }
            }));
        let mut helds = Vec::new();
        for r in raws {
            let scope_k = scope_key(r.scope);
            let role = self.role_facts(r.role_guid, r.role_name_hint);
            if role.index.is_none() {
                incomplete
                    .entry(key(r.id))
                    .or_insert_with(|| Incomplete::role_not_defined(r.id, r.role_guid));
            }
            let holder = key(r.holder);
            let paths = self.paths(&holder);
            if paths.truncated {
                incomplete.insert(
                    holder.clone(),
                    Incomplete {
                        detail: Some(format!(
                            "more than {MAX_PATHS_PER_HOLDER} membership paths; the sheet lists the first ones"
                        )),
                        ..Incomplete::group(
                            IncompleteReason::PathsTruncated,
                            &holder,
                            &ix.name_of(&holder),
                        )
                    },
                );
            }
            for (k, gap) in &paths.gaps {
                if !incomplete.contains_key(k) {
                    incomplete.insert(k.clone(), gap.clone());
                }
            }
            let condition: Option<Rc<str>> = r
                .condition
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(Rc::from);
            let (hash_part, hash_tail) = hash_parts(
                &role,
                r.id,
                r.scope,
                condition.as_deref(),
                r.pim,
                r.start,
                r.end,
            );
            let anc = self.ancestor_ids(&scope_k);
            helds.push(HeldAccess {
                rank: 0,
                hash_part,
                hash_tail,
                paths: paths.clone(),
                holder,
                assignment_id: r.id.into(),
                assignment_key: key(r.id).into(),
                scope: r.scope.into(),
                covered: covers_of.get(&scope_k).cloned().unwrap_or_default().into(),
                scope_key: scope_k.into(),
                role,
                condition,
                pim: r.pim,
                start: r.start.map(Rc::from),
                end: r.end.map(Rc::from),
                window: window_text(r.start, r.end).into(),
                // SPEC §2.10, the one window rule: an instance whose end is before
                // the snapshot has ended; one whose start is after it is scheduled.
                expired: window_state(r.start, r.end, self.now) == WindowState::Ended,
                scheduled: window_state(r.start, r.end, self.now) == WindowState::Scheduled,
                notes: HeldNotes::default(),
                anc,
            });
        }
        let eligible = self.eligible_group_accesses(&helds);
        helds.extend(eligible);
        helds
    }

    /// PIM for Groups (SPEC §2.11): a principal eligible for membership of a group
    /// is eligible for what the group, or a group it is in, holds actively. Each
    /// such access is held like an eligibility: by the assignment's holder, through
    /// the eligible principal (and its members, when it is a group), with the
    /// eligible membership's window (ended or scheduled ones too, as eligibilities:
    /// SPEC §2.10). Eligible memberships of a group that holds nothing here add
    /// nothing.
    fn eligible_group_accesses(&mut self, helds: &[HeldAccess]) -> Vec<HeldAccess> {
        let ix = self.ix;
        let mut eligible_of: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, ge) in ix.group_eligibilities.iter().enumerate() {
            if !ge.active && ge.access_id.eq_ignore_ascii_case("member") {
                eligible_of.entry(key(&ge.group_id)).or_default().push(i);
            }
        }
        if eligible_of.is_empty() {
            return Vec::new();
        }
        let mut by_holder: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, h) in helds.iter().enumerate() {
            if h.pim != Pim::Eligible {
                by_holder.entry(h.holder.as_str()).or_default().push(i);
            }
        }
        let mut out = Vec::new();
        for (g, members) in &eligible_of {
            for gh in crate::engine::decide::holders(ix, g) {
                let Some(held) = by_holder.get(gh.id.as_str()) else {
                    continue;
                };
                // From the group up to the holder, nearest first.
                let up: Vec<Rc<PrincipalFacts>> = std::iter::once(g)
                    .chain(&gh.via)
                    .map(|x| self.facts(x))
                    .collect();
                for &gi in members {
                    let ge = &ix.group_eligibilities[gi];
                    let q = key(&ge.principal_id);
                    let below = self.paths(&q);
                    let instance = ge.record_key();
                    // A path that would come back to the group or a group above
                    // it (a cycle through the eligible membership) is no path.
                    let on_route = |m: &str| up.iter().any(|u| u.member == m);
                    let paths: Vec<PathFacts> = below
                        .paths
                        .iter()
                        .filter(|pf| {
                            !on_route(&pf.p.member)
                                && !pf.via.groups.iter().any(|g| on_route(&g.member))
                        })
                        .map(|pf| PathFacts {
                            p: pf.p.clone(),
                            via: Rc::new(via_eligible(ix, &pf.via, &up, &instance)),
                            joins: Some(Rc::from(g.as_str())),
                        })
                        .collect();
                    let paths = Rc::new(HolderPaths {
                        paths,
                        truncated: below.truncated,
                        gaps: below.gaps.clone(),
                    });
                    let (start, end) = (ge.start_date_time.as_deref(), ge.end_date_time.as_deref());
                    for &hi in held {
                        let h = &helds[hi];
                        // Only what the group holds in force: a time-bound
                        // assignment that has ended, or not yet started, gives
                        // its eligible members nothing to activate into.
                        if h.expired || h.scheduled {
                            continue;
                        }
                        let (hash_part, hash_tail) = hash_parts(
                            &h.role,
                            &h.assignment_id,
                            &h.scope,
                            h.condition.as_deref(),
                            Pim::Eligible,
                            start,
                            end,
                        );
                        out.push(HeldAccess {
                            holder: h.holder.clone(),
                            paths: paths.clone(),
                            assignment_id: h.assignment_id.clone(),
                            assignment_key: h.assignment_key.clone(),
                            scope: h.scope.clone(),
                            scope_key: h.scope_key.clone(),
                            role: h.role.clone(),
                            condition: h.condition.clone(),
                            pim: Pim::Eligible,
                            start: start.map(Rc::from),
                            end: end.map(Rc::from),
                            window: window_text(start, end).into(),
                            expired: window_state(start, end, self.now) == WindowState::Ended,
                            scheduled: window_state(start, end, self.now) == WindowState::Scheduled,
                            rank: 0,
                            hash_part,
                            hash_tail,
                            covered: h.covered.clone(),
                            notes: HeldNotes::default(),
                            anc: h.anc.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    /// Users holding each role directly at each scope (for `many-direct-users`).
    fn direct_users(&mut self, helds: &[HeldAccess]) -> HashMap<RoleAtScope, usize> {
        let mut users: HashMap<RoleAtScope, HashSet<&str>> = HashMap::new();
        for h in helds {
            let info = self.info(&h.holder);
            if info.kind.eq_ignore_ascii_case("User") {
                users
                    .entry((
                        h.role.id.clone(),
                        h.scope_key.clone(),
                        h.pim == Pim::Eligible,
                    ))
                    .or_default()
                    .insert(&h.holder);
            }
        }
        users.into_iter().map(|(k, v)| (k, v.len())).collect()
    }

    fn info(&mut self, id: &str) -> Rc<PrincipalInfo> {
        self.facts(id).info.clone()
    }

    fn paths(&mut self, holder: &str) -> Rc<HolderPaths> {
        if let Some(p) = self.paths_cache.get(holder) {
            return p.clone();
        }
        let ix = self.ix;
        let (paths, truncated) = self.member_paths(holder);
        let mut gaps: Vec<(String, Incomplete)> = Vec::new();
        for pf in &paths {
            let info = &pf.p.info;
            if info.is_group() {
                for gap in crate::engine::query::group_gaps(ix, &info.id) {
                    let k = crate::engine::query::group_gap_key(&info.id, &gap);
                    if !gaps.iter().any(|(seen, _)| *seen == k) {
                        gaps.push((k, gap));
                    }
                }
            }
        }
        let hp = Rc::new(HolderPaths {
            paths,
            truncated,
            gaps,
        });
        self.paths_cache.insert(holder.to_string(), hp.clone());
        hp
    }

    fn facts(&mut self, id: &str) -> Rc<PrincipalFacts> {
        self.facts_of(id, None)
    }

    /// [`Reviewer::facts`], told whether `id` is a principal when that is known.
    fn facts_of(&mut self, id: &str, is_principal: Option<bool>) -> Rc<PrincipalFacts> {
        if let Some(f) = self.info_cache.get(id) {
            return f.clone();
        }
        let no = self.info_cache.len() as u32;
        let f = Rc::new(principal_facts(self.ix, id, no, is_principal));
        self.info_cache.insert(id.to_string(), f.clone());
        f
    }

    /// A group's direct members, in the order the walk takes them; made once per
    /// group whichever holders and paths reach it.
    fn group_members(&mut self, group: &PrincipalFacts) -> Rc<[Member]> {
        let no = group.no as usize;
        if let Some(Some(m)) = self.members_cache.get(no) {
            return m.clone();
        }
        let ix = self.ix;
        let mut out = Vec::new();
        for m in ix.members_of.get(&group.member).into_iter().flatten().rev() {
            // A principal's facts say whether it is one, and whether it has members.
            let p = match self.info_cache.get(m.as_str()) {
                Some(f) => f.is_principal.then(|| f.clone()),
                None if ix.is_principal(m) => Some(self.facts_of(m, Some(true))),
                None => None,
            };
            out.push(Member {
                other: p.is_none().then(|| m.as_str().into()),
                has_members: match &p {
                    Some(p) => p.has_members,
                    None => ix.members_of.contains_key(m),
                },
                p,
            });
        }
        let out: Rc<[Member]> = out.into();
        if self.members_cache.len() <= no {
            self.members_cache.resize(no + 1, None);
        }
        self.members_cache[no] = Some(out.clone());
        out
    }

    /// Every principal below a holder: the holder itself (empty path), then each
    /// member reached through nested groups, one entry per distinct simple path
    /// (cycles end); the members of one group share its path. Cut (and said so) at
    /// [`MAX_PATHS_PER_HOLDER`].
    ///
    /// Not the engine's membership walk ([`crate::engine::walk::breadth_first`],
    /// which reaches each member once): a member reached along two paths is two
    /// rows here. Depth-first over the same `Index::members_of`, iterative; a path
    /// ends where it would repeat a group.
    fn member_paths(&mut self, holder: &str) -> (Vec<PathFacts>, bool) {
        let ix = self.ix;
        let mut out = vec![PathFacts {
            p: self.facts(holder),
            via: self.no_via.clone(),
            joins: None,
        }];
        let mut truncated = false;
        // Depth-first with an explicit stack: (group, chain from the holder down to it).
        let top = out[0].p.clone();
        let mut stack: Vec<(Rc<PrincipalFacts>, Vec<Rc<PrincipalFacts>>)> =
            vec![(top.clone(), vec![top])];
        while let Some((group, chain)) = stack.pop() {
            let members = self.group_members(&group);
            let mut via: Option<Rc<Via>> = None;
            for m in members.iter() {
                let on_chain = match &m.p {
                    Some(p) => chain.iter().any(|c| c.no == p.no),
                    None => chain.iter().any(|c| c.member == m.key()),
                };
                if on_chain {
                    continue;
                }
                if out.len() > MAX_PATHS_PER_HOLDER {
                    truncated = true;
                    stack.clear();
                    break;
                }
                let Some(p) = &m.p else {
                    continue;
                };
                let via = via.get_or_insert_with(|| Rc::new(via_of(ix, &chain)));
                out.push(PathFacts {
                    p: p.clone(),
                    via: via.clone(),
                    joins: None,
                });
                if m.has_members {
                    let mut next = chain.clone();
                    next.push(p.clone());
                    stack.push((p.clone(), next));
                }
            }
        }
        (out, truncated)
    }

    fn role_facts(&mut self, guid: &str, hint: Option<&str>) -> Rc<RoleFacts> {
        let ix = self.ix;
        let k = (key(guid), hint.map(key).unwrap_or_default());
        self.role_cache
            .entry(k)
            .or_insert_with(|| {
                let index = ix.role_index(guid, hint);
                Rc::new(match index.map(|i| (i, &ix.roles[i])) {
                    Some((i, r)) => RoleFacts {
                        index: Some(i),
                        name: r.def.role_name.as_str().into(),
                        sort: r.def.role_name.to_lowercase().into(),
                        id: {
                            let g = role_guid(&r.def.id);
                            if g.is_empty() {
                                role_guid(guid)
                            } else {
                                g
                            }
                        }
                        .into(),
                        role_type: r.def.role_type.as_str().into(),
                        privileged: is_privileged(&r.blocks),
                        digest: serde_json::to_string(&r.def.permissions).unwrap_or_default(),
                    },
                    None => RoleFacts {
                        index: None,
                        name: hint.unwrap_or_default().into(),
                        sort: hint.unwrap_or_default().to_lowercase().into(),
                        id: role_guid(guid).into(),
                        role_type: "".into(),
                        privileged: false,
                        digest: "undefined".to_string(),
                    },
                })
            })
            .clone()
    }

    // -- deny assignments (SPEC §2.6, the engine's rule) -------------------------

    /// The deny assignments that reach a scope: held on its chain, and not limited
    /// to their own scope unless held at it.
    fn reach_of(&mut self, scope: &str) -> Rc<FxHashSet<usize>> {
        if let Some(r) = self.deny_reach.get(scope) {
            return r.clone();
        }
        let ix = self.ix;
        let mut out = FxHashSet::default();
        if !ix.denies.is_empty() {
            for s in ix.tree.ancestors(scope) {
                for &di in ix.denies_by_scope.get(&s).into_iter().flatten() {
                    if deny_reaches(&ix.denies[di], &s, scope) {
                        out.insert(di);
                    }
                }
            }
        }
        let out = Rc::new(out);
        self.deny_reach.insert(scope.to_string(), out.clone());
        out
    }

    /// The deny assignments that name a principal (through its groups or All
    /// Principals) and do not exclude it, as a deny list id.
    fn naming(&mut self, p: &PrincipalFacts) -> u32 {
        if let Some(&d) = p.denies.get() {
            return d;
        }
        let ix = self.ix;
        let out = if ix.denies.is_empty() {
            0
        } else {
            let names = self.deny_names.get_or_insert_with(|| DenyNames::new(ix));
            let out = names.of_principal(ix, &p.member);
            self.intern(&out)
        };
        let _ = p.denies.set(out);
        out
    }

    /// The deny assignments that name a path's member, as a deny list id: once
    /// it has joined the group an eligible row's path joins, else as it is.
    fn path_naming(&mut self, pf: &PathFacts) -> u32 {
        let Some(g) = &pf.joins else {
            return self.naming(&pf.p);
        };
        let ix = self.ix;
        if ix.denies.is_empty() {
            return 0;
        }
        let cache_key = (pf.p.member.clone(), g.to_string());
        if let Some(&d) = self.joined_denies.get(&cache_key) {
            return d;
        }
        let names = self.deny_names.get_or_insert_with(|| DenyNames::new(ix));
        let out = names.of_principal_joining(ix, &pf.p.member, Some(g));
        let id = self.intern(&out);
        self.joined_denies.insert(cache_key, id);
        id
    }

    /// Does deny `d` take away some of what the role grants?
    fn takes(&mut self, d: usize, role: &RoleFacts) -> bool {
        let Some(ri) = role.index else {
            return false;
        };
        if let Some(&t) = self.deny_takes.get(&(d, ri)) {
            return t;
        }
        let ix = self.ix;
        let deny = &ix.denies[d];
        if self.catalogue.is_none() {
            self.catalogue = Some(
                ix.operations
                    .iter()
                    .map(|o| (key(o.name.trim()), o.is_data_action))
                    .collect(),
            );
        }
        let catalogue = self.catalogue.as_deref().unwrap_or_default();
        let denied = self.denied_ops[d].get_or_insert_with(|| {
            denied_operations(
                &deny.blocks,
                catalogue.iter().map(|(n, data)| (n.as_str(), *data)),
            )
        });
        let t = deny_takes_from(&deny.blocks, denied, &ix.roles[ri].blocks);
        self.deny_takes.insert((d, ri), t);
        t
    }

    /// The deny assignments among `takers` (those that take from the row's role
    /// where it reaches) that name `p`, as a deny list id.
    fn blocked(&mut self, pf: &PathFacts, takers: &[usize]) -> u32 {
        if takers.is_empty() {
            return 0;
        }
        let naming = self.path_naming(pf);
        if naming == 0 {
            return 0;
        }
        let out: Vec<usize> = self
            .deny_list(naming)
            .iter()
            .copied()
            .filter(|d| takers.contains(d))
            .collect();
        self.intern(&out)
    }

    /// The deny assignments of `reach` that take from the role, in index order.
    fn takers(&mut self, role: &RoleFacts, reach: &FxHashSet<usize>) -> Vec<usize> {
        if reach.is_empty() || role.index.is_none() {
            return Vec::new();
        }
        let mut out: Vec<usize> = reach.iter().copied().collect();
        out.sort_unstable();
        out.retain(|&d| self.takes(d, role));
        out
    }

    /// The deny assignments that could make a shared row differ by target: they
    /// take from the role and reach one of the targets it covers.
    fn candidates(&mut self, plan: &RowPlan, h: &HeldAccess) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for &i in h.covered.iter() {
            for &d in plan.reach[i].iter() {
                if !out.contains(&d) {
                    out.push(d);
                }
            }
        }
        out.sort_unstable();
        out.retain(|&d| self.takes(d, &h.role));
        out
    }

    /// Where the row of `p` through a held access shared by `covered` goes: the
    /// targets whose blocking deny assignments are the fewest (those all of them
    /// have) share one row when there are two or more of them; every other target
    /// gets a row of its own. It depends only on which of the `candidates` name
    /// the member, so it is worked out once per such set (per plan).
    fn split(
        &mut self,
        plan: &RowPlan,
        pf: &PathFacts,
        candidates: &[usize],
        covered: &Rc<[usize]>,
    ) -> Rc<Split> {
        let naming = self.path_naming(pf);
        let relevant: Vec<usize> = if naming == 0 {
            Vec::new()
        } else {
            let naming = self.deny_list(naming);
            candidates
                .iter()
                .copied()
                .filter(|d| naming.contains(d))
                .collect()
        };
        let cache_key = (Rc::as_ptr(covered) as *const usize as usize, relevant);
        if let Some(s) = self.split_cache.get(&cache_key) {
            return s.clone();
        }
        let relevant = &cache_key.1;
        let split = if relevant.is_empty() {
            Split {
                shared: Some((covered.clone(), 0)),
                own: Vec::new(),
            }
        } else {
            let per: Vec<(usize, Vec<usize>)> = covered
                .iter()
                .map(|&i| {
                    let r = &plan.reach[i];
                    (
                        i,
                        relevant.iter().copied().filter(|d| r.contains(d)).collect(),
                    )
                })
                .collect();
            let common: Vec<usize> = relevant
                .iter()
                .copied()
                .filter(|d| per.iter().all(|(_, b)| b.contains(d)))
                .collect();
            let (same, own): (Vec<_>, Vec<_>) = per.into_iter().partition(|(_, b)| *b == common);
            if same.len() > 1 {
                let targets: Rc<[usize]> = if same.len() == covered.len() {
                    covered.clone()
                } else {
                    same.iter().map(|(i, _)| *i).collect()
                };
                Split {
                    shared: Some((targets, self.intern(&common))),
                    own: own.into_iter().map(|(i, b)| (i, self.intern(&b))).collect(),
                }
            } else {
                Split {
                    shared: None,
                    own: same
                        .into_iter()
                        .chain(own)
                        .map(|(i, b)| (i, self.intern(&b)))
                        .collect(),
                }
            }
        };
        let split = Rc::new(split);
        self.split_cache.insert(cache_key, split.clone());
        split
    }

    /// The id of a list of deny assignments: one per distinct list (few in any
    /// tenant), 0 for the empty list.
    fn intern(&mut self, denies: &[usize]) -> u32 {
        if denies.is_empty() {
            return 0;
        }
        if let Some(&id) = self.deny_list_ids.get(denies) {
            return id;
        }
        let list: Rc<[usize]> = denies.into();
        self.deny_lists.push(list.clone());
        self.deny_refs.push(OnceCell::new());
        let id = self.deny_lists.len() as u32;
        self.deny_list_ids.insert(list, id);
        id
    }

    /// The deny assignments of a deny list id as rows name them (made when a row
    /// first shows them).
    fn deny_refs(&self, id: u32) -> &Rc<[DenyRef]> {
        let ix = self.ix;
        self.deny_refs[id as usize].get_or_init(|| {
            self.deny_list(id)
                .iter()
                .map(|&d| {
                    let d = &ix.denies[d].def;
                    DenyRef {
                        id: d.id.clone(),
                        name: d.name.clone(),
                        scope: d.scope.clone(),
                    }
                })
                .collect()
        })
    }

    /// The deny assignments of a deny list id.
    fn deny_list(&self, id: u32) -> &[usize] {
        match id {
            0 => &[],
            i => &self.deny_lists[i as usize - 1],
        }
    }

    /// (role, scope id) of every role `p` holds actively, through any of its
    /// groups ([`holder_ids`]), of the roles an eligibility names (the only ones
    /// asked about: [`Reviewer::also_active`]), sorted: its own, and for each group
    /// it is a direct member of, that group's and its holders' (made once per group).
    fn active_of<'f>(&mut self, p: &'f PrincipalFacts) -> &'f [(u32, u32)] {
        if let Some(a) = p.active.get() {
            return a;
        }
        let ix = self.ix;
        let mut out = self.held_actively(std::iter::once(p.member.as_str()));
        for g in ix.groups_of.get(&p.member).into_iter().flatten() {
            match self.group_active.get(g) {
                Some(set) => out.extend_from_slice(set),
                None => {
                    let holders = holder_ids(ix, g);
                    let set: Rc<[(u32, u32)]> = self
                        .held_actively(holders.iter().map(String::as_str))
                        .into();
                    out.extend_from_slice(&set);
                    self.group_active.insert(g.clone(), set);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        p.active.get_or_init(|| out.into())
    }

    /// (role, scope id) of every role of an eligibility these holders hold
    /// actively, sorted.
    fn held_actively<'h>(&mut self, holders: impl Iterator<Item = &'h str>) -> Vec<(u32, u32)> {
        let ix = self.ix;
        if self.eligible_role.is_empty() {
            self.eligible_role = vec![false; ix.roles.len()];
            for e in &ix.eligibilities {
                if let Some(r) =
                    ix.role_index(&e.role_definition_id, e.role_definition_name.as_deref())
                {
                    self.eligible_role[r] = true;
                }
            }
        }
        let mut out = Vec::new();
        for h in holders {
            for &ai in ix.assignments_by_holder.get(h).into_iter().flatten() {
                if let Some(role) = ix.assignment_role[ai] {
                    if self.eligible_role.get(role) == Some(&true) {
                        out.push((role as u32, self.scope_id(&ix.assignment_scope[ai])));
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A number for a scope key: equal keys, equal numbers.
    fn scope_id(&mut self, scope: &str) -> u32 {
        if let Some(&id) = self.scope_ids.get(scope) {
            return id;
        }
        let id = self.scope_ids.len() as u32;
        self.scope_ids.insert(scope.to_string(), id);
        id
    }

    /// The numbers of a scope's ancestors (the scope included).
    fn ancestor_ids(&mut self, scope: &str) -> Box<[u32]> {
        let anc = self.ancestors(scope);
        anc.iter().map(|a| self.scope_id(a)).collect()
    }

    // -- making rows -------------------------------------------------------------

    /// Makes the planned rows, group by group, each group sorted by principal (name,
    /// id), role, held scope, PIM kind, path and assignment, and hands `f` the
    /// start of each group (an empty one too) and then each of its rows. A row is
    /// made from the plan's shared parts and lives until `f` returns: only one
    /// group's small entries are held at once (two until the writer reaches the
    /// group whose entries the sample kept), whatever the size of the review.
    pub(crate) fn each_row<E>(
        &mut self,
        plan: &RowPlan,
        mut f: impl FnMut(Visit<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.lists_for(plan);
        // One buffer for every group's entries: groups come in all sizes.
        let mut entries: Vec<Entry> = Vec::new();
        for (gi, g) in plan.groups.iter().enumerate() {
            f(Visit::Group(GroupHead {
                scope: &g.scope,
                covers: g.covered.len(),
            }))?;
            match self.kept.take() {
                // Made (and sorted) by the sample already.
                Some(kept) if kept.plan == plan.id && kept.group == gi => entries = kept.entries,
                kept => {
                    self.kept = kept.filter(|k| k.plan == plan.id);
                    self.entries(plan, g, &mut entries);
                }
            }
            for e in &entries {
                self.make(plan, e);
                f(Visit::Row(&self.parts(plan, g, e)))?;
            }
        }
        self.kept = None;
        Ok(())
    }

    /// Starts the target lists afresh unless they were made for this plan (by its
    /// sample, whose kept entries name them).
    fn lists_for(&mut self, plan: &RowPlan) {
        if self.lists_plan != plan.id {
            self.lists.clear();
            self.list_ids.clear();
            self.lists_plan = plan.id;
        }
    }

    /// Up to `n` rows taken across the plan for measuring: all of them when there
    /// are no more; else the first rows of the groups that hold the rows at evenly
    /// spaced places of the sheet, so that a large group weighs as much as its
    /// rows do.
    pub(crate) fn sample(&mut self, plan: &RowPlan, n: usize) -> Vec<ReviewRow> {
        const PICKS: usize = 8;
        if plan.rows <= n {
            // A small sheet is measured whole.
            return self.collect(plan).rows;
        }
        let mut picks: Vec<usize> = Vec::new();
        let mut start = 0;
        let mut next = 0;
        for (gi, g) in plan.groups.iter().enumerate() {
            while next < PICKS && (next * plan.rows) / PICKS < start + g.rows {
                picks.push(gi);
                next += 1;
            }
            start += g.rows;
        }
        let per = n.div_ceil(PICKS.max(1));
        let mut out = Vec::new();
        self.lists_for(plan);
        // The largest group picked: its entries are kept for the writer.
        let largest = picks.iter().copied().max_by_key(|&gi| plan.groups[gi].rows);
        let mut entries: Vec<Entry> = Vec::new();
        // A group picked k times gives its first rows k times: its entries are
        // made once.
        let mut at = 0;
        while at < picks.len() {
            let gi = picks[at];
            let times = picks[at..].iter().take_while(|&&x| x == gi).count();
            at += times;
            let g = &plan.groups[gi];
            self.entries(plan, g, &mut entries);
            let mut rows = Vec::new();
            for e in entries.iter().take(per) {
                self.make(plan, e);
                rows.push(self.parts(plan, g, e).to_row());
            }
            for _ in 1..times {
                out.extend(rows.iter().cloned());
            }
            out.extend(rows);
            if largest == Some(gi) {
                self.kept = Some(Kept {
                    plan: plan.id,
                    group: gi,
                    entries: std::mem::take(&mut entries),
                });
            }
        }
        out
    }

    /// The id of a list of targets rows stand for (its address is its identity
    /// while the rows are made: every list is held by [`Reviewer::lists`]).
    fn list_id(&mut self, plan: &RowPlan, targets: &Rc<[usize]>) -> u32 {
        let at = Rc::as_ptr(targets) as *const usize as usize;
        if let Some(&id) = self.list_ids.get(&at) {
            return id;
        }
        let id = self.lists.len() as u32;
        self.lists.push(TargetList {
            targets: targets.clone(),
            keys: targets
                .iter()
                .map(|&i| plan.target_keys[i].clone())
                .collect(),
        });
        self.list_ids.insert(at, id);
        id
    }

    /// A group's rows before they are made, in sheet order.
    fn entries(&mut self, plan: &RowPlan, g: &Group, entries: &mut Vec<Entry>) {
        entries.clear();
        entries.reserve(g.rows);
        let group_list = self.list_id(plan, &g.covered);
        for &(hi, relation) in &g.helds {
            let h = &plan.helds[hi];
            let entry = |pf: &PathFacts, path_no: usize, covered: u32, blocked: u32| Entry {
                rank: u64::from(pf.p.rank.get()) << 32 | u64::from(h.rank),
                held_no: hi as u32,
                path_no: path_no as u32,
                covered,
                blocked,
                relation,
            };
            if g.shared {
                let candidates = self.candidates(plan, h);
                for (pn, pf) in h.paths.paths.iter().enumerate() {
                    let (covered, blocked) = if candidates.is_empty() {
                        (group_list, 0)
                    } else {
                        match &self.split(plan, pf, &candidates, &g.covered).shared {
                            Some((targets, blocked)) => (self.list_id(plan, targets), *blocked),
                            None => continue,
                        }
                    };
                    entries.push(entry(pf, pn, covered, blocked));
                }
                continue;
            }
            let reach = match relation {
                Relation::Below => self.reach_of(&h.scope_key),
                _ => plan.reach[g.covered[0]].clone(),
            };
            // The denies there that take from the role, once per held access.
            let takers = self.takers(&h.role, &reach);
            for (pn, pf) in h.paths.paths.iter().enumerate() {
                let blocked = self.blocked(pf, &takers);
                entries.push(entry(pf, pn, group_list, blocked));
            }
        }
        for e in &g.extra {
            let h = &plan.helds[e.held as usize];
            let pf = &h.paths.paths[e.path as usize];
            entries.push(Entry {
                rank: u64::from(pf.p.rank.get()) << 32 | u64::from(h.rank),
                held_no: e.held,
                path_no: e.path,
                covered: group_list,
                blocked: e.blocked,
                relation: e.relation,
            });
        }
        // By principal (name, id), role, held scope, PIM kind, path and assignment.
        // The principals and the held accesses are ranked once per plan, so that
        // entries compare as integers and strings are compared only between paths
        // of one principal to one role at one scope.
        entries.sort_by(|a, b| {
            a.rank.cmp(&b.rank).then_with(|| {
                a.path(plan)
                    .via
                    .keys()
                    .cmp(b.path(plan).via.keys())
                    .then_with(|| {
                        a.held(plan)
                            .assignment_key
                            .cmp(&b.held(plan).assignment_key)
                    })
            })
        });
    }

    /// Ranks every principal by (display name lowercased, id) and every held
    /// access by (role, scope, PIM kind), equal keys equal ranks: the sort order of
    /// every group, worked out once per plan.
    fn rank(&mut self, helds: &mut [HeldAccess]) {
        let mut principals: Vec<&Rc<PrincipalFacts>> = self.info_cache.values().collect();
        principals.sort_by(|a, b| (&*a.sort_name, &a.info.id).cmp(&(&*b.sort_name, &b.info.id)));
        for (i, p) in principals.iter().enumerate() {
            p.rank.set(i as u32);
        }
        let key = |h: &HeldAccess| (h.role.sort.clone(), h.scope_key.clone(), h.pim);
        let mut order: Vec<usize> = (0..helds.len()).collect();
        order.sort_by(|&a, &b| key(&helds[a]).cmp(&key(&helds[b])));
        let mut rank = 0;
        for i in 0..order.len() {
            if i > 0 && key(&helds[order[i - 1]]) != key(&helds[order[i]]) {
                rank = i as u32;
            }
            helds[order[i]].rank = rank;
        }
    }

    /// Makes what one row does not share with others: its review key (as text),
    /// content hash, access path and recommendations (into the reviewer's
    /// buffers, which [`Reviewer::parts`] lends to the row).
    fn make(&mut self, plan: &RowPlan, e: &Entry) {
        let (h, pf) = (e.held(plan), e.path(plan));
        // The path's member and groups are keys already.
        let digest = key_digest(
            &mut self.key_input,
            &pf.p.member,
            &h.assignment_key,
            &pf.via.joined,
        );
        hex8_into(&digest, &mut self.key);
        self.hashed = match &self.hash_only {
            None => true,
            Some(keys) => !keys.is_empty() && keys.contains(hex_str(&self.key)),
        };
        if self.hashed {
            content_hash(
                &mut self.key_input,
                &mut self.hash,
                hex_str(&self.key),
                pf.p.hash_part(),
                &h.hash_part,
                pf.p.flags.orphan_text,
                &h.hash_tail,
            );
        }
        pf.access_path(&mut self.access_path);
        let covered = self.lists[e.covered as usize].targets.clone();
        self.recommend(plan, h, pf, e.relation, &covered);
    }

    /// The row of an entry just made ([`Reviewer::make`]).
    fn parts<'r>(&'r self, plan: &'r RowPlan, g: &Group, e: &Entry) -> RowParts<'r> {
        let h = e.held(plan);
        let list = &self.lists[e.covered as usize];
        RowParts {
            ix: self.ix,
            held: h,
            held_no: e.held_no as usize,
            path: e.path(plan),
            review_key: hex_str(&self.key),
            content_hash: if self.hashed { hex_str(&self.hash) } else { "" },
            target_scope: if g.shared && list.targets.len() > 1 {
                &h.scope
            } else {
                &plan.target_rcs[list.targets[0]]
            },
            relation: e.relation,
            access_path: &self.access_path,
            direct: &self.direct,
            recommendations: &self.recs,
            blocked_no: e.blocked,
            blocked_by: self.deny_refs(e.blocked),
            covered: &list.keys,
        }
    }

    /// The recommendations the data supports for one row (most urgent first), into
    /// the reviewer's buffer.
    fn recommend(
        &mut self,
        plan: &RowPlan,
        h: &HeldAccess,
        pf: &PathFacts,
        relation: Relation,
        covered: &[usize],
    ) {
        let also_active = match &h.notes.eligible {
            Some(_) => self.also_active(plan, h, &pf.p, relation, covered),
            None => false,
        };
        let mut recs = std::mem::take(&mut self.recs);
        recs.clear();
        let mut push = |kind, code, text: &Rc<str>| {
            recs.push(Recommendation {
                kind,
                code,
                text: text.clone(),
            })
        };
        let t = &self.texts;
        let p = pf.p.flags;
        if p.orphaned {
            push(RecommendationKind::Remove, "orphaned", &t.orphaned);
        }
        if p.disabled {
            push(RecommendationKind::Remove, "disabled", &t.disabled);
        }
        if let Some(text) = &h.notes.ended {
            push(RecommendationKind::Remove, "eligibility-ended", text);
        }
        if let Some(text) = &h.notes.scheduled {
            push(RecommendationKind::Note, "scheduled", text);
        }
        if h.role.index.is_none() {
            push(
                RecommendationKind::Remove,
                "undefined-role",
                &t.undefined_role,
            );
        }
        if h.role.privileged && p.guest {
            push(
                RecommendationKind::Review,
                "guest-privileged",
                &t.guest_privileged,
            );
        }
        if p.unlisted_group {
            push(
                RecommendationKind::Review,
                "members-not-imported",
                &t.members_not_imported,
            );
        }
        if pf.via.is_direct() && p.user {
            if let Some(text) = &h.notes.many {
                push(RecommendationKind::UseGroup, "many-direct-users", text);
            }
        }
        if let Some((also, only)) = &h.notes.eligible {
            if also_active {
                push(RecommendationKind::Note, "also-active", also);
            } else {
                push(RecommendationKind::Note, "eligible-only", only);
            }
        }
        recs.sort_by_key(|r| r.kind);
        self.recs = recs;
    }

    /// Is an eligibility held actively too, with the same role, wherever it
    /// reaches: the targets its row stands for, or its own scope below one?
    fn also_active(
        &mut self,
        plan: &RowPlan,
        h: &HeldAccess,
        p: &PrincipalFacts,
        relation: Relation,
        covered: &[usize],
    ) -> bool {
        let Some(ri) = h.role.index else {
            return false;
        };
        let ri = ri as u32;
        // The same role held actively, at any scope: (role, scope id).
        let active = self.active_of(p);
        let from = active.partition_point(|(r, _)| *r < ri);
        let to = active.partition_point(|(r, _)| *r <= ri);
        let same_role = &active[from..to];
        let held_at = |anc: &[u32]| same_role.iter().any(|(_, s)| anc.contains(s));
        // Held at or above the held scope: wherever the eligibility reaches (its
        // own scope, or targets at or below it, whose ancestors include the held
        // scope's) is covered; else, for a row of several targets, target by target.
        if same_role.is_empty() {
            false
        } else if held_at(&h.anc) {
            true
        } else if relation == Relation::Below {
            false
        } else {
            !covered.is_empty() && covered.iter().all(|&i| held_at(&plan.target_anc[i]))
        }
    }
}

/// One row being made, lent to [`Reviewer::each_row`]'s caller: the plan's shared
/// parts (principal, held access, path) and what the row has of its own. A sheet
/// writes it as it is ([`SheetRow`]); [`RowParts::to_row`] keeps it.
pub(crate) struct RowParts<'r> {
    ix: &'r Index,
    held: &'r HeldAccess,
    path: &'r PathFacts,
    held_no: usize,
    review_key: &'r str,
    content_hash: &'r str,
    target_scope: &'r Rc<str>,
    relation: Relation,
    access_path: &'r str,
    direct: &'r Rc<str>,
    recommendations: &'r [Recommendation],
    blocked_no: u32,
    blocked_by: &'r Rc<[DenyRef]>,
    /// The scope keys of the targets the row stands for.
    covered: &'r Rc<[String]>,
}

impl RowParts<'_> {
    /// The row's principal's number: rows with the same number show the same
    /// principal (its cells can be made once).
    pub(crate) fn principal_no(&self) -> usize {
        self.path.p.no as usize
    }

    /// The row's held access's number in its plan: rows with the same number show
    /// the same role, assignment, condition and PIM kind.
    pub(crate) fn held_no(&self) -> usize {
        self.held_no
    }

    /// The row's deny list's number: rows with the same number have the same
    /// `blocked_by`.
    pub(crate) fn blocked_no(&self) -> usize {
        self.blocked_no as usize
    }

    pub(crate) fn content_hash(&self) -> &str {
        self.content_hash
    }

    /// The scope keys of the reviewed targets the row stands for.
    pub(crate) fn covered(&self) -> &[String] {
        self.covered
    }

    /// The row, kept.
    pub(crate) fn to_row(&self) -> ReviewRow {
        let h = self.held;
        let pf = self.path;
        ReviewRow {
            review_key: self.review_key.to_string(),
            principal: pf.p.info.clone(),
            role_name: h.role.name.clone(),
            role_id: h.role.id.clone(),
            role_type: h.role.role_type.clone(),
            role_defined: h.role.index.is_some(),
            privileged: h.role.privileged,
            assignment_id: h.assignment_id.clone(),
            assignment_scope: h.scope.clone(),
            target_scope: self.target_scope.clone(),
            inherited: self.relation == Relation::Above,
            below: self.relation == Relation::Below,
            via: pf.via.refs(self.ix),
            via_eligible: pf.via.eligible_hop,
            access_path: if pf.via.is_direct() {
                self.direct.clone()
            } else {
                self.access_path.into()
            },
            condition: h.condition.clone(),
            pim: h.pim,
            start_date_time: h.start.clone(),
            end_date_time: h.end.clone(),
            expired: h.expired,
            recommendations: self.recommendations.to_vec(),
            content_hash: self.content_hash.to_string(),
            blocked_by: self.blocked_by.clone(),
            window: h.window.clone(),
            covers: self.covered.len(),
            covered: self.covered.clone(),
        }
    }
}

/// What a sheet's cells show of a row, whether the row is kept ([`ReviewRow`]) or
/// written as it is made ([`RowParts`]).
pub(crate) trait SheetRow {
    fn review_key(&self) -> &str;
    fn principal(&self) -> &PrincipalInfo;
    fn role_name(&self) -> &str;
    fn role_id(&self) -> &str;
    fn role_type(&self) -> &str;
    fn privileged(&self) -> bool;
    fn assignment_id(&self) -> &str;
    fn assignment_scope(&self) -> &str;
    fn target_scope(&self) -> &str;
    fn inherited(&self) -> bool;
    fn access_path(&self) -> &str;
    fn condition(&self) -> Option<&str>;
    fn pim(&self) -> Pim;
    fn recommendations(&self) -> &[Recommendation];
    fn blocked_by(&self) -> &[DenyRef];
    fn window(&self) -> &str;
    fn covers(&self) -> usize;
    /// The principal's `orphaned` cell.
    fn orphan_text(&self) -> &'static str {
        self.principal().orphan_text()
    }
}

impl SheetRow for ReviewRow {
    fn review_key(&self) -> &str {
        &self.review_key
    }
    fn principal(&self) -> &PrincipalInfo {
        &self.principal
    }
    fn role_name(&self) -> &str {
        &self.role_name
    }
    fn role_id(&self) -> &str {
        &self.role_id
    }
    fn role_type(&self) -> &str {
        &self.role_type
    }
    fn privileged(&self) -> bool {
        self.privileged
    }
    fn assignment_id(&self) -> &str {
        &self.assignment_id
    }
    fn assignment_scope(&self) -> &str {
        &self.assignment_scope
    }
    fn target_scope(&self) -> &str {
        &self.target_scope
    }
    fn inherited(&self) -> bool {
        self.inherited
    }
    fn access_path(&self) -> &str {
        &self.access_path
    }
    fn condition(&self) -> Option<&str> {
        self.condition.as_deref()
    }
    fn pim(&self) -> Pim {
        self.pim
    }
    fn recommendations(&self) -> &[Recommendation] {
        &self.recommendations
    }
    fn blocked_by(&self) -> &[DenyRef] {
        &self.blocked_by
    }
    fn window(&self) -> &str {
        &self.window
    }
    fn covers(&self) -> usize {
        self.covers
    }
}

impl SheetRow for RowParts<'_> {
    fn review_key(&self) -> &str {
        self.review_key
    }
    fn principal(&self) -> &PrincipalInfo {
        &self.path.p.info
    }
    fn role_name(&self) -> &str {
        &self.held.role.name
    }
    fn role_id(&self) -> &str {
        &self.held.role.id
    }
    fn role_type(&self) -> &str {
        &self.held.role.role_type
    }
    fn privileged(&self) -> bool {
        self.held.role.privileged
    }
    fn assignment_id(&self) -> &str {
        &self.held.assignment_id
    }
    fn assignment_scope(&self) -> &str {
        &self.held.scope
    }
    fn target_scope(&self) -> &str {
        self.target_scope
    }
    fn inherited(&self) -> bool {
        self.relation == Relation::Above
    }
    fn access_path(&self) -> &str {
        self.access_path
    }
    fn condition(&self) -> Option<&str> {
        self.held.condition.as_deref()
    }
    fn pim(&self) -> Pim {
        self.held.pim
    }
    fn recommendations(&self) -> &[Recommendation] {
        self.recommendations
    }
    fn blocked_by(&self) -> &[DenyRef] {
        self.blocked_by
    }
    fn window(&self) -> &str {
        &self.held.window
    }
    fn covers(&self) -> usize {
        self.covered.len()
    }
    fn orphan_text(&self) -> &'static str {
        self.path.p.flags.orphan_text
    }
}

/// Counts for one scope of a review: its rows, and the distinct principals on them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TargetSummary {
    /// The rows' `target_scope`: a reviewed target, or a scope above several.
    pub(crate) target_scope: String,
    /// How many reviewed targets that scope stands for.
    pub(crate) covers: usize,
    pub(crate) rows: usize,
    /// Distinct users, service principals and unknown principals (not groups).
    pub(crate) principals: usize,
    pub(crate) groups: usize,
    /// Distinct non-group principals holding a privileged role (active or eligible).
    pub(crate) privileged: usize,
    pub(crate) orphaned: usize,
    pub(crate) guests: usize,
    pub(crate) disabled: usize,
    /// Distinct non-group principals with an eligible (PIM) row.
    pub(crate) eligible: usize,
    /// Rows with at least one recommendation.
    pub(crate) with_recommendation: usize,
}

/// Builds the [`TargetSummary`] of one scope from its rows, one at a time.
pub(crate) struct SummaryBuilder {
    summary: TargetSummary,
    /// Principal id → flags: group, privileged, orphaned, guest, disabled, eligible.
    seen: HashMap<String, u8>,
}

impl SummaryBuilder {
    pub(crate) fn new(scope: &str, covers: usize) -> SummaryBuilder {
        SummaryBuilder {
            summary: TargetSummary {
                target_scope: scope.to_string(),
                covers,
                ..TargetSummary::default()
            },
            seen: HashMap::new(),
        }
    }

    pub(crate) fn add(&mut self, r: &ReviewRow) {
        const GROUP: u8 = 1;
        const PRIVILEGED: u8 = 2;
        const ORPHANED: u8 = 4;
        const GUEST: u8 = 8;
        const DISABLED: u8 = 16;
        const ELIGIBLE: u8 = 32;
        self.summary.rows += 1;
        if !r.recommendations.is_empty() {
            self.summary.with_recommendation += 1;
        }
        let p = &r.principal;
        let mut flags = 0;
        if p.is_group() {
            flags |= GROUP;
        } else {
            let set = |b: bool, f: u8| if b { f } else { 0 };
            flags |= set(r.privileged, PRIVILEGED)
                | set(p.is_orphaned(), ORPHANED)
                | set(
                    p.user_type
                        .as_deref()
                        .is_some_and(|u| u.eq_ignore_ascii_case("Guest")),
                    GUEST,
                )
                | set(p.account_enabled == Some(false), DISABLED)
                | set(r.pim == Pim::Eligible, ELIGIBLE);
        }
        let s = &mut self.summary;
        let (was, is) = match self.seen.get_mut(p.id.as_str()) {
            Some(f) => {
                let was = *f;
                *f |= flags;
                (Some(was), *f)
            }
            None => {
                self.seen.insert(p.id.clone(), flags);
                (None, flags)
            }
        };
        if was.is_none() {
            if is & GROUP != 0 {
                s.groups += 1;
            } else {
                s.principals += 1;
            }
        }
        let was = was.unwrap_or(0);
        let new = |f: u8| is & f != 0 && was & f == 0;
        s.privileged += usize::from(new(PRIVILEGED));
        s.orphaned += usize::from(new(ORPHANED));
        s.guests += usize::from(new(GUEST));
        s.disabled += usize::from(new(DISABLED));
        s.eligible += usize::from(new(ELIGIBLE));
    }

    pub(crate) fn finish(self) -> TargetSummary {
        self.summary
    }
}

/// One summary per scope of the review (each target, and each scope above several
/// where their shared access is held), in the order of the rows.
pub(crate) fn summary(review: &Review) -> Vec<TargetSummary> {
    let mut builders: Vec<SummaryBuilder> = review
        .scopes
        .iter()
        .map(|s| SummaryBuilder::new(&s.scope, s.covers))
        .collect();
    let at: HashMap<String, usize> = review
        .scopes
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (scope_key(&s.scope), i))
        .collect();
    for r in &review.rows {
        if let Some(&i) = at.get(&scope_key(&r.target_scope)) {
            builders[i].add(r);
        }
    }
    builders.into_iter().map(SummaryBuilder::finish).collect()
}

/// The decisions a reviewer may enter (case-insensitive; blank = undecided): what
/// `review apply` accepts and the workbook's drop-down offers.
pub(crate) const DECISIONS: [&str; 3] = ["approve", "remove", "flag"];

/// A decision recorded earlier for a review key (latest non-blank one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PastDecision {
    /// `approve`, `remove` or `flag`.
    pub(crate) decision: String,
    pub(crate) comment: Option<String>,
    pub(crate) reviewer: String,
    pub(crate) decided_at: String,
    pub(crate) snapshot_id: i64,
    /// The row's content hash when it was decided.
    pub(crate) content_hash: String,
}

/// Where a row stands against earlier reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub(crate) enum Carry {
    /// No sheet of this target scope was ever applied.
    FirstReview,
    /// Not on any applied sheet of this target scope: access new since the last review.
    New,
    /// On an applied sheet, never decided.
    Undecided,
    /// Decided and unchanged since: the decision is pre-filled.
    Decided { previous: PastDecision },
    /// Decided, but the row's content changed since: decide again.
    Changed { previous: PastDecision },
}

impl Carry {
    /// The pre-filled decision and comment.
    pub(crate) fn prefill(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Carry::Decided { previous } => (
                Some(previous.decision.as_str()),
                previous.comment.as_deref(),
            ),
            _ => (None, None),
        }
    }

    /// The words appended to the recommendation cell, if any.
    pub(crate) fn mark(&self) -> Option<String> {
        match self {
            Carry::New => Some("new since last review".into()),
            Carry::Changed { previous } => Some(format!(
                "changed since last review (was `{}` by {} at {})",
                previous.decision, previous.reviewer, previous.decided_at
            )),
            _ => None,
        }
    }
}

/// How each row stands against earlier decisions. `seen` holds the keys of every
/// row of every applied sheet; `reviewed_targets` the scope keys those sheets named
/// as `target_scope`: a row is new when one of the targets it stands for, or its
/// own scope, was reviewed before.
pub(crate) fn carry_over(
    rows: &[ReviewRow],
    past: &HashMap<String, PastDecision>,
    seen: &HashSet<String>,
    reviewed_targets: &HashSet<String>,
) -> Vec<Carry> {
    rows.iter()
        .map(|r| {
            carry_of(
                &r.review_key,
                &r.content_hash,
                &r.target_scope,
                &r.covered,
                past,
                seen,
                reviewed_targets,
            )
        })
        .collect()
}

/// How one row stands against earlier decisions ([`carry_over`]), from its review
/// key, content hash, target scope and the scope keys of the targets it stands for.
pub(crate) fn carry_of(
    review_key: &str,
    content_hash: &str,
    target_scope: &str,
    covered: &[String],
    past: &HashMap<String, PastDecision>,
    seen: &HashSet<String>,
    reviewed_targets: &HashSet<String>,
) -> Carry {
    match past.get(review_key) {
        Some(p) if p.content_hash == content_hash => Carry::Decided {
            previous: p.clone(),
        },
        Some(p) => Carry::Changed {
            previous: p.clone(),
        },
        None if seen.contains(review_key) => Carry::Undecided,
        None if !reviewed_targets.is_empty()
            && (reviewed_targets.contains(&scope_key(target_scope))
                || covered.iter().any(|t| reviewed_targets.contains(t))) =>
        {
            Carry::New
        }
        None => Carry::FirstReview,
    }
}

/// One change that carries out `remove` decisions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Removal {
    /// Delete the role assignment (the principal holds it itself).
    #[serde(rename_all = "camelCase")]
    DeleteAssignment { assignment_id: String },
    /// Remove the principal from the first group of its path.
    #[serde(rename_all = "camelCase")]
    RemoveMember { group_id: String, member_id: String },
    /// Remove an eligibility in PIM (an AdminRemove request).
    #[serde(rename_all = "camelCase")]
    RemoveEligibility {
        scope: String,
        principal_id: String,
        role_id: String,
        instance_id: String,
    },
    /// Remove an eligible membership of a group in PIM for Groups (an adminRemove
    /// request).
    #[serde(rename_all = "camelCase")]
    RemoveGroupEligibility {
        group_id: String,
        principal_id: String,
    },
    /// Remove an active PIM assignment (an AdminRemove request).
    #[serde(rename_all = "camelCase")]
    RemoveActivePim {
        scope: String,
        principal_id: String,
        role_id: String,
        assignment_id: String,
    },
}

/// A removal and the rows whose `remove` decision it carries out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlanStep<'a> {
    pub(crate) removal: Removal,
    pub(crate) rows: Vec<&'a ReviewRow>,
    /// Other rows of the sheet the same removal takes away, none of them decided
    /// (a membership removed ends every access through it; a group's assignment
    /// deleted ends its members' too).
    pub(crate) also: Vec<&'a ReviewRow>,
    /// Rows it would take away that a reviewer decided to keep (`approve` or
    /// `flag`): a step with any is not carried out.
    pub(crate) kept: Vec<&'a ReviewRow>,
}

impl Removal {
    /// Whether carrying out this removal takes away the access of `r`: the
    /// assignment or eligibility it deletes is the row's, or the membership it
    /// ends is a link of the row's path (the principal, then `via`).
    pub(crate) fn revokes(&self, r: &ReviewRow) -> bool {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        // The links of the path: (member, group, whether the link is an
        // eligible membership).
        let link = |member: &str, group: &str, eligible: bool| {
            let mut from = r.principal.id.as_str();
            r.via.iter().enumerate().any(|(i, g)| {
                let hit = same(from, member)
                    && same(&g.id, group)
                    && (r.via_eligible == Some(i)) == eligible;
                from = g.id.as_str();
                hit
            })
        };
        match self {
            Removal::DeleteAssignment { assignment_id } => {
                r.pim == Pim::Active && same(&r.assignment_id, assignment_id)
            }
            Removal::RemoveActivePim { assignment_id, .. } => {
                r.pim == Pim::ActivePim && same(&r.assignment_id, assignment_id)
            }
            Removal::RemoveEligibility { instance_id, .. } => {
                r.pim == Pim::Eligible && same(&r.assignment_id, instance_id)
            }
            Removal::RemoveMember {
                group_id,
                member_id,
            } => link(member_id, group_id, false),
            Removal::RemoveGroupEligibility {
                group_id,
                principal_id,
            } => link(principal_id, group_id, true),
        }
    }
}

/// The removals for the rows whose latest decision is `remove` and whose content is
/// unchanged since (a stale decision is not carried out: decide it again). Identical
/// removals are merged; order follows the rows.
pub(crate) fn plan<'a>(rows: &'a [ReviewRow], carry: &[Carry]) -> Vec<PlanStep<'a>> {
    let mut steps: Vec<PlanStep<'a>> = Vec::new();
    let mut at: HashMap<Removal, usize> = HashMap::new();
    let mut seen_rows: HashSet<(&str, &str)> = HashSet::new();
    for (r, c) in rows.iter().zip(carry) {
        let Carry::Decided { previous } = c else {
            continue;
        };
        if !previous.decision.eq_ignore_ascii_case("remove") {
            continue;
        }
        let removal = match (r.via.first(), r.pim) {
            // The principal may join the group through PIM for Groups: that
            // eligibility is what to remove.
            (Some(g), _) if r.via_eligible == Some(0) => Removal::RemoveGroupEligibility {
                group_id: g.id.clone(),
                principal_id: r.principal.id.clone(),
            },
            (Some(g), _) => Removal::RemoveMember {
                group_id: g.id.clone(),
                member_id: r.principal.id.clone(),
            },
            (None, Pim::Active) => Removal::DeleteAssignment {
                assignment_id: r.assignment_id.to_string(),
            },
            (None, Pim::ActivePim) => Removal::RemoveActivePim {
                scope: r.assignment_scope.to_string(),
                principal_id: r.principal.id.clone(),
                role_id: r.role_id.to_string(),
                assignment_id: r.assignment_id.to_string(),
            },
            (None, Pim::Eligible) => Removal::RemoveEligibility {
                scope: r.assignment_scope.to_string(),
                principal_id: r.principal.id.clone(),
                role_id: r.role_id.to_string(),
                instance_id: r.assignment_id.to_string(),
            },
        };
        // The same access reviewed under several targets is one row to carry out.
        if !seen_rows.insert((r.review_key.as_str(), &*r.target_scope)) {
            continue;
        }
        match at.get(&removal) {
            Some(&i) => {
                if !steps[i].rows.iter().any(|x| x.review_key == r.review_key) {
                    steps[i].rows.push(r);
                }
            }
            None => {
                at.insert(removal.clone(), steps.len());
                steps.push(PlanStep {
                    removal,
                    rows: vec![r],
                    also: Vec::new(),
                    kept: Vec::new(),
                });
            }
        }
    }
    // What else each removal takes away: a row kept by a reviewer holds the step
    // back; an undecided one is named with it.
    for step in &mut steps {
        let mut named: HashSet<&str> = step.rows.iter().map(|r| r.review_key.as_str()).collect();
        for (r, c) in rows.iter().zip(carry) {
            if !step.removal.revokes(r) || !named.insert(r.review_key.as_str()) {
                continue;
            }
            match c {
                Carry::Decided { previous } | Carry::Changed { previous }
                    if previous.decision.eq_ignore_ascii_case("remove") =>
                {
                    // Decided `remove` too (a stale one is reported apart).
                }
                Carry::Decided { .. } | Carry::Changed { .. } => step.kept.push(r),
                _ => step.also.push(r),
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{self, edge, group, user, RG, SUB, WS};
    use crate::model::*;

    const TAKEN: &str = "2026-11-01T00:00:00Z";

    fn role(id: &str, actions: &[&str], not_actions: &[&str]) -> RoleDefinition {
        RoleDefinition {
            id: id.into(),
            role_name: format!("role-{id}"),
            role_type: "CustomRole".into(),
            description: String::new(),
            permissions: vec![PermissionBlock {
                actions: actions.iter().map(|s| s.to_string()).collect(),
                not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }],
            assignable_scopes: vec!["/".into()],
        }
    }

    fn assign(n: usize, principal: &str, role_id: &str, scope: &str) -> Assignment {
        fixtures::assign(&format!("a{n}"), principal, role_id, scope)
    }

    fn eligible(id: &str, principal: &str, role_id: &str, scope: &str, end: &str) -> Eligibility {
        Eligibility {
            principal_display_name: None,
            role_definition_name: None,
            id: id.into(),
            principal_id: principal.into(),
            principal_type: "User".into(),
            role_definition_id: role_id.into(),
            scope: scope.into(),
            start_date_time: Some("2026-01-01T00:00:00Z".into()),
            end_date_time: Some(end.into()),
            member_type: Some("Direct".into()),
            condition: None,
        }
    }

    /// u1 ∈ g1 ∈ g2 ∈ g1 (cycle); g2 holds `owner` at the subscription; `reader` at
    /// the workspace for u2 directly; `ops` below the workspace for u3.
    fn tenant() -> Tenant {
        let mut t = Tenant {
            principals: vec![user("u1"), user("u2"), user("u3"), group("g1"), group("g2")],
            member_edges: vec![edge("g1", "u1"), edge("g2", "g1"), edge("g1", "g2")],
            member_lists: vec!["g1".into(), "g2".into()],
            roles: vec![
                role("owner", &["*"], &[]),
                role("reader", &["*/read"], &[]),
                role("uaa", &["Microsoft.Authorization/*"], &[]),
                role("ds", &["*"], &["Microsoft.Authorization/*/write"]),
            ],
            ..Default::default()
        };
        t.assignments.push(assign(1, "g2", "owner", SUB));
        t.assignments.push(assign(2, "u2", "reader", WS));
        t.assignments
            .push(assign(3, "u3", "ds", &format!("{WS}/computes/c1")));
        t.assignments
            .push(assign(4, "u2", "reader", "/subscriptions/OTHER"));
        t
    }

    fn rows_of(t: &Tenant) -> Vec<ReviewRow> {
        review(&Index::new(t), &[WS.to_string()], TAKEN).rows
    }

    fn find<'a>(rows: &'a [ReviewRow], principal: &str, role: &str) -> Vec<&'a ReviewRow> {
        rows.iter()
            .filter(|r| r.principal.id == principal && *r.role_name == format!("role-{role}"))
            .collect()
    }

    #[test]
    fn rows_cover_ancestors_the_scope_and_below_but_not_elsewhere() {
        let rows = rows_of(&tenant());
        let owner_g2 = find(&rows, "g2", "owner");
        assert_eq!(owner_g2.len(), 1);
        assert!(owner_g2[0].inherited && !owner_g2[0].below);
        assert_eq!(&*owner_g2[0].access_path, "direct");
        let reader = find(&rows, "u2", "reader");
        assert_eq!(
            reader.len(),
            1,
            "the assignment at another subscription is out"
        );
        assert!(!reader[0].inherited && !reader[0].below);
        let ds = find(&rows, "u3", "ds");
        assert!(ds[0].below && !ds[0].inherited);
    }

    #[test]
    fn nested_groups_give_one_row_per_simple_path_and_cycles_end() {
        let rows = rows_of(&tenant());
        // g2 holds owner: g2 itself, g1 via [g2], u1 via [g1, g2]. The cycle g1 ∈ g2 ∈ g1
        // adds no path (g2 is already on it).
        let owner: Vec<(&str, Vec<&str>)> = rows
            .iter()
            .filter(|r| &*r.role_name == "role-owner")
            .map(|r| {
                (
                    r.principal.id.as_str(),
                    r.via.iter().map(|g| g.id.as_str()).collect(),
                )
            })
            .collect();
        let mut owner = owner;
        owner.sort();
        assert_eq!(
            owner,
            vec![("g1", vec!["g2"]), ("g2", vec![]), ("u1", vec!["g1", "g2"])]
        );
        let u1 = find(&rows, "u1", "owner")[0];
        assert_eq!(&*u1.access_path, "User u1 → Group g1 → Group g2");
    }

    #[test]
    fn privileged_follows_the_per_block_rule() {
        let rows = rows_of(&tenant());
        assert!(find(&rows, "u1", "owner")[0].privileged, "`*`");
        assert!(!find(&rows, "u2", "reader")[0].privileged);
        assert!(
            !find(&rows, "u3", "ds")[0].privileged,
            "`*` minus Microsoft.Authorization/*/write"
        );
        let mut t = tenant();
        t.assignments.push(assign(9, "u2", "uaa", WS));
        assert!(
            find(&rows_of(&t), "u2", "uaa")[0].privileged,
            "Microsoft.Authorization/*"
        );
    }

    #[test]
    fn review_key_is_stable_and_depends_on_the_path_only() {
        let a = rows_of(&tenant());
        let mut t = tenant();
        // Unrelated change, other spelling of the same ids.
        t.principals.push(user("u9"));
        for e in &mut t.member_edges {
            e.group_id = e.group_id.to_uppercase();
        }
        let b = rows_of(&t);
        let keys = |rows: &[ReviewRow]| {
            let mut k: Vec<String> = rows.iter().map(|r| r.review_key.clone()).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&a), keys(&b));
        assert_eq!(a[0].review_key.len(), 16);
        assert_eq!(
            review_key("U1", "/A/B", &["G1".into()]),
            review_key("u1", "/a/b", &["g1".into()])
        );
        assert_ne!(
            review_key("u1", "/a/b", &["g1".into()]),
            review_key("u1", "/a/b", &[])
        );
        // The key as it always was: the first 8 bytes of sha256 of the joined text.
        assert_eq!(
            review_key("U1", "/A/B", &["G1".into(), "g2".into()]),
            short_hash("u1\n/a/b\ng1>g2")
        );
    }

    #[test]
    fn recommendations_from_the_data() {
        let mut t = tenant();
        // Disabled u1, guest u2 with a privileged role, an orphan, an ended and a
        // current eligibility, an undefined role.
        t.principals[0].account_enabled = Some(false);
        t.principals[1].user_type = Some("Guest".into());
        t.assignments.push(assign(5, "u2", "uaa", WS));
        t.assignments.push(assign(6, "gone", "reader", WS));
        t.assignments.push(assign(7, "u3", "nope", WS));
        t.eligibilities
            .push(eligible("e1", "u3", "owner", RG, "2026-06-30T00:00:00Z"));
        t.eligibilities
            .push(eligible("e2", "u3", "uaa", WS, "2027-06-30T00:00:00Z"));
        let rows = rows_of(&t);
        let codes = |r: &ReviewRow| r.recommendations.iter().map(|x| x.code).collect::<Vec<_>>();
        assert_eq!(codes(find(&rows, "u1", "owner")[0]), ["disabled"]);
        assert_eq!(codes(find(&rows, "u2", "uaa")[0]), ["guest-privileged"]);
        assert!(
            codes(find(&rows, "u2", "reader")[0]).is_empty(),
            "guest, not privileged"
        );
        let orphan = rows.iter().find(|r| r.principal.id == "gone").unwrap();
        assert!(orphan.principal.is_orphaned());
        assert_eq!(codes(orphan), ["orphaned"]);
        assert!(orphan.recommendation().starts_with("remove:"));
        let undefined = rows
            .iter()
            .find(|r| r.principal.id == "u3" && !r.role_defined)
            .unwrap();
        assert_eq!(codes(undefined), ["undefined-role"]);
        let ended = find(&rows, "u3", "owner")[0];
        assert_eq!((ended.pim, ended.expired), (Pim::Eligible, true));
        assert_eq!(codes(ended), ["eligibility-ended"]);
        assert!(ended.recommendation().contains("2026-06-30"));
        let current = find(&rows, "u3", "uaa")[0];
        assert_eq!(codes(current), ["eligible-only"]);
        // A time-bound active assignment that starts after the snapshot grants
        // nothing yet (SPEC §2.10): the row says so.
        let mut later = assign(8, "u2", "owner", RG);
        later.start_date_time = Some("2026-12-01T00:00:00Z".into());
        t.assignments.push(later);
        let rows = rows_of(&t);
        let scheduled = find(&rows, "u2", "owner")[0];
        assert_eq!(codes(scheduled), ["guest-privileged", "scheduled"]);
        assert!(scheduled.recommendation().contains(
            "note: the time-bound assignment starts 2026-12-01T00:00:00Z, after the snapshot"
        ));
    }

    #[test]
    fn content_hashes_made_from_parts_are_the_defined_hash() {
        let mut t = tenant();
        t.principals[0].account_enabled = Some(false);
        t.principals[1].user_type = Some("Guest".into());
        t.assignments[1].condition = Some("  @Resource[X] == 'Y'  ".into());
        t.assignments.push(assign(6, "gone", "reader", WS));
        t.assignments.push(assign(7, "u3", "nope", WS));
        t.eligibilities
            .push(eligible("E1", "U3", "owner", RG, "2026-06-30T00:00:00Z"));
        t.assignments[0].source = AssignmentSource::PimActive;
        t.assignments[0].end_date_time = Some("2027-01-01T00:00:00.5+01:00".into());
        let ix = Index::new(&t);
        let rows = review(&ix, &[WS.to_string(), SUB.to_string()], TAKEN).rows;
        assert!(rows.len() > 8);
        for r in &rows {
            let digest = match ix.role_index(&r.role_id, None) {
                Some(i) if r.role_defined => {
                    serde_json::to_string(&ix.roles[i].def.permissions).unwrap()
                }
                _ => "undefined".to_string(),
            };
            assert_eq!(r.content_hash, r.access_hash(&digest), "{r:?}");
        }
    }

    #[test]
    fn many_users_holding_a_role_directly_suggest_a_group() {
        let mut t = tenant();
        for i in 0..4 {
            let id = format!("m{i}");
            t.principals.push(user(&id));
            t.assignments.push(assign(100 + i, &id, "reader", WS));
        }
        // u2 + m0..m3 = 5 users with reader directly at the workspace.
        let rows = rows_of(&t);
        let r = find(&rows, "m0", "reader")[0];
        assert_eq!(r.recommendations[0].code, "many-direct-users");
        assert!(r.recommendation().contains("5 users"));
        // Four are not enough.
        t.assignments.pop();
        let rows = rows_of(&t);
        assert!(find(&rows, "m0", "reader")[0].recommendations.is_empty());
    }

    #[test]
    fn an_eligibility_also_held_active_is_noted_as_such() {
        let mut t = tenant();
        t.eligibilities
            .push(eligible("e1", "u2", "reader", WS, "2027-01-01T00:00:00Z"));
        let rows = rows_of(&t);
        let e = rows
            .iter()
            .find(|r| r.principal.id == "u2" && r.pim == Pim::Eligible)
            .unwrap();
        assert_eq!(e.recommendations[0].code, "also-active");
    }

    #[test]
    fn pim_active_assignments_say_so() {
        let mut t = tenant();
        t.assignments[1].source = AssignmentSource::PimActive;
        let rows = rows_of(&t);
        assert_eq!(find(&rows, "u2", "reader")[0].pim.as_str(), "active (PIM)");
    }

    #[test]
    fn members_of_unimported_groups_are_incomplete() {
        let mut t = tenant();
        t.principals.push(group("g9"));
        t.assignments.push(assign(8, "g9", "reader", WS));
        let r = review(&Index::new(&t), &[WS.to_string()], TAKEN);
        assert_eq!(r.incomplete.len(), 1);
        assert_eq!(r.incomplete[0].group_id.as_deref(), Some("g9"));
        let g9 = r.rows.iter().find(|x| x.principal.id == "g9").unwrap();
        assert_eq!(g9.recommendations[0].code, "members-not-imported");
    }

    #[test]
    fn summary_counts_distinct_principals_per_scope() {
        let mut t = tenant();
        t.principals[1].user_type = Some("Guest".into());
        t.assignments.push(assign(6, "gone", "reader", WS));
        let r = review(&Index::new(&t), &[WS.to_string(), RG.to_string()], TAKEN);
        let s = summary(&r);
        let scopes: Vec<(&str, usize)> = s
            .iter()
            .map(|x| (x.target_scope.as_str(), x.covers))
            .collect();
        // The owner assignment at the subscription is above both targets: its rows
        // are held there once; then each target's own rows.
        assert_eq!(scopes, [(SUB, 2), (WS, 1), (RG, 1)]);
        // At the subscription: u1 (owner via groups), and the groups themselves.
        assert_eq!((s[0].principals, s[0].groups), (1, 2));
        assert_eq!(
            s[0].privileged, 1,
            "u1 through g1 and g2; groups not counted"
        );
        // At the workspace: u2 (reader, a guest), gone (orphaned), u3 (below).
        assert_eq!(s[1].principals, 3);
        assert_eq!((s[1].orphaned, s[1].guests, s[1].privileged), (1, 1, 0));
        assert_eq!(
            s[1].rows,
            r.rows.iter().filter(|x| &*x.target_scope == WS).count()
        );
        // The workspace and the compute are below the resource group: the same three.
        assert_eq!(s[2].principals, 3);
        assert_eq!(s.iter().map(|x| x.rows).sum::<usize>(), r.rows.len());
    }

    fn past(decision: &str, hash: &str) -> PastDecision {
        PastDecision {
            decision: decision.into(),
            comment: Some("ok".into()),
            reviewer: "r".into(),
            decided_at: TAKEN.into(),
            snapshot_id: 1,
            content_hash: hash.into(),
        }
    }

    #[test]
    fn carry_over_prefills_unchanged_and_marks_new_and_changed() {
        let rows = rows_of(&tenant());
        let u2 = rows.iter().position(|r| r.principal.id == "u2").unwrap();
        let u1 = rows.iter().position(|r| r.principal.id == "u1").unwrap();
        let g1 = rows.iter().position(|r| r.principal.id == "g1").unwrap();
        let mut pastm = HashMap::new();
        pastm.insert(
            rows[u2].review_key.clone(),
            past("approve", &rows[u2].content_hash),
        );
        pastm.insert(rows[u1].review_key.clone(), past("remove", "stale"));
        let seen: HashSet<String> = [rows[g1].review_key.clone()].into();
        let none = HashSet::new();
        let c = carry_over(&rows, &pastm, &seen, &none);
        assert_eq!(c[u2].prefill(), (Some("approve"), Some("ok")));
        assert!(matches!(c[u1], Carry::Changed { .. }));
        assert!(c[u1].mark().unwrap().contains("changed"));
        assert_eq!(c[g1], Carry::Undecided);
        let other = rows.iter().position(|r| r.principal.id == "u3").unwrap();
        assert_eq!(c[other], Carry::FirstReview);
        let reviewed: HashSet<String> = [scope_key(WS)].into();
        let c = carry_over(&rows, &pastm, &seen, &reviewed);
        assert_eq!(c[other], Carry::New);
        assert_eq!(c[other].mark().as_deref(), Some("new since last review"));
    }

    #[test]
    fn plan_removes_the_assignment_or_the_first_membership_once() {
        let mut t = tenant();
        t.eligibilities
            .push(eligible("e1", "u3", "owner", RG, "2027-06-30T00:00:00Z"));
        let rows = rows_of(&t);
        let mut pastm = HashMap::new();
        for r in &rows {
            pastm.insert(r.review_key.clone(), past("remove", &r.content_hash));
        }
        let c = carry_over(&rows, &pastm, &HashSet::new(), &HashSet::new());
        let steps = plan(&rows, &c);
        let removals: Vec<&Removal> = steps.iter().map(|s| &s.removal).collect();
        assert!(removals.contains(&&Removal::RemoveMember {
            group_id: "g1".into(),
            member_id: "u1".into()
        }));
        assert!(removals.contains(&&Removal::DeleteAssignment {
            assignment_id: format!("{WS}/providers/Microsoft.Authorization/roleAssignments/a2")
        }));
        assert!(removals.iter().any(
            |r| matches!(r, Removal::RemoveEligibility { instance_id, .. } if instance_id == "e1")
        ));
        let unique: HashSet<&&Removal> = removals.iter().collect();
        assert_eq!(unique.len(), removals.len(), "identical removals merged");
        // An approve or a stale remove plans nothing.
        let c: Vec<Carry> = rows
            .iter()
            .map(|r| Carry::Changed {
                previous: past("remove", &r.content_hash),
            })
            .collect();
        assert!(plan(&rows, &c).is_empty());
    }

    #[test]
    fn a_removal_that_takes_away_kept_rows_is_held_back() {
        let mut t = tenant();
        t.assignments.push(assign(5, "g1", "reader", WS));
        let rows = rows_of(&t);
        let only = |p: &str, role: &str| {
            let f = find(&rows, p, role);
            assert_eq!(f.len(), 1, "{p} {role}: {f:?}");
            rows.iter().position(|r| std::ptr::eq(r, f[0])).unwrap()
        };
        let (u1_reader, u1_owner) = (only("u1", "reader"), only("u1", "owner"));
        assert_eq!(rows[u1_owner].via.len(), 2, "u1 → g1 → g2");
        // u1's reader through g1 is removed; its owner through g1 → g2 is kept.
        let decide = |kept: Option<&str>| {
            let mut m = HashMap::new();
            m.insert(
                rows[u1_reader].review_key.clone(),
                past("remove", &rows[u1_reader].content_hash),
            );
            if let Some(d) = kept {
                m.insert(
                    rows[u1_owner].review_key.clone(),
                    past(d, &rows[u1_owner].content_hash),
                );
            }
            carry_over(&rows, &m, &HashSet::new(), &HashSet::new())
        };
        for d in ["approve", "flag"] {
            let c = decide(Some(d));
            let steps = plan(&rows, &c);
            assert_eq!(steps.len(), 1);
            assert_eq!(
                steps[0].removal,
                Removal::RemoveMember {
                    group_id: "g1".into(),
                    member_id: "u1".into()
                }
            );
            assert_eq!(steps[0].kept.len(), 1, "{d}");
            assert_eq!(steps[0].kept[0].review_key, rows[u1_owner].review_key);
        }
        // Undecided, it is named as also taken away, and the step stands.
        let c = decide(None);
        let steps = plan(&rows, &c);
        assert!(steps[0].kept.is_empty());
        assert!(steps[0]
            .also
            .iter()
            .any(|r| r.review_key == rows[u1_owner].review_key));
        // Deleting g2's own assignment takes the owner rows of every member below it.
        let g2_owner = only("g2", "owner");
        let mut m = HashMap::new();
        m.insert(
            rows[g2_owner].review_key.clone(),
            past("remove", &rows[g2_owner].content_hash),
        );
        m.insert(
            rows[u1_owner].review_key.clone(),
            past("approve", &rows[u1_owner].content_hash),
        );
        let c = carry_over(&rows, &m, &HashSet::new(), &HashSet::new());
        let steps = plan(&rows, &c);
        assert_eq!(steps.len(), 1);
        assert!(matches!(steps[0].removal, Removal::DeleteAssignment { .. }));
        assert_eq!(steps[0].kept.len(), 1);
        assert!(steps[0].also.iter().any(|r| r.principal.id == "g1"));
        // A row elsewhere (u2's reader at another subscription) is no link of it.
        assert!(!steps[0].also.iter().any(|r| r.principal.id == "u2"));
    }

    // -- several targets: one row where shared access is held ------------------

    const WS2: &str =
        "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w2";
    const RG2: &str = "/subscriptions/S1/resourceGroups/RG2";
    const WS3: &str =
        "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.MachineLearningServices/workspaces/w3";
    const C1: &str = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w1/computes/c1";
    /// A resource group without a workspace: reviewing the subscription over its
    /// workspaces, what is held here is a row of the subscription itself.
    const RG3: &str = "/subscriptions/S1/resourceGroups/RG3";
    const PLACES: [&str; 9] = ["/", SUB, RG, WS, WS2, RG2, WS3, C1, RG3];
    const DENIED: [&str; 4] = [
        "*",
        "*/write",
        "Microsoft.MachineLearningServices/*",
        "Microsoft.MachineLearningServices/workspaces/computes/*/read",
    ];
    const WHO: [&str; 7] = ["u1", "u2", "u3", "g1", "g2", "g3", ALL_PRINCIPALS];

    fn deny_at(
        n: usize,
        scope: &str,
        pattern: &str,
        who: &str,
        except: Option<&str>,
        child: bool,
    ) -> DenyAssignment {
        let dp = |id: &str| DenyPrincipal {
            id: id.into(),
            kind: "User".into(),
        };
        DenyAssignment {
            id: format!("{scope}/providers/Microsoft.Authorization/denyAssignments/d{n}"),
            name: format!("d{n}"),
            scope: scope.into(),
            permissions: vec![PermissionBlock {
                actions: vec![pattern.into()],
                ..Default::default()
            }],
            principals: vec![dp(who)],
            exclude_principals: except.map(dp).into_iter().collect(),
            do_not_apply_to_child_scopes: child,
            condition: None,
            effect: None,
        }
    }

    /// (review key, target key) → (principal, assignment, deny ids).
    type Tuples = BTreeMap<(String, String), (String, String, Vec<String>)>;

    fn facts(r: &ReviewRow) -> (String, String, Vec<String>) {
        (
            r.principal.id.clone(),
            r.assignment_id.to_string(),
            r.blocked_by.iter().map(|d| d.id.clone()).collect(),
        )
    }

    /// Reviews the three workspaces together and one by one: the rows of the
    /// first stand for exactly the rows of the others.
    fn same_coverage(t: &Tenant) -> Result<(), String> {
        let ix = Index::new(t);
        let targets = [WS.to_string(), WS2.to_string(), WS3.to_string()];
        let mut brute: Tuples = BTreeMap::new();
        for target in &targets {
            for r in review(&ix, std::slice::from_ref(target), TAKEN).rows {
                let k = (r.review_key.clone(), scope_key(target));
                if brute.insert(k.clone(), facts(&r)).is_some() {
                    return Err(format!("{k:?} twice in one target's review"));
                }
            }
        }
        let mut dedup: Tuples = BTreeMap::new();
        let all = review(&ix, &targets, TAKEN);
        for r in &all.rows {
            if r.covers != r.covered.len() || r.covers == 0 {
                return Err(format!("covers {} for {:?}", r.covers, r.covered));
            }
            let shared = !targets
                .iter()
                .any(|x| scope_key(x) == scope_key(&r.target_scope));
            if shared != (r.covers > 1) {
                return Err(format!("{} covers {}", r.target_scope, r.covers));
            }
            for c in r.covered.iter() {
                let k = (r.review_key.clone(), c.clone());
                if dedup.insert(k.clone(), facts(r)).is_some() {
                    return Err(format!("{k:?} stood for twice"));
                }
            }
        }
        if dedup != brute {
            return Err(format!("together {dedup:#?}\none by one {brute:#?}"));
        }
        Ok(())
    }

    #[test]
    fn a_deny_at_one_workspace_splits_that_workspace_off_the_shared_row() {
        let mut t = tenant();
        t.principals.push(user("u9"));
        t.assignments.push(assign(9, "u9", "owner", SUB));
        t.denies.push(deny_at(
            1,
            WS2,
            "*/write",
            ALL_PRINCIPALS,
            Some("u1"),
            false,
        ));
        let targets = [WS.to_string(), WS2.to_string(), WS3.to_string()];
        let rows = review(&Index::new(&t), &targets, TAKEN).rows;
        let u9: Vec<(&str, usize, usize)> = rows
            .iter()
            .filter(|r| r.principal.id == "u9")
            .map(|r| (&*r.target_scope, r.covers, r.blocked_by.len()))
            .collect();
        assert_eq!(u9, [(SUB, 2, 0), (WS2, 1, 1)]);
        // u1 is excluded from the deny: one row for all three.
        let u1: Vec<(&str, usize)> = rows
            .iter()
            .filter(|r| r.principal.id == "u1")
            .map(|r| (&*r.target_scope, r.covers))
            .collect();
        assert_eq!(u1, [(SUB, 3)]);
        same_coverage(&t).unwrap();
    }

    type Edges = Vec<(usize, usize)>;
    type Helds = Vec<(usize, usize, usize)>;
    type Denies = Vec<(usize, usize, usize, Option<usize>, bool)>;

    /// A tenant of three users and three groups holding roles at [`PLACES`].
    fn several(edges: Edges, assigns: Helds, eligs: Helds, denies: Denies) -> Tenant {
        let who = ["u1", "u2", "u3", "g1", "g2", "g3"];
        let roles = ["owner", "reader", "uaa", "ds"];
        let mut t = tenant();
        t.principals = vec![
            user("u1"),
            user("u2"),
            user("u3"),
            group("g1"),
            group("g2"),
            group("g3"),
        ];
        t.member_lists = vec!["g1".into(), "g2".into(), "g3".into()];
        t.assignments.clear();
        t.member_edges = edges
            .into_iter()
            .map(|(g, m)| edge(["g1", "g2", "g3"][g], who[m]))
            .collect();
        for (n, (h, r, s)) in assigns.into_iter().enumerate() {
            t.assignments.push(assign(n, who[h], roles[r], PLACES[s]));
        }
        for (n, (h, r, s)) in eligs.into_iter().enumerate() {
            t.eligibilities.push(eligible(
                &format!("e{n}"),
                who[h],
                roles[r],
                PLACES[s],
                "2027-01-01T00:00:00Z",
            ));
        }
        for (n, (s, p, w, x, child)) in denies.into_iter().enumerate() {
            t.denies.push(deny_at(
                n,
                PLACES[s],
                DENIED[p],
                WHO[w],
                x.map(|x| who[x]),
                child,
            ));
        }
        t
    }

    /// Tenants of [`several`]: memberships, assignments, eligibilities and deny
    /// assignments drawn over its principals, roles and places.
    fn arb_several() -> impl proptest::strategy::Strategy<Value = Tenant> {
        use proptest::strategy::Strategy;
        (
            proptest::collection::vec((0..3usize, 0..6usize), 0..6),
            proptest::collection::vec((0..6usize, 0..4usize, 0..PLACES.len()), 1..10),
            proptest::collection::vec((0..6usize, 0..4usize, 0..PLACES.len()), 0..3),
            proptest::collection::vec(
                (
                    0..PLACES.len(),
                    0..DENIED.len(),
                    0..WHO.len(),
                    proptest::option::of(0..6usize),
                    proptest::bool::ANY,
                ),
                0..4,
            ),
        )
            .prop_map(|(edges, assigns, eligs, denies)| several(edges, assigns, eligs, denies))
    }

    /// Every row of a plan, in the order the writer gets them.
    fn streamed(reviewer: &mut Reviewer, plan: &RowPlan) -> Vec<ReviewRow> {
        let mut out = Vec::new();
        let _ = reviewer.each_row(plan, |v| {
            if let Visit::Row(r) = v {
                out.push(r.to_row());
            }
            Ok::<(), std::convert::Infallible>(())
        });
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        #[test]
        fn rows_of_several_targets_stand_for_exactly_each_targets_rows(
            t in arb_several(),
        ) {
            if let Err(e) = same_coverage(&t) {
                return Err(proptest::test_runner::TestCaseError::fail(e));
            }
        }

        /// `review --scope SUB` over its three workspaces (SPEC §5) has the
        /// same accesses as SUB reviewed as one target; its rows are those of the
        /// three workspaces reviewed together, plus a row of SUB for each access
        /// held below SUB that reaches none of them.
        #[test]
        fn a_scope_reviewed_over_its_workspaces_keeps_every_access_below_it(
            t in arb_several(),
        ) {
            let ix = Index::new(&t);
            let ws = [WS.to_string(), WS2.to_string(), WS3.to_string()];
            let mut reviewer = Reviewer::new(&ix, TAKEN);
            let plan = reviewer.plan_within(&ws, Some(SUB), true);
            let within = reviewer.collect(&plan);
            proptest::prop_assert_eq!(&within.targets, &[WS, WS2, WS3, SUB].map(String::from).to_vec());
            let keys = |rows: &[ReviewRow]| -> std::collections::BTreeSet<String> {
                rows.iter().map(|r| r.review_key.clone()).collect()
            };
            let single = review(&ix, &[SUB.to_string()], TAKEN).rows;
            proptest::prop_assert_eq!(keys(&within.rows), keys(&single));
            let (own, workspaces): (Vec<ReviewRow>, Vec<ReviewRow>) = within
                .rows
                .into_iter()
                .partition(|r| *r.covered == [scope_key(SUB)]);
            proptest::prop_assert_eq!(&workspaces, &review(&ix, &ws, TAKEN).rows);
            for r in &own {
                proptest::prop_assert_eq!(&*r.target_scope, SUB);
                proptest::prop_assert_eq!((r.covers, r.inherited), (1, false));
                proptest::prop_assert_eq!(scope_key(&r.assignment_scope), scope_key(RG3));
            }
        }

        /// The sheet measures a sample before it streams the rows, and the writer
        /// takes the largest sampled group's entries from it: the rows written are
        /// still exactly the review's, and the sample is made of them.
        #[test]
        fn rows_streamed_after_a_sample_are_the_reviews_rows(
            t in arb_several(),
            n in 0..12usize,
        ) {
            let ix = Index::new(&t);
            let targets = [WS.to_string(), WS2.to_string(), WS3.to_string()];
            let whole = review(&ix, &targets, TAKEN).rows;
            let mut reviewer = Reviewer::new(&ix, TAKEN);
            let plan = reviewer.plan(&targets, true);
            let sample = reviewer.sample(&plan, n);
            proptest::prop_assert_eq!(&streamed(&mut reviewer, &plan), &whole);
            for r in &sample {
                proptest::prop_assert!(whole.contains(r), "sampled row not in the review: {:?}", r);
            }
            // A second pass over the same plan makes the same rows again.
            proptest::prop_assert_eq!(&streamed(&mut reviewer, &plan), &whole);
        }
    }
}
