//! `whocan collect` against an in-process fake ARM + Graph on 127.0.0.1 (tiny_http):
//! paging, throttling, a 503, a malformed page, a 403, a nextLink to another host,
//! the ledger, the import of what was written, `--resume`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};

use super::support::whocan;

pub(super) const TOKEN: &str = "tok-SECRET-4f1c9a7e-never-print";
const T: &str = "aaaaaaaa-0000-0000-0000-000000000000";
const S1: &str = "11111111-1111-1111-1111-111111111111";
const S2: &str = "22222222-2222-2222-2222-222222222222";
const U1: &str = "a1111111-0000-0000-0000-000000000001";
const U2: &str = "a1111111-0000-0000-0000-000000000002";
const U3: &str = "a1111111-0000-0000-0000-000000000003";
const G1: &str = "b1111111-0000-0000-0000-000000000001";
const G2: &str = "b1111111-0000-0000-0000-000000000002";
const R_READ: &str = "c1111111-0000-0000-0000-000000000001";
const R_CONTRIB: &str = "c1111111-0000-0000-0000-000000000002";

pub(super) type Handler = dyn Fn(&str, &str, &mut HashMap<String, u32>) -> (u16, Vec<(String, String)>, String)
    + Send
    + Sync;

/// A fake server on 127.0.0.1 serving until dropped; counts requests.
pub(super) struct Fake {
    pub(super) base: String,
    /// (method, url, had an Authorization header with the token)
    hits: Arc<Mutex<Vec<(String, String, bool)>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Fake {
    pub(super) fn start(handler: Arc<Handler>) -> Fake {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", server.server_addr().to_ip().expect("ip"));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (Arc::clone(&hits), Arc::clone(&stop));
        let handle = std::thread::spawn(move || {
            let mut seen: HashMap<String, u32> = HashMap::new();
            let mut served = 0;
            while !s.load(Ordering::Relaxed) && served < 5000 {
                let Ok(Some(mut req)) = server.recv_timeout(Duration::from_millis(50)) else {
                    continue;
                };
                served += 1;
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(req.as_reader(), &mut body);
                let auth = req
                    .headers()
                    .iter()
                    .any(|hd| hd.field.equiv("Authorization") && hd.value.as_str().contains(TOKEN));
                let method = req.method().as_str().to_string();
                let url = req.url().to_string();
                h.lock().unwrap().push((method.clone(), url.clone(), auth));
                let (code, headers, text) = handler(&method, &url, &mut seen);
                let mut resp = tiny_http::Response::from_string(text).with_status_code(code);
                for (k, v) in headers {
                    resp.add_header(
                        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap(),
                    );
                }
                let _ = req.respond(resp);
            }
        });
        Fake {
            base,
            hits,
            stop,
            handle: Some(handle),
        }
    }

    fn hits(&self) -> Vec<(String, String, bool)> {
        self.hits.lock().unwrap().clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn role(guid: &str, name: &str, actions: &[&str]) -> Value {
    json!({"id": format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"), "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {"roleName": name, "type": "CustomRole", "description": name,
            "permissions": [{"actions": actions, "notActions": [], "dataActions": [], "notDataActions": []}],
            "assignableScopes": ["/"]}})
}

fn assignment(n: u32, scope: &str, principal: &str, ptype: &str, role: &str) -> Value {
    let guid = format!("d1111111-0000-0000-0000-00000000000{n}");
    json!({"id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}"), "name": guid,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {"roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": principal, "principalType": ptype, "scope": scope,
            "createdOn": "2026-01-01T00:00:00Z"}})
}

fn ws() -> String {
    format!("/subscriptions/{S1}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ml-prod")
}

/// The items of the small tenant at one path (without the query), or None (404).
fn tenant(path: &str) -> Option<(Vec<Value>, Option<&'static str>)> {
    let root = "/providers/Microsoft.Management/managementGroups/root";
    let mg = |name: &str, parent: Option<&str>| {
        json!({"id": format!("/providers/Microsoft.Management/managementGroups/{name}"),
        "type": "Microsoft.Management/managementGroups", "name": name,
        "properties": {"tenantId": T, "displayName": name, "parent": parent.map(|p| json!({"id": p}))}})
    };
    let sub_node = |s: &str| {
        json!({"id": format!("/subscriptions/{s}"), "type": "/subscriptions", "name": s,
        "properties": {"tenantId": T, "displayName": format!("sub-{}", &s[..1]), "parent": {"id": "/providers/Microsoft.Management/managementGroups/ml"}}})
    };
    let p = path.to_ascii_lowercase();
    let authz = "/providers/microsoft.authorization/";
    let v = match () {
        _ if p == "/providers/microsoft.management/getentities" => (
            vec![mg("root", None), mg("ml", Some(root)), sub_node(S1), sub_node(S2)],
            None,
        ),
        _ if p == "/subscriptions" => (
            [S1, S2]
                .iter()
                .map(|s| json!({"id": format!("/subscriptions/{s}"), "subscriptionId": s, "displayName": format!("sub-{}", &s[..1]), "state": "Enabled", "tenantId": T}))
                .collect(),
            None,
        ),
        _ if p == format!("{}{authz}roledefinitions", root.to_ascii_lowercase()) => (
            vec![
                role(R_READ, "ML Reader", &["Microsoft.MachineLearningServices/workspaces/read"]),
                role(R_CONTRIB, "ML Contributor", &["Microsoft.MachineLearningServices/*"]),
            ],
            None,
        ),
        _ if p.ends_with("/roledefinitions") => (vec![], None),
        _ if p == format!("{}{authz}roleassignments", root.to_ascii_lowercase()) => {
            (vec![assignment(1, root, G1, "Group", R_READ)], None)
        }
        _ if p == format!("/subscriptions/{S1}{authz}roleassignments") => (
            vec![
                assignment(2, &format!("/subscriptions/{S1}"), U1, "User", R_CONTRIB),
                assignment(3, &format!("/subscriptions/{S1}/resourceGroups/rg-ml"), U1, "User", R_READ),
                assignment(4, &ws(), U2, "User", R_CONTRIB),
            ],
            None,
        ),
        _ if p == format!("/subscriptions/{S1}{authz}denyassignments") => (
            vec![json!({"id": format!("/subscriptions/{S1}/providers/Microsoft.Authorization/denyAssignments/e1111111-0000-0000-0000-000000000001"),
                "name": "e1111111-0000-0000-0000-000000000001", "type": "Microsoft.Authorization/denyAssignments",
                "properties": {"denyAssignmentName": "no deletes", "description": "",
                    "permissions": [{"actions": ["Microsoft.MachineLearningServices/workspaces/delete"], "notActions": [], "dataActions": [], "notDataActions": []}],
                    "scope": format!("/subscriptions/{S1}"), "doNotApplyToChildScopes": false,
                    "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}],
                    "excludePrincipals": [{"id": U1, "type": "User"}], "isSystemProtected": true}})],
            None,
        ),
        _ if p == format!("/subscriptions/{S1}{authz}roleeligibilityscheduleinstances") => (
            vec![json!({"id": format!("/subscriptions/{S1}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/f1111111-0000-0000-0000-000000000001"),
                "name": "f1111111-0000-0000-0000-000000000001", "type": "Microsoft.Authorization/roleEligibilityScheduleInstances",
                "properties": {"scope": format!("/subscriptions/{S1}"),
                    "roleDefinitionId": format!("/subscriptions/{S1}/providers/Microsoft.Authorization/roleDefinitions/{R_CONTRIB}"),
                    "principalId": U3, "principalType": "User", "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": null,
                    "memberType": "Direct", "status": "Provisioned"}})],
            None,
        ),
        _ if p == format!("/subscriptions/{S1}{authz}roleassignmentscheduleinstances") => (vec![], Some("foreign")),
        _ if p.contains(authz) && !p.contains("provideroperations") => (vec![], None),
        _ if p == format!("/subscriptions/{S1}/resourcegroups") => (
            vec![json!({"id": format!("/subscriptions/{S1}/resourceGroups/rg-ml"), "name": "rg-ml", "type": "Microsoft.Resources/resourceGroups", "location": "westeurope"})],
            None,
        ),
        _ if p == format!("/subscriptions/{S1}/providers/microsoft.machinelearningservices/workspaces") => (
            vec![json!({"id": ws(), "name": "ml-prod", "type": "Microsoft.MachineLearningServices/workspaces", "location": "westeurope"})],
            None,
        ),
        _ if p == format!("{}/computes", ws().to_ascii_lowercase()) => (
            vec![json!({"id": format!("{}/computes/cpu", ws()), "name": "cpu", "type": "Microsoft.MachineLearningServices/workspaces/computes", "location": "westeurope"})],
            None,
        ),
        _ if p.starts_with("/subscriptions/") => (vec![], None),
        _ if p == "/providers/microsoft.authorization/provideroperations/microsoft.machinelearningservices" => {
            let op = |n: &str| json!({"name": format!("Microsoft.MachineLearningServices/{n}"), "displayName": n, "description": n, "origin": "user,system", "isDataAction": false});
            return Some((vec![json!({"id": "/providers/Microsoft.Authorization/providerOperations/Microsoft.MachineLearningServices",
                "name": "Microsoft.MachineLearningServices", "type": "Microsoft.Authorization/providerOperations", "displayName": "Azure Machine Learning",
                "operations": [], "resourceTypes": [{"name": "workspaces", "displayName": "Workspaces",
                    "operations": [op("workspaces/read"), op("workspaces/write"), op("workspaces/delete"), op("workspaces/computes/write")]}]})], Some("single")));
        }
        _ if p == "/v1.0/users" => (
            [(U1, "Uma One", "uma@contoso.com"), (U2, "Ulf Two", "ulf@contoso.com"), (U3, "Ute Three", "ute@contoso.com")]
                .iter()
                .map(|(id, n, upn)| json!({"id": id, "displayName": n, "userPrincipalName": upn, "userType": "Member", "accountEnabled": true, "mail": upn, "otherMails": []}))
                .collect(),
            Some("users"),
        ),
        _ if p == "/v1.0/groups" => (
            [(G1, "ML Readers"), (G2, "ML Team")]
                .iter()
                .map(|(id, n)| json!({"id": id, "displayName": n, "securityEnabled": true, "mailEnabled": false, "groupTypes": []}))
                .collect(),
            Some("groups"),
        ),
        _ if p == "/v1.0/serviceprincipals" => (vec![], Some("servicePrincipals")),
        _ if p == format!("/v1.0/groups/{G1}/members") => (
            vec![json!({"@odata.type": "#microsoft.graph.group", "id": G2, "displayName": "ML Team"})],
            Some("directoryObjects"),
        ),
        _ if p == format!("/v1.0/groups/{G2}/members") => (
            vec![json!({"@odata.type": "#microsoft.graph.user", "id": U2, "displayName": "Ulf Two", "userPrincipalName": "ulf@contoso.com"})],
            Some("directoryObjects"),
        ),
        _ if p.starts_with("/v1.0/identitygovernance/") => (vec![], None),
        _ => return None,
    };
    Some(v)
}

/// ARM + Graph on one fake; `foreign` is the base of another server.
fn tenant_handler(foreign: String) -> Arc<Handler> {
    Arc::new(
        move |_method: &str, url: &str, seen: &mut HashMap<String, u32>| {
            let (path, query) = url.split_once('?').unwrap_or((url, ""));
            let n = {
                let c = seen.entry(url.to_string()).or_default();
                *c += 1;
                *c
            };
            let lower = path.to_ascii_lowercase();
            let json_h = vec![("Content-Type".to_string(), "application/json".to_string())];
            // Failures, each once.
            if lower
                == format!("/subscriptions/{S2}/providers/microsoft.authorization/roleassignments")
            {
                return (403, json_h, json!({"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization"}}).to_string());
            }
            if lower
                == format!("/subscriptions/{S1}/providers/microsoft.authorization/roleassignments")
                && n == 1
                && !query.contains("page=")
            {
                return (429, vec![("Retry-After".into(), "0".into())], "{}".into());
            }
            if lower.ends_with("/microsoft.machinelearningservices/workspaces") && n == 1 {
                return (503, vec![], "busy".into());
            }
            if lower.ends_with("/computes") && n == 1 {
                return (200, json_h, "{\"value\": [ {\"id\": ".into());
            }
            let Some((mut items, kind)) = tenant(path) else {
                return (
                    404,
                    json_h,
                    json!({"error": {"code": "NotFound", "message": "no such path"}}).to_string(),
                );
            };
            if kind == Some("single") {
                return (200, json_h, items[0].to_string());
            }
            // As ARM: `$filter=atScope()` lists only what is at or above the asked
            // scope; without it, a list at a scope also has what is below.
            if query.contains("atScope()") || query.contains("atScope%28%29") {
                let asked = path
                    .split("/providers/Microsoft.Authorization/")
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                items.retain(|i| {
                    let at = i["properties"]["scope"]
                        .as_str()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    at.is_empty()
                        || asked == at
                        || asked.starts_with(&format!("{}/", at.trim_end_matches('/')))
                });
            }
            let graph = path.starts_with("/v1.0/");
            let page: usize = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            let chunk: Vec<Value> = items.iter().skip(page * 2).take(2).cloned().collect();
            let mut body = json!({"value": chunk});
            if graph {
                if let Some(k) = kind {
                    body["@odata.context"] =
                        json!(format!("https://graph.microsoft.com/v1.0/$metadata#{k}"));
                }
            }
            let next_key = if graph { "@odata.nextLink" } else { "nextLink" };
            if kind == Some("foreign") {
                body[next_key] = json!(format!("{foreign}{path}?page=1"));
            } else if items.len() > (page + 1) * 2 {
                let sep = if query.is_empty() { "" } else { "&" };
                let q: String = query
                    .split('&')
                    .filter(|kv| !kv.starts_with("page="))
                    .collect::<Vec<_>>()
                    .join("&");
                // The fake's own address comes back through the Host header the client sent;
                // a relative base is enough for the test: rebuilt by the caller.
                body[next_key] = json!(format!("SELF{path}?{q}{sep}page={}", page + 1));
            }
            (200, json_h, body.to_string())
        },
    )
}

struct World {
    main: Fake,
    foreign: Fake,
}

fn world() -> World {
    let foreign = Fake::start(Arc::new(
        |_: &str, _: &str, _: &mut HashMap<String, u32>| {
            (200, vec![], json!({"value": []}).to_string())
        },
    ));
    // The main fake needs its own base in its links: start it with a slot filled after.
    let own: Arc<Mutex<String>> = Arc::new(Mutex::new(String::new()));
    let inner = tenant_handler(foreign.base.clone());
    let own2 = Arc::clone(&own);
    let main = Fake::start(Arc::new(
        move |m: &str, u: &str, seen: &mut HashMap<String, u32>| {
            let (c, h, b) = inner(m, u, seen);
            let base = own2.lock().unwrap().clone();
            (c, h, b.replace("SELF", &base))
        },
    ));
    *own.lock().unwrap() = main.base.clone();
    World { main, foreign }
}

fn collect_cmd(db: &Path, w: &World, out: &Path) -> assert_cmd::Command {
    let mut cmd = whocan(db);
    cmd.env("WHOCAN_ARM_TOKEN", TOKEN)
        .env("WHOCAN_GRAPH_TOKEN", TOKEN)
        .env("WHOCAN_COLLECT_MAX_WAIT_MS", "10")
        .args(["collect", "--out"])
        .arg(out)
        .args([
            "--arm-url",
            &w.main.base,
            "--graph-url",
            &w.main.base,
            "--concurrency",
            "4",
        ]);
    cmd
}

fn ledger(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("collection.json")).unwrap()).unwrap()
}

fn entry<'a>(l: &'a Value, collection: &str, scope: &str) -> &'a Value {
    l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["collection"] == collection
                && e["scope"].as_str().unwrap().eq_ignore_ascii_case(scope)
        })
        .unwrap_or_else(|| panic!("no ledger entry {collection} {scope}: {l:#}"))
}

/// Every data folder of DIR (everything but the ledger): what `import` reads today.
fn data_dirs(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn collect_reads_the_fake_tenant_and_records_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    let stdout = String::from_utf8_lossy(&ran.stdout).to_string();
    assert_eq!(ran.status.code(), Some(0), "stderr: {stderr}");
    assert!(stdout.contains("out"), "{stdout}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    for f in all_files(&out) {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(!text.contains(TOKEN), "token in {}", f.display());
    }

    let l = ledger(&out);
    assert_eq!(l["whocanCollection"], 1);
    assert_eq!(l["complete"], false);
    let forbidden = entry(&l, "roleAssignments", &format!("/subscriptions/{S2}"));
    assert_eq!(forbidden["status"], "forbidden");
    assert_eq!(forbidden["httpStatus"], 403);
    assert!(forbidden["error"]
        .as_str()
        .unwrap()
        .starts_with("AuthorizationFailed"));
    let refused = entry(
        &l,
        "roleAssignmentScheduleInstances",
        &format!("/subscriptions/{S1}"),
    );
    assert_eq!(refused["status"], "refused");
    let s1 = entry(&l, "roleAssignments", &format!("/subscriptions/{S1}"));
    assert_eq!(s1["status"], "complete");
    assert_eq!(s1["pages"], 2);
    assert_eq!(s1["items"], 3);
    assert!(s1["retries"].as_u64().unwrap() >= 1, "429 retried: {s1}");
    let wsl = entry(&l, "workspaces", &format!("/subscriptions/{S1}"));
    assert_eq!(wsl["status"], "complete");
    assert!(wsl["retries"].as_u64().unwrap() >= 1, "503 retried");
    let comp = entry(&l, "computes", &ws());
    assert_eq!(comp["status"], "complete", "malformed page retried: {comp}");
    assert_eq!(comp["items"], 1);
    let users = entry(&l, "users", "/users");
    assert_eq!(
        (users["pages"].as_u64(), users["items"].as_u64()),
        (Some(2), Some(3))
    );
    assert!(out.join(format!("members/{G1}.json")).is_file());
    assert!(out.join(format!("members/{G2}.json")).is_file());
    let ops = entry(
        &l,
        "providerOperations",
        "/providers/Microsoft.Authorization/providerOperations/Microsoft.MachineLearningServices",
    );
    assert_eq!(ops["status"], "complete");
    for e in l["entries"].as_array().unwrap() {
        assert_ne!(e["status"], "pending", "{e}");
    }

    // The foreign host saw nothing; every request to the fake carried the token.
    assert!(w.foreign.hits().is_empty(), "{:?}", w.foreign.hits());
    assert!(w.main.hits().iter().all(|(_, _, auth)| *auth));
    assert!(
        stderr.contains("forbidden") && stderr.contains("refused"),
        "{stderr}"
    );

    // What was written imports, and answers as the tenant says.
    let mut imp = whocan(&db);
    imp.arg("import").args(data_dirs(&out));
    let r = imp.output().unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let who = whocan(&db)
        .args([
            "who",
            "Microsoft.MachineLearningServices/workspaces/read",
            "--scope",
            &ws(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        who.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&who.stderr)
    );
    let text = String::from_utf8_lossy(&who.stdout).to_ascii_lowercase();
    assert!(text.contains(U1) && text.contains(U2), "{text}");
    let can = whocan(&db)
        .args([
            "can",
            "ulf@contoso.com",
            "Microsoft.MachineLearningServices/workspaces/computes/write",
            "--workspace",
            "ml-prod",
        ])
        .output()
        .unwrap();
    assert_eq!(
        can.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&can.stderr)
    );
    let cannot = whocan(&db)
        .args([
            "can",
            "ute@contoso.com",
            "Microsoft.MachineLearningServices/workspaces/write",
            "--workspace",
            "ml-prod",
        ])
        .output()
        .unwrap();
    assert_eq!(
        cannot.status.code(),
        Some(1),
        "eligible only: {}",
        String::from_utf8_lossy(&cannot.stdout)
    );
}

#[test]
fn collect_resume_rereads_only_what_is_not_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out).output().unwrap();
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let before = w.main.hits().len();

    // Mark the users read as not done.
    let mut l = ledger(&out);
    for e in l["entries"].as_array_mut().unwrap() {
        if e["collection"] == "users" {
            e["status"] = json!("pending");
        }
    }
    std::fs::write(out.join("collection.json"), serde_json::to_vec(&l).unwrap()).unwrap();

    // Without --resume, a non-empty --out is refused.
    let again = collect_cmd(&db, &w, &out).output().unwrap();
    assert_eq!(again.status.code(), Some(2));

    let resumed = collect_cmd(&db, &w, &out).arg("--resume").output().unwrap();
    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let hits = w.main.hits();
    let new: Vec<&(String, String, bool)> = hits[before..].iter().collect();
    // Users again (two pages), plus the reads that did not complete (403, refused).
    assert!(
        new.iter()
            .filter(|(_, u, _)| u.starts_with("/v1.0/users"))
            .count()
            == 2,
        "{new:?}"
    );
    assert!(
        new.iter().all(|(_, u, _)| u.starts_with("/v1.0/users")
            || u.contains(S2) && u.contains("roleAssignments")
            || u.contains("roleAssignmentScheduleInstances")),
        "{new:?}"
    );
    let l = ledger(&out);
    assert_eq!(entry(&l, "users", "/users")["status"], "complete");
}

#[test]
fn collect_refuses_plain_http_to_another_host_and_missing_tokens() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("w.db");
    let r = whocan(&db)
        .env("WHOCAN_ARM_TOKEN", TOKEN)
        .env("WHOCAN_GRAPH_TOKEN", TOKEN)
        .args(["collect", "--out"])
        .arg(tmp.path().join("o"))
        .args(["--arm-url", "http://example.com"])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("loopback") && err.contains("hint:"), "{err}");
    assert!(!err.contains(TOKEN));
}

#[test]
fn collect_with_import_makes_a_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out).arg("--import").output().unwrap();
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    // One snapshot, which knows its collection was not complete (the 403).
    let snaps = crate::support::snapshots(&db);
    assert_eq!(snaps.len(), 1, "{snaps:?}");
    assert_eq!(snaps[0]["collection"]["complete"], false, "{snaps:?}");
    assert!(snaps[0]["collection"]["unreadable"].as_u64().unwrap() >= 1);
    // An answer at the forbidden subscription says what it could not see; one at
    // the readable subscription's workspace does not name it.
    let sub2 = format!("/subscriptions/{S2}");
    let unreadable = |scope: &str| -> Vec<String> {
        let r = whocan(&db)
            .args([
                "who",
                "Microsoft.MachineLearningServices/workspaces/read",
                "--scope",
                scope,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert_eq!(
            r.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
        v["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["reason"] == "scope unreadable")
            .map(|e| e.to_string())
            .collect()
    };
    let at_sub2 = unreadable(&sub2);
    assert!(at_sub2.iter().any(|e| e.contains(S2)), "{at_sub2:?}");
    assert!(!unreadable(&ws()).iter().any(|e| e.contains(S2)));
}
