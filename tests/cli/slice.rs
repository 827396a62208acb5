//! Slices agree with whole snapshots: for every principal, scope and action of the
//! sample tenant, `who` and `can` decide the same on the slice of the snapshot a
//! query reads as on the whole snapshot.

use std::path::{Path, PathBuf};

use whocan::engine::decide::{decide, ActionReq, Ancestry};
use whocan::engine::query::{incomplete_for, who};
use whocan::engine::Index;
use whocan::model::{key, ScopeKind, Snapshot, Tenant};
use whocan::store::{NewSnapshot, Store};

/// The sample tenant imported into a new database in `dir`: the database's path,
/// the snapshot, and the whole snapshot as read back.
fn sample_snapshot(dir: &Path) -> (PathBuf, Snapshot, Tenant) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let imported = whocan::import::read_inputs(&[sample], false).unwrap();
    let db = dir.join("t.db");
    let mut store = Store::open(&db).unwrap();
    let snap = store
        .write_snapshot(
            &NewSnapshot {
                taken_at: "2026-11-01T00:00:00Z".into(),
                label: None,
                tool_version: "test".into(),
            },
            &imported.tenant,
            &imported.files,
            &imported.flags,
        )
        .unwrap();
    let full = store.load_tenant(snap.id).unwrap();
    (db, snap, full)
}

#[test]
fn slices_decide_like_the_whole_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (db, snap, full) = sample_snapshot(dir.path());
    let full_ix = Index::new_at(&full, &snap.taken_at);
    let actions: Vec<String> = full
        .operations
        .iter()
        .map(|o| o.name.clone())
        .filter(|n| {
            let n = key(n);
            n.ends_with("/delete")
                || n.ends_with("computes/write")
                || n.contains("roleassignments/write")
                || n.ends_with("blobs/read")
                || n.ends_with("workspaces/read")
        })
        .collect();
    assert!(actions.len() >= 5, "{actions:?}");
    let targets: Vec<String> = full
        .scopes
        .iter()
        .filter(|s| s.kind != ScopeKind::ManagementGroup)
        .map(|s| s.id.clone())
        .collect();
    // Exactly the path the commands take: `Sliced::index`, then for `who`
    // `Sliced::expand_for` with the members of the holders that matter.
    let sl = whocan::commands::common::Sliced::open(
        &db,
        &whocan::cli::SnapshotArgs {
            snapshot: None,
            as_of: None,
        },
    )
    .unwrap();
    let mut checked = 0;
    for target in &targets {
        for action in &actions {
            let alts = vec![vec![ActionReq {
                action: action.clone(),
                data: full_ix.is_data_action(action),
                scope: target.clone(),
            }]];
            for explain in [false, true] {
                let (tenant, base) = sl
                    .index(
                        target,
                        &[],
                        false,
                        Some(std::slice::from_ref(action)),
                        false,
                    )
                    .unwrap();
                let slice_ix = sl.expand_for(tenant, base, &alts, explain).unwrap();
                let mut a = who(&full_ix, &alts, true, explain);
                let b = who(&slice_ix, &alts, true, explain);
                // `who` reads no assignment outside the scope's chain: "held
                // elsewhere" is `can --explain`'s reason only (docs/semantics.md).
                for x in &mut a.answers {
                    for d in &mut x.decision.actions {
                        d.why_not.retain(|w| {
                            !matches!(
                                w,
                                whocan::engine::decide::WhyNot::HeldElsewhere { .. }
                                    | whocan::engine::decide::WhyNot::EligibleElsewhere { .. }
                            )
                        });
                    }
                }
                assert_eq!(
                    a.answers, b.answers,
                    "who {action} at {target} (explain {explain})"
                );
                assert_eq!(
                    a.incomplete, b.incomplete,
                    "incomplete for {action} at {target}"
                );
            }
        }
        for p in &full.principals {
            let pk = key(&p.id);
            // `can`'s and `what`'s slice: the principal's own grants, and the
            // groups without a complete member list walked up.
            let (_, can_ix, gaps_read) = sl
                .principal_index(target, &pk, Some(&actions), false)
                .unwrap();
            assert!(gaps_read, "the sample's flags name its gaps");
            let reqs: Vec<ActionReq> = actions
                .iter()
                .map(|action| ActionReq {
                    action: action.clone(),
                    data: full_ix.is_data_action(action),
                    scope: target.clone(),
                })
                .collect();
            let x = decide(&full_ix, &pk, &reqs, true, &mut Ancestry::default());
            let y = decide(&can_ix, &pk, &reqs, true, &mut Ancestry::default());
            for (a, b) in x.actions.iter().zip(&y.actions) {
                assert_eq!(a, b, "can {} {} at {target}", p.display_name, a.action);
            }
            assert_eq!(x, y, "can {} at {target}", p.display_name);
            // And what `can` reports it could not see, action by action.
            for r in &reqs {
                let alts = vec![vec![r.clone()]];
                assert_eq!(
                    incomplete_for(&full_ix, &alts, Some(&pk)),
                    incomplete_for(&can_ix, &alts, Some(&pk)),
                    "can's incomplete: {} {} at {target}",
                    p.display_name,
                    r.action
                );
            }
            checked += reqs.len();
        }
    }
    assert!(checked > 1000, "checked {checked}");
}

/// `review --scope` reads a slice (what is at, above and below the target, and the
/// holders' members): for every scope of the sample tenant, and the root, its rows
/// are the rows of the whole snapshot's review.
#[test]
fn review_slices_give_the_whole_snapshots_rows() {
    use whocan::audit::review::review;
    use whocan::cli::SnapshotArgs;
    use whocan::commands::common::Sliced;

    let dir = tempfile::tempdir().unwrap();
    let (db, snap, full) = sample_snapshot(dir.path());
    let full_ix = Index::new_at(&full, &snap.taken_at);
    let sl = Sliced::open(
        &db,
        &SnapshotArgs {
            snapshot: None,
            as_of: None,
        },
    )
    .unwrap();
    let mut targets: Vec<String> = full.scopes.iter().map(|s| s.id.clone()).collect();
    targets.extend(full.assignments.iter().map(|a| a.scope.clone()));
    targets.push("/".into());
    targets.sort();
    targets.dedup();
    let kinds: std::collections::HashSet<ScopeKind> = full.scopes.iter().map(|s| s.kind).collect();
    assert!(
        kinds.contains(&ScopeKind::ManagementGroup) && kinds.contains(&ScopeKind::Resource),
        "the sample has management groups and resources: {kinds:?}"
    );
    let mut rows = 0;
    for target in &targets {
        let whole = review(&full_ix, std::slice::from_ref(target), &snap.taken_at);
        let slice_ix = sl.review_index(target).unwrap();
        let sliced = review(&slice_ix, std::slice::from_ref(target), &snap.taken_at);
        assert_eq!(whole.rows, sliced.rows, "review of {target}");
        assert_eq!(
            whole.incomplete, sliced.incomplete,
            "incomplete of {target}"
        );
        rows += whole.rows.len();
    }
    assert!(rows > 100, "reviewed {rows} rows");
}
