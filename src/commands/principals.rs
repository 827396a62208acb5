//! `whocan principals [--kind user|group|sp] [--match TEXT]`: the principals a
//! snapshot knows, each once, so that a new user finds the names and ids to ask
//! `who`, `can`, `show` or `members` about.
//!
//! Read-only: a scan of the snapshot's principal records, of its role
//! assignments and of its PIM eligibilities (a principal in no listing is known
//! only from them, as the orphaned one of the sample is). Devices and contacts of
//! member lists are never principals and are not listed. The match is the one
//! `show` and `can` fall back to ([`super::resolve::fold`]: case and accents do
//! not matter), as a substring. No principal matching is an empty list, said on
//! stderr.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use crate::cli::{Format, PrincipalKindArg, PrincipalsArgs};
use crate::model::{key, Assignment, Eligibility, Principal, PrincipalKind};
use crate::report;
use crate::report::principals::Listed;
use crate::report::text::eprintln_safe;

use super::common::Sliced;
use super::resolve::fold;
use super::{output_format, Outcome};

pub(crate) fn run(db: &Path, args: PrincipalsArgs) -> anyhow::Result<Outcome> {
    let sl = Sliced::open(db, &args.snapshot)?;
    let snapshot = sl.snapshot.id;
    let wanted = Wanted {
        kind: args.kind,
        text: args.matching.as_deref().map(fold).filter(|t| !t.is_empty()),
    };
    let mut seen: HashSet<String> = HashSet::new();
    let mut rows: Vec<Listed> = Vec::new();
    sl.store.each_principal(snapshot, &mut |p| {
        seen.insert(key(&p.id));
        if let Some(row) = listed(&p) {
            if wanted.keeps(&row) {
                rows.push(row);
            }
        }
    })?;
    // Principals in no listing, each once, as the first record naming it shows it.
    let mut unlisted = |id: &str, row: &dyn Fn() -> Listed| {
        if seen.insert(key(id)) {
            let row = row();
            if wanted.keeps(&row) {
                rows.push(row);
            }
        }
    };
    sl.store.each_assignment(snapshot, &mut |a| {
        unlisted(&a.principal_id, &|| assigned_only(&a))
    })?;
    sl.store.each_eligibility(snapshot, &mut |e| {
        unlisted(&e.principal_id, &|| eligible_only(&e))
    })?;
    rows.sort_by_cached_key(|r| (rank(&r.kind), fold(r.shown_name()), r.id.clone()));
    if rows.is_empty() {
        eprintln_safe!(
            "no principal{} in snapshot {snapshot}",
            report::principals::where_words(args.kind, args.matching.as_deref())
        );
        eprintln_safe!("hint: `whocan principals` lists every principal of the snapshot");
    }
    let mut out = crate::report::text::data_stdout(args.format);
    let asked = report::principals::Asked {
        snapshot: &sl.snapshot,
        kind: args.kind,
        matching: args.matching.as_deref(),
    };
    match output_format(args.format) {
        Format::Json => report::print_json(&mut out, &report::principals::json(&asked, &rows))?,
        Format::Csv => report::principals::csv(&mut out, &rows)?,
        Format::Table => report::principals::table(&mut out, &asked, &rows)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// What `--kind` and `--match` keep.
struct Wanted {
    kind: Option<PrincipalKindArg>,
    /// `--match`, folded.
    text: Option<String>,
}

impl Wanted {
    fn keeps(&self, r: &Listed) -> bool {
        let kind_ok = match self.kind {
            None => true,
            Some(PrincipalKindArg::User) => r.kind == "User",
            Some(PrincipalKindArg::Group) => crate::model::names_group(&r.kind),
            Some(PrincipalKindArg::ServicePrincipal) => {
                r.kind == "ServicePrincipal" || r.kind == "ManagedIdentity"
            }
        };
        kind_ok
            && self.text.as_deref().is_none_or(|t| {
                [
                    Some(&r.display_name),
                    r.user_principal_name.as_ref(),
                    r.mail.as_ref(),
                    r.app_id.as_ref(),
                    Some(&r.id),
                ]
                .into_iter()
                .flatten()
                .chain(&r.other_mails)
                .any(|v| fold(v).contains(t))
            })
    }
}

/// Users first, then groups, service principals, managed identities, the rest.
fn rank(kind: &str) -> u8 {
    match kind {
        "User" => 0,
        "Group" => 1,
        "ServicePrincipal" => 2,
        "ManagedIdentity" => 3,
        _ => 4,
    }
}

/// A principal record as listed; devices and contacts are not principals.
fn listed(p: &Principal) -> Option<Listed> {
    if matches!(p.kind, PrincipalKind::Device | PrincipalKind::OrgContact) {
        return None;
    }
    let mut notes = Vec::new();
    if p.user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
    {
        notes.push("guest");
    }
    if p.account_enabled == Some(false) {
        notes.push("disabled");
    }
    if p.kind == PrincipalKind::ManagedIdentity {
        notes.push("managed identity");
    }
    if p.from_member_list {
        notes.push("in no directory listing (named by a member list)");
    }
    Some(Listed {
        id: p.id.clone(),
        kind: p.kind.as_str().to_string(),
        display_name: p.display_name.clone(),
        user_principal_name: p.user_principal_name.clone(),
        app_id: p.app_id.clone(),
        mail: p.mail.clone(),
        other_mails: p.other_mails.clone(),
        user_type: p.user_type.clone(),
        account_enabled: p.account_enabled,
        notes,
    })
}

/// A principal no record or assignment has, known from a PIM eligibility (its
/// principal type and the display name its export gives).
fn eligible_only(e: &Eligibility) -> Listed {
    let name = e.principal_display_name.as_deref().map(str::trim);
    unlisted(
        &e.principal_id,
        &e.principal_type,
        name.unwrap_or_default().to_string(),
        None,
        "in no directory listing (named by a PIM eligibility)",
    )
}

/// A principal no record has, known from a role assignment (its principal type
/// and the names the export gives it).
fn assigned_only(a: &Assignment) -> Listed {
    let names = a.names();
    unlisted(
        &a.principal_id,
        &a.principal_type,
        names.display_name.unwrap_or_default(),
        names.user_principal_name,
        "in no directory listing (named by a role assignment)",
    )
}

/// A principal in no listing, as what names it says: its type (`Unknown` when
/// none is given) and names, nothing else known.
fn unlisted(
    id: &str,
    kind: &str,
    display_name: String,
    user_principal_name: Option<String>,
    note: &'static str,
) -> Listed {
    Listed {
        id: id.to_string(),
        kind: if kind.trim().is_empty() {
            "Unknown".to_string()
        } else {
            kind.to_string()
        },
        display_name,
        user_principal_name,
        app_id: None,
        mail: None,
        other_mails: Vec::new(),
        user_type: None,
        account_enabled: None,
        notes: vec![note],
    }
}
