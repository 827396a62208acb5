//! SPEC §4: an activity's answer carries the satisfied alternative and one grant
//! per required operation (the nearest path); `--all-paths` asks for every grant.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::sample;

/// principal id → (access, action → number of grants).
fn grants_per_action(v: &Value) -> BTreeMap<String, (String, BTreeMap<String, usize>)> {
    let mut out = BTreeMap::new();
    for p in v["principals"].as_array().expect("principals") {
        let mut per: BTreeMap<String, usize> = BTreeMap::new();
        for g in p["grants"].as_array().expect("grants") {
            *per.entry(g["action"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        out.insert(
            p["id"].as_str().unwrap().to_string(),
            (p["access"].as_str().unwrap().to_string(), per),
        );
    }
    out
}

#[test]
fn an_activity_answer_has_one_grant_per_operation_and_all_paths_has_every_grant() {
    let mut second_path = false;
    for (activity, ws) in [
        ("submit-run-v2", "ml-prod"),
        ("submit-run-v2", "ml-dev"),
        ("create-compute", "ml-dev"),
    ] {
        let q = format!("who --activity {activity} --workspace {ws} --format json");
        let nearest = grants_per_action(&sample().words(&q).ok_json());
        let all = grants_per_action(&sample().words(format!("{q} --all-paths")).ok_json());
        assert!(!nearest.is_empty(), "{q}: nobody can");
        // The same principals with the same access: only the paths shown differ.
        assert_eq!(
            nearest
                .iter()
                .map(|(k, (a, per))| (k, a, per.keys().collect::<BTreeSet<_>>()))
                .collect::<Vec<_>>(),
            all.iter()
                .map(|(k, (a, per))| (k, a, per.keys().collect::<BTreeSet<_>>()))
                .collect::<Vec<_>>(),
            "{q}"
        );
        for (id, (_, per)) in &nearest {
            assert!(per.values().all(|&n| n == 1), "{q}: {id} has {per:?}");
        }
        second_path |= all.values().any(|(_, per)| per.values().any(|&n| n > 1));
    }
    // Somebody reaches some operation by more than one path, or the test cannot
    // tell the two apart.
    assert!(
        second_path,
        "no principal has a second path to any operation"
    );
}

#[test]
fn the_nearest_grant_of_an_allowed_operation_allows_and_is_a_shortest_chain() {
    let q = "who --activity submit-run-v2 --workspace ml-dev --format json";
    let nearest = sample().words(q).ok_json();
    let all = sample().words(format!("{q} --all-paths")).ok_json();
    for p in nearest["principals"].as_array().unwrap() {
        let id = &p["id"];
        let every: Vec<&Value> = all["principals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| &x["id"] == id)
            .unwrap()["grants"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        for g in p["grants"].as_array().unwrap() {
            let action = &g["action"];
            let same: Vec<&&Value> = every.iter().filter(|x| &x["action"] == action).collect();
            assert!(
                same.contains(&&g),
                "{id}: the kept grant is one of all the grants"
            );
            let unconditional = |x: &Value| x["condition"].is_null();
            if same.iter().any(|x| unconditional(x)) {
                assert!(
                    unconditional(g),
                    "{id} {action}: a conditional grant was kept over an unconditional one"
                );
            }
            let shortest = same
                .iter()
                .filter(|x| unconditional(x) == unconditional(g))
                .map(|x| x["via"].as_array().unwrap().len())
                .min()
                .unwrap();
            assert_eq!(
                g["via"].as_array().unwrap().len(),
                shortest,
                "{id} {action}"
            );
        }
    }
}

#[test]
fn all_paths_without_an_activity_is_a_usage_error() {
    sample()
        .words(
            "who Microsoft.MachineLearningServices/workspaces/read --workspace ml-dev --all-paths",
        )
        .output()
        .expect(2)
        .stderr_has("--all-paths applies to --activity answers")
        .stderr_has("hint: add --activity");
}

#[test]
fn can_with_an_activity_keeps_one_grant_per_operation_too() {
    let q = "can sofia.lindqvist@contoso.com --activity submit-run-v2 --workspace ml-prod --format json";
    let one = sample().words(q).ok_json();
    let every = sample().words(format!("{q} --all-paths")).ok_json();
    let per_op = |v: &Value| -> Vec<usize> {
        v["decisions"]
            .as_array()
            .expect("decisions")
            .iter()
            .map(|d| d["grants"].as_array().map_or(0, Vec::len))
            .collect()
    };
    assert_eq!(one["allowed"], true, "{one}");
    assert_eq!(one["allowed"], every["allowed"]);
    assert!(
        per_op(&one).iter().all(|&n| n == 1),
        "one grant per operation: {:?}",
        per_op(&one)
    );
    let all = per_op(&every);
    assert_eq!(all.len(), per_op(&one).len());
    assert!(all.iter().all(|&n| n >= 1));
    assert!(
        all.iter().any(|&n| n > 1),
        "--all-paths shows a second path somewhere: {all:?}"
    );
}
