//! `whocan collect --import` against a fake ARM + Graph that serves a synthetic
//! tenant (whocan-synth's small profile) through the REST shapes, compared with
//! `whocan import` of the synth's own export files: the same workspaces must have the
//! same answers.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

use super::collect::{Fake, Handler, TOKEN};
use super::support::whocan;

/// Small pages, so that most lists take several (the small tenant has lists of 4 to 30).
const PAGE: usize = 7;
const AUTHZ: &str = "/providers/microsoft.authorization/";

fn read(dir: &Path, rel: &str) -> Value {
    let p = dir.join(rel);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

/// The items of an export file: a bare array or `{"value": [...]}`.
fn items(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("value") {
            Some(Value::Array(a)) => a,
            _ => vec![Value::Object(o)],
        },
        _ => vec![],
    }
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The synthetic tenant, in the REST shapes ARM and Graph return.
struct Synth {
    /// getEntities items (management groups and subscriptions).
    entities: Vec<Value>,
    /// `/subscriptions` items.
    subscriptions: Vec<Value>,
    /// Lower-case id → lower-case parent id (management groups, subscriptions).
    parent: HashMap<String, String>,
    resource_groups: Vec<Value>,
    resources: Vec<Value>,
    /// (REST item, lower-case scope).
    assignments: Vec<(Value, String)>,
    denies: Vec<(Value, String)>,
    eligible: Vec<(Value, String)>,
    /// Role definitions as az writes them (flat).
    roles: Vec<Value>,
    users: Vec<Value>,
    groups: Vec<Value>,
    service_principals: Vec<Value>,
    /// Lower-case group id → members; a group without member data is absent.
    members: HashMap<String, Vec<Value>>,
    /// Lower-case namespace → the providerOperations object.
    operations: HashMap<String, Value>,
}

impl Synth {
    fn load(dir: &Path) -> Synth {
        let mut parent = HashMap::new();
        let entities: Vec<Value> = items(read(dir, "scopes/management-groups.json"))
            .into_iter()
            .map(|e| {
                let mut props = Map::new();
                let mut out = Map::new();
                for (k, v) in e.as_object().unwrap() {
                    if ["id", "type", "name"].contains(&k.as_str()) {
                        out.insert(k.clone(), v.clone());
                    } else {
                        props.insert(k.clone(), v.clone());
                    }
                }
                if let Some(p) = e["parent"]["id"].as_str() {
                    parent.insert(s(&e, "id").to_ascii_lowercase(), p.to_ascii_lowercase());
                }
                out.insert("properties".into(), Value::Object(props));
                Value::Object(out)
            })
            .collect();
        let subscriptions = items(read(dir, "scopes/subscriptions.json"))
            .into_iter()
            .map(|x| {
                json!({"id": format!("/subscriptions/{}", s(&x, "id")), "subscriptionId": s(&x, "id"),
                    "displayName": s(&x, "name"), "state": s(&x, "state"), "tenantId": s(&x, "tenantId")})
            })
            .collect();
        let assignments = items(read(dir, "assignments/role-assignments.json"))
            .into_iter()
            .map(|a| {
                let mut props = Map::new();
                for k in [
                    "roleDefinitionId", "principalId", "principalType", "scope", "condition",
                    "conditionVersion", "createdOn", "updatedOn", "createdBy", "updatedBy",
                    "delegatedManagedIdentityResourceId", "description",
                ] {
                    if let Some(v) = a.get(k) {
                        props.insert(k.into(), v.clone());
                    }
                }
                let scope = s(&a, "scope").to_ascii_lowercase();
                (
                    json!({"id": a["id"], "name": a["name"], "type": "Microsoft.Authorization/roleAssignments",
                        "properties": props}),
                    scope,
                )
            })
            .collect();
        let scoped = |rel: &str| -> Vec<(Value, String)> {
            items(read(dir, rel))
                .into_iter()
                .map(|x| {
                    let sc = x["properties"]["scope"]
                        .as_str()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    (x, sc)
                })
                .collect()
        };
        let mut roles = items(read(dir, "roles/builtin-roles.json"));
        roles.extend(items(read(dir, "roles/custom-roles.json")));
        let mut members: HashMap<String, Vec<Value>> = HashMap::new();
        let mut operations = HashMap::new();
        for e in std::fs::read_dir(dir.join("members")).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if let Some(g) = name.strip_suffix(".json") {
                members.insert(
                    g.to_ascii_lowercase(),
                    items(read(dir, &format!("members/{name}"))),
                );
            } else if name.ends_with(".csv") {
                let text = std::fs::read_to_string(&p).unwrap();
                for line in text.lines().skip(1) {
                    let f: Vec<&str> = line.split(',').collect();
                    let kind = match f[2] {
                        "User" => "user",
                        "Group" => "group",
                        _ => "servicePrincipal",
                    };
                    members.entry(f[0].to_ascii_lowercase()).or_default().push(
                        json!({"@odata.type": format!("#microsoft.graph.{kind}"), "id": f[1]}),
                    );
                }
            }
        }
        for e in std::fs::read_dir(dir.join("operations")).unwrap() {
            let p = e.unwrap().path();
            let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            operations.insert(s(&v, "name").to_ascii_lowercase(), v);
        }
        Synth {
            entities,
            subscriptions,
            parent,
            resource_groups: items(read(dir, "scopes/resource-groups.json")),
            resources: items(read(dir, "scopes/resources.json")),
            assignments,
            denies: scoped("assignments/deny-assignments.json"),
            eligible: scoped("assignments/pim-eligibility.json"),
            roles,
            users: items(read(dir, "directory/users.json")),
            groups: items(read(dir, "directory/groups.json")),
            service_principals: items(read(dir, "directory/service-principals.json")),
            members,
            operations,
        }
    }

    /// Every scope at or above `scope` (lower case), the tenant root `/` included.
    fn at_or_above(&self, scope: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::from(["/".to_string(), scope.to_string()]);
        let mut top = scope.to_string();
        if scope.starts_with("/subscriptions/") {
            for (i, _) in scope.match_indices('/').skip(1) {
                out.insert(scope[..i].to_string());
            }
            top = scope.split('/').take(3).collect::<Vec<_>>().join("/");
            out.insert(top.clone());
        }
        while let Some(p) = self.parent.get(&top) {
            out.insert(p.clone());
            top = p.clone();
        }
        out
    }

    /// ARM's list at `asked`: with `$filter=atScope()` what is at or above it; without,
    /// also what is below it.
    fn visible(&self, list: &[(Value, String)], asked: &str, at_scope: bool) -> Vec<Value> {
        let above = self.at_or_above(asked);
        list.iter()
            .filter(|(_, sc)| {
                above.contains(sc) || (!at_scope && sc.starts_with(&format!("{asked}/")))
            })
            .map(|(v, _)| v.clone())
            .collect()
    }

    /// Role definitions as `GET {scope}/providers/Microsoft.Authorization/roleDefinitions`
    /// returns them: the built-in ones everywhere, a custom one where it is assignable
    /// (at, above or below the scope).
    fn role_definitions(&self, asked: &str) -> Vec<Value> {
        let above = self.at_or_above(asked);
        let asked_id = if asked.starts_with("/subscriptions/") {
            asked.to_string()
        } else {
            String::new()
        };
        self.roles
            .iter()
            .filter(|r| {
                r["assignableScopes"].as_array().into_iter().flatten().any(|a| {
                    let a = a.as_str().unwrap_or("").to_ascii_lowercase();
                    above.contains(&a) || a.starts_with(&format!("{asked}/"))
                })
            })
            .map(|r| {
                let guid = s(r, "name");
                let id = if s(r, "roleType") == "BuiltInRole" {
                    format!("{asked_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
                } else {
                    s(r, "id")
                };
                json!({"id": id, "name": guid, "type": "Microsoft.Authorization/roleDefinitions",
                    "properties": {"roleName": r["roleName"], "type": r["roleType"], "description": r["description"],
                        "permissions": r["permissions"], "assignableScopes": r["assignableScopes"],
                        "createdOn": r["createdOn"], "updatedOn": r["updatedOn"],
                        "createdBy": r["createdBy"], "updatedBy": r["updatedBy"]}})
            })
            .collect()
    }

    fn of_type(&self, typ: &str, under: &str) -> Vec<Value> {
        self.resources
            .iter()
            .filter(|r| {
                s(r, "type").eq_ignore_ascii_case(typ)
                    && s(r, "id")
                        .to_ascii_lowercase()
                        .starts_with(&format!("{under}/"))
            })
            .cloned()
            .collect()
    }

    /// The items at one path (lower case, no query); None: 404. `Err` is one object
    /// returned as is.
    fn route(&self, p: &str, at_scope: bool) -> Option<Result<Vec<Value>, Value>> {
        if p == "/providers/microsoft.management/getentities" {
            return Some(Ok(self.entities.clone()));
        }
        if p == "/subscriptions" {
            return Some(Ok(self.subscriptions.clone()));
        }
        if let Some(ns) = p.strip_prefix("/providers/microsoft.authorization/provideroperations/") {
            return self.operations.get(ns).cloned().map(Err);
        }
        if let Some((scope, coll)) = p.split_once(AUTHZ) {
            let scope = if scope.is_empty() { "/" } else { scope };
            return Some(Ok(match coll {
                "roledefinitions" => self.role_definitions(scope),
                "roleassignments" => self.visible(&self.assignments, scope, at_scope),
                "denyassignments" => self.visible(&self.denies, scope, at_scope),
                "roleeligibilityscheduleinstances" => self.visible(&self.eligible, scope, at_scope),
                "roleassignmentscheduleinstances" => vec![],
                _ => return None,
            }));
        }
        if let Some(sub) = p.strip_suffix("/resourcegroups") {
            return Some(Ok(self
                .resource_groups
                .iter()
                .filter(|r| {
                    s(r, "id")
                        .to_ascii_lowercase()
                        .starts_with(&format!("{sub}/"))
                })
                .cloned()
                .collect()));
        }
        if let Some(sub) = p.strip_suffix("/providers/microsoft.machinelearningservices/workspaces")
        {
            return Some(Ok(
                self.of_type("Microsoft.MachineLearningServices/workspaces", sub)
            ));
        }
        if let Some(ws) = p.strip_suffix("/computes") {
            return Some(Ok(self.of_type(
                "Microsoft.MachineLearningServices/workspaces/computes",
                ws,
            )));
        }
        match p {
            "/v1.0/users" => return Some(Ok(self.users.clone())),
            "/v1.0/groups" => return Some(Ok(self.groups.clone())),
            "/v1.0/serviceprincipals" => return Some(Ok(self.service_principals.clone())),
            _ => {}
        }
        if let Some(g) = p
            .strip_prefix("/v1.0/groups/")
            .and_then(|r| r.strip_suffix("/members"))
        {
            return self.members.get(g).cloned().map(Ok);
        }
        if p.starts_with("/v1.0/identitygovernance/privilegedaccess/group/") {
            return Some(Ok(vec![]));
        }
        None
    }
}

fn handler(synth: Arc<Synth>) -> Arc<Handler> {
    Arc::new(
        move |_method: &str, url: &str, _seen: &mut HashMap<String, u32>| {
            let (path, query) = url.split_once('?').unwrap_or((url, ""));
            let lower = path.to_ascii_lowercase();
            let json_h = vec![("Content-Type".to_string(), "application/json".to_string())];
            let at_scope = query.contains("atScope()") || query.contains("atScope%28%29");
            let items = match synth.route(&lower, at_scope) {
                None => {
                    return (
                        404,
                        json_h,
                        json!({"error": {"code": "NotFound", "message": format!("no such path {path}")}})
                            .to_string(),
                    )
                }
                Some(Err(one)) => return (200, json_h, one.to_string()),
                Some(Ok(items)) => items,
            };
            let graph = lower.starts_with("/v1.0/");
            let page: usize = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            let chunk: Vec<Value> = items.iter().skip(page * PAGE).take(PAGE).cloned().collect();
            let mut body = json!({"value": chunk});
            if graph {
                body["@odata.context"] =
                    json!("https://graph.microsoft.com/v1.0/$metadata#directoryObjects");
            }
            if items.len() > (page + 1) * PAGE {
                let q: Vec<&str> = query
                    .split('&')
                    .filter(|kv| !kv.is_empty() && !kv.starts_with("page="))
                    .collect();
                let next_key = if graph { "@odata.nextLink" } else { "nextLink" };
                let sep = if q.is_empty() { "" } else { "&" };
                body[next_key] = json!(format!("SELF{path}?{}{sep}page={}", q.join("&"), page + 1));
            }
            (200, json_h, body.to_string())
        },
    )
}

fn serve(synth: Synth) -> Fake {
    let inner = handler(Arc::new(synth));
    let own: Arc<Mutex<String>> = Arc::new(Mutex::new(String::new()));
    let own2 = Arc::clone(&own);
    let fake = Fake::start(Arc::new(
        move |m: &str, u: &str, seen: &mut HashMap<String, u32>| {
            let (c, h, b) = inner(m, u, seen);
            let base = own2.lock().unwrap().clone();
            (c, h, b.replace("SELF", &base))
        },
    ));
    *own.lock().unwrap() = fake.base.clone();
    fake
}

fn run_ok(cmd: &mut assert_cmd::Command) -> Vec<u8> {
    let r = cmd.output().unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    r.stdout
}

/// (principal id, access) of `who`, the ids eligible and denied, and `incomplete`.
type WhoAnswer = (
    BTreeSet<(String, String)>,
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<String>,
);

fn who(db: &Path, action: &str, ws: &str) -> WhoAnswer {
    let out = run_ok(whocan(db).args(["who", action, "--workspace", ws, "--format", "json"]));
    let v: Value = serde_json::from_slice(&out).unwrap();
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    (
        list("principals")
            .iter()
            .map(|p| (s(p, "id").to_ascii_lowercase(), s(p, "access")))
            .collect(),
        list("eligible")
            .iter()
            .map(|p| s(p, "id").to_ascii_lowercase())
            .collect(),
        list("denied")
            .iter()
            .map(|p| s(p, "id").to_ascii_lowercase())
            .collect(),
        list("incomplete").iter().map(Value::to_string).collect(),
    )
}

fn review(db: &Path, ws: &str) -> BTreeSet<String> {
    let out = run_ok(whocan(db).args(["review", "--workspace", ws, "--format", "csv"]));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn collect_then_import_answers_as_the_export_files_do() {
    let tmp = tempfile::tempdir().unwrap();
    let synth_dir = tmp.path().join("synth");
    whocan_synth::write_tenant(whocan_synth::Profile::Small, 1, &synth_dir, None).unwrap();
    let synth = Synth::load(&synth_dir);
    let workspaces: Vec<String> = synth
        .resources
        .iter()
        .filter(|r| s(r, "type") == "Microsoft.MachineLearningServices/workspaces")
        .map(|r| s(r, "name"))
        .collect();
    assert!(workspaces.len() >= 2, "{workspaces:?}");
    let fake = serve(synth);

    let a = tmp.path().join("a.db");
    let b = tmp.path().join("b.db");
    let out = tmp.path().join("out");
    let r = whocan(&a)
        .env("WHOCAN_ARM_TOKEN", TOKEN)
        .env("WHOCAN_GRAPH_TOKEN", TOKEN)
        .env("WHOCAN_COLLECT_MAX_WAIT_MS", "10")
        .args(["collect", "--out"])
        .arg(&out)
        .args([
            "--import",
            "--arm-url",
            &fake.base,
            "--graph-url",
            &fake.base,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(0), "{stderr}");
    run_ok(whocan(&b).arg("import").arg(&synth_dir));

    let ledger: Value =
        serde_json::from_slice(&std::fs::read(out.join("collection.json")).unwrap()).unwrap();
    let not_complete: Vec<&Value> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] != "complete")
        .collect();
    // Only what the synth has no data for is not read: the members of its group
    // "without member data" and the catalogues of providers it does not write (Azure
    // would answer both). The synth import knows as little, so the answers agree.
    for e in &not_complete {
        assert_eq!(e["httpStatus"], 404, "{e}");
        assert!(
            e["collection"] == "groupMembers" || e["collection"] == "providerOperations",
            "{e}"
        );
    }
    assert!(
        ledger["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["pages"].as_u64() > Some(1)),
        "no list was paged"
    );

    let mut diffs = Vec::new();
    let mut answered = 0;
    for ws in &workspaces {
        for action in [
            "Microsoft.MachineLearningServices/workspaces/read",
            "Microsoft.MachineLearningServices/workspaces/computes/write",
            "Microsoft.Authorization/roleAssignments/write",
        ] {
            let (wa, wb) = (who(&a, action, ws), who(&b, action, ws));
            if wa != wb {
                diffs.push(format!(
                    "who {action} --workspace {ws}:\n  collected only: {:?} / {:?} / {:?} / {:?}\n  exported only: {:?} / {:?} / {:?} / {:?}",
                    wa.0.difference(&wb.0).collect::<Vec<_>>(),
                    wa.1.difference(&wb.1).collect::<Vec<_>>(),
                    wa.2.difference(&wb.2).collect::<Vec<_>>(),
                    wa.3.difference(&wb.3).collect::<Vec<_>>(),
                    wb.0.difference(&wa.0).collect::<Vec<_>>(),
                    wb.1.difference(&wa.1).collect::<Vec<_>>(),
                    wb.2.difference(&wa.2).collect::<Vec<_>>(),
                    wb.3.difference(&wa.3).collect::<Vec<_>>(),
                ));
            }
            answered += wa.0.len();
        }
        let (ra, rb) = (review(&a, ws), review(&b, ws));
        assert!(ra.len() > 1, "review of {ws} is empty");
        if ra != rb {
            diffs.push(format!(
                "review --workspace {ws}:\n  collected only: {:#?}\n  exported only: {:#?}",
                ra.difference(&rb).collect::<Vec<_>>(),
                rb.difference(&ra).collect::<Vec<_>>()
            ));
        }
    }
    assert!(answered > 0, "no principal in any answer");
    assert!(
        diffs.is_empty(),
        "collect stderr: {stderr}\n{}",
        diffs.join("\n")
    );
}
