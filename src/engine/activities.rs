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
}

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
        },
        Activity {
            name: "request-quota",
            description: "Request subscription-level Amlcompute quota or set workspace-level quota",
            alternatives: vec![ml(Subscription, &["locations/updateQuotas/action"])],
            note: Some("authorized only at subscription scope, not at resource group or workspace"),
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
}

/// Expands an activity's requirements into concrete actions at concrete scopes.
pub fn expand(ix: &Index, activity: &Activity, target: &str) -> Expanded {
    let mut uncovered = Vec::new();
    let mut alternatives = Vec::new();
    for alt in &activity.alternatives {
        let mut reqs: Vec<ActionReq> = Vec::new();
        for r in alt {
            let scope = at_level(target, r.level);
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
    }
}
