//! A fake ARM + Microsoft Graph on 127.0.0.1 (tiny_http), shared by the `collect`
//! tests (`tests/cli/collect*.rs`) and `examples/fake_azure.rs` (which serves a
//! whocan-synth tenant for `scripts/collect-bench.sh`, through `#[path]`).
//!
//! [`Fake`] is the server: it answers every request through a handler, records
//! what it was asked (method, URL, `Authorization`), and can be told to stop
//! answering after some number of requests (to kill a client part-way). [`Synth`]
//! is a whocan-synth tenant in the REST shapes ARM and Graph return, paged with
//! `nextLink` / `@odata.nextLink` as they page.

#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

/// One request as the handler sees it.
pub struct Req<'a> {
    pub method: &'a str,
    /// Path and query, as sent.
    pub url: &'a str,
    /// The `Authorization` header ("" when absent).
    pub auth: &'a str,
    /// This server's own base URL (`http://127.0.0.1:PORT`), for next links.
    pub base: &'a str,
}

/// Status, headers, body.
pub type Resp = (u16, Vec<(String, String)>, String);

/// Answers a request; `seen` is the handler's own state (how often a URL was asked).
pub type Handler = dyn Fn(&Req, &mut HashMap<String, u32>) -> Resp + Send + Sync;

/// What the fake was asked.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub url: String,
    pub auth: String,
}

/// A fake server on 127.0.0.1, serving until dropped.
pub struct Fake {
    pub base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Requests beyond this many are held unanswered (until it is raised).
    answer_at_most: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Fake {
    /// Starts a fake on a free loopback port.
    pub fn start(handler: Arc<Handler>) -> Fake {
        Fake::start_on("127.0.0.1:0", handler)
    }

    /// Starts a fake on `addr` (`127.0.0.1:0` for any free port).
    pub fn start_on(addr: &str, handler: Arc<Handler>) -> Fake {
        let listener = std::net::TcpListener::bind(addr).expect("bind");
        // TCP_NODELAY on the listener, which the accepted connections inherit:
        // tiny_http writes a response's head and body apart, and without it a kept-
        // alive connection waits for the client's delayed ACK (about 40 ms) on
        // every response, which would be the fake's time, not the client's.
        {
            use std::os::fd::AsRawFd;
            let on: libc::c_int = 1;
            // SAFETY: a valid socket and a c_int option of the right size.
            unsafe {
                libc::setsockopt(
                    listener.as_raw_fd(),
                    libc::IPPROTO_TCP,
                    libc::TCP_NODELAY,
                    (&on as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                );
            }
        }
        let server = tiny_http::Server::from_listener(listener, None).expect("listen");
        let base = format!("http://{}", server.server_addr().to_ip().expect("ip"));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let answer_at_most = Arc::new(AtomicUsize::new(usize::MAX));
        let (h, s, gate, own) = (
            Arc::clone(&hits),
            Arc::clone(&stop),
            Arc::clone(&answer_at_most),
            base.clone(),
        );
        // One thread answers every request, in order; tiny_http accepts and reads
        // the connections on its own threads. No cap on how many are served.
        let handle = std::thread::spawn(move || {
            let mut seen: HashMap<String, u32> = HashMap::new();
            while !s.load(Ordering::Relaxed) {
                let Ok(Some(mut req)) = server.recv_timeout(Duration::from_millis(50)) else {
                    continue;
                };
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(req.as_reader(), &mut body);
                let auth = req
                    .headers()
                    .iter()
                    .find(|hd| hd.field.equiv("Authorization"))
                    .map(|hd| hd.value.as_str().to_string())
                    .unwrap_or_default();
                let hit = Hit {
                    method: req.method().as_str().to_string(),
                    url: req.url().to_string(),
                    auth,
                };
                let n = {
                    let mut all = h.lock().unwrap();
                    all.push(hit.clone());
                    all.len()
                };
                // Held: the client waits for an answer that comes only when the
                // gate is raised (or the fake is dropped).
                while n > gate.load(Ordering::Relaxed) && !s.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let (code, headers, text) = handler(
                    &Req {
                        method: &hit.method,
                        url: &hit.url,
                        auth: &hit.auth,
                        base: &own,
                    },
                    &mut seen,
                );
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
            answer_at_most,
            stop,
            handle: Some(handle),
        }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    pub fn served(&self) -> usize {
        self.hits.lock().unwrap().len()
    }

    /// Answers `n` more requests, then holds every later one unanswered.
    pub fn hold_after(&self, n: usize) {
        self.answer_at_most
            .store(self.served().saturating_add(n), Ordering::Relaxed);
    }

    /// Answers every request again (those held first).
    pub fn release(&self) {
        self.answer_at_most.store(usize::MAX, Ordering::Relaxed);
    }

    /// Waits until the fake has been asked `n` requests in all (false on timeout).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let start = Instant::now();
        while self.served() < n {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
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

const AUTHZ: &str = "/providers/microsoft.authorization/";

fn read(dir: &Path, rel: &str) -> Value {
    let p = dir.join(rel);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The items of `folder/stem.json`, or of every `folder/stem-NNN.json` (the xl
/// profile splits its largest lists), in name order.
fn list(dir: &Path, rel: &str) -> Vec<Value> {
    let (folder, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = file.trim_end_matches(".json");
    let mut names: Vec<String> = std::fs::read_dir(dir.join(folder))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(folder).display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| {
            n == file
                || n.strip_prefix(stem)
                    .and_then(|r| r.strip_prefix('-'))
                    .and_then(|r| r.strip_suffix(".json"))
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    names.sort();
    assert!(
        !names.is_empty(),
        "{}: no {file}",
        dir.join(folder).display()
    );
    names
        .iter()
        .flat_map(|n| items(read(dir, &format!("{folder}/{n}"))))
        .collect()
}

/// The items of an export file: a bare array or `{"value": [...]}`.
pub fn items(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("value") {
            Some(Value::Array(a)) => a,
            _ => vec![Value::Object(o)],
        },
        _ => vec![],
    }
}

pub fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

/// A whocan-synth tenant, in the REST shapes ARM and Graph return.
pub struct Synth {
    /// getEntities items (management groups and subscriptions).
    pub entities: Vec<Value>,
    /// `/subscriptions` items.
    pub subscriptions: Vec<Value>,
    /// Lower-case id → lower-case parent id (management groups, subscriptions).
    pub parent: HashMap<String, String>,
    pub resource_groups: Vec<Value>,
    pub resources: Vec<Value>,
    /// (REST item, lower-case scope).
    pub assignments: Vec<(Value, String)>,
    pub denies: Vec<(Value, String)>,
    pub eligible: Vec<(Value, String)>,
    /// Role definitions as az writes them (flat).
    pub roles: Vec<Value>,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub service_principals: Vec<Value>,
    /// Lower-case group id → members; a group without member data is absent.
    pub members: HashMap<String, Vec<Value>>,
    /// Lower-case namespace → the providerOperations object.
    pub operations: HashMap<String, Value>,
}

impl Synth {
    /// Reads the export files whocan-synth wrote in `dir`.
    pub fn load(dir: &Path) -> Synth {
        let mut parent = HashMap::new();
        let entities: Vec<Value> = list(dir, "scopes/management-groups.json")
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
        let subscriptions = list(dir, "scopes/subscriptions.json")
            .into_iter()
            .map(|x| {
                json!({"id": format!("/subscriptions/{}", s(&x, "id")), "subscriptionId": s(&x, "id"),
                    "displayName": s(&x, "name"), "state": s(&x, "state"), "tenantId": s(&x, "tenantId")})
            })
            .collect();
        let assignments = list(dir, "assignments/role-assignments.json")
            .into_iter()
            .map(|a| {
                let mut props = Map::new();
                for k in [
                    "roleDefinitionId",
                    "principalId",
                    "principalType",
                    "scope",
                    "condition",
                    "conditionVersion",
                    "createdOn",
                    "updatedOn",
                    "createdBy",
                    "updatedBy",
                    "delegatedManagedIdentityResourceId",
                    "description",
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
            list(dir, rel)
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
        let mut roles = list(dir, "roles/builtin-roles.json");
        roles.extend(list(dir, "roles/custom-roles.json"));
        let mut members: HashMap<String, Vec<Value>> = HashMap::new();
        let mut operations = HashMap::new();
        let mut member_files: Vec<_> = std::fs::read_dir(dir.join("members"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        member_files.sort();
        for p in member_files {
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
        // Resources' own ARM records (`resources/*.json`, as sample-data keeps
        // them: workspaces with their properties, computes with identities,
        // datastores, storage accounts, key vaults, identities) stand in for the
        // flat `az resource list` entry of the same id, as ARM's lists return them.
        let mut resources = list(dir, "scopes/resources.json");
        if let Ok(rd) = std::fs::read_dir(dir.join("resources")) {
            let mut names: Vec<String> = rd
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .filter(|n| n.ends_with(".json"))
                .collect();
            names.sort();
            for n in names {
                for r in items(read(dir, &format!("resources/{n}"))) {
                    let id = s(&r, "id").to_ascii_lowercase();
                    resources.retain(|x| s(x, "id").to_ascii_lowercase() != id);
                    resources.push(r);
                }
            }
        }
        Synth {
            entities,
            subscriptions,
            parent,
            resource_groups: list(dir, "scopes/resource-groups.json"),
            resources,
            assignments,
            denies: scoped("assignments/deny-assignments.json"),
            eligible: scoped("assignments/pim-eligibility.json"),
            roles,
            users: list(dir, "directory/users.json"),
            groups: list(dir, "directory/groups.json"),
            service_principals: list(dir, "directory/service-principals.json"),
            members,
            operations,
        }
    }

    /// The names of the tenant's AzureML workspaces.
    pub fn workspaces(&self) -> Vec<String> {
        self.resources
            .iter()
            .filter(|r| s(r, "type") == "Microsoft.MachineLearningServices/workspaces")
            .map(|r| s(r, "name"))
            .collect()
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
        let below = format!("{asked}/");
        list.iter()
            .filter(|(_, sc)| above.contains(sc) || (!at_scope && sc.starts_with(&below)))
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
        let under = format!("{under}/");
        self.resources
            .iter()
            .filter(|r| {
                s(r, "type").eq_ignore_ascii_case(typ)
                    && s(r, "id").to_ascii_lowercase().starts_with(&under)
            })
            .cloned()
            .collect()
    }

    /// The items at one path (lower case, no query); None: 404. `Err` is one object
    /// returned as is.
    pub fn route(&self, p: &str, at_scope: bool) -> Option<Result<Vec<Value>, Value>> {
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
            let under = format!("{sub}/");
            return Some(Ok(self
                .resource_groups
                .iter()
                .filter(|r| s(r, "id").to_ascii_lowercase().starts_with(&under))
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
        if let Some(ws) = p.strip_suffix("/datastores") {
            return Some(Ok(self.of_type(
                "Microsoft.MachineLearningServices/workspaces/datastores",
                ws,
            )));
        }
        for (suffix, typ) in [
            (
                "/providers/microsoft.storage/storageaccounts",
                "Microsoft.Storage/storageAccounts",
            ),
            (
                "/providers/microsoft.keyvault/vaults",
                "Microsoft.KeyVault/vaults",
            ),
            (
                "/providers/microsoft.managedidentity/userassignedidentities",
                "Microsoft.ManagedIdentity/userAssignedIdentities",
            ),
        ] {
            if let Some(sub) = p.strip_suffix(suffix) {
                return Some(Ok(self.of_type(typ, sub)));
            }
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

/// Serves `synth` in pages of `page` items. A list of several pages is computed
/// once and kept (by path and query), so that reading its pages costs one pass.
pub fn synth_handler(synth: Arc<Synth>, page: usize) -> Arc<Handler> {
    let page = page.max(1);
    let lists: Mutex<HashMap<String, Arc<Vec<Value>>>> = Mutex::new(HashMap::new());
    Arc::new(move |req: &Req, _seen: &mut HashMap<String, u32>| {
        let (path, query) = req.url.split_once('?').unwrap_or((req.url, ""));
        let lower = path.to_ascii_lowercase();
        let json_h = vec![("Content-Type".to_string(), "application/json".to_string())];
        let at_scope = query.contains("atScope()") || query.contains("atScope%28%29");
        let n: usize = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let q: Vec<&str> = query
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("page="))
            .collect();
        // As ARM: Entities - List is a POST API, its next pages too.
        if lower == "/providers/microsoft.management/getentities" && req.method != "POST" {
            return (
                405,
                json_h,
                json!({"error": {"code": "MethodNotAllowed", "message": format!("{} is not allowed", req.method)}})
                    .to_string(),
            );
        }
        let cache_key = format!("{lower}?{}", q.join("&"));
        let cached = lists.lock().unwrap().get(&cache_key).cloned();
        let items = match cached {
            Some(list) => list,
            None => match synth.route(&lower, at_scope) {
                None => {
                    return (
                        404,
                        json_h,
                        json!({"error": {"code": "NotFound", "message": format!("no such path {path}")}})
                            .to_string(),
                    )
                }
                Some(Err(one)) => return (200, json_h, one.to_string()),
                Some(Ok(items)) => {
                    let list = Arc::new(items);
                    if list.len() > page {
                        lists.lock().unwrap().insert(cache_key, Arc::clone(&list));
                    }
                    list
                }
            },
        };
        let graph = lower.starts_with("/v1.0/");
        let chunk: Vec<&Value> = items.iter().skip(n * page).take(page).collect();
        let mut body = json!({"value": chunk});
        if graph {
            body["@odata.context"] =
                json!("https://graph.microsoft.com/v1.0/$metadata#directoryObjects");
        }
        if items.len() > (n + 1) * page {
            let next_key = if graph { "@odata.nextLink" } else { "nextLink" };
            let sep = if q.is_empty() { "" } else { "&" };
            body[next_key] = json!(format!(
                "{}{path}?{}{sep}page={}",
                req.base,
                q.join("&"),
                n + 1
            ));
        }
        (200, json_h, body.to_string())
    })
}

/// A fake serving `synth` in pages of `page` items.
pub fn serve_synth(synth: Synth, page: usize) -> Fake {
    Fake::start(synth_handler(Arc::new(synth), page))
}
