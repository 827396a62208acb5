//! AzureML activities (Microsoft's "common scenarios" table): each is a list of
//! alternatives; each alternative a set of required patterns, each at a minimum
//! scope level. A wildcard requirement stands for every concrete operation it
//! covers in the imported catalogue. One that covers none adds no operation to
//! check; it is always reported (in `incomplete` and on stderr) so the answer says
//! what it could not see (see docs/semantics.md, "Activities").

use serde::Serialize;

use crate::model::key;

use super::decide::ActionReq;
use super::index::Index;
use super::pattern::ActionPattern;
use super::query::Alternatives;
use super::scope::{at_level, Level};

const ML: &str = "Microsoft.MachineLearningServices/";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Requirement {
    /// Full pattern (provider prefix included).
    pub(crate) pattern: String,
    pub(crate) level: Level,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) alternatives: Vec<Vec<Requirement>>,
    pub(crate) note: Option<&'static str>,
    /// An activity over the data behind a workspace (issue 15): its
    /// requirements are worked out from the workspace's imported facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) data: Option<DataReach>,
}

/// What data behind a workspace an activity reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum DataReach {
    /// Every datastore's container (blob/file read data actions there).
    TrainingData,
    /// The linked key vault's secrets.
    WorkspaceSecrets,
    /// The linked container registry (push).
    PushImages,
}

pub(crate) const BLOB_READ: &str =
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
pub(crate) const FILE_READ: &str =
    "Microsoft.Storage/storageAccounts/fileServices/fileshares/files/read";
pub(crate) const SECRET_GET: &str = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
pub(crate) const REGISTRY_PUSH: &str = "Microsoft.ContainerRegistry/registries/push/write";

fn ml(level: Level, patterns: &[&str]) -> Vec<Requirement> {
    patterns
        .iter()
        .map(|p| Requirement {
            pattern: if p.starts_with("Microsoft.") {
                p.to_string()
            } else {
                format!("{ML}{p}")
            },
            level,
        })
        .collect()
}

/// Every activity `--activity` accepts.
pub(crate) fn catalogue() -> Vec<Activity> {
    use Level::*;
    let one = |name, description, level, patterns: &[&str]| Activity {
        name,
        description,
        alternatives: vec![ml(level, patterns)],
        note: None,
        data: None,
    };
    let data = |name, description, note, reach| Activity {
        name,
        description,
        alternatives: Vec::new(),
        note: Some(note),
        data: Some(reach),
    };
    let mut first_ws = ml(ResourceGroup, &["workspaces/write"]);
    first_ws.extend(ml(Subscription, &["register/action"]));
    vec![
        one(
            "create-workspace",
            "Create a workspace",
            ResourceGroup,
            &["workspaces/write"],
        ),
        Activity {
            name: "create-first-workspace",
            description:
                "Create the first workspace in a subscription (also registers the provider)",
            alternatives: vec![first_ws],
            note: None,
            data: None,
        },
        Activity {
            name: "request-quota",
            description: "Request subscription-level Amlcompute quota or set workspace-level quota",
            alternatives: vec![ml(Subscription, &["locations/updateQuotas/action"])],
            note: Some("authorized only at subscription scope, not at resource group or workspace"),
            data: None,
        },
        one(
            "create-compute",
            "Create a compute cluster or compute instance",
            Workspace,
            &["workspaces/computes/write"],
        ),
        one(
            "submit-run-v1",
            "Submit any type of run (V1)",
            Workspace,
            &[
                "workspaces/*/read",
                "workspaces/environments/write",
                "workspaces/experiments/runs/write",
                "workspaces/metadata/artifacts/write",
                "workspaces/metadata/snapshots/write",
                "workspaces/environments/build/action",
                "workspaces/experiments/runs/submit/action",
                "workspaces/environments/readSecrets/action",
            ],
        ),
        one(
            "submit-run-v2",
            "Submit any type of run (V2)",
            Workspace,
            &[
                "workspaces/*/read",
                "workspaces/environments/write",
                "workspaces/jobs/*",
                "workspaces/metadata/artifacts/write",
                "workspaces/metadata/codes/*/write",
                "workspaces/environments/build/action",
                "workspaces/environments/readSecrets/action",
            ],
        ),
        one(
            "publish-pipelines-v1",
            "Publish pipelines and endpoints (V1)",
            Workspace,
            &[
                "workspaces/endpoints/pipelines/*",
                "workspaces/pipelinedrafts/*",
                "workspaces/modules/*",
            ],
        ),
        one(
            "publish-pipelines-v2",
            "Publish pipelines and endpoints (V2)",
            Workspace,
            &[
                "workspaces/endpoints/pipelines/*",
                "workspaces/pipelinedrafts/*",
                "workspaces/components/*",
            ],
        ),
        one(
            "deploy-model",
            "Deploy a registered model on an AKS/ACI resource",
            Workspace,
            &[
                "workspaces/services/aks/write",
                "workspaces/services/aci/write",
            ],
        ),
        Activity {
            name: "score-aks-endpoint",
            description: "Score against a deployed AKS endpoint",
            alternatives: vec![
                ml(
                    Workspace,
                    &[
                        "workspaces/services/aks/score/action",
                        "workspaces/services/aks/listkeys/action",
                    ],
                ),
                ml(Workspace, &["workspaces/read"]),
            ],
            note: Some("key authentication, or token authentication (workspaces/read)"),
            data: None,
        },
        one(
            "access-notebook-storage",
            "Access storage using interactive notebooks",
            Workspace,
            &[
                "workspaces/computes/read",
                "workspaces/notebooks/samples/read",
                "workspaces/notebooks/storage/*",
                "workspaces/listStorageAccountKeys/action",
                "workspaces/listNotebookAccessToken/read",
            ],
        ),
        one(
            "create-custom-role",
            "Create a new custom role",
            Subscription,
            &["Microsoft.Authorization/roleDefinitions/write"],
        ),
        one(
            "manage-online-endpoints",
            "Create, update or delete online endpoints and deployments",
            Workspace,
            &["workspaces/onlineEndpoints/*"],
        ),
        one(
            "get-online-endpoint-credentials",
            "Retrieve authentication credentials for online endpoints",
            Workspace,
            &[
                "workspaces/onlineEndpoints/token/action",
                "workspaces/onlineEndpoints/listkeys/action",
            ],
        ),
        one(
            "mlflow-experiments",
            "Use MLflow experiments (V1)",
            Workspace,
            &["workspaces/experiments/*"],
        ),
        one(
            "mlflow-jobs",
            "Use MLflow jobs (V2)",
            Workspace,
            &["workspaces/jobs/*"],
        ),
        one(
            "mlflow-models-read",
            "Read MLflow models",
            Workspace,
            &["workspaces/models/*/read"],
        ),
        one(
            "mlflow-models-write",
            "Create or update MLflow models",
            Workspace,
            &["workspaces/models/*/write"],
        ),
        one(
            "mlflow-models-delete",
            "Delete MLflow models",
            Workspace,
            &["workspaces/models/*/delete"],
        ),
        data(
            "read-training-data",
            "Read the data behind every datastore of the workspace",
            "blob/file read on each datastore's container, through RBAC (with --effective: keys, datastore secrets, identities)",
            DataReach::TrainingData,
        ),
        data(
            "read-workspace-secrets",
            "Read the secrets of the workspace's linked key vault",
            "Key Vault getSecret on the linked vault (RBAC vaults only; access-policy vaults are incomplete)",
            DataReach::WorkspaceSecrets,
        ),
        data(
            "push-images",
            "Push images to the workspace's linked container registry",
            "push/write on the linked registry",
            DataReach::PushImages,
        ),
    ]
}

pub fn find(name: &str) -> Option<Activity> {
    let n = key(name.trim()).replace([' ', '_'], "-");
    catalogue().into_iter().find(|a| a.name == n)
}

/// An activity made concrete for one target scope and one catalogue.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expanded {
    pub alternatives: Alternatives,
    /// Wildcard requirements that cover no operation in the imported catalogue.
    pub(crate) uncovered: Vec<String>,
    /// Data sources a data activity could not follow.
    pub(crate) incomplete: Vec<super::decide::Incomplete>,
}

/// Expands an activity's requirements into concrete actions at concrete scopes.
pub fn expand(ix: &Index, activity: &Activity, target: &str) -> Expanded {
    if let Some(reach) = activity.data {
        return expand_data(ix, reach, target);
    }
    let mut uncovered = Vec::new();
    let mut alternatives = Vec::new();
    for alt in &activity.alternatives {
        let mut reqs: Vec<ActionReq> = Vec::new();
        for r in alt {
            let scope = super::scope::at_level_spelled(target, r.level);
            let p = ActionPattern::new(&r.pattern);
            if p.has_wildcard() {
                let ops: Vec<_> = ix
                    .operations
                    .iter()
                    .filter(|o| p.matches(&o.name))
                    .collect();
                if ops.is_empty() && !uncovered.contains(&r.pattern) {
                    uncovered.push(r.pattern.clone());
                }
                for o in ops {
                    reqs.push(ActionReq {
                        action: o.name.clone(),
                        data: o.is_data_action,
                        scope: scope.clone(),
                    });
                }
            } else {
                reqs.push(ActionReq {
                    action: r.pattern.clone(),
                    data: ix.is_data_action(&r.pattern),
                    scope,
                });
            }
        }
        let mut seen = std::collections::HashSet::new();
        reqs.retain(|r| seen.insert((key(&r.action), r.scope.clone())));
        alternatives.push(reqs);
    }
    Expanded {
        alternatives,
        uncovered,
        incomplete: Vec::new(),
    }
}

/// A data activity made concrete from the workspace's facts: one alternative
/// holding a request per data source (every datastore; the linked vault; the
/// linked registry). What cannot be followed is `incomplete`.
fn expand_data(ix: &Index, reach: DataReach, target: &str) -> Expanded {
    use super::decide::{Incomplete, IncompleteReason as R};
    let ws = at_level(target, Level::Workspace);
    let mut reqs = Vec::new();
    let mut incomplete = Vec::new();
    let workspace = ix.facts.get(&ws);
    let ws_label = workspace.map_or(target, |w| w.id.as_str());
    let req = |action: &str, data: bool, scope: String| ActionReq {
        action: action.to_string(),
        data,
        scope,
    };
    match reach {
        DataReach::TrainingData => {
            let prefix = format!("{ws}/datastores/");
            let mut any = false;
            for (k, f) in ix.facts.range(prefix.clone()..) {
                if !k.starts_with(&prefix) {
                    break;
                }
                let Some(ds) = &f.datastore else { continue };
                any = true;
                match super::escalate::datastore_target(ix, ds) {
                    Some((account, container)) => {
                        let action = if key(&ds.datastore_type) == "azurefile" {
                            FILE_READ
                        } else {
                            BLOB_READ
                        };
                        reqs.push(req(action, true, container.unwrap_or(account)));
                    }
                    None => incomplete.push(Incomplete::data_source(
                        R::DataSourceUnknown,
                        &f.id,
                        &format!(
                            "datastore of type {} whose storage account is not imported (or not a storage account)",
                            ds.datastore_type
                        ),
                    )),
                }
            }
            if !any {
                incomplete.push(Incomplete::data_source(
                    R::DataSourceUnknown,
                    ws_label,
                    "no datastore of the workspace was imported",
                ));
            }
        }
        DataReach::WorkspaceSecrets => match workspace.and_then(|w| w.key_vault.as_deref()) {
            Some(kv) => {
                let vault = ix.facts.get(&crate::model::scope_key(kv));
                if vault.and_then(|v| v.enable_rbac_authorization) != Some(true) {
                    incomplete.push(Incomplete::data_source(R::AccessPolicies, kv, ""));
                }
                reqs.push(req(SECRET_GET, true, crate::model::scope_key(kv)));
            }
            None => incomplete.push(Incomplete::data_source(
                R::DataSourceUnknown,
                ws_label,
                "the workspace's linked key vault was not imported",
            )),
        },
        DataReach::PushImages => match workspace.and_then(|w| w.container_registry.as_deref()) {
            Some(cr) => reqs.push(req(REGISTRY_PUSH, false, crate::model::scope_key(cr))),
            None => incomplete.push(Incomplete::data_source(
                R::DataSourceUnknown,
                ws_label,
                "the workspace has no linked container registry in the snapshot",
            )),
        },
    }
    Expanded {
        alternatives: if reqs.is_empty() {
            Vec::new()
        } else {
            vec![reqs]
        },
        uncovered: Vec::new(),
        incomplete,
    }
}
