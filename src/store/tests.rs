//! Unit tests of the store: file mode, migrations, snapshot round trips, interval
//! bookkeeping, selectors, duplicates, hashes. Tests only; they must never touch
//! anything outside their own temporary directory.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::canon::{canonicalize, content_hash};
use super::write::TableChange;
use super::*;
use crate::model::*;

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("whocan.db")
}

fn meta(taken_at: &str, label: &str) -> NewSnapshot {
    NewSnapshot {
        taken_at: taken_at.to_string(),
        label: Some(label.to_string()),
        tool_version: "0.1.0-test".to_string(),
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn perm(actions: &[&str], not_actions: &[&str]) -> PermissionBlock {
    PermissionBlock {
        actions: actions.iter().map(|s| s.to_string()).collect(),
        not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

const SUB: &str = "/subscriptions/00000000-1111-2222-3333-444444444444";
const WS: &str = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ml-prod";
const CONTRIB: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

fn user(id: &str, name: &str) -> Principal {
    Principal {
        mail: None,
        other_mails: Vec::new(),
        from_member_list: false,
        id: id.to_string(),
        kind: PrincipalKind::User,
        display_name: name.to_string(),
        user_principal_name: Some(format!("{name}@contoso.com")),
        user_type: Some("Member".to_string()),
        account_enabled: Some(true),
        app_id: None,
    }
}

fn assignment(id: &str, principal: &str, role: &str, scope: &str) -> Assignment {
    Assignment {
        principal_display_name: None,
        can_delegate: None,
        start_date_time: None,
        end_date_time: None,
        id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{id}"),
        principal_id: principal.to_string(),
        principal_type: "User".to_string(),
        principal_name: Some(String::new()),
        role_definition_id: role.to_string(),
        role_definition_name: Some("Contributor".to_string()),
        scope: scope.to_string(),
        condition: None,
        condition_version: None,
        created_on: Some("2025-01-01T00:00:00Z".to_string()),
        source: AssignmentSource::RoleAssignment,
    }
}

/// A small tenant touching every table and most optional fields.
fn tenant_a() -> Tenant {
    let mut sp = user("5b3c0c2a-0000-0000-0000-00000000000A", "ml-pipeline");
    sp.kind = PrincipalKind::ManagedIdentity;
    sp.user_principal_name = None;
    sp.user_type = None;
    sp.account_enabled = None;
    sp.app_id = Some("app-1".to_string());
    let group = Principal {
        mail: None,
        other_mails: Vec::new(),
        from_member_list: false,
        id: "9d0e0000-0000-0000-0000-000000000001".to_string(),
        kind: PrincipalKind::Group,
        display_name: "ML Engineers".to_string(),
        user_principal_name: None,
        user_type: None,
        account_enabled: None,
        app_id: None,
    };
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
            user("a1000000-0000-0000-0000-000000000001", "alice"),
            user("B2000000-0000-0000-0000-000000000002", "bob"),
            user("c3000000-0000-0000-0000-000000000003", "carol"),
            group.clone(),
            sp,
        ],
        member_edges: vec![
            MemberEdge {
                group_id: group.id.clone(),
                member_id: "a1000000-0000-0000-0000-000000000001".to_string(),
                member_kind: Some(PrincipalKind::User),
            },
            MemberEdge {
                group_id: group.id.to_uppercase(),
                member_id: "B2000000-0000-0000-0000-000000000002".to_string(),
                member_kind: None,
            },
        ],
        member_lists: vec![
            group.id.clone(),
            "EEEE0000-0000-0000-0000-000000000000".into(),
        ],
        roles: vec![
            RoleDefinition {
                id: CONTRIB.to_string(),
                role_name: "Contributor".to_string(),
                role_type: "BuiltInRole".to_string(),
                description: "Grants full access, \"but\" not RBAC".to_string(),
                permissions: vec![perm(
                    &["*"],
                    &[
                        "Microsoft.Authorization/*/Delete",
                        "Microsoft.Authorization/*/Write",
                    ],
                )],
                assignable_scopes: vec!["/".to_string()],
            },
            RoleDefinition {
                id: String::new(),
                role_name: "ML Data Reader".to_string(),
                role_type: "CustomRole".to_string(),
                description: String::new(),
                permissions: vec![
                    PermissionBlock {
                        data_actions: vec![
                            "Microsoft.MachineLearningServices/workspaces/*/read".into()
                        ],
                        condition: Some("@Resource[x] == 'y'".to_string()),
                        condition_version: Some("2.0".to_string()),
                        ..Default::default()
                    },
                    perm(&["Microsoft.MachineLearningServices/workspaces/read"], &[]),
                ],
                assignable_scopes: vec![SUB.to_string()],
            },
        ],
        assignments: vec![
            assignment(
                "11111111-0000-0000-0000-000000000001",
                &group.id,
                CONTRIB,
                WS,
            ),
            assignment(
                "11111111-0000-0000-0000-000000000002",
                "c3000000-0000-0000-0000-000000000003",
                &CONTRIB.to_uppercase(),
                SUB,
            ),
            Assignment {
                source: AssignmentSource::PimActive,
                condition: Some("cond".into()),
                condition_version: Some("2.0".into()),
                principal_name: None,
                role_definition_id: String::new(),
                role_definition_name: Some("ML Data Reader".into()),
                ..assignment(
                    "11111111-0000-0000-0000-000000000003",
                    "5b3c0c2a-0000-0000-0000-00000000000a",
                    "",
                    WS,
                )
            },
        ],
        eligibilities: vec![Eligibility {
            principal_display_name: None,
            role_definition_name: None,
            id: "elig-1".to_string(),
            principal_id: "a1000000-0000-0000-0000-000000000001".to_string(),
            principal_type: "User".to_string(),
            role_definition_id: format!(
                "{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIB}"
            ),
            scope: WS.to_string(),
            start_date_time: Some("2026-01-01T00:00:00Z".to_string()),
            end_date_time: None,
            member_type: Some("Direct".to_string()),
            condition: None,
        }],
        denies: vec![DenyAssignment {
            id: format!("{WS}/providers/Microsoft.Authorization/denyAssignments/d1"),
            name: "d1".to_string(),
            scope: WS.to_string(),
            permissions: vec![perm(&["*/delete"], &[])],
            principals: vec![DenyPrincipal {
                id: ALL_PRINCIPALS.to_string(),
                kind: "SystemDefined".to_string(),
            }],
            exclude_principals: vec![DenyPrincipal {
                id: group.id.clone(),
                kind: "Group".to_string(),
            }],
            do_not_apply_to_child_scopes: true,
            condition: None,
            effect: None,
        }],
        scopes: vec![
            ScopeNode {
                id: "/providers/Microsoft.Management/managementGroups/root-mg".to_string(),
                kind: ScopeKind::ManagementGroup,
                name: "root-mg".to_string(),
                display_name: Some("Tenant Root Group".to_string()),
                resource_type: None,
                parent_id: None,
            },
            ScopeNode {
                id: SUB.to_string(),
                kind: ScopeKind::Subscription,
                name: "00000000-1111-2222-3333-444444444444".to_string(),
                display_name: Some("Prod".to_string()),
                resource_type: None,
                parent_id: Some(
                    "/providers/Microsoft.Management/managementGroups/root-mg".to_string(),
                ),
            },
            ScopeNode {
                id: WS.to_string(),
                kind: ScopeKind::Resource,
                name: "ml-prod".to_string(),
                display_name: None,
                resource_type: Some("Microsoft.MachineLearningServices/workspaces".into()),
                parent_id: None,
            },
        ],
        operations: vec![
            Operation {
                name: "Microsoft.MachineLearningServices/workspaces/computes/write".into(),
                display_name: Some("Create compute".into()),
                is_data_action: false,
                provider: "Microsoft.MachineLearningServices".into(),
                resource_type: "workspaces/computes".into(),
            },
            Operation {
                name: "Microsoft.MachineLearningServices/workspaces/read".into(),
                display_name: None,
                is_data_action: false,
                provider: "Microsoft.MachineLearningServices".into(),
                resource_type: "workspaces".into(),
            },
            Operation {
                name: "Microsoft.MachineLearningServices/workspaces/datastores/read".into(),
                display_name: None,
                is_data_action: true,
                provider: "Microsoft.MachineLearningServices".into(),
                resource_type: String::new(),
            },
        ],
    }
}

/// A with one principal removed, one assignment added, one role's actions edited.
fn tenant_b() -> Tenant {
    let mut b = tenant_a();
    b.principals
        .retain(|p| p.id != "c3000000-0000-0000-0000-000000000003");
    b.assignments.push(assignment(
        "11111111-0000-0000-0000-000000000004",
        "B2000000-0000-0000-0000-000000000002",
        CONTRIB,
        WS,
    ));
    b.roles[1].permissions[1]
        .actions
        .push("Microsoft.MachineLearningServices/workspaces/write".to_string());
    b
}

fn total_rows(s: &Store) -> i64 {
    s.stats().unwrap().tables.iter().map(|t| t.rows).sum()
}

fn files() -> Vec<InputFile> {
    vec![
        InputFile {
            path: "exports/roles.json".into(),
            kind: "role-definitions".into(),
            sha256: "ab".repeat(32),
            records: 2,
        },
        InputFile {
            path: "exports/assignments.json".into(),
            kind: "role-assignments".into(),
            sha256: "cd".repeat(32),
            records: 3,
        },
    ]
}

#[test]
fn new_database_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &tenant_a(), &[], &[])
        .unwrap();
    // While the store is open, SQLite keeps the -wal and -shm files; it gives them
    // the main file's mode.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        assert!(side.exists(), "{suffix}");
        assert_eq!(mode(&side), 0o600, "{suffix}");
    }
}

#[test]
fn existing_file_mode_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    Store::open(&path).unwrap();
    assert_eq!(mode(&path), 0o640);
}

#[test]
fn open_fails_cleanly_in_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(&dir.path().join("nope/whocan.db"))
        .err()
        .unwrap();
    assert!(
        matches!(&err, StoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
        "{err}"
    );
}

#[test]
fn migrating_twice_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &tenant_a(), &[], &[])
        .unwrap();
    let report = embedded::migrations::runner().run(&mut store.conn).unwrap();
    assert!(report.applied_migrations().is_empty());
    drop(store);
    let store = Store::open(&path).unwrap();
    let applied: i64 = store
        .conn
        .query_row("SELECT count(*) FROM refinery_schema_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    let embedded = embedded::migrations::runner().get_migrations().len() as i64;
    assert_eq!(applied, embedded, "every embedded migration applied once");
    let highest = embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max();
    assert_eq!(
        highest,
        Some(super::SCHEMA_VERSION),
        "SCHEMA_VERSION names the newest migration"
    );
    assert_eq!(store.snapshots().unwrap().len(), 1);
    let fk: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let jm: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(jm, "wal");
}

#[test]
fn two_snapshots_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let (a, b) = (tenant_a(), tenant_b());
    let s1 = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &a, &files(), &[])
        .unwrap();
    let (s2, changes) = store
        .write_snapshot_with_changes(&meta("2026-04-01T00:00:00Z", "q2"), &b, &[], &[])
        .unwrap();
    assert_eq!((s1.id, s2.id), (1, 2));
    assert_ne!(s1.content_hash, s2.content_hash);

    let l1 = store.load_tenant(1).unwrap();
    let l2 = store.load_tenant(2).unwrap();
    assert_eq!(l1, canonicalize(&a));
    assert_eq!(l2, canonicalize(&b));
    assert_eq!(content_hash(&l1), s1.content_hash);
    assert_eq!(content_hash(&l2), s2.content_hash);
    // Same multiset as written, whatever the order.
    assert_eq!(l1.principals.len(), a.principals.len());
    for p in &a.principals {
        assert!(l1.principals.contains(p));
    }

    let change = |name: &str| changes.iter().find(|c| c.0 == name).unwrap().1;
    assert_eq!(
        change("principals"),
        TableChange {
            inserted: 0,
            closed: 1,
            unchanged: 4
        }
    );
    assert_eq!(change("role_assignments").inserted, 1);
    assert_eq!(change("role_assignments").closed, 0);
    assert_eq!(
        change("role_definitions"),
        TableChange {
            inserted: 1,
            closed: 1,
            unchanged: 1
        }
    );
    assert_eq!(change("member_edges").unchanged, 2);

    // A record removed and later re-added gets a new interval; the gap stays a gap.
    let s3 = store
        .write_snapshot(&meta("2026-07-01T00:00:00Z", "q3"), &a, &[], &[])
        .unwrap();
    assert_eq!(s3.content_hash, s1.content_hash);
    assert_eq!(store.load_tenant(3).unwrap(), canonicalize(&a));
    assert_eq!(store.load_tenant(2).unwrap(), canonicalize(&b));
    assert_eq!(store.load_tenant(1).unwrap(), canonicalize(&a));

    assert_eq!(store.files(1).unwrap(), files());
    assert!(store.files(2).unwrap().is_empty());
    assert_eq!(store.verify(3).unwrap(), None);
}

#[test]
fn unchanged_snapshot_adds_no_versioned_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let a = tenant_a();
    let s1 = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &a, &[], &[])
        .unwrap();
    let before = total_rows(&store);
    assert!(before > 0);

    // Same content, every table in another order: same hash, nothing written.
    let mut shuffled = a.clone();
    shuffled.principals.reverse();
    shuffled.member_edges.reverse();
    shuffled.assignments.rotate_left(1);
    shuffled.scopes.reverse();
    shuffled.operations.reverse();
    let s2 = store
        .write_snapshot(&meta("2026-04-01T00:00:00Z", "q2"), &shuffled, &[], &[])
        .unwrap();
    assert_eq!(s1.content_hash, s2.content_hash);
    assert_eq!(content_hash(&a), content_hash(&shuffled));
    assert_eq!(total_rows(&store), before);
    let stats = store.stats().unwrap();
    assert_eq!(stats.snapshots, 2);
    assert!(stats.tables.iter().all(|t| t.rows == t.open_rows));
    assert!(stats.db_bytes > 0);
    assert_eq!(store.load_tenant(2).unwrap(), store.load_tenant(1).unwrap());

    // Only a case change of a display spelling: a new version of that one row.
    let mut recased = a.clone();
    recased.principals[0].display_name = "ALICE".into();
    store
        .write_snapshot(&meta("2026-07-01T00:00:00Z", "q3"), &recased, &[], &[])
        .unwrap();
    assert_eq!(total_rows(&store), before + 1);
}

#[test]
fn resolve_selectors() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let a = tenant_a();
    // Imported out of time order: ids follow import order, as-of follows taken_at.
    store
        .write_snapshot(&meta("2026-04-01T00:00:00Z", "q2"), &a, &[], &[])
        .unwrap();
    store
        .write_snapshot(&meta("2026-01-01T02:00:00+02:00", "q1"), &a, &[], &[])
        .unwrap();
    let s3 = store
        .write_snapshot(&meta("2026-07-01", "q3"), &a, &[], &[])
        .unwrap();
    assert_eq!(s3.taken_at, "2026-07-01T00:00:00Z");
    assert_eq!(
        store.snapshots().unwrap()[1].taken_at,
        "2026-01-01T00:00:00Z"
    );

    let id = |sel: SnapshotSelector| store.resolve(&sel).map(|s| s.id);
    let as_of = |s: &str| id(SnapshotSelector::AsOf(s.to_string()));
    assert_eq!(id(SnapshotSelector::Latest).unwrap(), 3);
    assert_eq!(id(SnapshotSelector::Id(2)).unwrap(), 2);
    assert!(matches!(
        id(SnapshotSelector::Id(9)),
        Err(StoreError::NoSnapshot(_))
    ));
    assert_eq!(as_of("2026-01-01T00:00:00Z").unwrap(), 2);
    assert_eq!(as_of("2026-03-31T23:59:59Z").unwrap(), 2);
    assert_eq!(as_of("2026-04-01").unwrap(), 1);
    assert_eq!(as_of("2026-04-01T01:00:00+02:00").unwrap(), 2);
    assert_eq!(as_of("2026-03-31T23:00:00-02:00").unwrap(), 1);
    assert_eq!(as_of("2030-01-01T00:00:00Z").unwrap(), 3);
    assert!(matches!(
        as_of("2025-12-31T23:59:59Z"),
        Err(StoreError::NoSnapshot(_))
    ));
    assert!(matches!(as_of("last tuesday"), Err(StoreError::BadTime(_))));
    assert!(matches!(
        store.write_snapshot(&meta("soon", "x"), &a, &[], &[]),
        Err(StoreError::BadTime(_))
    ));
    assert_eq!(store.snapshots().unwrap().len(), 3);
}

#[test]
fn empty_database_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db(&dir)).unwrap();
    assert!(store.snapshots().unwrap().is_empty());
    assert!(matches!(
        store.resolve(&SnapshotSelector::Latest),
        Err(StoreError::Empty)
    ));
    assert!(matches!(
        store.resolve(&SnapshotSelector::Id(1)),
        Err(StoreError::NoSnapshot(_))
    ));
    assert!(matches!(
        store.resolve(&SnapshotSelector::AsOf("2026-01-01".into())),
        Err(StoreError::NoSnapshot(_))
    ));
    assert!(matches!(
        store.load_tenant(1),
        Err(StoreError::NoSnapshot(_))
    ));
    assert!(matches!(store.files(1), Err(StoreError::NoSnapshot(_))));
    assert!(matches!(store.flags(1), Err(StoreError::NoSnapshot(_))));
    assert_eq!(
        store
            .stats()
            .unwrap()
            .tables
            .iter()
            .map(|t| t.rows)
            .sum::<i64>(),
        0
    );
}

#[test]
fn duplicate_keys_keep_the_first_occurrence() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let mut t = tenant_a();
    let mut dup = t.principals[0].clone();
    dup.id = dup.id.to_uppercase();
    dup.display_name = "Alice (second copy)".into();
    t.principals.push(dup);
    t.member_edges.push(t.member_edges[0].clone());
    t.member_lists.push(t.member_lists[0].to_uppercase());
    let mut dup_role = t.roles[0].clone();
    dup_role.role_name = "Contributor again".into();
    t.roles.push(dup_role);
    let mut dup_assignment = t.assignments[1].clone();
    dup_assignment.scope = SUB.to_uppercase();
    t.assignments.insert(0, dup_assignment.clone());
    t.operations.push(t.operations[0].clone());
    let flags = vec![Flag {
        kind: "duplicate-principal".into(),
        subject: t.principals[0].id.clone(),
        detail: "listed twice".into(),
    }];

    let s = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &t, &[], &flags)
        .unwrap();
    let loaded = store.load_tenant(s.id).unwrap();
    let a = canonicalize(&tenant_a());
    assert_eq!(loaded.principals, a.principals);
    assert_eq!(loaded.member_edges, a.member_edges);
    assert_eq!(loaded.member_lists, a.member_lists);
    assert_eq!(loaded.roles, a.roles);
    assert_eq!(loaded.operations, a.operations);
    // The first occurrence wins, even when it is the odd one.
    assert!(loaded.assignments.contains(&dup_assignment));
    assert_eq!(loaded.assignments.len(), a.assignments.len());
    assert_eq!(s.content_hash, content_hash(&loaded));
    assert_eq!(s.content_hash, content_hash(&t));
    assert_eq!(store.flags(s.id).unwrap(), flags);
}

#[test]
fn chain_hash_links_snapshots_and_verify_detects_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let s1 = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &tenant_a(), &[], &[])
        .unwrap();
    let s2 = store
        .write_snapshot(&meta("2026-04-01T00:00:00Z", "q2"), &tenant_b(), &[], &[])
        .unwrap();
    fn input<'a>(s: &'a Snapshot, label: &'a str) -> ChainInput<'a> {
        ChainInput {
            id: s.id,
            content_hash: &s.content_hash,
            taken_at: &s.taken_at,
            label: Some(label),
            tool_version: &s.tool_version,
            imported_at: &s.imported_at,
            files: &[],
            flags: &[],
        }
    }
    let c1 = chain_hash_v2("", &input(&s1, "q1"));
    assert_eq!(store.chain_hash_of(1).unwrap(), c1);
    assert_eq!(
        store.chain_hash_of(2).unwrap(),
        chain_hash_v2(&c1, &input(&s2, "q2"))
    );
    assert_eq!(store.verify(2).unwrap(), None);

    store
        .conn
        .execute(
            "UPDATE role_definitions SET role_name = 'Owner' WHERE valid_to IS NULL \
             AND key = ?1",
            [CONTRIB],
        )
        .unwrap();
    assert!(store.verify(1).unwrap().unwrap().contains("snapshot 1"));
}

#[test]
fn readers_see_committed_snapshots_from_another_connection() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut writer = Store::open(&path).unwrap();
    let reader = Store::open(&path).unwrap();
    writer
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &tenant_a(), &[], &[])
        .unwrap();
    assert_eq!(reader.resolve(&SnapshotSelector::Latest).unwrap().id, 1);
    assert_eq!(reader.load_tenant(1).unwrap(), canonicalize(&tenant_a()));
}

#[test]
fn failed_write_leaves_earlier_snapshots_intact() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &tenant_a(), &[], &[])
        .unwrap();
    let before = total_rows(&store);
    // Make the last statement of the transaction fail.
    store
        .conn
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON snapshot_flags \
             BEGIN SELECT RAISE(ABORT, 'boom'); END;",
        )
        .unwrap();
    let flag = Flag {
        kind: "k".into(),
        subject: "s".into(),
        detail: "d".into(),
    };
    let err = store
        .write_snapshot(
            &meta("2026-04-01T00:00:00Z", "q2"),
            &tenant_b(),
            &files(),
            &[flag],
        )
        .unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
    assert_eq!(store.snapshots().unwrap().len(), 1);
    assert_eq!(total_rows(&store), before);
    assert_eq!(store.load_tenant(1).unwrap(), canonicalize(&tenant_a()));
    assert_eq!(
        store
            .stats()
            .unwrap()
            .tables
            .iter()
            .map(|t| t.open_rows)
            .sum::<i64>(),
        before
    );
}

/// A tenant of the size the importer must handle in ~15 s. Run with
/// `cargo test --release store::tests::large_tenant -- --ignored --nocapture`.
#[test]
#[ignore]
fn large_tenant() {
    use std::time::Instant;
    let guid = |kind: u32, i: u32| format!("{kind:08x}-{:04x}-4000-8000-{i:012x}", i % 65536);
    let mut t = Tenant::default();
    for i in 0..200_000 {
        t.principals.push(user(&guid(1, i), &format!("user{i}")));
    }
    for g in 0..20_000 {
        t.member_lists.push(guid(2, g));
        t.principals.push(Principal {
            kind: PrincipalKind::Group,
            user_principal_name: None,
            ..user(&guid(2, g), &format!("group{g}"))
        });
        for m in 0..100u32 {
            t.member_edges.push(MemberEdge {
                group_id: guid(2, g),
                member_id: guid(1, (g.wrapping_mul(7919) + m * 1999) % 200_000),
                member_kind: Some(PrincipalKind::User),
            });
        }
    }
    for i in 0..150_000u32 {
        t.assignments
            .push(assignment(&guid(3, i), &guid(1, i % 200_000), CONTRIB, WS));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let start = Instant::now();
    let h = content_hash(&t);
    eprintln!("content hash alone: {:?}", start.elapsed());
    let start = Instant::now();
    let s1 = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &t, &[], &[])
        .unwrap();
    eprintln!("first snapshot: {:?}", start.elapsed());
    assert_eq!(s1.content_hash, h);
    eprintln!("{:#?}", store.stats().unwrap());

    // Next quarter: 1% of the edges and assignments change.
    for e in t.member_edges.iter_mut().step_by(100) {
        e.member_id = guid(4, 0);
    }
    for a in t.assignments.iter_mut().step_by(100) {
        a.scope = SUB.to_string();
    }
    let start = Instant::now();
    store
        .write_snapshot(&meta("2026-04-01T00:00:00Z", "q2"), &t, &[], &[])
        .unwrap();
    eprintln!("second snapshot: {:?}", start.elapsed());
    eprintln!("{:#?}", store.stats().unwrap());
    let start = Instant::now();
    let loaded = store.load_tenant(2).unwrap();
    eprintln!("load_tenant: {:?}", start.elapsed());
    assert_eq!(
        loaded.member_edges.len(),
        canonicalize(&t).member_edges.len()
    );
}

#[test]
fn readers_open_and_query_while_an_import_holds_the_write_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut writer = Store::open(&path).unwrap();
    writer
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &tenant_a(), &[], &[])
        .unwrap();
    // An import in progress: a write transaction that is not committed yet.
    let tx = writer
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute("UPDATE principals SET display_name = 'x'", [])
        .unwrap();
    let start = std::time::Instant::now();
    let reader = Store::open(&path).unwrap();
    assert_eq!(reader.resolve(&SnapshotSelector::Latest).unwrap().id, 1);
    assert_eq!(reader.load_tenant(1).unwrap(), canonicalize(&tenant_a()));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    drop(tx);
}

fn index_names(store: &Store) -> Vec<String> {
    let mut st = store
        .conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
        .unwrap();
    let names = st.query_map([], |r| r.get(0)).unwrap();
    names.collect::<Result<_, _>>().unwrap()
}

/// More member edges than `write::BULK_MIN_ROWS`: loaded without indexes.
const BULK: u32 = 24_000;

#[test]
fn bulk_loads_rebuild_the_indexes_they_drop() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let indexes = index_names(&store);
    assert!(indexes.contains(&"member_edges_member".to_string()));
    let edges = |n: u32, salt: u32| -> Vec<MemberEdge> {
        (0..n)
            .map(|i| MemberEdge {
                group_id: format!("G{:04}", i % 97),
                member_id: format!("m{salt}-{i:06}"),
                member_kind: Some(PrincipalKind::User),
            })
            .collect()
    };
    let mut t = tenant_a();
    t.member_edges = edges(BULK, 0);
    store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &t, &[], &[])
        .unwrap();
    assert_eq!(index_names(&store), indexes);
    // Half the edges replaced: bulk again, on a non-empty table.
    let mut t2 = t.clone();
    t2.member_edges.truncate(BULK as usize / 2);
    t2.member_edges.extend(edges(BULK, 1));
    let (_, changes) = store
        .write_snapshot_with_changes(&meta("2026-04-01T00:00:00Z", "q2"), &t2, &[], &[])
        .unwrap();
    assert_eq!(changes[1].1.inserted, i64::from(BULK));
    assert_eq!(changes[1].1.closed, i64::from(BULK) / 2);
    assert_eq!(index_names(&store), indexes);
    assert_eq!(store.load_tenant(1).unwrap(), canonicalize(&t));
    assert_eq!(store.load_tenant(2).unwrap(), canonicalize(&t2));
    let used_index: String = store
        .conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT group_key FROM member_edges WHERE member_key = 'x'",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(used_index.contains("member_edges_member"), "{used_index}");
}

/// Issue 9: what real exports carry survives a round trip — mail and otherMails,
/// member-file identities, PIM windows, PIM for Groups, partial member lists, and an
/// operation listed in both planes (both kept, whatever their order).
#[test]
fn real_export_fields_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let mut t = tenant_a();
    t.principals[0].mail = Some("alice@contoso.com".into());
    t.principals[0].other_mails = vec!["alice@fabrikam.example".into()];
    t.principals.push(Principal {
        id: "d0000000-0000-0000-0000-000000000001".into(),
        kind: PrincipalKind::Device,
        display_name: "LAPTOP-7".into(),
        from_member_list: true,
        ..Default::default()
    });
    t.assignments[0].start_date_time = Some("2026-01-01T00:00:00Z".into());
    t.assignments[0].end_date_time = Some("2026-06-30T00:00:00Z".into());
    t.assignments[0].principal_display_name = Some("Alice".into());
    t.assignments[0].can_delegate = Some(false);
    t.partial_member_lists = vec![t.member_lists[0].clone()];
    t.group_eligibilities = vec![GroupEligibility {
        id: "ge-1".into(),
        group_id: t.member_lists[0].clone(),
        principal_id: t.principals[0].id.clone(),
        access_id: "member".into(),
        member_type: Some("direct".into()),
        start_date_time: Some("2026-01-01T00:00:00Z".into()),
        end_date_time: None,
        active: false,
    }];
    let op = |data: bool| Operation {
        name: "Microsoft.KeyVault/vaults/keys/read".into(),
        display_name: None,
        is_data_action: data,
        provider: "Microsoft.KeyVault".into(),
        resource_type: "vaults/keys".into(),
    };
    t.operations.push(op(true));
    t.operations.push(op(false));

    let s = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &t, &[], &[])
        .unwrap();
    let loaded = store.load_tenant(s.id).unwrap();
    assert_eq!(loaded, canonicalize(&t));
    assert_eq!(s.content_hash, content_hash(&loaded));
    let kv: Vec<bool> = loaded
        .operations
        .iter()
        .filter(|o| o.name.starts_with("Microsoft.KeyVault"))
        .map(|o| o.is_data_action)
        .collect();
    assert_eq!(kv, [false, true], "both planes kept, control plane first");
    assert_eq!(loaded.partial_member_lists.len(), 1);
    assert_eq!(loaded.group_eligibilities.len(), 1);
    assert!(
        !loaded
            .listed_kinds
            .as_ref()
            .unwrap()
            .contains(&PrincipalKind::Device),
        "the device came from a member file: no listing of its own"
    );
    assert_eq!(
        loaded.listed_kinds,
        Some(Tenant::listed_kinds_of(&t.principals))
    );
    // The same content again changes nothing.
    let before = total_rows(&store);
    store
        .write_snapshot(&meta("2026-02-01T00:00:00Z", "q2"), &t, &[], &[])
        .unwrap();
    assert_eq!(total_rows(&store), before);
    assert!(store.verify_all().unwrap().iter().all(|c| c.ok()));
}

fn ws_id() -> &'static str {
    "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/\
     Microsoft.MachineLearningServices/workspaces/ml-prod"
}

/// Facts of every kind issue 15 reads, ids in mixed case, out of key order.
fn facts() -> Vec<ResourceFacts> {
    let rg = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod";
    let uai = format!("{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-train");
    vec![
        ResourceFacts {
            id: format!("{rg}/providers/Microsoft.Storage/storageAccounts/stProd"),
            resource_type: "Microsoft.Storage/storageAccounts".into(),
            allow_shared_key_access: Some(false),
            ..Default::default()
        },
        ResourceFacts {
            id: ws_id().into(),
            resource_type: "Microsoft.MachineLearningServices/workspaces".into(),
            storage_account: Some(format!(
                "{rg}/providers/Microsoft.Storage/storageAccounts/stProd"
            )),
            key_vault: Some(format!("{rg}/providers/Microsoft.KeyVault/vaults/kv")),
            container_registry: None,
            application_insights: Some(format!("{rg}/providers/microsoft.insights/components/ai")),
            identity: Some(ManagedIdentities {
                system_assigned: Some("0b9c0000-0000-0000-0000-000000000001".into()),
                user_assigned: Vec::new(),
            }),
            ..Default::default()
        },
        ResourceFacts {
            id: format!("{}/computes/cpu-cluster", ws_id()),
            resource_type: "Microsoft.MachineLearningServices/workspaces/computes".into(),
            identity: Some(ManagedIdentities {
                system_assigned: None,
                user_assigned: vec![UserAssignedIdentity {
                    resource_id: uai.clone(),
                    principal_id: Some("0b9c0000-0000-0000-0000-000000000002".into()),
                    client_id: Some("c11e0000-0000-0000-0000-000000000002".into()),
                }],
            }),
            ..Default::default()
        },
        ResourceFacts {
            id: format!("{}/datastores/workspaceblobstore", ws_id()),
            resource_type: "Microsoft.MachineLearningServices/workspaces/datastores".into(),
            datastore: Some(Datastore {
                datastore_type: "AzureBlob".into(),
                account_name: Some("stProd".into()),
                container_name: Some("data".into()),
                subscription_id: None,
                resource_group: None,
                credentials_type: "AccountKey".into(),
                client_id: None,
            }),
            ..Default::default()
        },
        ResourceFacts {
            id: uai,
            resource_type: "Microsoft.ManagedIdentity/userAssignedIdentities".into(),
            principal_id: Some("0b9c0000-0000-0000-0000-000000000002".into()),
            ..Default::default()
        },
        ResourceFacts {
            id: format!("{rg}/providers/Microsoft.KeyVault/vaults/kv"),
            resource_type: "Microsoft.KeyVault/vaults".into(),
            enable_rbac_authorization: Some(true),
            ..Default::default()
        },
    ]
}

fn facts_table(store: &Store) -> Vec<(String, i64, Option<i64>)> {
    let mut st = store
        .conn
        .prepare("SELECT key, valid_from, valid_to FROM resource_facts ORDER BY key, valid_from")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Issue 15: resources' facts are written, read back in canonical form (by key,
/// the first of a duplicated id kept), count in the content hash, and are
/// versioned: an unchanged import adds no row, a changed record closes the old one.
#[test]
fn resource_facts_round_trip_and_are_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let mut t = tenant_a();
    t.resource_facts = facts();
    // A second record of the workspace, spelled in another case: the first wins.
    let mut again = t.resource_facts[1].clone();
    again.id = again.id.to_uppercase();
    again.key_vault = None;
    t.resource_facts.push(again);

    let s1 = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &t, &[], &[])
        .unwrap();
    let loaded = store.load_tenant(s1.id).unwrap();
    assert_eq!(loaded, canonicalize(&t));
    assert_eq!(loaded.resource_facts.len(), 6);
    let keys: Vec<String> = loaded
        .resource_facts
        .iter()
        .map(|f| scope_key(&f.id))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "in key order");
    let ws = loaded
        .resource_facts
        .iter()
        .find(|f| f.id == ws_id())
        .unwrap();
    assert!(ws.key_vault.is_some(), "the first record of an id is kept");
    assert_eq!(s1.content_hash, content_hash(&loaded));
    let mut without = t.clone();
    without.resource_facts.clear();
    assert_ne!(s1.content_hash, content_hash(&without), "facts are content");
    assert_eq!(
        content_hash(&without),
        content_hash(&tenant_a()),
        "no facts: the digest of before"
    );

    // A slice that asks for facts holds every fact of the snapshot; one that
    // does not (a plain question) holds none.
    let asked = slice::SliceRequest {
        facts: true,
        ..Default::default()
    };
    let slice = store.load_slice(s1.id, &asked).unwrap();
    assert_eq!(slice.resource_facts, loaded.resource_facts);
    let plain = store
        .load_slice(s1.id, &slice::SliceRequest::default())
        .unwrap();
    assert!(
        plain.resource_facts.is_empty(),
        "{:?}",
        plain.resource_facts
    );

    // The same content again: nothing inserted.
    let before = facts_table(&store);
    store
        .write_snapshot(&meta("2026-02-01T00:00:00Z", "q2"), &t, &[], &[])
        .unwrap();
    assert_eq!(facts_table(&store), before);

    // Shared key turned on: the storage account's row is closed, a new one opens;
    // the key vault is gone: its row is closed.
    let mut t3 = t.clone();
    t3.resource_facts[0].allow_shared_key_access = Some(true);
    t3.resource_facts.retain(|f| !f.id.ends_with("/vaults/kv"));
    let s3 = store
        .write_snapshot(&meta("2026-03-01T00:00:00Z", "q3"), &t3, &[], &[])
        .unwrap();
    let rows = facts_table(&store);
    let storage: Vec<_> = rows
        .iter()
        .filter(|(k, ..)| k.ends_with("storageaccounts/stprod"))
        .collect();
    assert_eq!(
        storage
            .iter()
            .map(|(_, from, to)| (*from, *to))
            .collect::<Vec<_>>(),
        [(1, Some(2)), (3, None)]
    );
    let vault: Vec<_> = rows
        .iter()
        .filter(|(k, ..)| k.ends_with("/vaults/kv"))
        .collect();
    assert_eq!(vault.len(), 1);
    assert_eq!((vault[0].1, vault[0].2), (1, Some(2)));
    let loaded3 = store.load_tenant(s3.id).unwrap();
    assert_eq!(loaded3, canonicalize(&t3));
    // The old snapshots still read as written, and everything verifies.
    assert_eq!(store.load_tenant(s1.id).unwrap(), loaded);
    let (a, b) = store.load_pair(s1.id, s3.id).unwrap();
    assert_eq!(a.resource_facts.len(), 6);
    assert_eq!(b.resource_facts.len(), 5);
    assert!(store.verify_all().unwrap().iter().all(|c| c.ok()));
}

/// A database written by schema version 3 opens, migrates to 5 and keeps its
/// snapshots, which still verify.
#[test]
fn version_3_database_migrates_and_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    {
        let mut store = Store::open(&path).unwrap();
        store
            .write_snapshot(&meta("2026-01-01T00:00:00Z", "q1"), &tenant_a(), &[], &[])
            .unwrap();
        // Back to version 3, newest first: undo what each migration did (V5 below). The
        // history row goes with it.
        let undo: [(u32, &str, &str); 11] = [
            (
                15,
                "added (the principal name an eligibility export gives)",
                "ALTER TABLE eligibilities DROP COLUMN principal_display_name;",
            ),
            (
                14,
                "dropped (an index no statement used)",
                "CREATE INDEX member_edges_group_kind ON member_edges (group_key, member_kind);",
            ),
            (
                13,
                "added (the role name an eligibility export gives)",
                "ALTER TABLE eligibilities DROP COLUMN role_definition_name;",
            ),
            (
                12,
                "added (the rule of the snapshot's gap flags)",
                "ALTER TABLE snapshots DROP COLUMN gap_flags;",
            ),
            (
                11,
                "added (the deny assignments' effect)",
                "ALTER TABLE deny_assignments DROP COLUMN effect;",
            ),
            (
                10,
                "did (the covering index of principals by key)",
                "DROP INDEX principals_by_key; \
                 CREATE INDEX principals_key ON principals (key, valid_from);",
            ),
            (
                9,
                "did (the nested-group index by group for V7's by snapshot)",
                "DROP INDEX member_edges_nested_by_group; \
                 CREATE INDEX member_edges_nested ON member_edges \
                 (valid_from, valid_to, group_key, member_key, member_kind, group_id, member_id) \
                 WHERE member_kind IS NULL OR member_kind = 'Group';",
            ),
            (
                8,
                "added (the resource facts table)",
                "DROP TABLE resource_facts;",
            ),
            (
                7,
                "added (the nested-group index)",
                "DROP INDEX member_edges_nested;",
            ),
            (
                6,
                "added (the collection ledger tables)",
                "DROP TABLE collection_entries; DROP TABLE collection_ledgers;",
            ),
            (
                4,
                "added (the real-export columns and tables)",
                "DROP TABLE partial_member_lists; DROP TABLE group_eligibilities; \
                 DROP INDEX principals_mail; DROP INDEX principals_listed_kind; \
                 DROP INDEX member_edges_group_kind; \
                 ALTER TABLE principals DROP COLUMN mail; \
                 ALTER TABLE principals DROP COLUMN other_mails; \
                 ALTER TABLE principals DROP COLUMN from_member_list; \
                 ALTER TABLE role_assignments DROP COLUMN start_date_time; \
                 ALTER TABLE role_assignments DROP COLUMN end_date_time; \
                 ALTER TABLE role_assignments DROP COLUMN principal_display_name; \
                 ALTER TABLE role_assignments DROP COLUMN can_delegate;",
            ),
        ];
        for (version, what, sql) in undo {
            store
                .conn
                .execute_batch(&format!(
                    "{sql} DELETE FROM refinery_schema_history WHERE version = {version};"
                ))
                .unwrap_or_else(|e| panic!("undo V{version} ({what}): {e}"));
        }
        // ...and what V5 added: the snapshot's chain hash in the old form.
        let s = store.resolve(&SnapshotSelector::Latest).unwrap();
        let v1 = chain_hash("", &s.content_hash, &s.taken_at, s.label.as_deref());
        store
            .conn
            .execute_batch(&format!(
                "UPDATE snapshots SET chain_hash = '{v1}'; \
                 ALTER TABLE snapshots DROP COLUMN chain_version; \
                 ALTER TABLE review_applies DROP COLUMN chain_hash; \
                 DELETE FROM refinery_schema_history WHERE version = 5;"
            ))
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let loaded = store.load_tenant(1).unwrap();
    assert_eq!(loaded, canonicalize(&tenant_a()));
    assert!(store.verify_all().unwrap().iter().all(|c| c.ok()));
}

/// The two ways a slice reads principal records and member lists (a lookup per key, or one pass
/// over the table when most are wanted) give the same records in the same
/// order, for any keys: known, unknown, repeated, across chunks, in a snapshot
/// whose table holds other snapshots' versions too.
#[test]
fn principal_records_read_by_lookup_and_by_scan_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let a = tenant_a();
    let mut b = tenant_b();
    // Many principals, so that the keys span several chunks of a lookup.
    for i in 0..1200 {
        b.principals.push(user(
            &format!("00000000-0000-0000-0000-{i:012}"),
            &format!("User {i}"),
        ));
    }
    let s1 = store
        .write_snapshot(&meta("2026-01-01T00:00:00Z", "a"), &a, &[], &[])
        .unwrap();
    let s2 = store
        .write_snapshot(&meta("2026-02-01T00:00:00Z", "b"), &b, &[], &[])
        .unwrap();
    let all: Vec<String> = a
        .principals
        .iter()
        .chain(b.principals.iter())
        .map(|p| key(&p.id))
        .chain([
            "not-a-principal".to_string(),
            "00000000-0000-0000-0000-000000000007".to_string(),
        ])
        .collect();
    let mut shuffled = all.clone();
    shuffled.reverse();
    let every_third: Vec<String> = all.iter().step_by(3).cloned().collect();
    for s in [s1.id, s2.id] {
        for keys in [&all, &shuffled, &every_third] {
            let keys: Vec<&String> = keys.iter().collect();
            let (looked, scanned) =
                both_ways(&store, s, &slice::PRINCIPALS, &keys, read::principal_row);
            let ids = |v: &[Principal]| v.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
            assert_eq!(
                ids(&looked),
                ids(&scanned),
                "snapshot {s}, {} keys",
                keys.len()
            );
            assert_eq!(looked, scanned, "snapshot {s}, {} keys", keys.len());
            let get = |r: &rusqlite::Row<'_>| r.get::<_, String>(0);
            let (looked, scanned) = both_ways(&store, s, &slice::MEMBER_LISTS, &keys, get);
            assert_eq!(
                looked,
                scanned,
                "member lists, snapshot {s}, {} keys",
                keys.len()
            );
        }
    }
}

/// The rows of `keys` read a lookup per key and in one pass (neither empty).
fn both_ways<T: Clone>(
    store: &Store,
    s: i64,
    table: &slice::Keyed,
    keys: &[&String],
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> (Vec<T>, Vec<T>) {
    let looked = slice::looked_up(&store.conn, s, table, keys, &map).unwrap();
    let scanned = slice::scanned(&store.conn, s, table, keys, &map).unwrap();
    assert!(!looked.is_empty(), "the keys find rows");
    (looked, scanned)
}

/// Each of a slice's record lists as sorted JSON texts: the records a slice holds,
/// whatever order it read them in.
fn slice_content(t: &Tenant) -> Vec<Vec<String>> {
    fn texts<T: serde::Serialize>(v: &[T]) -> Vec<String> {
        let mut out: Vec<String> = v
            .iter()
            .map(|x| serde_json::to_string(x).unwrap())
            .collect();
        out.sort();
        out
    }
    vec![
        texts(&t.principals),
        texts(&t.member_edges),
        texts(&t.member_lists),
        texts(&t.partial_member_lists),
        texts(&t.roles),
        texts(&t.assignments),
        texts(&t.eligibilities),
        texts(&t.denies),
        texts(&t.operations),
        texts(&t.group_eligibilities),
        texts(&t.resource_facts),
        texts(t.listed_kinds.as_deref().unwrap_or_default()),
        vec![t.mg_holdings.to_string()],
    ]
}

/// A slice read in rounds, each asking for more scopes and principals, holds
/// what one read of the last round's request holds (`--effective` reads its
/// slice this way, one round per identity hop).
#[test]
fn a_slice_read_in_rounds_equals_one_read_of_the_last_request() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let imported = crate::import::read_inputs(&[sample], false).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let s = store
        .write_snapshot(
            &meta("2026-11-01T00:00:00Z", "sample"),
            &imported.tenant,
            &imported.files,
            &imported.flags,
        )
        .unwrap()
        .id;
    let whole = store.load_tenant(s).unwrap();
    let mut scopes: Vec<String> = whole.scopes.iter().map(|n| scope_key(&n.id)).collect();
    scopes.push("/".into());
    let principals: Vec<String> = whole.principals.iter().map(|p| key(&p.id)).collect();
    assert!(scopes.len() > 10 && principals.len() > 10);
    // Up to four rounds; each adds some scopes and principals to the last.
    let round = (
        proptest::sample::subsequence(scopes.clone(), 0..6),
        proptest::sample::subsequence(principals.clone(), 0..4),
        any::<bool>(),
        proptest::sample::subsequence(scopes.clone(), 0..2),
    );
    let rounds = proptest::collection::vec(round, 1..5);
    let strategy = (rounds, any::<bool>(), any::<bool>(), any::<bool>());
    let mut runner = TestRunner::new(Config::with_cases(48));
    runner
        .run(&strategy, |(rounds, expand, all_roles, all_ops)| {
            let mut reader = slice::SliceRounds::default();
            let mut req = slice::SliceRequest {
                expand_members: expand,
                all_roles,
                operations: (!all_ops).then(|| {
                    vec![
                        "Microsoft.MachineLearningServices/workspaces/read".to_string(),
                        "Microsoft.Storage/storageAccounts/listKeys/action".to_string(),
                    ]
                }),
                ..Default::default()
            };
            for (scopes, principals, facts, below) in rounds {
                req.scopes.extend(scopes);
                req.below.extend(below);
                req.principals.extend(principals);
                req.facts |= facts;
                reader.read(&store.conn, s, &req).unwrap();
            }
            req.scopes.sort();
            req.scopes.dedup();
            req.principals.sort();
            req.principals.dedup();
            req.below.sort();
            req.below.dedup();
            let once = slice::load_slice(&store.conn, s, &req).unwrap();
            let (rounds, once) = (slice_content(&reader.tenant), slice_content(&once));
            for (i, (a, b)) in rounds.iter().zip(&once).enumerate() {
                let extra: Vec<&String> = a.iter().filter(|x| !b.contains(x)).collect();
                let missing: Vec<&String> = b.iter().filter(|x| !a.contains(x)).collect();
                prop_assert!(
                    a == b,
                    "list {i}: rounds read {extra:?} more, {missing:?} less ({} against {})",
                    a.len(),
                    b.len()
                );
            }
            Ok(())
        })
        .unwrap();
}

/// A `principals_only` slice walks up from the groups without a complete member
/// list only while they are few ([`slice::MAX_GAPS_WALKED`]); past that (a
/// snapshot imported without member lists flags every group that holds
/// something) it reads the grants at the scopes instead, as a slice without
/// `principals_only` does, and says it did not walk.
#[test]
fn a_principals_only_slice_walks_up_only_from_a_few_gaps() {
    use crate::engine::fixtures::{assign, group, user, SUB};
    use crate::model::Flag;
    let role = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    let read = |groups: usize| {
        let mut t = Tenant::default();
        t.principals.push(user("u1"));
        t.assignments.push(assign("a-u1", "u1", role, SUB));
        let mut flags = Vec::new();
        for i in 0..groups {
            let g = format!("g{i}");
            t.principals.push(group(&g));
            let mut a = assign(&format!("a-{g}"), &g, role, SUB);
            a.principal_type = "Group".into();
            t.assignments.push(a);
            flags.push(Flag {
                kind: Flag::MEMBERS_NOT_IMPORTED.into(),
                subject: g.clone(),
                detail: format!("group {g} holds an assignment, its members were not imported"),
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&db(&dir)).unwrap();
        let s = store
            .write_snapshot(&meta("2026-11-01T00:00:00Z", "gaps"), &t, &[], &flags)
            .unwrap()
            .id;
        let mut rounds = slice::SliceRounds::default();
        let req = slice::SliceRequest {
            scopes: vec!["/".into(), key(SUB)],
            principals: vec!["u1".into()],
            principals_only: true,
            ..Default::default()
        };
        rounds.read(&store.conn, s, &req).unwrap();
        (rounds.gaps_walked, rounds.tenant.assignments.len())
    };
    let few = slice::MAX_GAPS_WALKED as usize;
    // Walked: every gap holds a grant, so all are read, by holder.
    assert_eq!(read(few), (true, few + 1));
    // Not walked: the grants at the scopes are read (every one of them here).
    assert_eq!(read(few + 1), (false, few + 2));
}
