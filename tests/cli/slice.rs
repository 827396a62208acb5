//! Slices agree with whole snapshots: for every principal, scope and action of the
//! sample tenant, `who` and `can` decide the same on the slice of the snapshot a
//! query reads as on the whole snapshot.

use std::path::Path;

use whocan::engine::decide::{decide, ActionReq, Ancestry};
use whocan::engine::query::who;
use whocan::engine::scope::ScopeTree;
use whocan::engine::Index;
use whocan::model::{key, ScopeKind};
use whocan::store::{NewSnapshot, SliceRequest, Store};

#[test]
fn slices_decide_like_the_whole_snapshot() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let imported = whocan::import::read_inputs(&[sample], false).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
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
    let full_ix = Index::new(&full);
    let tree = ScopeTree::new(&full.scopes);
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
    let tree_nodes = store.tree_scopes(snap.id).unwrap();
    let mut checked = 0;
    for target in &targets {
        let anc = tree.ancestors(target);
        let mut slice = store
            .load_slice(
                snap.id,
                &SliceRequest {
                    scopes: anc.clone(),
                    principals: vec![],
                    expand_members: true,
                    below: vec![],
                    // As `who` asks: only the asked actions' catalogue entries.
                    operations: Some(actions.clone()),
                },
            )
            .unwrap();
        // As `Sliced::index` does: the tree nodes come from `tree_scopes`.
        slice.scopes = tree_nodes.clone();
        let slice_ix = Index::new(&slice);
        for action in &actions {
            let reqs = vec![ActionReq {
                action: action.clone(),
                data: full_ix.is_data_action(action),
                scope: target.clone(),
            }];
            let a = who(&full_ix, &vec![reqs.clone()], true, false);
            let b = who(&slice_ix, &vec![reqs.clone()], true, false);
            let summary = |w: &whocan::engine::query::WhoAnswer| -> Vec<(String, String)> {
                w.answers
                    .iter()
                    .map(|x| {
                        (
                            x.decision.principal.id.clone(),
                            x.decision.access.as_str().to_string(),
                        )
                    })
                    .collect()
            };
            assert_eq!(summary(&a), summary(&b), "who {action} at {target}");
            assert_eq!(
                a.incomplete, b.incomplete,
                "incomplete for {action} at {target}"
            );
        }
        for p in &full.principals {
            let pk = key(&p.id);
            let mut can_slice = store
                .load_slice(
                    snap.id,
                    &SliceRequest {
                        scopes: anc.clone(),
                        principals: vec![pk.clone()],
                        expand_members: false,
                        below: vec![],
                        operations: Some(actions.clone()),
                    },
                )
                .unwrap();
            can_slice.scopes = tree_nodes.clone();
            let can_ix = Index::new(&can_slice);
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
    use whocan::cli::SnapshotArgs;
    use whocan::commands::common::Sliced;
    use whocan::engine::review::review;

    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let imported = whocan::import::read_inputs(&[sample], false).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
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
    drop(store);
    let full_ix = Index::new(&full);
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
