//! Unit tests of resources' facts (issue 15): each shape in its ARM and `az` forms,
//! facts merged across files, and what is refused. No database is involved.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::{Datastore, ManagedIdentities, ResourceFacts, ScopeKind, UserAssignedIdentity};

const RG: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod";

fn ws() -> String {
    format!("{RG}/providers/Microsoft.MachineLearningServices/workspaces/ml-prod")
}

fn uai() -> String {
    format!("{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ml-prod-train")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import_texts(files: &[(&str, &str)]) -> Result<Imported, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files.iter().map(|(n, t)| write(dir.path(), n, t)).collect();
    read_inputs(&paths, false)
}

fn facts_of(files: &[(&str, &str)]) -> Vec<ResourceFacts> {
    let imp = import_texts(files).unwrap();
    assert!(imp.flags.is_empty(), "{:?}", imp.flags);
    imp.tenant.resource_facts
}

fn one(text: &str) -> ResourceFacts {
    let mut f = facts_of(&[("x.json", text)]);
    assert_eq!(f.len(), 1, "{f:?}");
    f.remove(0)
}

fn located(text: &str) -> (usize, usize, String) {
    match import_texts(&[("bad.json", text)]).unwrap_err() {
        ImportError::At {
            line,
            column,
            message,
            ..
        } => (line, column, message),
        other => panic!("expected a located error, got {other}"),
    }
}

/// Workspaces_Get / Workspaces_ListByResourceGroup (ARM), with a system- and a
/// user-assigned identity.
#[test]
fn arm_workspace_links_and_identity() {
    let text = format!(
        r#"{{"value": [{{
  "id": "{ws}",
  "name": "ml-prod",
  "type": "Microsoft.MachineLearningServices/workspaces",
  "location": "westeurope",
  "identity": {{
    "type": "SystemAssigned,UserAssigned",
    "principalId": "00000000-1111-2222-3333-444444444444",
    "tenantId": "00000000-1111-2222-3333-444444444444",
    "userAssignedIdentities": {{
      "{uai}": {{"principalId": "5b0d0000-0000-0000-0000-000000000001", "clientId": "c1100000-0000-0000-0000-000000000001"}}
    }}
  }},
  "properties": {{
    "friendlyName": "ML prod",
    "storageAccount": "{RG}/providers/Microsoft.Storage/storageAccounts/stcontosomlprod01",
    "keyVault": "{RG}/providers/Microsoft.KeyVault/vaults/kv-contoso-ml-prod",
    "containerRegistry": "{RG}/providers/Microsoft.ContainerRegistry/registries/crcontosomlprod",
    "applicationInsights": "{RG}/providers/microsoft.insights/components/appi-ml-prod",
    "hbiWorkspace": false,
    "discoveryUrl": "https://westeurope.api.azureml.ms/discovery"
  }}
}}]}}"#,
        ws = ws(),
        uai = uai()
    );
    let f = one(&text);
    assert_eq!(f.id, ws());
    assert_eq!(
        f.resource_type,
        "Microsoft.MachineLearningServices/workspaces"
    );
    assert!(f.storage_account.unwrap().ends_with("/stcontosomlprod01"));
    assert!(f.key_vault.unwrap().ends_with("/kv-contoso-ml-prod"));
    assert!(f.container_registry.unwrap().ends_with("/crcontosomlprod"));
    assert!(f.application_insights.unwrap().ends_with("/appi-ml-prod"));
    assert_eq!(
        f.identity,
        Some(ManagedIdentities {
            system_assigned: Some("00000000-1111-2222-3333-444444444444".into()),
            user_assigned: vec![UserAssignedIdentity {
                resource_id: uai(),
                principal_id: Some("5b0d0000-0000-0000-0000-000000000001".into()),
                client_id: Some("c1100000-0000-0000-0000-000000000001".into()),
            }],
        })
    );
}

/// `az ml workspace list`: flat, snake case; the workspace is still a scope.
#[test]
fn az_ml_workspace_snake_case() {
    let text = format!(
        r#"[{{
  "application_insights": "{RG}/providers/microsoft.insights/components/appi",
  "container_registry": null,
  "description": "prod",
  "display_name": "ml-prod",
  "id": "{ws}",
  "identity": {{"principal_id": "0a000000-0000-0000-0000-00000000000a", "tenant_id": "t", "type": "system_assigned"}},
  "key_vault": "{RG}/providers/Microsoft.KeyVault/vaults/kv",
  "location": "westeurope",
  "name": "ml-prod",
  "resource_group": "rg-ml-prod",
  "storage_account": "{RG}/providers/Microsoft.Storage/storageAccounts/st"
}}]"#,
        ws = ws()
    );
    let imp = import_texts(&[("ws.json", &text)]).unwrap();
    let f = &imp.tenant.resource_facts[0];
    assert!(f.storage_account.as_deref().unwrap().ends_with("/st"));
    assert!(f.key_vault.as_deref().unwrap().ends_with("/kv"));
    assert_eq!(f.container_registry, None);
    assert!(f.application_insights.is_some());
    assert_eq!(
        f.identity.as_ref().unwrap().system_assigned.as_deref(),
        Some("0a000000-0000-0000-0000-00000000000a")
    );
    let scope = imp.tenant.scopes.iter().find(|s| s.id == ws()).unwrap();
    assert_eq!(scope.kind, ScopeKind::Resource);
    let counts: std::collections::HashMap<_, _> = counts(&imp).into_iter().collect();
    assert_eq!(counts["workspaceLinks"], 1);
    assert_eq!(counts["assignedIdentities"], 1);
}

/// Compute_List (ARM) and `az ml compute list`: the compute's identities.
#[test]
fn compute_identity_arm_and_az_ml() {
    let arm = format!(
        r#"{{"value": [{{
  "id": "{ws}/computes/cpu-cluster",
  "name": "cpu-cluster",
  "type": "Microsoft.MachineLearningServices/workspaces/computes",
  "identity": {{"type": "UserAssigned", "userAssignedIdentities": {{
    "{uai}": {{"principalId": "5b0d0000-0000-0000-0000-000000000001", "clientId": "c1"}}
  }}}},
  "properties": {{"computeType": "AmlCompute", "properties": {{"vmSize": "STANDARD_DS3_V2"}}}}
}}, {{
  "id": "{ws}/computes/gpu-cluster",
  "name": "gpu-cluster",
  "type": "Microsoft.MachineLearningServices/workspaces/computes",
  "identity": {{"type": "SystemAssigned", "principalId": "5a000000-0000-0000-0000-000000000002"}},
  "properties": {{"computeType": "AmlCompute"}}
}}, {{
  "id": "{ws}/computes/no-identity",
  "name": "no-identity",
  "type": "Microsoft.MachineLearningServices/workspaces/computes",
  "identity": {{"type": "None"}},
  "properties": {{"computeType": "ComputeInstance"}}
}}]}}"#,
        ws = ws(),
        uai = uai()
    );
    let az = format!(
        r#"[{{
  "id": "{ws}/computes/az-cluster",
  "name": "az-cluster",
  "type": "amlcompute",
  "identity": {{"type": "user_assigned", "user_assigned_identities": [
    {{"client_id": "c1", "principal_id": "5b0d0000-0000-0000-0000-000000000001", "resource_id": "{uai}"}}
  ]}},
  "size": "STANDARD_DS3_V2"
}}]"#,
        ws = ws(),
        uai = uai()
    );
    let imp = import_texts(&[("arm.json", &arm), ("az.json", &az)]).unwrap();
    let facts = &imp.tenant.resource_facts;
    assert_eq!(facts.len(), 3, "a compute without identity states no facts");
    let by = |name: &str| facts.iter().find(|f| f.id.ends_with(name)).unwrap();
    let cpu = by("/cpu-cluster").identity.clone().unwrap();
    assert_eq!(cpu.system_assigned, None);
    assert_eq!(cpu.user_assigned[0].resource_id, uai());
    assert_eq!(
        by("/gpu-cluster")
            .identity
            .as_ref()
            .unwrap()
            .system_assigned
            .as_deref(),
        Some("5a000000-0000-0000-0000-000000000002")
    );
    let az = by("/az-cluster");
    assert_eq!(
        az.resource_type,
        "Microsoft.MachineLearningServices/workspaces/computes"
    );
    assert_eq!(
        az.identity.as_ref().unwrap().user_assigned,
        cpu.user_assigned
    );
    // Every compute is a scope, with or without facts.
    let computes = imp
        .tenant
        .scopes
        .iter()
        .filter(|s| s.id.contains("/computes/"))
        .count();
    assert_eq!(computes, 4);
}

/// Datastores_List (ARM): account key, identity-based, SAS, service principal
/// (with a secret value a hostile file added: never kept), file and Data Lake.
#[test]
fn arm_datastores_never_keep_a_secret() {
    let text = format!(
        r#"{{"value": [
{{"id": "{ws}/datastores/workspaceblobstore", "name": "workspaceblobstore",
  "type": "Microsoft.MachineLearningServices/workspaces/datastores",
  "properties": {{"credentials": {{"credentialsType": "AccountKey", "secrets": {{"secretsType": "AccountKey", "key": "SECRET-KEY-VALUE"}}}},
    "datastoreType": "AzureBlob", "accountName": "stcontosomlprod01", "containerName": "azureml-blobstore",
    "endpoint": "core.windows.net", "protocol": "https", "isDefault": true,
    "subscriptionId": "c90828fc-bcbf-42ea-b475-9b27bdc92563", "resourceGroup": "rg-ml-prod"}}}},
{{"id": "{ws}/datastores/curated", "name": "curated",
  "type": "Microsoft.MachineLearningServices/workspaces/datastores",
  "properties": {{"credentials": {{"credentialsType": "None"}}, "datastoreType": "AzureBlob",
    "accountName": "stcurated", "containerName": "curated"}}}},
{{"id": "{ws}/datastores/share", "name": "share",
  "type": "Microsoft.MachineLearningServices/workspaces/datastores",
  "properties": {{"credentials": {{"credentialsType": "Sas", "secrets": {{"sasToken": "sv=SECRET"}}}},
    "datastoreType": "AzureFile", "accountName": "stfiles", "fileShareName": "share"}}}},
{{"id": "{ws}/datastores/lake", "name": "lake",
  "type": "Microsoft.MachineLearningServices/workspaces/datastores",
  "properties": {{"credentials": {{"credentialsType": "ServicePrincipal", "clientId": "c2000000-0000-0000-0000-000000000002",
      "tenantId": "t", "authorityUrl": "https://login.microsoftonline.com", "secrets": {{"clientSecret": "SECRET-SP"}}}},
    "datastoreType": "AzureDataLakeGen2", "accountName": "stlake", "filesystem": "raw"}}}}
]}}"#,
        ws = ws()
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "datastores.json", &text);
    let imp = read_inputs(&[p], false).unwrap();
    let facts = &imp.tenant.resource_facts;
    let json = serde_json::to_string(&imp.tenant).unwrap();
    assert!(!json.contains("SECRET"), "no secret kept: {json}");
    let by = |name: &str| {
        facts
            .iter()
            .find(|f| f.id.ends_with(name))
            .and_then(|f| f.datastore.clone())
            .unwrap()
    };
    assert_eq!(
        by("/workspaceblobstore"),
        Datastore {
            datastore_type: "AzureBlob".into(),
            account_name: Some("stcontosomlprod01".into()),
            container_name: Some("azureml-blobstore".into()),
            subscription_id: Some("c90828fc-bcbf-42ea-b475-9b27bdc92563".into()),
            resource_group: Some("rg-ml-prod".into()),
            credentials_type: "AccountKey".into(),
            client_id: None,
        }
    );
    assert_eq!(by("/curated").credentials_type, "None");
    assert_eq!(by("/share").container_name.as_deref(), Some("share"));
    assert_eq!(by("/share").credentials_type, "Sas");
    let lake = by("/lake");
    assert_eq!(lake.container_name.as_deref(), Some("raw"));
    assert_eq!(
        lake.client_id.as_deref(),
        Some("c2000000-0000-0000-0000-000000000002")
    );
    // Datastores are resource scopes below their workspace.
    let ds = imp
        .tenant
        .scopes
        .iter()
        .find(|s| s.id.ends_with("/datastores/curated"))
        .unwrap();
    assert_eq!(
        ds.resource_type.as_deref(),
        Some("Microsoft.MachineLearningServices/workspaces/datastores")
    );
    let counts: std::collections::HashMap<_, _> = counts(&imp).into_iter().collect();
    assert_eq!(counts["datastores"], 4);
}

/// `az ml datastore list`: `type: azure_blob`, snake case; the kind of credentials
/// from which secret is present (its value never kept), none: identity-based.
#[test]
fn az_ml_datastores() {
    let text = format!(
        r#"[
{{"account_name": "st1", "container_name": "c1", "credentials": {{"account_key": "SECRET"}},
  "id": "{ws}/datastores/one", "name": "one", "type": "azure_blob", "protocol": "https"}},
{{"account_name": "st2", "container_name": "c2",
  "id": "{ws}/datastores/two", "name": "two", "type": "azure_blob"}},
{{"account_name": "st3", "file_share_name": "share", "credentials": {{"sas_token": "SECRET"}},
  "id": "{ws}/datastores/three", "name": "three", "type": "azure_file"}},
{{"account_name": "st4", "filesystem": "fs", "credentials": {{}},
  "id": "{ws}/datastores/four", "name": "four", "type": "azure_data_lake_gen2"}}
]"#,
        ws = ws()
    );
    let facts = facts_of(&[("ds.json", &text)]);
    assert!(!serde_json::to_string(&facts).unwrap().contains("SECRET"));
    let d = |name: &str| {
        facts
            .iter()
            .find(|f| f.id.ends_with(name))
            .and_then(|f| f.datastore.clone())
            .unwrap()
    };
    assert_eq!(
        (
            d("/one").datastore_type.as_str(),
            d("/one").credentials_type.as_str()
        ),
        ("AzureBlob", "AccountKey")
    );
    assert_eq!(d("/two").credentials_type, "None");
    assert_eq!(
        (
            d("/three").datastore_type.as_str(),
            d("/three").credentials_type.as_str()
        ),
        ("AzureFile", "Sas")
    );
    assert_eq!(d("/three").container_name.as_deref(), Some("share"));
    assert_eq!(d("/four").datastore_type, "AzureDataLakeGen2");
    assert_eq!(
        d("/four").credentials_type,
        "Unknown",
        "nothing tells the kind"
    );
}

/// StorageAccounts_List (ARM, `properties`) and `az storage account list` (flat);
/// Vaults_ListBySubscription and `az keyvault list`; UserAssignedIdentities
/// (ARM) and `az identity list` (flat).
#[test]
fn storage_vaults_and_identities_both_forms() {
    let st = |n: &str| format!("{RG}/providers/Microsoft.Storage/storageAccounts/{n}");
    let kv = |n: &str| format!("{RG}/providers/Microsoft.KeyVault/vaults/{n}");
    let arm = format!(
        r#"{{"value": [
{{"id": "{a}", "name": "a", "type": "Microsoft.Storage/storageAccounts", "kind": "StorageV2",
  "properties": {{"allowSharedKeyAccess": false, "supportsHttpsTrafficOnly": true}}}},
{{"id": "{b}", "name": "b", "type": "Microsoft.Storage/storageAccounts",
  "properties": {{"supportsHttpsTrafficOnly": true}}}},
{{"id": "{v1}", "name": "v1", "type": "Microsoft.KeyVault/vaults",
  "properties": {{"tenantId": "t", "enableRbacAuthorization": true, "sku": {{"name": "standard"}}}}}},
{{"id": "{uai}", "name": "id", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
  "properties": {{"tenantId": "t", "principalId": "5b0d0000-0000-0000-0000-000000000001", "clientId": "c1"}}}}
]}}"#,
        a = st("a"),
        b = st("b"),
        v1 = kv("v1"),
        uai = uai()
    );
    let az = format!(
        r#"[
{{"allowSharedKeyAccess": true, "id": "{c}", "name": "c", "type": "Microsoft.Storage/storageAccounts",
  "primaryEndpoints": {{"blob": "https://c.blob.core.windows.net/"}}}},
{{"id": "{v2}", "name": "v2", "type": "Microsoft.KeyVault/vaults",
  "properties": {{"enableRbacAuthorization": false, "accessPolicies": []}}}},
{{"clientId": "c2", "id": "{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id2",
  "name": "id2", "principalId": "5b0d0000-0000-0000-0000-000000000002", "tenantId": "t",
  "type": "Microsoft.ManagedIdentity/userAssignedIdentities"}}
]"#,
        c = st("c"),
        v2 = kv("v2")
    );
    // One file per family: a mixed file is fine too (all are resources).
    let imp = import_texts(&[("arm.json", &arm), ("az.json", &az)]).unwrap();
    let facts = &imp.tenant.resource_facts;
    let by = |id: &str| facts.iter().find(|f| f.id == id);
    assert_eq!(by(&st("a")).unwrap().allow_shared_key_access, Some(false));
    // Not stated: an account all the same (known by name to the datastores that
    // name only their account), Shared Key not refused.
    assert_eq!(by(&st("b")).unwrap().allow_shared_key_access, None);
    assert_eq!(by(&st("c")).unwrap().allow_shared_key_access, Some(true));
    assert_eq!(by(&kv("v1")).unwrap().enable_rbac_authorization, Some(true));
    assert_eq!(
        by(&kv("v2")).unwrap().enable_rbac_authorization,
        Some(false)
    );
    assert_eq!(
        by(&uai()).unwrap().principal_id.as_deref(),
        Some("5b0d0000-0000-0000-0000-000000000001")
    );
    let id2 = facts.iter().find(|f| f.id.ends_with("/id2")).unwrap();
    assert_eq!(
        id2.principal_id.as_deref(),
        Some("5b0d0000-0000-0000-0000-000000000002")
    );
    let counts: std::collections::HashMap<_, _> = counts(&imp).into_iter().collect();
    assert_eq!(counts["storageSharedKeySettings"], 2);
    assert_eq!(counts["keyVaultPermissionModels"], 2);
    assert_eq!(counts["userAssignedIdentities"], 2);
    assert_eq!(counts["resources"], 7);
}

/// A resource listed twice (`az resource list`, then its own list): the facts of
/// the record that states them; two records that disagree are flagged.
#[test]
fn facts_merge_across_files_and_disagreement_is_flagged() {
    let a = format!("{RG}/providers/Microsoft.Storage/storageAccounts/a");
    let plain =
        format!(r#"[{{"id": "{a}", "name": "a", "type": "Microsoft.Storage/storageAccounts"}}]"#);
    let off = format!(
        r#"{{"value": [{{"id": "{a}", "type": "Microsoft.Storage/storageAccounts", "properties": {{"allowSharedKeyAccess": false}}}}]}}"#
    );
    let on = off.replace("false", "true");
    let f = facts_of(&[("1.json", &plain), ("2.json", &off)]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].allow_shared_key_access, Some(false));
    let imp = import_texts(&[("2.json", &off), ("3.json", &on)]).unwrap();
    assert_eq!(imp.tenant.resource_facts.len(), 1);
    assert_eq!(
        imp.tenant.resource_facts[0].allow_shared_key_access,
        Some(false)
    );
    assert_eq!(imp.flags.len(), 1, "{:?}", imp.flags);
    assert!(imp.flags[0].detail.contains("resource facts"));
}

/// A record with no facts of its kind adds none, and no import without facts
/// lists their counts.
#[test]
fn no_facts_no_counts() {
    let text = format!(
        r#"[{{"id": "{RG}/providers/Microsoft.OperationalInsights/workspaces/log", "name": "log",
  "type": "Microsoft.OperationalInsights/workspaces", "identity": {{"principalId": "x"}}}}]"#
    );
    let imp = import_texts(&[("r.json", &text)]).unwrap();
    assert!(imp.tenant.resource_facts.is_empty());
    assert!(counts(&imp).iter().all(|(k, _)| *k != "datastores"));
}

/// A field of the wrong type is refused where it stands.
#[test]
fn wrong_types_are_located() {
    let (l, c, m) = located(&format!(
        "{{\"value\": [{{\"id\": \"{RG}/providers/Microsoft.Storage/storageAccounts/a\",\n\
         \"type\": \"Microsoft.Storage/storageAccounts\",\n\
         \"properties\": {{\"allowSharedKeyAccess\": \"sometimes\"}}}}]}}"
    ));
    assert_eq!((l, c), (3, 40), "{m}");
    assert!(
        m.contains("value[0].properties.allowSharedKeyAccess"),
        "{m}"
    );
    assert!(m.contains("true or false"), "{m}");

    let (l, c, m) = located(&format!(
        "[{{\"id\": \"{ws}/computes/c\",\n \"identity\": {{\"userAssignedIdentities\": {{\n  \"{uai}\": {{\"principalId\": 7}}}}}}}}]",
        ws = ws(),
        uai = uai()
    ));
    assert_eq!(l, 3, "{m}");
    assert!(c > 10, "{c}: {m}");
    assert!(
        m.contains("[0].identity.userAssignedIdentities[0].principalId"),
        "{m}"
    );

    let (l, _, m) = located(&format!(
        "[{{\"id\": \"{ws}/computes/c\",\n \"identity\": {{\"userAssignedIdentities\": [\"x\"]}}}}]",
        ws = ws()
    ));
    assert_eq!(l, 2, "{m}");
    assert!(m.contains("userAssignedIdentities"), "{m}");

    let (_, _, m) = located(&format!(
        "{{\"value\": [{{\"id\": \"{ws}/datastores/d\", \"type\": \"Microsoft.MachineLearningServices/workspaces/datastores\",\n\
         \"properties\": {{\"datastoreType\": \"AzureBlob\", \"credentials\": {{\"secrets\": {{}}}}}}}}]}}",
        ws = ws()
    ));
    assert!(m.contains("credentialsType"), "{m}");

    let (l, _, m) = located(&format!(
        "[{{\"id\": \"{ws}\",\n \"properties\": {{\"storageAccount\": {{\"id\": \"x\"}}}}}}]",
        ws = ws()
    ));
    assert_eq!(l, 2, "{m}");
    assert!(m.contains("properties.storageAccount"), "{m}");
}
