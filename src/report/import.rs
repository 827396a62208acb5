//! Rendering `import`'s summary (the snapshot written, counts per kind, files,
//! every flag with its count and up to three examples) as table, JSON and CSV.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};

use serde_json::{json, Value};

use crate::import::{self, Imported};
use crate::model::{Flag, Snapshot};

use super::text::writeln_safe;
use super::Cell;

/// How many examples of each flag kind the summary shows.
const EXAMPLES: usize = 3;

/// Flags grouped by kind, kinds in the order first raised.
fn grouped(flags: &[Flag]) -> Vec<(&str, Vec<&Flag>)> {
    let mut groups: Vec<(&str, Vec<&Flag>)> = Vec::new();
    for f in flags {
        match groups.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, list)) => list.push(f),
            None => groups.push((f.kind.as_str(), vec![f])),
        }
    }
    groups
}

pub(crate) fn summary_json(snapshot: &Snapshot, imported: &Imported) -> Value {
    let counts: serde_json::Map<String, Value> = import::counts(imported)
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "snapshot": {
            "id": snapshot.id,
            "takenAt": snapshot.taken_at,
            "label": snapshot.label,
            "contentHash": snapshot.content_hash,
        },
        "counts": counts,
        "files": imported.files.iter().map(|f| json!({
            "path": f.path, "kind": f.kind, "sha256": f.sha256, "records": f.records,
        })).collect::<Vec<_>>(),
        "skipped": imported.skipped,
        "flags": grouped(&imported.flags).into_iter().map(|(kind, list)| json!({
            "kind": kind,
            "count": list.len(),
            "examples": list.iter().take(EXAMPLES).map(|f| json!({
                "subject": f.subject, "detail": f.detail,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// A record kind of [`import::counts`] as people read it, singular and plural;
/// a kind not named here is shown as its key.
fn nouns(kind: &str) -> (&str, &str) {
    match kind {
        "roleDefinitions" => ("role definition", "role definitions"),
        "roleAssignments" => ("role assignment", "role assignments"),
        "pimActive" => ("active PIM assignment", "active PIM assignments"),
        "pimActiveDeduplicated" => (
            "active PIM assignment also listed as a role assignment",
            "active PIM assignments also listed as role assignments",
        ),
        "pimEligible" => ("PIM eligibility", "PIM eligibilities"),
        "pimGroupsEligible" => ("PIM group eligibility", "PIM group eligibilities"),
        "pimGroupsActive" => (
            "active PIM group membership",
            "active PIM group memberships",
        ),
        "denyAssignments" => ("deny assignment", "deny assignments"),
        "users" => ("user", "users"),
        "groups" => ("group", "groups"),
        "servicePrincipals" => ("service principal", "service principals"),
        "managedIdentities" => ("managed identity", "managed identities"),
        "devices" => ("device", "devices"),
        "orgContacts" => ("organisational contact", "organisational contacts"),
        "otherDirectoryObjects" => ("other directory object", "other directory objects"),
        "membersKnownOnlyFromMemberFiles" => (
            "member known only from member files",
            "members known only from member files",
        ),
        "memberLists" => ("member list", "member lists"),
        "partialMemberLists" => ("partial member list", "partial member lists"),
        "memberEdges" => ("membership", "memberships"),
        "managementGroups" => ("management group", "management groups"),
        "subscriptions" => ("subscription", "subscriptions"),
        "resourceGroups" => ("resource group", "resource groups"),
        "resources" => ("resource", "resources"),
        "operations" => ("operation", "operations"),
        "ledgerEntries" => ("ledger entry", "ledger entries"),
        "unreadableScopes" => ("unreadable scope", "unreadable scopes"),
        "workspaceLinks" => (
            "workspace with linked resources",
            "workspaces with linked resources",
        ),
        "datastores" => ("datastore", "datastores"),
        "assignedIdentities" => (
            "resource with a managed identity",
            "resources with managed identities",
        ),
        "userAssignedIdentities" => ("user-assigned identity", "user-assigned identities"),
        "storageSharedKeySettings" => (
            "storage account Shared Key setting",
            "storage account Shared Key settings",
        ),
        "keyVaultPermissionModels" => ("key vault permission model", "key vault permission models"),
        other => (other, other),
    }
}

/// The import in three lines (the demo's): the snapshot, what it holds, and how
/// many flags were raised (`whocan snapshots --flags` lists them all).
pub(crate) fn brief(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    imported: &Imported,
) -> io::Result<()> {
    let held: Vec<String> = import::counts(imported)
        .into_iter()
        .filter(|(kind, n)| {
            *n > 0 && *kind != "files" && *kind != "skippedFiles" && *kind != "flags"
        })
        .map(|(kind, n)| {
            let (one, many) = nouns(kind);
            super::count(n, one, many)
        })
        .collect();
    writeln_safe!(
        out,
        "Snapshot {}: {} read; {}.",
        super::snapshot_name(snapshot),
        super::count(imported.files.len(), "file", "files"),
        held.join(", ")
    )?;
    let flags = grouped(&imported.flags);
    if flags.is_empty() {
        writeln!(out, "No flags raised.")
    } else {
        writeln_safe!(
            out,
            "{} flagged ({}): `whocan snapshots --flags {}` lists each one.",
            imported.flags.len(),
            flags
                .iter()
                .map(|g| g.0.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            snapshot.id
        )
    }
}

pub(crate) fn table(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    imported: &Imported,
) -> io::Result<()> {
    writeln_safe!(
        out,
        "Snapshot {}, taken {}, content {}",
        super::snapshot_name(snapshot),
        snapshot.taken_at,
        short_hash(&snapshot.content_hash),
    )?;
    let mut counts = super::table(&["records", "count"]);
    for (kind, n) in import::counts(imported) {
        if n > 0 || kind == "files" {
            counts.add_row([kind.to_string(), n.to_string()]);
        }
    }
    writeln!(out, "{counts}")?;

    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in &imported.files {
        let e = by_kind.entry(f.kind.as_str()).or_default();
        e.0 += 1;
        e.1 += f.records;
    }
    let mut files = super::table(&["file kind", "files", "records"]);
    for (kind, (n, records)) in by_kind {
        files.add_row([kind.to_string(), n.to_string(), records.to_string()]);
    }
    writeln!(out, "{files}")?;

    let groups = grouped(&imported.flags);
    if groups.is_empty() {
        writeln!(out, "No flags raised.")?;
    } else {
        let mut flags = super::table(&["flag", "count", "examples"]);
        if !std::io::stdout().is_terminal() {
            // Off a terminal comfy-table cannot measure a width; wrap long examples.
            flags.set_width(120);
        }
        for (kind, list) in groups {
            let mut examples: Vec<String> = list
                .iter()
                .take(EXAMPLES)
                .map(|f| format!("{}: {}", f.subject, f.detail))
                .collect();
            if list.len() > EXAMPLES {
                examples.push(format!("... and {} more", list.len() - EXAMPLES));
            }
            flags.add_row([
                Cell::from(kind),
                Cell::from(list.len().to_string()),
                Cell::lines(examples),
            ]);
        }
        writeln!(out, "{flags}")?;
    }
    Ok(())
}

fn short_hash(h: &str) -> &str {
    h.get(..16).unwrap_or(h)
}

/// One row per fact: `section,name,value,detail`.
pub(crate) fn csv(out: &mut dyn Write, snapshot: &Snapshot, imported: &Imported) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(["section", "name", "value", "detail"])?;
    w.row([
        "snapshot",
        "id",
        &snapshot.id.to_string(),
        snapshot.label.as_deref().unwrap_or(""),
    ])?;
    w.row(["snapshot", "takenAt", &snapshot.taken_at, ""])?;
    w.row(["snapshot", "contentHash", &snapshot.content_hash, ""])?;
    for (kind, n) in import::counts(imported) {
        w.row(["count", kind, &n.to_string(), ""])?;
    }
    for f in &imported.files {
        w.row(["file", &f.path, &f.records.to_string(), &f.kind])?;
    }
    for (kind, list) in grouped(&imported.flags) {
        let example = list
            .first()
            .map(|f| format!("{}: {}", f.subject, f.detail))
            .unwrap_or_default();
        w.row(["flag", kind, &list.len().to_string(), &example])?;
    }
    w.flush()?;
    Ok(())
}
