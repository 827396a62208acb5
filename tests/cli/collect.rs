//! `whocan collect` against an in-process fake ARM + Graph on 127.0.0.1 (tiny_http):
//! paging, throttling, a 503, a malformed page, a 403, a nextLink to another host,
//! the ledger, the import of what was written, `--resume`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use super::fake_azure::{Fake, Handler, Req};
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

fn rg() -> String {
    format!("/subscriptions/{S1}/resourceGroups/rg-ml")
}

fn storage() -> String {
    format!("{}/providers/Microsoft.Storage/storageAccounts/stml", rg())
}

fn uai() -> String {
    format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-train",
        rg()
    )
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
        // The fallback of getEntities: the groups (without parents, as the list
        // returns them), and each group's descendants.
        _ if p == "/providers/microsoft.management/managementgroups" => (
            ["root", "ml"]
                .iter()
                .map(|n| json!({"id": format!("/providers/Microsoft.Management/managementGroups/{n}"),
                    "type": "Microsoft.Management/managementGroups", "name": n,
                    "properties": {"tenantId": T, "displayName": n}}))
                .collect(),
            None,
        ),
        _ if p == format!("{}/descendants", root.to_ascii_lowercase()) => (
            vec![mg("ml", Some(root)), sub_node(S1), sub_node(S2)],
            None,
        ),
        _ if p == "/providers/microsoft.management/managementgroups/ml/descendants" => {
            (vec![sub_node(S1), sub_node(S2)], None)
        }
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
            vec![json!({"id": ws(), "name": "ml-prod", "type": "Microsoft.MachineLearningServices/workspaces", "location": "westeurope",
                "identity": {"type": "SystemAssigned", "principalId": "a5000000-0000-0000-0000-000000000001", "tenantId": T},
                "properties": {"storageAccount": storage(), "keyVault": format!("{}/providers/Microsoft.KeyVault/vaults/kv-ml", rg()),
                    "containerRegistry": null, "applicationInsights": null, "hbiWorkspace": false}})],
            None,
        ),
        _ if p == format!("{}/computes", ws().to_ascii_lowercase()) => (
            vec![json!({"id": format!("{}/computes/cpu", ws()), "name": "cpu", "type": "Microsoft.MachineLearningServices/workspaces/computes", "location": "westeurope",
                "identity": {"type": "UserAssigned", "userAssignedIdentities": {uai(): {"principalId": "a5000000-0000-0000-0000-000000000002", "clientId": "c5000000-0000-0000-0000-000000000002"}}},
                "properties": {"computeType": "AmlCompute"}})],
            None,
        ),
        // Datastores_List: what the list returns (no secret values).
        _ if p == format!("{}/datastores", ws().to_ascii_lowercase()) => (
            vec![json!({"id": format!("{}/datastores/workspaceblobstore", ws()), "name": "workspaceblobstore",
                "type": "Microsoft.MachineLearningServices/workspaces/datastores",
                "properties": {"credentials": {"credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey"}},
                    "datastoreType": "AzureBlob", "accountName": "stml", "containerName": "blobstore", "isDefault": true}})],
            None,
        ),
        _ if p == format!("/subscriptions/{S1}/providers/microsoft.storage/storageaccounts") => (
            vec![json!({"id": storage(), "name": "stml", "type": "Microsoft.Storage/storageAccounts", "kind": "StorageV2",
                "properties": {"allowSharedKeyAccess": false, "supportsHttpsTrafficOnly": true}})],
            None,
        ),
        _ if p == format!("/subscriptions/{S1}/providers/microsoft.keyvault/vaults") => (
            vec![json!({"id": format!("{}/providers/Microsoft.KeyVault/vaults/kv-ml", rg()), "name": "kv-ml", "type": "Microsoft.KeyVault/vaults",
                "properties": {"tenantId": T, "enableRbacAuthorization": true}})],
            None,
        ),
        _ if p == format!("/subscriptions/{S1}/providers/microsoft.managedidentity/userassignedidentities") => (
            vec![json!({"id": uai(), "name": "id-train", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                "properties": {"tenantId": T, "principalId": "a5000000-0000-0000-0000-000000000002", "clientId": "c5000000-0000-0000-0000-000000000002"}})],
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

/// How the fake tenant misbehaves besides its fixed failures.
#[derive(Default, Clone, Copy)]
struct Faults {
    /// 403 on the AzureML provider's operation catalogue.
    forbid_ml_catalogue: bool,
    /// 401 (`ExpiredAuthenticationToken`) to the fake az's first two tokens
    /// (`tok-az-...-1-`, `-2-`) once three requests have been answered.
    expire_first_tokens: bool,
    /// The first read of a workspace's computes is answered this late.
    slow_computes_ms: u64,
    /// 403 on `getEntities` (the management-group tree).
    forbid_get_entities: bool,
    /// The groups list's next link is the page itself, for ever.
    loop_groups: bool,
    /// The key vault list answers an object without `value`.
    vaults_without_value: bool,
    /// Transient failures, each on a read's first request: 500 (resource groups),
    /// 502 with `Retry-After` (storage accounts), 504 (service principals), 408
    /// (user-assigned identities); and a 400 on the key vault list, every time.
    transient_errors: bool,
    /// A 302 (to the foreign server, with a list-looking body) on S1's key vault
    /// list, and a 301 on the second page of the users.
    redirects: bool,
    /// PIM for Groups: a 403 on G2's eligibilities, a 500 (every time) on G1's
    /// active assignments.
    group_pim_unreadable: bool,
    /// A NUL in a user's display name (Graph returns it as `\u0000`).
    nul_in_a_name: bool,
    /// The users list's first page is empty, with a next link to the rest.
    empty_first_users_page: bool,
}

/// ARM + Graph on one fake; `foreign` is the base of another server.
fn tenant_handler(foreign: String, faults: Faults) -> Arc<Handler> {
    Arc::new(move |req: &Req, seen: &mut HashMap<String, u32>| {
        let url = req.url;
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let n = {
            let c = seen.entry(url.to_string()).or_default();
            *c += 1;
            *c
        };
        let lower = path.to_ascii_lowercase();
        let json_h = vec![("Content-Type".to_string(), "application/json".to_string())];
        let total = {
            let c = seen.entry(String::new()).or_default();
            *c += 1;
            *c
        };
        if faults.expire_first_tokens
            && total > 3
            && (req.auth.contains("-SECRET-1-") || req.auth.contains("-SECRET-2-"))
        {
            return (401, json_h, json!({"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time is earlier than current UTC time."}}).to_string());
        }
        if faults.slow_computes_ms > 0 && lower.ends_with("/computes") && n == 1 {
            std::thread::sleep(std::time::Duration::from_millis(faults.slow_computes_ms));
        }
        // Failures, each once.
        if lower == format!("/subscriptions/{S2}/providers/microsoft.authorization/roleassignments")
        {
            return (403, json_h, json!({"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization"}}).to_string());
        }
        if lower == format!("/subscriptions/{S1}/providers/microsoft.authorization/roleassignments")
            && n == 1
            && !query.contains("page=")
        {
            return (429, vec![("Retry-After".into(), "0".into())], "{}".into());
        }
        if lower.ends_with("/microsoft.machinelearningservices/workspaces") && n == 1 {
            return (503, vec![], "busy".into());
        }
        // As ARM: Entities - List is a POST API, its next pages too.
        if lower == "/providers/microsoft.management/getentities" && req.method != "POST" {
            return (405, json_h, json!({"error": {"code": "MethodNotAllowed", "message": format!("{} is not allowed", req.method)}}).to_string());
        }
        if faults.forbid_get_entities && lower == "/providers/microsoft.management/getentities" {
            return (403, json_h, json!({"error": {"code": "AuthorizationFailed", "message": "no access to getEntities"}}).to_string());
        }
        if faults.forbid_ml_catalogue
            && lower.ends_with("/provideroperations/microsoft.machinelearningservices")
        {
            return (403, json_h, json!({"error": {"code": "AuthorizationFailed", "message": "no access to the catalogue"}}).to_string());
        }
        if lower.ends_with("/computes") && n == 1 {
            return (200, json_h, "{\"value\": [ {\"id\": ".into());
        }
        if faults.transient_errors {
            let once = |code: u16, headers: Vec<(String, String)>| {
                (
                    code,
                    headers,
                    json!({"error": {"code": "Transient", "message": format!("HTTP {code}")}})
                        .to_string(),
                )
            };
            if lower.ends_with("/resourcegroups") && n == 1 {
                return once(500, json_h);
            }
            if lower.ends_with("/providers/microsoft.storage/storageaccounts") && n == 1 {
                return once(502, vec![("Retry-After".into(), "0".into())]);
            }
            if lower == "/v1.0/serviceprincipals" && n == 1 {
                return once(504, vec![]);
            }
            if lower.ends_with("/providers/microsoft.managedidentity/userassignedidentities")
                && n == 1
            {
                return once(408, json_h);
            }
            if lower.ends_with("/providers/microsoft.keyvault/vaults") {
                return (
                    400,
                    json_h,
                    json!({"error": {"code": "BadRequest", "message": "no"}}).to_string(),
                );
            }
        }
        if faults.redirects {
            if lower == format!("/subscriptions/{S1}/providers/microsoft.keyvault/vaults") {
                let to = format!("{foreign}/vaults?sig=SECRET-SIG");
                return (
                    302,
                    vec![("Location".into(), to)],
                    json!({"value": []}).to_string(),
                );
            }
            if lower == "/v1.0/users" && query.contains("page=1") {
                return (
                    301,
                    vec![("Location".into(), "/v1.0/people".into())],
                    String::new(),
                );
            }
        }
        if faults.group_pim_unreadable {
            let pim = "/v1.0/identitygovernance/privilegedaccess/group/";
            if lower == format!("{pim}eligibilityscheduleinstances") && query.contains(G2) {
                return (
                    403,
                    json_h,
                    json!({"error": {"code": "Forbidden", "message": "no PIM for Groups access"}})
                        .to_string(),
                );
            }
            if lower == format!("{pim}assignmentscheduleinstances") && query.contains(G1) {
                return (
                    500,
                    json_h,
                    json!({"error": {"code": "InternalServerError", "message": "boom"}})
                        .to_string(),
                );
            }
        }
        if faults.vaults_without_value && lower.ends_with("/providers/microsoft.keyvault/vaults") {
            return (200, json_h, json!({"items": [{"id": "kv"}]}).to_string());
        }
        if faults.loop_groups && lower == "/v1.0/groups" {
            let body = json!({"value": [], "@odata.nextLink": format!("{}{url}", req.base)});
            return (200, json_h, body.to_string());
        }
        if faults.empty_first_users_page && lower == "/v1.0/users" && !query.contains("page=") {
            let next = format!("{}{path}?{query}&page=0&after=empty", req.base);
            return (
                200,
                json_h,
                json!({"value": [], "@odata.nextLink": next}).to_string(),
            );
        }
        if faults.nul_in_a_name && lower == "/v1.0/users" && !query.contains("page=") {
            let users = json!({"value": [
                {"id": U1, "displayName": "Uma\u{0}One", "userPrincipalName": "uma@contoso.com", "userType": "Member", "accountEnabled": true},
            ]});
            return (200, json_h, users.to_string());
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
            body[next_key] = json!(format!("{}{path}?{q}{sep}page={}", req.base, page + 1));
        }
        (200, json_h, body.to_string())
    })
}

struct World {
    main: Fake,
    foreign: Fake,
}

fn world() -> World {
    world_with(Faults::default())
}

fn world_with(faults: Faults) -> World {
    let foreign = Fake::start(Arc::new(|_: &Req, _: &mut HashMap<String, u32>| {
        (200, vec![], json!({"value": []}).to_string())
    }));
    let main = Fake::start(tenant_handler(foreign.base.clone(), faults));
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

/// Asserts that a run exited 0, showing its stderr when it did not.
#[track_caller]
fn succeeded(ran: &std::process::Output) {
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
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

/// A list whose next link leads back to a page already read would be read for
/// ever: it is given up, recorded as failed, and the rest of the collection
/// goes on.
#[test]
fn a_next_link_that_loops_is_given_up_and_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        loop_groups: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let ran = collect_cmd(&tmp.path().join("w.db"), &w, &out)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let l = ledger(&out);
    let groups = entry(&l, "groups", "/groups");
    assert_eq!(groups["status"], "failed", "{groups:#}");
    assert!(
        groups["error"]
            .as_str()
            .unwrap()
            .contains("repeats a page already read"),
        "{groups:#}"
    );
    // The link leads back to the first page: it is not asked again.
    let reads = w
        .main
        .hits()
        .iter()
        .filter(|h| h.url.starts_with("/v1.0/groups?"))
        .count();
    assert_eq!(reads, 1, "{reads} reads of the groups list");
    assert_eq!(groups["pages"], 1, "{groups:#}");
    // What was read is kept with the link, so `import` sees the list is partial.
    let file = groups["files"][0].as_str().unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(out.join(file)).unwrap()).unwrap();
    assert!(written["@odata.nextLink"].is_string(), "{written}");
}

/// An empty page with a next link is no end: the list goes on to its next pages.
#[test]
fn an_empty_page_with_a_next_link_is_read_past() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        empty_first_users_page: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let ran = collect_cmd(&tmp.path().join("w.db"), &w, &out)
        .output()
        .unwrap();
    succeeded(&ran);
    let l = ledger(&out);
    let users = entry(&l, "users", "/users");
    assert_eq!(users["status"], "complete", "{users}");
    assert_eq!(
        (users["pages"].as_u64(), users["items"].as_u64()),
        (Some(3), Some(3)),
        "{users}"
    );
}

/// A list answered without its `value` list is no list page: recorded as failed,
/// no file written that would look complete (or make `import` refuse the whole
/// folder), and the collection imports.
#[test]
fn a_list_answered_without_value_is_failed_and_the_rest_imports() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        vaults_without_value: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let ran = collect_cmd(&tmp.path().join("w.db"), &w, &out)
        .arg("--import")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let l = ledger(&out);
    let vaults = entry(&l, "keyVaults", &format!("/subscriptions/{S1}"));
    assert_eq!(vaults["status"], "failed", "{vaults:#}");
    assert!(
        vaults["error"]
            .as_str()
            .unwrap()
            .contains("not a list page"),
        "{vaults:#}"
    );
    assert!(
        vaults["files"].as_array().is_none_or(|f| f.is_empty()),
        "{vaults:#}"
    );
    assert!(stderr.contains("imported"), "{stderr}");
}

/// A request timeout (408) and every server error (500, 502, 504, like 503) are
/// transient: read again with backoff (after `Retry-After` when given); another
/// 4xx is not retried.
#[test]
fn timeouts_and_server_errors_are_retried_and_other_4xx_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        transient_errors: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let ran = collect_cmd(&tmp.path().join("w.db"), &w, &out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let l = ledger(&out);
    let sub1 = format!("/subscriptions/{S1}");
    for (coll, scope) in [
        ("resourceGroups", sub1.as_str()),
        ("storageAccounts", sub1.as_str()),
        ("userAssignedIdentities", sub1.as_str()),
        ("servicePrincipals", "/servicePrincipals"),
    ] {
        let e = entry(&l, coll, scope);
        assert_eq!(e["status"], "complete", "{coll}: {e}");
        assert_eq!(e["retries"], 1, "{coll}: {e}");
    }
    let vaults = entry(&l, "keyVaults", &sub1);
    assert_eq!(vaults["status"], "failed", "{vaults}");
    assert_eq!(vaults["httpStatus"], 400, "{vaults}");
    assert_eq!(vaults["retries"], 0, "{vaults}");
    let asked = w
        .main
        .hits()
        .iter()
        .filter(|h| {
            h.url
                .to_ascii_lowercase()
                .starts_with(&format!("{sub1}/providers/microsoft.keyvault/vaults"))
        })
        .count();
    assert_eq!(asked, 1, "a 400 is asked once");
}

/// `getEntities` is a POST API, and its next page is asked with POST too: the
/// tree (two pages here) is read whole from it, not through the fallback.
#[test]
fn the_next_page_of_get_entities_is_asked_with_post() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let ran = collect_cmd(&tmp.path().join("w.db"), &w, &out)
        .output()
        .unwrap();
    succeeded(&ran);
    let l = ledger(&out);
    let tree = entry(&l, "managementGroups", "/");
    assert_eq!(tree["status"], "complete", "{tree}");
    assert_eq!(tree["pages"], 2, "{tree}");
    assert_eq!(tree["items"], 4, "{tree}");
    assert!(
        tree["error"].is_null(),
        "read from getEntities itself: {tree}"
    );
    let asked: Vec<(String, String)> = w
        .main
        .hits()
        .iter()
        .filter(|h| h.url.to_ascii_lowercase().contains("/getentities"))
        .map(|h| (h.method.clone(), h.url.clone()))
        .collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(asked.iter().all(|(m, _)| m == "POST"), "{asked:?}");
    assert!(asked[1].1.contains("page=1"), "{asked:?}");
}

/// A 3xx is not followed (the token would go where it points) and not retried:
/// the read is recorded as failed with its status, the pages read before it are
/// kept as partial, and answers that the read covered say they are incomplete.
#[test]
fn a_redirect_is_recorded_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        redirects: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out).arg("--import").output().unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let l = ledger(&out);
    let sub1 = format!("/subscriptions/{S1}");
    let vaults = entry(&l, "keyVaults", &sub1);
    assert_eq!(vaults["status"], "failed", "{vaults}");
    assert_eq!(vaults["httpStatus"], 302, "{vaults}");
    assert_eq!(vaults["retries"], 0, "{vaults}");
    let error = vaults["error"].as_str().unwrap();
    assert!(
        error.contains("redirect") && error.contains(&format!("{}/vaults", w.foreign.base)),
        "{error}"
    );
    assert!(!error.contains("SECRET-SIG"), "{error}");
    assert!(w.foreign.hits().is_empty(), "{:?}", w.foreign.hits());
    let asked = w
        .main
        .hits()
        .iter()
        .filter(|h| {
            h.url
                .starts_with(&format!("{sub1}/providers/Microsoft.KeyVault/vaults"))
        })
        .count();
    assert_eq!(asked, 1, "a redirect is asked once");
    // The users' first page is kept, with the link to the page that redirected.
    let users = entry(&l, "users", "/users");
    assert_eq!(users["status"], "failed", "{users}");
    assert_eq!(users["httpStatus"], 301, "{users}");
    assert_eq!(users["pages"], 1, "{users}");
    let file = users["files"][0].as_str().unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(out.join(file)).unwrap()).unwrap();
    assert!(
        written["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("page=1"),
        "{written}"
    );
    assert!(!w
        .main
        .hits()
        .iter()
        .any(|h| h.url.starts_with("/v1.0/people")));
    assert!(stderr.contains("302"), "{stderr}");
    // An answer at the subscription whose read redirected is incomplete.
    let r = whocan(&db)
        .args(["who", "Microsoft.MachineLearningServices/workspaces/read"])
        .args(["--scope", &ws(), "--format", "json"])
        .output()
        .unwrap();
    succeeded(&r);
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert!(
        v["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "scope unreadable" && e["scope"] == sub1.as_str()),
        "{v:#}"
    );
}

/// A next link to another origin is refused, and the message names that origin in
/// full, port included: the foreign server here differs from the tenant's only by
/// its port, which a message without it would hide.
#[test]
fn a_refused_next_link_names_its_origin_with_the_port() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let ran = collect_cmd(&tmp.path().join("w.db"), &w, &out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let port = |base: &str| base.rsplit(':').next().unwrap().to_string();
    assert_ne!(port(&w.foreign.base), port(&w.main.base));
    let l = ledger(&out);
    let refused = entry(
        &l,
        "roleAssignmentScheduleInstances",
        &format!("/subscriptions/{S1}"),
    );
    assert_eq!(refused["status"], "refused", "{refused}");
    let error = refused["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("not followed: {} ", w.foreign.base)),
        "{error}"
    );
    assert!(error.contains(&w.main.base), "{error}");
    assert!(stderr.contains(&w.foreign.base), "{stderr}");
    assert!(w.foreign.hits().is_empty(), "{:?}", w.foreign.hits());
}

/// `whocan ARGS --format json` against `db`: its `incomplete` entries (exit 0 or 1).
fn incomplete_of(db: &Path, args: &[&str]) -> Vec<Value> {
    let r = whocan(db)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        r.status.code() == Some(0) || r.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    v["incomplete"].as_array().unwrap().clone()
}

/// A subscription `--subscription` leaves out is not read, but recorded in the
/// ledger as `skipped`; every answer about a scope in it says it was not
/// collected, and why. A subscription the tenant does not list is refused
/// before anything is asked of it or written.
#[test]
fn a_subscription_left_out_by_a_filter_makes_its_answers_incomplete() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out)
        .args(["--subscription", S1, "--import"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let sub2 = format!("/subscriptions/{S2}");
    assert!(
        !w.main.hits().iter().any(|h| h.url.contains(S2)),
        "nothing read at the subscription left out"
    );
    let l = ledger(&out);
    assert_eq!(l["complete"], false);
    let skipped = entry(&l, "subscription", &sub2);
    assert_eq!(skipped["status"], "skipped", "{skipped}");
    assert_eq!(skipped["error"], "left out by --subscription", "{skipped}");
    assert!(
        stderr.contains(&format!(
            "skipped arm subscription {sub2}: left out by --subscription"
        )),
        "{stderr}"
    );
    let snaps = crate::support::snapshots(&db);
    assert_eq!(snaps[0]["collection"]["complete"], false, "{snaps:?}");

    let left_out = json!({"reason": "scope unreadable", "scope": sub2, "detail": "left out by --subscription"});
    let read = "Microsoft.MachineLearningServices/workspaces/read";
    for args in [
        vec!["who", read, "--scope", &sub2],
        vec!["can", "ulf@contoso.com", read, "--scope", &sub2],
        vec!["what", "ulf@contoso.com", "--scope", &sub2],
    ] {
        let gaps = incomplete_of(&db, &args);
        assert!(gaps.contains(&left_out), "{args:?}: {gaps:#?}");
    }
    // The table and review's notice say it in words.
    let r = whocan(&db)
        .args(["who", read, "--scope", &sub2, "--format", "table"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&r.stdout).to_string() + &String::from_utf8_lossy(&r.stderr);
    assert!(
        text.contains(&format!(
            "{sub2} was not collected (left out by --subscription)"
        )),
        "{text}"
    );
    let r = whocan(&db)
        .args(["review", "--scope", &sub2, "--format", "csv"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "{sub2} was not collected (left out by --subscription)"
        )),
        "{err}"
    );
    // The subscription that was read does not name the other.
    let at_ws = incomplete_of(&db, &["who", read, "--scope", &ws()]);
    assert!(
        !at_ws.iter().any(|e| e.to_string().contains(S2)),
        "{at_ws:#?}"
    );

    // A subscription the tenant does not list: exit 2, nothing written.
    let unknown = "33333333-3333-3333-3333-333333333333";
    let before = w.main.served();
    let out2 = tmp.path().join("out2");
    let r = collect_cmd(&db, &w, &out2)
        .args(["--subscription", S1, "--subscription", unknown])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "--subscription {unknown}: not among the 2 subscriptions the tenant lists"
        )),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(!out2.exists(), "nothing written");
    assert!(r.stdout.is_empty());
    let asked: Vec<String> = w.main.hits()[before..]
        .iter()
        .map(|h| h.url.clone())
        .collect();
    assert!(
        asked.iter().all(|u| u.starts_with("/subscriptions?")),
        "only the subscription list: {asked:?}"
    );
}

/// Management groups `--management-group` leaves out are recorded as skipped
/// too: an answer below one of them says its management group was not collected.
#[test]
fn a_management_group_left_out_by_a_filter_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out)
        .args(["--management-group", "ml", "--import"])
        .output()
        .unwrap();
    succeeded(&ran);
    let root = "/providers/Microsoft.Management/managementGroups/root";
    let l = ledger(&out);
    let skipped = entry(&l, "managementGroup", root);
    assert_eq!(skipped["status"], "skipped", "{skipped}");
    assert_eq!(skipped["error"], "left out by --management-group");
    assert!(!w
        .main
        .hits()
        .iter()
        .any(|h| h.url.contains("/managementGroups/root/")));
    let gaps = incomplete_of(
        &db,
        &[
            "who",
            "Microsoft.MachineLearningServices/workspaces/read",
            "--scope",
            &ws(),
        ],
    );
    let left_out = json!({"reason": "scope unreadable", "scope": root, "detail": "left out by --management-group"});
    assert!(gaps.contains(&left_out), "{gaps:#?}");

    // Named by its whole id, in another case: the same group, as the tree spells it.
    let out_id = tmp.path().join("out-id");
    succeeded(
        &collect_cmd(&tmp.path().join("id.db"), &w, &out_id)
            .args([
                "--management-group",
                "/providers/Microsoft.Management/managementGroups/ML",
            ])
            .output()
            .unwrap(),
    );
    let l = ledger(&out_id);
    assert_eq!(entry(&l, "managementGroup", root)["status"], "skipped");
    let ml = "/providers/Microsoft.Management/managementGroups/ml";
    assert_eq!(
        entry(&l, "roleAssignments", ml)["status"],
        "complete",
        "{l:#}"
    );

    // One the tree does not hold: exit 2 with a hint, before anything is written.
    let before = w.main.served();
    let out2 = tmp.path().join("out2");
    let r = collect_cmd(&db, &w, &out2)
        .args(["--management-group", "ml", "--management-group", "nope"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--management-group nope: not among the 2 management groups the tenant lists"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(!out2.exists(), "nothing written");
    let asked: Vec<String> = w.main.hits()[before..]
        .iter()
        .map(|h| h.url.clone())
        .collect();
    assert!(
        asked
            .iter()
            .all(|u| u.starts_with("/providers/Microsoft.Management/getEntities?")),
        "only the tree: {asked:?}"
    );
}

/// A group's PIM for Groups read that fails (403, or a 5xx after retries) is in
/// the ledger, and every answer whose holders include that group says that who
/// may join it through PIM is not known: `scope unreadable` naming the group.
#[test]
fn an_unreadable_pim_for_groups_read_makes_the_groups_answers_incomplete() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        group_pim_unreadable: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out).arg("--import").output().unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    let l = ledger(&out);
    let pim = "/identityGovernance/privilegedAccess/group";
    let eligible = entry(
        &l,
        "groupEligibilityScheduleInstances",
        &format!("{pim}/eligibilityScheduleInstances?groupId={G2}"),
    );
    assert_eq!(eligible["status"], "forbidden", "{eligible}");
    let active = entry(
        &l,
        "groupAssignmentScheduleInstances",
        &format!("{pim}/assignmentScheduleInstances?groupId={G1}"),
    );
    assert_eq!(active["status"], "failed", "{active}");
    assert_eq!(active["httpStatus"], 500, "{active}");

    // G1 (ML Readers, Reader at the root) holds workspaces/read; G2 (ML Team) is
    // nested in it.
    fn gap(g: &'static str) -> impl Fn(&&Value) -> bool {
        move |e: &&Value| e["reason"] == "scope unreadable" && e["groupId"].as_str() == Some(g)
    }
    let read = "Microsoft.MachineLearningServices/workspaces/read";
    for args in [
        vec!["who", read, "--workspace", "ml-prod"],
        vec!["can", "ulf@contoso.com", read, "--workspace", "ml-prod"],
        vec!["what", "ulf@contoso.com", "--workspace", "ml-prod"],
        vec!["members", "ML Readers", "--transitive"],
        // A profile: the principal may be eligible through either unseen.
        vec!["show", "ulf@contoso.com"],
    ] {
        let gaps = incomplete_of(&db, &args);
        assert!(gaps.iter().any(|e| gap(G1)(&e)), "{args:?}: {gaps:#?}");
        let g2 = gaps.iter().find(gap(G2));
        let g2 = g2.unwrap_or_else(|| panic!("{args:?}: {gaps:#?}"));
        assert_eq!(g2["displayName"], "ML Team", "{g2}");
        assert!(
            g2["detail"]
                .as_str()
                .unwrap()
                .contains("eligibilities could not be read"),
            "{g2}"
        );
    }
    // No group holds computes/write: the answer does not name them.
    let gaps = incomplete_of(
        &db,
        &[
            "who",
            "Microsoft.MachineLearningServices/workspaces/computes/write",
            "--workspace",
            "ml-prod",
        ],
    );
    assert!(
        !gaps.iter().any(|e| e.get("groupId").is_some()),
        "{gaps:#?}"
    );
    // Review's notice, in words.
    let r = whocan(&db)
        .args(["review", "--workspace", "ml-prod", "--format", "csv"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "group ML Team ({G2}): its PIM for Groups eligibilities could not be read when collected (forbidden)"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "group ML Readers ({G1}): its PIM for Groups assignments"
        )),
        "{err}"
    );
}

/// A display name with a NUL (valid JSON, `\u0000`) is collected and imported
/// as it is, and shown escaped on a terminal.
#[test]
fn a_nul_in_a_collected_display_name_is_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        nul_in_a_name: true,
        ..Faults::default()
    });
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &tmp.path().join("out"))
        .arg("--import")
        .output()
        .unwrap();
    succeeded(&ran);
    let r = whocan(&db)
        .args(["show", "uma@contoso.com", "--format", "table"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&r.stdout).to_string();
    succeeded(&r);
    assert!(text.contains(r"Uma\0One") && !text.contains('\0'), "{text}");
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
    assert!(w
        .main
        .hits()
        .iter()
        .all(|h| h.auth == format!("Bearer {TOKEN}")));
    assert!(
        stderr.contains("forbidden") && stderr.contains("refused"),
        "{stderr}"
    );

    // What was written imports, and answers as the tenant says.
    let mut imp = whocan(&db);
    imp.arg("import").args(data_dirs(&out));
    let r = imp.output().unwrap();
    succeeded(&r);
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
    succeeded(&who);
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
    succeeded(&can);
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
    succeeded(&ran);
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
    succeeded(&resumed);
    let hits = w.main.hits();
    let new: Vec<&str> = hits[before..].iter().map(|h| h.url.as_str()).collect();
    // Users again (two pages), plus the reads that did not complete (403, refused).
    assert!(
        new.iter().filter(|u| u.starts_with("/v1.0/users")).count() == 2,
        "{new:?}"
    );
    assert!(
        new.iter().all(|u| u.starts_with("/v1.0/users")
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
    succeeded(&ran);
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

/// Issue 15: collect reads the resources' facts (workspace properties, compute
/// identities, datastores, storage accounts, key vaults, user-assigned
/// identities), each a ledger entry, into files `import` reads back as facts.
#[test]
fn collect_reads_resource_facts_and_import_counts_them() {
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out).output().unwrap();
    succeeded(&ran);
    let l = ledger(&out);
    let sub1 = format!("/subscriptions/{S1}");
    for (coll, scope) in [
        ("storageAccounts", sub1.as_str()),
        ("keyVaults", sub1.as_str()),
        ("userAssignedIdentities", sub1.as_str()),
        ("datastores", ws().as_str()),
    ] {
        let e = entry(&l, coll, scope);
        assert_eq!(e["status"], "complete", "{coll}: {e}");
        assert_eq!(e["items"], 1, "{coll}: {e}");
    }
    // No datastore secret is written, whatever the service sent.
    for f in all_files(&out) {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(!text.contains("\"key\""), "{}", f.display());
    }
    let imported = whocan(&db)
        .args(["import", "--format", "json"])
        .arg(&out)
        .output()
        .unwrap();
    succeeded(&imported);
    let v: Value = serde_json::from_slice(&imported.stdout).unwrap();
    let c = &v["counts"];
    assert_eq!(c["workspaceLinks"], 1, "{c}");
    assert_eq!(c["assignedIdentities"], 2, "{c}");
    assert_eq!(c["datastores"], 1, "{c}");
    assert_eq!(c["storageSharedKeySettings"], 1, "{c}");
    assert_eq!(c["keyVaultPermissionModels"], 1, "{c}");
    assert_eq!(c["userAssignedIdentities"], 1, "{c}");
    // The datastore is a scope a question may name.
    let ds = format!("{}/datastores/workspaceblobstore", ws());
    let r = whocan(&db)
        .args(["who", "Microsoft.MachineLearningServices/workspaces/read"])
        .args(["--scope", &ds, "--format", "json"])
        .output()
        .unwrap();
    succeeded(&r);
}

/// A fake `az` in `dir/bin`: answers `az account get-access-token --output json`
/// as the Azure CLI documents it (`accessToken`, `expiresOn` in local time,
/// `expires_on` in epoch seconds since CLI 2.54, `subscription`, `tenant`,
/// `tokenType`), a new token per call (`tok-az-SECRET-<n>-9d1f`), valid
/// `lifetime_s` seconds; every call's arguments are appended to `dir/bin/calls.log`.
fn fake_az(dir: &Path, lifetime_s: u32) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
here=$(dirname "$0")
echo "$*" >> "$here/calls.log"
n=$(wc -l < "$here/calls.log" | tr -d ' ')
exp=$(( $(date +%s) + {lifetime_s} ))
cat <<JSON
{{
  "accessToken": "tok-az-SECRET-$n-9d1f",
  "expiresOn": "$(date -d @$exp '+%Y-%m-%d %H:%M:%S.000000')",
  "expires_on": $exp,
  "subscription": "{S1}",
  "tenant": "{T}",
  "tokenType": "Bearer"
}}
JSON
"#
    );
    let az = bin.join("az");
    std::fs::write(&az, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn az_calls(bin: &Path) -> Vec<String> {
    std::fs::read_to_string(bin.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `collect` with no token in the environment and `bin` first on PATH.
fn collect_with_az(db: &Path, w: &World, out: &Path, bin: &Path) -> assert_cmd::Command {
    let mut cmd = whocan(db);
    cmd.env_remove("WHOCAN_ARM_TOKEN")
        .env_remove("WHOCAN_GRAPH_TOKEN")
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
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

/// No byte of any file under `dir` (recursively) holds `secret`.
fn assert_nowhere_on_disk(dir: &Path, secret: &str) {
    for f in all_files(dir) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} in {}",
            f.display()
        );
    }
}

#[test]
fn collect_takes_its_tokens_from_the_azure_cli_and_never_shows_them() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = fake_az(tmp.path(), 3600);
    let w = world();
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_with_az(&db, &w, &out, &bin)
        .arg("--import")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&ran.stdout).to_string(),
        String::from_utf8_lossy(&ran.stderr).to_string(),
    );
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    // One call per API (the tokens last an hour), each for the API's own base URL.
    let calls = az_calls(&bin);
    assert_eq!(calls.len(), 2, "{calls:?}");
    for c in &calls {
        assert!(
            c.starts_with("account get-access-token --output json --resource http://127.0.0.1:"),
            "{c}"
        );
    }
    // Every request carried a token the fake az handed out, and only those.
    let hits = w.main.hits();
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(
            h.auth.starts_with("Bearer tok-az-SECRET-") && h.auth.ends_with("-9d1f"),
            "{h:?}"
        );
    }
    assert!(w.foreign.hits().is_empty(), "{:?}", w.foreign.hits());
    // Never shown, never written (the export, the ledger, the database).
    for text in [&stdout, &stderr] {
        assert!(!text.contains("tok-az-SECRET"), "{text}");
    }
    assert_nowhere_on_disk(&out, "tok-az-SECRET");
    assert_nowhere_on_disk(tmp.path(), "tok-az-SECRET-1-9d1f");
    assert_eq!(crate::support::snapshots(&db).len(), 1);
}

#[test]
fn collect_refreshes_a_token_that_expires_during_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    // Tokens valid for 2 s (used for 1), and a run that lasts longer.
    let bin = fake_az(tmp.path(), 2);
    let w = world_with(Faults {
        slow_computes_ms: 1500,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let ran = collect_with_az(&tmp.path().join("w.db"), &w, &out, &bin)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    assert!(az_calls(&bin).len() >= 3, "{:?}", az_calls(&bin));
    let arm_tokens: BTreeSet<String> = w
        .main
        .hits()
        .iter()
        .filter(|h| !h.url.starts_with("/v1.0/"))
        .map(|h| h.auth.clone())
        .collect();
    assert!(arm_tokens.len() >= 2, "{arm_tokens:?}");
    // The computes read after the slow answer went through with a new token.
    let l = ledger(&out);
    assert_eq!(entry(&l, "computes", &ws())["status"], "complete");
    assert!(!stderr.contains("tok-az-SECRET"));
}

#[test]
fn collect_asks_for_a_new_token_when_the_service_says_it_expired() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = fake_az(tmp.path(), 3600);
    let w = world_with(Faults {
        expire_first_tokens: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let ran = collect_with_az(&tmp.path().join("w.db"), &w, &out, &bin)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr).to_string();
    assert_eq!(ran.status.code(), Some(0), "{stderr}");
    assert!(az_calls(&bin).len() >= 4, "{:?}", az_calls(&bin));
    // Nothing is recorded as refused for the expired token: only the fake
    // tenant's own failures (the 403 on S2, the foreign link) are not complete.
    let l = ledger(&out);
    let not_complete: BTreeSet<(String, String)> = l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] != "complete")
        .map(|e| {
            (
                e["collection"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("roleAssignmentScheduleInstances", "refused"),
        ("roleAssignments", "forbidden"),
    ]
    .iter()
    .map(|(c, s)| (c.to_string(), s.to_string()))
    .collect();
    assert_eq!(not_complete, expected, "{l:#}");
    assert!(w
        .main
        .hits()
        .iter()
        .any(|h| h.auth.contains("-SECRET-3-") || h.auth.contains("-SECRET-4-")));
}

#[test]
fn collect_without_the_azure_cli_or_a_token_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let w = world();
    let db = tmp.path().join("w.db");
    let r = collect_with_az(&db, &w, &tmp.path().join("o1"), &empty)
        .env("PATH", &empty)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(4), "{err}");
    assert!(
        err.contains("WHOCAN_ARM_TOKEN") && err.contains("Azure CLI could not be run"),
        "{err}"
    );
    assert!(err.contains("hint: run `az login`"), "{err}");
    assert!(w.main.hits().is_empty(), "nothing asked without a token");

    // An Azure CLI that is not logged in.
    let bin = tmp.path().join("bin2");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("az"),
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("az"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = collect_with_az(&db, &w, &tmp.path().join("o2"), &bin)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(4), "{err}");
    assert!(
        err.contains("Please run 'az login'") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn collect_with_the_network_down_exits_4_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    // A loopback port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let out = tmp.path().join("out");
    let r = whocan(&tmp.path().join("w.db"))
        .env("WHOCAN_ARM_TOKEN", TOKEN)
        .env("WHOCAN_GRAPH_TOKEN", TOKEN)
        .env("WHOCAN_COLLECT_MAX_WAIT_MS", "10")
        .args(["collect", "--out"])
        .arg(&out)
        .args(["--arm-url", &base, "--graph-url", &base])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(4), "{err}");
    assert!(err.contains("no request reached"), "{err}");
    assert!(err.contains("hint: check the network"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
    assert!(r.stdout.is_empty());
    // The ledger says what was tried, for --resume.
    let l = ledger(&out);
    assert_eq!(l["complete"], false);
    assert!(
        l["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "failed"
                && e["error"].as_str().unwrap().starts_with("transport:"))
    );
}

#[test]
fn an_unreadable_catalogue_is_in_the_answers_that_need_it() {
    const ML_OPS: &str =
        "/providers/Microsoft.Authorization/providerOperations/Microsoft.MachineLearningServices";
    let tmp = tempfile::tempdir().unwrap();
    let w = world_with(Faults {
        forbid_ml_catalogue: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let ran = collect_cmd(&db, &w, &out).arg("--import").output().unwrap();
    succeeded(&ran);
    let l = ledger(&out);
    assert_eq!(
        entry(&l, "providerOperations", ML_OPS)["status"],
        "forbidden"
    );

    let catalogue_gap = |args: &[&str]| -> bool {
        let r = whocan(&db)
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            r.status.code() == Some(0) || r.status.code() == Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let v: Value = serde_json::from_slice(&r.stdout).unwrap();
        v["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "scope unreadable" && e["scope"] == ML_OPS)
    };
    let ml_read = "Microsoft.MachineLearningServices/workspaces/read";
    assert!(catalogue_gap(&["who", ml_read, "--workspace", "ml-prod"]));
    assert!(catalogue_gap(&[
        "can",
        "ulf@contoso.com",
        "Microsoft.MachineLearningServices/workspaces/computes/write",
        "--workspace",
        "ml-prod"
    ]));
    assert!(catalogue_gap(&[
        "what",
        "ulf@contoso.com",
        "--workspace",
        "ml-prod"
    ]));
    assert!(catalogue_gap(&[
        "what",
        "ulf@contoso.com",
        "--workspace",
        "ml-prod",
        "--provider",
        "Microsoft.MachineLearningServices"
    ]));
    // An activity whose requirements are wildcards: they expand through the catalogue.
    assert!(catalogue_gap(&[
        "who",
        "--activity",
        "mlflow-jobs",
        "--workspace",
        "ml-prod"
    ]));
    // Another provider's actions do not depend on it.
    assert!(!catalogue_gap(&[
        "who",
        "Microsoft.Authorization/roleAssignments/write",
        "--workspace",
        "ml-prod"
    ]));
    // The table says it too.
    let r = whocan(&db)
        .args([
            "who",
            ml_read,
            "--workspace",
            "ml-prod",
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&r.stdout).to_string() + &String::from_utf8_lossy(&r.stderr);
    assert!(
        text.contains(&format!("{ML_OPS} could not be read")),
        "{text}"
    );
}

#[test]
fn collect_reads_the_tree_through_the_descendants_when_get_entities_is_forbidden() {
    let tmp = tempfile::tempdir().unwrap();
    let who_at_ws = |db: &Path| -> Value {
        let r = whocan(db)
            .args([
                "who",
                "Microsoft.MachineLearningServices/workspaces/read",
                "--workspace",
                "ml-prod",
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
        let mut v: Value = serde_json::from_slice(&r.stdout).unwrap();
        v.as_object_mut().unwrap().remove("snapshot");
        v
    };
    // The answer as getEntities gives it.
    let plain = world();
    let plain_db = tmp.path().join("plain.db");
    let r = collect_cmd(&plain_db, &plain, &tmp.path().join("plain"))
        .arg("--import")
        .output()
        .unwrap();
    succeeded(&r);

    let w = world_with(Faults {
        forbid_get_entities: true,
        ..Faults::default()
    });
    let out = tmp.path().join("out");
    let db = tmp.path().join("w.db");
    let r = collect_cmd(&db, &w, &out).arg("--import").output().unwrap();
    succeeded(&r);
    let l = ledger(&out);
    let tree = entry(&l, "managementGroups", "/");
    assert_eq!(tree["status"], "complete", "{tree}");
    let note = tree["error"].as_str().unwrap();
    assert!(
        note.starts_with("getEntities: AuthorizationFailed") && note.contains("descendants"),
        "{note}"
    );
    assert_eq!(entry(&l, "managementGroupList", "/")["status"], "complete");
    for mg in ["root", "ml"] {
        let e = entry(
            &l,
            "managementGroupDescendants",
            &format!("/providers/Microsoft.Management/managementGroups/{mg}"),
        );
        assert_eq!(e["status"], "complete", "{e}");
    }
    // The root group's assignment reaches the workspace through the tree, and no
    // answer says the tree or `/` could not be read.
    let answer = who_at_ws(&db);
    assert_eq!(answer, who_at_ws(&plain_db));
    let text = answer.to_string();
    assert!(
        !text.contains("management-group chain missing") && !text.contains(r#""scope":"/""#),
        "{text}"
    );
    assert!(w
        .main
        .hits()
        .iter()
        .any(|h| h.url.contains("/managementGroups/root/descendants")));

    // Resumed, the tree is read back from the fallback's files.
    let mut l2 = l.clone();
    for e in l2["entries"].as_array_mut().unwrap() {
        if e["collection"] == "users" {
            e["status"] = json!("pending");
        }
    }
    std::fs::write(
        out.join("collection.json"),
        serde_json::to_vec(&l2).unwrap(),
    )
    .unwrap();
    let before = w.main.served();
    let r = collect_cmd(&tmp.path().join("r.db"), &w, &out)
        .args(["--resume", "--import"])
        .output()
        .unwrap();
    succeeded(&r);
    assert!(!w.main.hits()[before..]
        .iter()
        .any(|h| h.url.to_ascii_lowercase().contains("managementgroups")));
    let l3 = ledger(&out);
    assert_eq!(entry(&l3, "managementGroupList", "/")["status"], "complete");
    assert_eq!(who_at_ws(&tmp.path().join("r.db")), answer);
}

/// Under `umask 000` the collection's folders are 0700 and its files 0600:
/// they hold directory data.
#[test]
fn a_collection_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let w = world();
    let out = tmp.path().join("out");
    let bin = crate::support::bin();
    let ran = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(bin)
        .env_remove("WHOCAN_DB")
        .env("WHOCAN_ARM_TOKEN", TOKEN)
        .env("WHOCAN_GRAPH_TOKEN", TOKEN)
        .env("WHOCAN_COLLECT_MAX_WAIT_MS", "10")
        .arg("--db")
        .arg(tmp.path().join("w.db"))
        .args(["collect", "--out"])
        .arg(&out)
        .args(["--arm-url", &w.main.base, "--graph-url", &w.main.base])
        .output()
        .unwrap();
    succeeded(&ran);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), 0o700);
    for d in data_dirs(&out) {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    let files = all_files(&out);
    assert!(!files.is_empty());
    for f in files {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}
