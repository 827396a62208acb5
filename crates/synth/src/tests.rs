//! Tests of the generator: determinism (same seed, same bytes), the counts of the
//! small profile, the invariants the importer and the engine rely on (member files
//! named after groups, every group with members covered, every scope defined,
//! custom roles assigned only where assignable, caps respected, nesting depth), the
//! churn, and a round trip through the real importer.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::directory::{GroupSort, Who};
use super::scopes::Scope;
use super::*;

fn files_of(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn write_small(seed: u64, churn: Option<f64>) -> (tempfile::TempDir, PathBuf, Summary) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tenant");
    let summary = write_tenant(Profile::Small, seed, &out, churn).unwrap();
    (tmp, out, summary)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The records of an az array or an ARM / Graph page.
fn records(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o["value"].as_array().unwrap().clone(),
        _ => panic!("not a record list"),
    }
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

#[test]
fn same_seed_gives_byte_identical_files() {
    let (_a, da, sa) = write_small(42, None);
    let (_b, db, sb) = write_small(42, None);
    let fa = files_of(&da);
    let fb = files_of(&db);
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(
            v == &fb[k],
            "{k} differs between two runs with the same seed"
        );
    }
    assert_eq!(sa.kinds, sb.kinds);
    // And a different seed gives a different tenant.
    let (_c, dc, _) = write_small(43, None);
    let fc = files_of(&dc);
    assert_ne!(fa["directory/users.json"], fc["directory/users.json"]);
}

#[test]
fn small_profile_has_the_specified_counts() {
    let (_t, dir, summary) = write_small(1, None);
    let sizes = Sizes::of(Profile::Small);
    let count = |k: &str| summary.count(k).unwrap();
    assert_eq!(count("users"), sizes.users);
    assert_eq!(count("groups"), sizes.groups);
    assert_eq!(count("servicePrincipals"), sizes.service_principals());
    assert_eq!(count("managementGroups"), sizes.management_groups());
    assert_eq!(count("subscriptions"), sizes.subs);
    assert_eq!(count("resourceGroups"), sizes.rgs);
    assert_eq!(count("resources"), sizes.resources());
    assert_eq!(
        count("roleDefinitions"),
        sizes.builtin_roles + sizes.custom_roles
    );
    assert_eq!(count("roleAssignments"), sizes.assignments);
    assert_eq!(count("pimEligibility"), sizes.eligibilities);
    assert_eq!(count("denyAssignments"), sizes.denies);
    assert!(count("operations") >= 1000);

    // The same counts, read back from the files.
    let users = records(&json(&dir.join("directory/users.json")));
    assert_eq!(users.len(), 30);
    let guests = users.iter().filter(|u| u["userType"] == "Guest").count();
    let disabled = users
        .iter()
        .filter(|u| u["accountEnabled"] == false)
        .count();
    assert_eq!((guests, disabled), (2, 1));
    assert_eq!(records(&json(&dir.join("directory/groups.json"))).len(), 12);
    let sps = records(&json(&dir.join("directory/service-principals.json")));
    assert_eq!(
        sps.iter()
            .filter(|s| s["servicePrincipalType"] == "ManagedIdentity")
            .count(),
        3 + 6,
        "a workspace identity each, and an identity per compute"
    );
    let resources = records(&json(&dir.join("scopes/resources.json")));
    let of_type = |t: &str| resources.iter().filter(|r| r["type"] == t).count();
    assert_eq!(of_type("Microsoft.MachineLearningServices/workspaces"), 3);
    assert_eq!(
        of_type("Microsoft.MachineLearningServices/workspaces/computes"),
        6
    );
    for r in &resources {
        if r["type"] == "Microsoft.MachineLearningServices/workspaces/computes" {
            let id = r["id"].as_str().unwrap();
            let name = r["name"].as_str().unwrap();
            let (ws, c) = name.split_once('/').unwrap();
            assert!(
                id.ends_with(&format!("/workspaces/{ws}/computes/{c}")),
                "{id}"
            );
        }
    }
    assert_eq!(
        records(&json(&dir.join("assignments/role-assignments.json"))).len(),
        30
    );
    assert_eq!(
        records(&json(&dir.join("assignments/pim-eligibility.json"))).len(),
        4
    );
}

#[test]
fn member_data_covers_every_group_but_the_incomplete_ones() {
    let (_t, dir, _) = write_small(7, None);
    let groups = records(&json(&dir.join("directory/groups.json")));
    let group_ids: HashSet<String> = groups
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_lowercase())
        .collect();
    let mut covered: HashSet<String> = HashSet::new();
    let mut csv_files = 0;
    for e in std::fs::read_dir(dir.join("members")).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        match p.extension().and_then(|x| x.to_str()) {
            Some("json") => {
                assert!(is_guid(&stem), "member file stem {stem} is not a GUID");
                assert!(group_ids.contains(&stem), "{stem} is not a listed group");
                for m in records(&json(&p)) {
                    assert!(m["@odata.type"]
                        .as_str()
                        .unwrap()
                        .starts_with("#microsoft.graph."));
                    assert!(is_guid(m["id"].as_str().unwrap()));
                }
                covered.insert(stem);
            }
            Some("csv") => {
                csv_files += 1;
                let text = std::fs::read_to_string(&p).unwrap();
                let mut lines = text.lines();
                assert_eq!(lines.next(), Some("groupId,memberId,memberType"));
                for l in lines {
                    let cols: Vec<&str> = l.split(',').collect();
                    assert_eq!(cols.len(), 3, "{l}");
                    assert!(is_guid(cols[0]) && is_guid(cols[1]), "{l}");
                    assert!(
                        matches!(cols[2], "User" | "Group" | "ServicePrincipal"),
                        "{l}"
                    );
                    covered.insert(cols[0].to_lowercase());
                }
            }
            other => panic!("unexpected file {other:?} in members/"),
        }
    }
    assert!(csv_files >= 1, "the CSV path is exercised");
    let incomplete: HashSet<String> = groups
        .iter()
        .filter(|g| {
            g["displayName"]
                .as_str()
                .unwrap()
                .starts_with("Contractors - ")
        })
        .map(|g| g["id"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(incomplete.len(), 1);
    for g in &group_ids {
        assert_eq!(
            covered.contains(g),
            !incomplete.contains(g),
            "group {g}: covered = {}",
            covered.contains(g)
        );
    }
    // The incomplete group holds an assignment.
    let assignments = records(&json(&dir.join("assignments/role-assignments.json")));
    for g in &incomplete {
        assert!(assignments
            .iter()
            .any(|a| a["principalId"].as_str().unwrap() == g));
    }
}

#[test]
fn every_scope_named_is_defined() {
    let (_t, dir, _) = write_small(3, None);
    let mut defined: HashSet<String> = HashSet::from(["/".to_string()]);
    for e in records(&json(&dir.join("scopes/management-groups.json"))) {
        defined.insert(e["id"].as_str().unwrap().to_lowercase());
        if let Some(p) = e["parent"]["id"].as_str() {
            defined.insert(p.to_lowercase());
        }
    }
    for f in ["scopes/resource-groups.json", "scopes/resources.json"] {
        for r in records(&json(&dir.join(f))) {
            defined.insert(r["id"].as_str().unwrap().to_lowercase());
        }
    }
    for s in records(&json(&dir.join("scopes/subscriptions.json"))) {
        assert!(defined.contains(&format!(
            "/subscriptions/{}",
            s["id"].as_str().unwrap().to_lowercase()
        )));
    }
    let scope_of = |r: &Value| -> String {
        r.get("properties")
            .map_or(&r["scope"], |p| &p["scope"])
            .as_str()
            .unwrap()
            .to_lowercase()
    };
    for f in [
        "assignments/role-assignments.json",
        "assignments/pim-eligibility.json",
        "assignments/deny-assignments.json",
    ] {
        for r in records(&json(&dir.join(f))) {
            let s = scope_of(&r);
            assert!(defined.contains(&s), "{f}: scope {s} is defined nowhere");
            let id = r["id"].as_str().unwrap().to_lowercase();
            assert!(
                id.starts_with(s.trim_end_matches('/')),
                "{id} is not under {s}"
            );
        }
    }
    // Role ids: both forms, always ending in a GUID.
    let forms: HashSet<bool> = records(&json(&dir.join("assignments/role-assignments.json")))
        .iter()
        .map(|a| {
            let id = a["roleDefinitionId"].as_str().unwrap();
            assert!(is_guid(id.rsplit('/').next().unwrap()), "{id}");
            id.starts_with("/subscriptions/")
        })
        .collect();
    assert_eq!(forms.len(), 2, "both roleDefinitionId forms appear");
}

#[test]
fn invariants_hold_in_the_large_profile() {
    let w = generate(Profile::Large, 11);
    let sizes = &w.sizes;
    let d = &w.dir;
    assert_eq!(d.users.len(), sizes.users);
    assert_eq!(d.groups.len(), sizes.groups);
    assert_eq!(d.sps.len(), sizes.service_principals());
    assert_eq!(w.scopes.mgs.len(), sizes.management_groups());
    assert_eq!(w.grants.assignments.len(), sizes.assignments);
    assert_eq!(w.grants.eligibilities.len(), sizes.eligibilities);
    assert_eq!(w.grants.denies.len(), sizes.denies);
    assert_eq!(w.roles.len(), sizes.builtin_roles + sizes.custom_roles);

    // Management groups: exactly the profile's depth.
    let depth = (0..w.scopes.mgs.len())
        .map(|m| w.scopes.mg_chain(m).len() - 1)
        .max()
        .unwrap();
    assert_eq!(depth, sizes.mg_levels.len() - 1);

    // Per-subscription cap, no duplicate triple, mostly groups, every level used.
    let mut per_sub = vec![0usize; w.scopes.subs.len()];
    let mut triples = HashSet::new();
    let mut levels = HashSet::new();
    let mut to_groups = 0;
    for a in &w.grants.assignments {
        if let Some(s) = w.scopes.sub_of(a.scope) {
            per_sub[s] += 1;
        }
        assert!(triples.insert((a.principal, a.role, a.scope)));
        levels.insert(std::mem::discriminant(&a.scope));
        if matches!(d.who(a.principal), Who::Group(_)) {
            to_groups += 1;
        }
        // Custom roles only where assignable.
        if a.role != grants::UNDEFINED && w.roles[a.role as usize].is_custom() {
            let ok = w.roles[a.role as usize]
                .assignable
                .iter()
                .any(|&s| match s {
                    Scope::Sub(x) => w.scopes.sub_of(a.scope) == Some(x as usize),
                    Scope::Mg(m) => {
                        a.scope == s
                            || w.scopes.sub_of(a.scope).is_some_and(|sub| {
                                w.scopes
                                    .mg_chain(w.scopes.subs[sub].mg)
                                    .contains(&(m as usize))
                            })
                    }
                    _ => false,
                });
            assert!(ok, "custom role assigned outside its assignable scopes");
        }
    }
    assert!(per_sub.iter().all(|&n| n <= sizes.max_per_sub));
    assert_eq!(
        levels.len(),
        5,
        "root, management group, subscription, group, resource"
    );
    assert!(to_groups * 2 > w.grants.assignments.len());

    // Group nesting: as deep as the profile, with cycles.
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for &(g, m) in &d.edges {
        if let Who::Group(c) = d.who(m) {
            children.entry(g).or_default().push(c as u32);
        }
    }
    fn longest(g: u32, ch: &HashMap<u32, Vec<u32>>, path: &mut Vec<u32>, best: &mut usize) {
        *best = (*best).max(path.len());
        for &c in ch.get(&g).map(Vec::as_slice).unwrap_or(&[]) {
            if !path.contains(&c) && path.len() < 12 {
                path.push(c);
                longest(c, ch, path, best);
                path.pop();
            }
        }
    }
    let mut best = 0;
    for g in d.groups_of(GroupSort::Regular).into_iter().take(400) {
        longest(g as u32, &children, &mut vec![g as u32], &mut best);
    }
    assert!(best >= sizes.group_depth, "nesting depth {best}");
    let cycles = d
        .edges
        .iter()
        .filter(|&&(g, m)| matches!(d.who(m), Who::Group(c) if children.get(&(c as u32)).is_some_and(|cs| cs.contains(&g))))
        .count();
    assert!(cycles >= 1, "at least one 2-cycle");

    // Huge groups, incomplete groups without any member data.
    let runs = d.runs();
    assert!(d
        .groups_of(GroupSort::Huge)
        .iter()
        .all(|&g| runs[g].1 - runs[g].0 >= 5_000));
    for g in d.groups_of(GroupSort::Incomplete) {
        assert_eq!(runs[g].0, runs[g].1);
        assert!(!d.json_members[g]);
        let gp = d.group_p(g);
        assert!(w.grants.assignments.iter().any(|a| a.principal == gp));
    }
    let edges_per_user = d.edges.len() as f64 / d.users.len() as f64;
    assert!(edges_per_user > 10.0, "{edges_per_user} edges per user");
}

#[test]
fn churn_changes_the_fraction_asked_and_nothing_else() {
    let (_a, base, _) = write_small(5, None);
    let (_b, churned, summary) = write_small(5, Some(0.1));
    let (_c, again, _) = write_small(5, Some(0.1));
    let fa = files_of(&base);
    let fb = files_of(&churned);
    let fc = files_of(&again);
    assert_eq!(fb, fc, "churn is deterministic");
    let report = summary.churn.unwrap();
    assert_eq!(report.assignments_removed, 3);
    assert_eq!(report.assignments_added, 3);
    assert!(report.edges_removed > 0 && report.edges_added == report.edges_removed);
    assert!(report.role_edited.is_some());
    for unchanged in [
        "directory/users.json",
        "directory/groups.json",
        "scopes/resources.json",
        "assignments/pim-eligibility.json",
        "operations/microsoft.machinelearningservices.json",
    ] {
        assert!(fa[unchanged] == fb[unchanged], "{unchanged} changed");
    }
    assert!(fa["assignments/role-assignments.json"] != fb["assignments/role-assignments.json"]);
    assert!(fa["roles/custom-roles.json"] != fb["roles/custom-roles.json"]);
    let names = |root: &Path| -> HashSet<String> {
        records(&json(&root.join("assignments/role-assignments.json")))
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (na, nb) = (names(&base), names(&churned));
    assert_eq!(na.len(), nb.len());
    assert_eq!(na.difference(&nb).count(), 3);
}

#[test]
fn a_non_empty_output_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("x.txt"), "x").unwrap();
    let e = write_tenant(Profile::Small, 1, tmp.path(), None).unwrap_err();
    assert!(matches!(e, SynthError::OutNotEmpty(_)), "{e}");
    assert!(e.is_usage());
    let file = tmp.path().join("x.txt");
    assert!(matches!(
        write_tenant(Profile::Small, 1, &file, None).unwrap_err(),
        SynthError::NotADirectory(_)
    ));
    assert!(matches!(
        write_tenant(Profile::Small, 1, &tmp.path().join("new"), Some(1.5)).unwrap_err(),
        SynthError::BadChurn(_)
    ));
    // An existing empty directory is fine.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    write_tenant(Profile::Small, 1, &empty, None).unwrap();
}

#[test]
fn the_importer_reads_the_small_tenant() {
    let (_t, dir, summary) = write_small(1, None);
    let imported = whocan::import::read_inputs(std::slice::from_ref(&dir), false)
        .unwrap_or_else(|e| panic!("import failed: {e}"));
    let counts: HashMap<&str, usize> = whocan::import::counts(&imported).into_iter().collect();
    let sizes = Sizes::of(Profile::Small);
    assert_eq!(counts["skippedFiles"], 0);
    assert_eq!(counts["files"], summary.files());
    assert_eq!(counts["users"], sizes.users);
    assert_eq!(counts["groups"], sizes.groups);
    assert_eq!(counts["servicePrincipals"], sizes.apps);
    assert_eq!(
        counts["managedIdentities"],
        sizes.workspaces + sizes.user_identities + sizes.computes
    );
    assert_eq!(counts["otherDirectoryObjects"], 0);
    assert_eq!(counts["memberEdges"], summary.count("memberEdges").unwrap());
    assert_eq!(
        counts["memberLists"],
        sizes.groups - sizes.incomplete_groups
    );
    assert_eq!(
        counts["roleDefinitions"],
        sizes.builtin_roles + sizes.custom_roles
    );
    assert_eq!(counts["roleAssignments"], sizes.assignments);
    assert_eq!(counts["pimEligible"], sizes.eligibilities);
    assert_eq!(counts["denyAssignments"], sizes.denies);
    assert_eq!(counts["managementGroups"], sizes.management_groups());
    assert_eq!(counts["subscriptions"], sizes.subs);
    assert_eq!(counts["resourceGroups"], sizes.rgs);
    // Every resource, those only the facts files hold (registries, datastores,
    // the computes' user-assigned identities) included.
    assert_eq!(
        counts["resources"],
        sizes.resources() + sizes.fact_resources()
    );
    assert_eq!(counts["operations"], summary.count("operations").unwrap());
    // The deliberate oddities are flagged, and nothing else.
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &imported.flags {
        *kinds.entry(f.kind.as_str()).or_default() += 1;
    }
    let expected: BTreeMap<&str, usize> = BTreeMap::from([
        ("members-not-imported", sizes.incomplete_groups),
        ("membership-cycle", sizes.cycles),
        ("orphaned-assignment", sizes.deleted_principals),
        ("undefined-role", sizes.undefined_role_assignments),
        ("unknown-member", sizes.stale_members),
    ]);
    assert_eq!(kinds, expected);
}

/// The xl profile end to end, with and without 1% churn (slow: run with
/// `cargo test --release --lib synth::tests::xl -- --ignored --nocapture`).
#[test]
#[ignore]
fn xl_with_and_without_churn() {
    let tmp = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let base = write_tenant(Profile::Xl, 1, &tmp.path().join("base"), None).unwrap();
    let t_base = started.elapsed();
    let started = std::time::Instant::now();
    let churned = write_tenant(Profile::Xl, 1, &tmp.path().join("churn"), Some(0.01)).unwrap();
    let t_churn = started.elapsed();
    for k in &base.kinds {
        eprintln!("{k}");
    }
    eprintln!("base {t_base:?}, churned {t_churn:?}: {:?}", churned.churn);
    let sizes = Sizes::of(Profile::Xl);
    assert!(base.count("memberEdges").unwrap() >= 2_000_000);
    assert_eq!(base.count("users"), Some(sizes.users));
    assert_eq!(base.count("roleAssignments"), Some(sizes.assignments));
    assert_eq!(churned.count("roleAssignments"), Some(sizes.assignments));
    assert_eq!(churned.count("memberEdges"), base.count("memberEdges"));
    let report = churned.churn.unwrap();
    assert_eq!(report.assignments_removed, sizes.assignments / 100);
    assert!(report.edges_removed * 100 >= base.count("memberEdges").unwrap() - 100);
}
