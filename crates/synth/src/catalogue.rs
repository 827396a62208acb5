//! The provider operation catalogue: about 1,200 operations of eleven resource
//! providers, written in the `az provider operation show` shape.
//!
//! Two sources, both the project's own:
//! - the operation files of `sample-data/operations/` (Microsoft.MachineLearningServices,
//!   Microsoft.Authorization and Microsoft.Storage, read at compile time), kept as
//!   they are, descriptions included;
//! - [`GENERATED`], a compact table of resource types per provider (Compute, Network,
//!   KeyVault, Insights, Resources, ContainerRegistry, OperationalInsights, Support,
//!   and more types of the three sampled providers), each type with its verbs, which
//!   [`build`] expands into operations: `read`/`write`/`delete`, `<name>/action`,
//!   data actions, and for tracked resource types the monitoring and private-link
//!   sub-resources every such type has.
//!
//! The catalogue does not depend on the seed: it is built once per process and is
//! the same in every tenant. Role patterns are built by sampling these names, so
//! wildcards expand to something.

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{json, Value};

use super::write::Written;
use super::SynthError;

/// The project's own sample catalogues.
const SAMPLE_FILES: &[&str] = &[
    include_str!("../../../sample-data/operations/microsoft.authorization.json"),
    include_str!("../../../sample-data/operations/microsoft.machinelearningservices.json"),
    include_str!("../../../sample-data/operations/microsoft.storage.json"),
];

/// One operation of the catalogue.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub name: &'static str,
    pub provider: &'static str,
    /// Resource type within the provider (`workspaces/computes`), empty for
    /// provider-level operations.
    pub rt: &'static str,
    pub data: bool,
    /// Display name and description as a sample file gives them (None: generated
    /// from the name when written).
    pub display: Option<&'static str>,
    pub description: Option<&'static str>,
    /// `origin` as written (None: `null`).
    pub origin: Option<&'static str>,
}

impl Op {
    /// The verb: `read`, `write`, `delete`, or `start/action` style actions.
    pub(crate) fn verb(&self) -> &'static str {
        let skip = if self.rt.is_empty() {
            self.provider.len() + 1
        } else {
            self.provider.len() + self.rt.len() + 2
        };
        self.name.get(skip..).unwrap_or(self.name)
    }
}

/// The operations of one resource type of one provider.
#[derive(Debug, Clone)]
pub(crate) struct ResourceType {
    pub provider: &'static str,
    pub rt: &'static str,
    /// The type's display name in a sample file (None: generated).
    pub display: Option<&'static str>,
    pub ops: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Catalogue {
    pub ops: Vec<Op>,
    /// Contiguous runs of `ops` with the same provider and resource type.
    pub types: Vec<ResourceType>,
    /// (provider, display name), in the order of `ops`.
    displays: Vec<(&'static str, &'static str)>,
}

/// Resource types per provider: `"[+][~]type: verbs"`. A verb `r`, `w`, `d` is
/// `read`, `write`, `delete`; a word is `<word>/action`; a word with a `/`, and
/// `action` alone, are taken as they are (`sharedKey/read`); `@` before a verb
/// makes it a data action (`@read` is the data action `<type>/read`).
/// `+` adds the type's monitoring sub-resources (diagnostic settings, metric and
/// log definitions), `~` its private-link sub-resources. An empty type is the
/// provider level (`register/action`). A type that a sample file already has
/// gets the new verbs appended.
const GENERATED: &[(&str, &str, &[&str])] = &[
    (
        "Microsoft.Authorization",
        "Azure authorization",
        &[
            "operations: r",
            "policyDefinitions: r w d",
            "policySetDefinitions: r w d",
            "policyExemptions: r w d",
            "policies: audit auditIfNotExists deny deployIfNotExists modify",
            "roleManagementPolicies: r w",
            "roleManagementPolicyAssignments: r",
            "roleAssignmentSchedules: r",
            "roleEligibilitySchedules: r",
            "classicAdministrators: r w d",
            "diagnosticSettings: r w d",
            "diagnosticSettingsCategories: r",
        ],
    ),
    (
        "Microsoft.Compute",
        "Azure compute",
        &[
            ": register unregister",
            "operations: r",
            "+~virtualMachines: r w d start powerOff restart deallocate redeploy reimage runCommand capture generalize performMaintenance simulateEviction assessPatches installPatches retrieveBootDiagnosticsData convertToManagedDisks @login @loginAsAdmin @loginAsExternalUser",
            "virtualMachines/extensions: r w d",
            "virtualMachines/runCommands: r w d",
            "virtualMachines/instanceView: r",
            "virtualMachines/vmSizes: r",
            "virtualMachines/patchAssessmentResults: r",
            "+virtualMachineScaleSets: r w d start powerOff restart deallocate reimage reimageall redeploy manualUpgrade scale osUpgradeHistory/read",
            "virtualMachineScaleSets/virtualMachines: r w d start powerOff restart deallocate reimage redeploy runCommand",
            "virtualMachineScaleSets/extensions: r w d",
            "virtualMachineScaleSets/skus: r",
            "virtualMachineScaleSets/networkInterfaces: r",
            "~disks: r w d beginGetAccess endGetAccess",
            "snapshots: r w d beginGetAccess endGetAccess",
            "images: r w d",
            "galleries: r w d share",
            "galleries/images: r w d",
            "galleries/images/versions: r w d",
            "galleries/applications: r w d",
            "galleries/applications/versions: r w d",
            "availabilitySets: r w d",
            "availabilitySets/vmSizes: r",
            "proximityPlacementGroups: r w d",
            "sshPublicKeys: r w d generateKeyPair",
            "diskEncryptionSets: r w d",
            "diskAccesses: r w d",
            "hostGroups: r w d",
            "hostGroups/hosts: r w d restart redeploy",
            "capacityReservationGroups: r w d",
            "capacityReservationGroups/capacityReservations: r w d",
            "restorePointCollections: r w d",
            "restorePointCollections/restorePoints: r w d",
            "locations/usages: r",
            "locations/vmSizes: r",
            "locations/operations: r",
            "skus: r",
        ],
    ),
    (
        "Microsoft.ContainerRegistry",
        "Azure container registry",
        &[
            ": register unregister",
            "operations: r",
            "checkNameAvailability: r",
            "+~registries: r w d importImage listCredentials regenerateCredential listUsages generateCredentials listBuildSourceUploadUrl scheduleRun @pull/read @push/write @artifacts/delete @quarantine/read @quarantine/write @trustedCollections/write @sign/write",
            "registries/replications: r w d",
            "registries/webhooks: r w d ping getCallbackConfig listEvents",
            "registries/scopeMaps: r w d",
            "registries/tokens: r w d",
            "registries/tasks: r w d listDetails",
            "registries/taskruns: r w d listDetails",
            "registries/runs: r w listLogSasUrl cancel",
            "registries/agentPools: r w d listQueueStatus",
            "registries/connectedRegistries: r w d deactivate",
            "registries/pipelineRuns: r w d",
            "registries/importPipelines: r w d",
            "registries/exportPipelines: r w d",
            "registries/cacheRules: r w d",
            "registries/credentialSets: r w d",
            "registries/repositories/content: @read @write @delete",
            "registries/repositories/metadata: @read @write",
            "locations/operationResults: r",
        ],
    ),
    (
        "Microsoft.Insights",
        "Azure Monitor",
        &[
            ": register unregister",
            "operations: r",
            "alertRules: r w d activated/action resolved/action",
            "alertRules/incidents: r",
            "metricAlerts: r w d",
            "metricAlerts/status: r",
            "activityLogAlerts: r w d",
            "scheduledQueryRules: r w d",
            "actionGroups: r w d test",
            "diagnosticSettings: r w d",
            "diagnosticSettingsCategories: r",
            "extendedDiagnosticSettings: r w d",
            "logProfiles: r w d",
            "autoscalesettings: r w d",
            "+components: r w d purge",
            "components/api: r",
            "components/annotations: r w d",
            "components/apiKeys: r w d",
            "components/analyticsItems: r w d",
            "components/currentBillingFeatures: r w",
            "components/myFavorites: r",
            "components/webtests: r",
            "workbooks: r w d",
            "workbooktemplates: r w d",
            "myWorkbooks: r w d",
            "webtests: r w d",
            "dataCollectionRules: r w d",
            "dataCollectionRules/data: @write",
            "dataCollectionEndpoints: r w d",
            "dataCollectionRuleAssociations: r w d",
            "metricDefinitions: r",
            "metrics: r @write",
            "metricnamespaces: r",
            "eventtypes/values: r",
            "eventtypes/digestevents: r",
            "logs: r",
            "baseline: r",
            "topology: r",
            "privateLinkScopes: r w d",
            "privateLinkScopes/scopedResources: r w d",
            "telemetry: @write",
        ],
    ),
    (
        "Microsoft.KeyVault",
        "Azure Key Vault",
        &[
            ": register unregister",
            "operations: r",
            "checkNameAvailability: r",
            "+~vaults: r w d deploy",
            "vaults/accessPolicies: w",
            "vaults/eventGridFilters: r w d",
            "vaults/secrets: r w @getSecret @readMetadata @setSecret @backup @restore @recover @purge @delete",
            "vaults/keys: r w @create @import @encrypt @decrypt @sign @verify @wrap @unwrap @rotate @release @backup @restore @recover @purge @update @delete",
            "vaults/keys/versions: r",
            "vaults/certificates: @read @create @import @update @backup @restore @recover @purge @listissuers @setissuers @delete",
            "vaults/keyrotationpolicies: @read @write",
            "deletedVaults: r",
            "locations/deletedVaults: r purge",
            "locations/operationResults: r",
            "+managedHSMs: r w d",
            "managedHsm/keys: @read @write @delete @encrypt @decrypt @sign @verify @wrap @unwrap @export @release @backup @restore",
            "managedHsm/roleAssignments: @read @write @delete",
            "managedHsm/roleDefinitions: @read @write @delete",
            "managedHsm/securitydomain/download: @action @read",
        ],
    ),
    (
        "Microsoft.MachineLearningServices",
        "Azure Machine Learning",
        &[
            "+workspaces: diagnose",
            "operations: r",
            "~registries: r w d",
            "registries/models: r w d",
            "registries/models/versions: r w d",
            "registries/environments: r w d",
            "registries/environments/versions: r w d",
            "registries/components: r w d",
            "registries/components/versions: r w d",
            "registries/data: r w d",
            "registries/data/versions: r w d",
            "registries/codes: r w d",
            "registries/codes/versions: r w d",
            "registries/assets: stage",
            "workspaces/serverlessEndpoints: r w d listKeys regenerateKeys",
            "workspaces/marketplaceSubscriptions: r w d",
            "workspaces/outboundRules: r w d",
            "workspaces/privateEndpointConnections: r w d",
            "workspaces/featuresets: r w d",
            "workspaces/featuresets/versions: r w d backfill",
            "workspaces/featurestoreentities: r w d",
            "workspaces/featurestoreentities/versions: r w d",
            "workspaces/inferencePools: r w d",
            "workspaces/managedNetworks: r w d",
            "workspaces/capabilityHosts: r w d",
            "workspaces/connections/deployments: r w d",
            "locations/computeOperationsStatus: r",
            "locations/workspaceOperationsStatus: r",
            "locations/mfeOperationResults: r",
        ],
    ),
    (
        "Microsoft.Network",
        "Azure networking",
        &[
            ": register unregister",
            "operations: r",
            "+~virtualNetworks: r w d peer joinLoadBalancer",
            "virtualNetworks/subnets: r w d join joinViaServiceEndpoint prepareNetworkPolicies unprepareNetworkPolicies",
            "virtualNetworks/virtualNetworkPeerings: r w d",
            "virtualNetworks/checkIpAddressAvailability: r",
            "virtualNetworks/usages: r",
            "+networkInterfaces: r w d join effectiveRouteTable effectiveNetworkSecurityGroups",
            "networkInterfaces/ipconfigurations: r join",
            "+networkSecurityGroups: r w d join",
            "networkSecurityGroups/securityRules: r w d",
            "+publicIPAddresses: r w d join",
            "publicIPPrefixes: r w d join",
            "+loadBalancers: r w d",
            "loadBalancers/backendAddressPools: r w d join",
            "loadBalancers/frontendIPConfigurations: r join",
            "loadBalancers/inboundNatRules: r w d join",
            "loadBalancers/probes: r join",
            "+applicationGateways: r w d start stop restart backendhealth",
            "applicationGateways/backendAddressPools: join",
            "applicationGatewayWebApplicationFirewallPolicies: r w d join",
            "routeTables: r w d join",
            "routeTables/routes: r w d",
            "privateEndpoints: r w d",
            "privateEndpoints/privateDnsZoneGroups: r w d",
            "~privateLinkServices: r w d",
            "privateDnsZones: r w d join",
            "privateDnsZones/A: r w d",
            "privateDnsZones/CNAME: r w d",
            "privateDnsZones/virtualNetworkLinks: r w d",
            "dnsZones: r w d",
            "dnsZones/A: r w d",
            "dnsZones/CNAME: r w d",
            "dnsZones/TXT: r w d",
            "natGateways: r w d join",
            "+azureFirewalls: r w d",
            "firewallPolicies: r w d join",
            "firewallPolicies/ruleCollectionGroups: r w d",
            "+bastionHosts: r w d getShareableLinks createShareableLinks deleteShareableLinks",
            "networkWatchers: r w d ipFlowVerify nextHop topology securityGroupView queryFlowLogStatus",
            "networkWatchers/flowLogs: r w d",
            "networkWatchers/connectionMonitors: r w d start stop",
            "+virtualNetworkGateways: r w d reset generatevpnclientpackage getBgpPeerStatus",
            "connections: r w d sharedKey/read sharedKey/write",
            "localNetworkGateways: r w d",
            "+expressRouteCircuits: r w d",
            "expressRouteCircuits/peerings: r w d",
            "ddosProtectionPlans: r w d join",
            "serviceEndpointPolicies: r w d join",
            "applicationSecurityGroups: r w d joinIpConfiguration",
            "+frontDoors: r w d",
            "trafficManagerProfiles: r w d",
            "networkSecurityPerimeters: r w d",
            "locations/usages: r",
            "locations/operations: r",
            "locations/checkDnsNameAvailability: r",
        ],
    ),
    (
        "Microsoft.OperationalInsights",
        "Azure Log Analytics",
        &[
            ": register unregister",
            "operations: r",
            "+~workspaces: r w d generateRegistrationCertificate sharedKeys purge search",
            "workspaces/tables: r w d",
            "workspaces/tables/data: @read",
            "workspaces/savedSearches: r w d",
            "workspaces/dataSources: r w d",
            "workspaces/linkedServices: r w d",
            "workspaces/linkedStorageAccounts: r w d",
            "workspaces/dataExports: r w d",
            "workspaces/query: r",
            "workspaces/analytics/query: action",
            "clusters: r w d",
            "querypacks: r w d",
            "querypacks/queries: r w d",
            "deletedWorkspaces: r",
            "locations/operationStatuses: r",
        ],
    ),
    (
        "Microsoft.Resources",
        "Azure Resource Manager",
        &[
            ": checkResourceName calculateTemplateHash",
            "operations: r",
            "subscriptions: r",
            "subscriptions/resourceGroups: r w d moveResources validateMoveResources",
            "subscriptions/resourceGroups/resources: r",
            "subscriptions/resourceGroups/deployments: r w d",
            "subscriptions/resourceGroups/deployments/operations: r",
            "subscriptions/resourceGroups/deployments/operationstatuses: r",
            "subscriptions/resources: r",
            "subscriptions/locations: r",
            "subscriptions/providers: r",
            "subscriptions/tagNames: r w d",
            "subscriptions/tagNames/tagValues: r w d",
            "subscriptions/operationresults: r",
            "deployments: r w d cancel validate whatIf exportTemplate",
            "deployments/operations: r",
            "deployments/operationstatuses: r",
            "deploymentScripts: r w d",
            "deploymentScripts/logs: r",
            "deploymentStacks: r w d manageDenySetting exportTemplate",
            "tags: r w d",
            "resources: r",
            "providers: r",
            "tenants: r",
            "links: r w d",
            "templateSpecs: r w d",
            "templateSpecs/versions: r w d",
        ],
    ),
    (
        "Microsoft.Storage",
        "Azure Storage",
        &[
            ": register",
            "operations: r",
            "checkNameAvailability: r",
            "+~storageAccounts: listAccountSas listServiceSas failover restoreBlobRanges",
            "storageAccounts/blobServices/containers: lease setLegalHold clearLegalHold",
            "storageAccounts/blobServices/containers/immutabilityPolicies: r w d lock extend",
            "storageAccounts/blobServices/containers/blobs: @deleteBlobVersion @manageOwnership @modifyPermissions @filter @runAsSuperUser",
            "+storageAccounts/fileServices: r w",
            "storageAccounts/fileServices/shares: r w d lease restore",
            "storageAccounts/fileServices/fileshares/files: @read @write @delete @modifypermissions @readFileBackupSemantics @writeFileBackupSemantics",
            "+storageAccounts/queueServices: r w",
            "storageAccounts/queueServices/queues: r w d",
            "storageAccounts/queueServices/queues/messages: @read @write @delete @add @process",
            "+storageAccounts/tableServices: r w",
            "storageAccounts/tableServices/tables: r w d",
            "storageAccounts/tableServices/tables/entities: @read @write @delete @add @update",
            "storageAccounts/managementPolicies: r w d",
            "storageAccounts/encryptionScopes: r w",
            "storageAccounts/localUsers: r w d listKeys regeneratePassword",
            "storageAccounts/objectReplicationPolicies: r w d",
            "storageAccounts/inventoryPolicies: r w d",
            "deletedAccounts: r",
            "locations/usages: r",
            "locations: deleteVirtualNetworkOrSubnets",
            "skus: r",
        ],
    ),
    (
        "Microsoft.Support",
        "Azure support",
        &[
            ": register lookUpResourceId",
            "operations: r",
            "supportTickets: r w",
            "services: r",
            "services/problemClassifications: r",
        ],
    ),
];

/// The sub-resources of `+` (monitoring) and `~` (private link) types.
const MONITORING: &[&str] = &[
    "providers/Microsoft.Insights/diagnosticSettings: r w",
    "providers/Microsoft.Insights/metricDefinitions: r",
    "providers/Microsoft.Insights/logDefinitions: r",
];
const PRIVATE_LINK: &[&str] = &[
    "privateEndpointConnections: r w d",
    "privateLinkResources: r",
];

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A catalogue under construction: types in order, each with its ops.
struct Draft {
    providers: Vec<(&'static str, &'static str)>,
    /// (provider, rt, display, ops)
    types: Vec<(&'static str, &'static str, Option<&'static str>, Vec<Op>)>,
}

impl Draft {
    fn type_mut(&mut self, provider: &'static str, rt: &'static str) -> &mut Vec<Op> {
        let i = match self
            .types
            .iter()
            .position(|t| t.0 == provider && t.1.eq_ignore_ascii_case(rt))
        {
            Some(i) => i,
            None => {
                self.types.push((provider, rt, None, Vec::new()));
                self.types.len() - 1
            }
        };
        &mut self.types[i].3
    }

    fn has_op(&self, name: &str) -> bool {
        self.types
            .iter()
            .any(|t| t.3.iter().any(|o| o.name.eq_ignore_ascii_case(name)))
    }

    fn sample(&mut self, text: &'static str) {
        let doc: Value = serde_json::from_str(text).expect("a sample operation file is valid JSON");
        let provider = leak(doc["name"].as_str().expect("a provider name").to_string());
        let display = leak(doc["displayName"].as_str().unwrap_or(provider).to_string());
        self.providers.push((provider, display));
        let op = |o: &Value, rt: &'static str| Op {
            name: leak(o["name"].as_str().expect("an operation name").to_string()),
            provider,
            rt,
            data: o["isDataAction"].as_bool().unwrap_or(false),
            display: o["displayName"].as_str().map(|s| leak(s.to_string())),
            description: o["description"].as_str().map(|s| leak(s.to_string())),
            origin: o["origin"].as_str().map(|s| leak(s.to_string())),
        };
        let top: Vec<Op> = doc["operations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| op(o, ""))
            .collect();
        if !top.is_empty() {
            self.types.push((provider, "", None, top));
        }
        for t in doc["resourceTypes"].as_array().into_iter().flatten() {
            let rt = leak(
                t["name"]
                    .as_str()
                    .expect("a resource type name")
                    .to_string(),
            );
            let ops = t["operations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| op(o, rt))
                .collect();
            let display = t["displayName"].as_str().map(|s| leak(s.to_string()));
            self.types.push((provider, rt, display, ops));
        }
    }

    /// Adds the verbs of one `type: verbs` line (without its markers).
    fn line(&mut self, provider: &'static str, rt: &str, verbs: &str) {
        let rt: &'static str = match self
            .types
            .iter()
            .find(|t| t.0 == provider && t.1.eq_ignore_ascii_case(rt))
        {
            Some(t) => t.1,
            None => leak(rt.to_string()),
        };
        for verb in verbs.split_whitespace() {
            let (data, verb) = match verb.strip_prefix('@') {
                Some(v) => (true, v),
                None => (false, verb),
            };
            let verb = match verb {
                "r" => "read".to_string(),
                "w" => "write".to_string(),
                "d" => "delete".to_string(),
                v if v.contains('/')
                    || v == "action"
                    || (data && matches!(v, "read" | "write" | "delete")) =>
                {
                    v.to_string()
                }
                v => format!("{v}/action"),
            };
            let name = if rt.is_empty() {
                format!("{provider}/{verb}")
            } else {
                format!("{provider}/{rt}/{verb}")
            };
            if self.has_op(&name) {
                continue;
            }
            let op = Op {
                name: leak(name),
                provider,
                rt,
                data,
                display: None,
                description: None,
                origin: Some(if data { "user" } else { "user,system" }),
            };
            self.type_mut(provider, rt).push(op);
        }
    }
}

fn build() -> Catalogue {
    let mut d = Draft {
        providers: Vec::new(),
        types: Vec::new(),
    };
    for text in SAMPLE_FILES {
        d.sample(text);
    }
    for &(provider, display, lines) in GENERATED {
        let provider: &'static str = match d.providers.iter().find(|p| p.0 == provider) {
            Some(p) => p.0,
            None => {
                d.providers.push((provider, display));
                provider
            }
        };
        for line in lines {
            let (head, verbs) = line.split_once(':').expect("`type: verbs`");
            let monitoring = head.contains('+');
            let private_link = head.contains('~');
            let rt = head.trim_start_matches(['+', '~']).trim();
            d.line(provider, rt, verbs);
            let subs = monitoring
                .then_some(MONITORING)
                .into_iter()
                .chain(private_link.then_some(PRIVATE_LINK))
                .flatten();
            for sub in subs {
                let (sub_rt, verbs) = sub.split_once(':').expect("`type: verbs`");
                d.line(provider, &format!("{rt}/{sub_rt}"), verbs);
            }
        }
    }
    // Providers in name order; within one, the types in the order they came.
    d.providers.sort_by_key(|p| p.0.to_ascii_lowercase());
    let mut ops = Vec::new();
    let mut types = Vec::new();
    for &(provider, _) in &d.providers {
        for (p, rt, display, list) in &d.types {
            if *p != provider || list.is_empty() {
                continue;
            }
            let start = ops.len();
            ops.extend(list.iter().cloned());
            types.push(ResourceType {
                provider,
                rt,
                display: *display,
                ops: start..ops.len(),
            });
        }
    }
    Catalogue {
        ops,
        types,
        displays: d.providers,
    }
}

static BUILT: OnceLock<Catalogue> = OnceLock::new();

impl Catalogue {
    /// The catalogue (built on first use, then copied).
    pub(crate) fn load() -> Catalogue {
        BUILT.get_or_init(build).clone()
    }

    pub(crate) fn providers(&self) -> Vec<&'static str> {
        self.displays.iter().map(|p| p.0).collect()
    }

    fn provider_display(&self, provider: &str) -> &'static str {
        self.displays
            .iter()
            .find(|p| p.0 == provider)
            .map_or("Resource provider", |p| p.1)
    }

    /// Every operation whose resource type is `rt` or below it, in one provider.
    pub(crate) fn under(&self, provider: &str, rt: &str) -> Vec<&Op> {
        self.ops
            .iter()
            .filter(|o| {
                o.provider == provider
                    && (rt.is_empty()
                        || o.rt == rt
                        || (o.rt.len() > rt.len()
                            && o.rt.starts_with(rt)
                            && o.rt.as_bytes()[rt.len()] == b'/'))
            })
            .collect()
    }

    /// The operation of this name (any case).
    pub(crate) fn find(&self, name: &str) -> Option<&Op> {
        self.ops.iter().find(|o| o.name.eq_ignore_ascii_case(name))
    }
}

fn describe(op: &Op) -> (String, String) {
    let what = if op.rt.is_empty() {
        "the resource provider".to_string()
    } else {
        super::names::humanize(op.rt).to_lowercase()
    };
    let verb = op.verb();
    let (display, desc) = match verb.to_ascii_lowercase().as_str() {
        "read" => (format!("Read {what}"), format!("Gets or lists {what}.")),
        "write" => (
            format!("Create or update {what}"),
            format!("Creates or updates {what}."),
        ),
        "delete" => (format!("Delete {what}"), format!("Deletes {what}.")),
        _ => {
            let action = verb.trim_end_matches("/action");
            let action = super::names::humanize(action);
            (
                format!("{action} {what}"),
                format!("Performs the {action} action on {what}."),
            )
        }
    };
    (display, desc)
}

fn op_json(op: &Op) -> Value {
    let (display, desc) = match (op.display, op.description) {
        (Some(d), Some(x)) => (d.to_string(), x.to_string()),
        _ => describe(op),
    };
    json!({
        "description": desc,
        "displayName": display,
        "isDataAction": op.data,
        "name": op.name,
        "origin": op.origin,
        "properties": null,
    })
}

/// Writes `operations/<provider>.json` for every provider.
pub(crate) fn write(cat: &Catalogue, out: &Path) -> Result<Vec<Written>, SynthError> {
    let dir = out.join("operations");
    std::fs::create_dir_all(&dir).map_err(|e| SynthError::Io {
        path: dir.display().to_string(),
        source: e,
    })?;
    let mut written = Vec::new();
    for provider in cat.providers() {
        let mut top = Vec::new();
        let mut types = Vec::new();
        let mut count = 0;
        for t in cat.types.iter().filter(|t| t.provider == provider) {
            let ops: Vec<Value> = cat.ops[t.ops.clone()].iter().map(op_json).collect();
            count += ops.len();
            if t.rt.is_empty() {
                top.extend(ops);
            } else {
                let display = t
                    .display
                    .map_or_else(|| super::names::humanize(t.rt), str::to_string);
                types.push(json!({
                    "displayName": display,
                    "name": t.rt,
                    "operations": ops,
                }));
            }
        }
        let doc = json!({
            "displayName": cat.provider_display(provider),
            "id": format!("/providers/Microsoft.Authorization/providerOperations/{provider}"),
            "name": provider,
            "operations": top,
            "resourceTypes": types,
            "type": "Microsoft.Authorization/providerOperations",
        });
        let path = dir.join(format!("{}.json", provider.to_ascii_lowercase()));
        let mut text = serde_json::to_vec_pretty(&doc).expect("serialisable");
        text.push(b'\n');
        std::fs::write(&path, &text).map_err(|e| SynthError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        written.push(Written {
            records: count,
            bytes: text.len() as u64,
        });
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_realistic() {
        let cat = Catalogue::load();
        assert!(cat.ops.len() >= 1000, "{}", cat.ops.len());
        assert!(cat.ops.iter().filter(|o| o.data).count() >= 50);
        assert!(cat.providers().len() >= 8);
        assert!(cat.ops.iter().all(|o| !o.name.contains('*')));
        let c = cat
            .find("Microsoft.MachineLearningServices/workspaces/computes/start/action")
            .unwrap();
        assert_eq!(c.rt, "workspaces/computes");
        assert_eq!(c.verb(), "start/action");
        assert!(cat
            .under("Microsoft.MachineLearningServices", "workspaces")
            .iter()
            .any(|o| o.rt == "workspaces/computes"));
        // Runs are contiguous: each (provider, rt) appears once.
        let mut seen = std::collections::HashSet::new();
        for t in &cat.types {
            assert!(seen.insert((t.provider, t.rt)), "{} {}", t.provider, t.rt);
        }
        // Names are unique, and each starts with its provider and resource type.
        let mut names = std::collections::HashSet::new();
        for o in &cat.ops {
            assert!(
                names.insert(o.name.to_ascii_lowercase()),
                "{} twice",
                o.name
            );
            let prefix = if o.rt.is_empty() {
                format!("{}/", o.provider)
            } else {
                format!("{}/{}/", o.provider, o.rt)
            };
            assert!(
                o.name
                    .to_ascii_lowercase()
                    .starts_with(&prefix.to_ascii_lowercase()),
                "{} is not under {prefix}",
                o.name
            );
            assert!(!o.verb().is_empty(), "{}", o.name);
        }
    }

    #[test]
    fn the_sample_catalogues_are_kept_whole() {
        let cat = Catalogue::load();
        for text in SAMPLE_FILES {
            let doc: Value = serde_json::from_str(text).unwrap();
            let listed = doc["operations"].as_array().unwrap().iter().chain(
                doc["resourceTypes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|t| t["operations"].as_array().unwrap()),
            );
            for o in listed {
                let name = o["name"].as_str().unwrap();
                let op = cat
                    .find(name)
                    .unwrap_or_else(|| panic!("{name} is missing"));
                assert_eq!(op.data, o["isDataAction"].as_bool().unwrap(), "{name}");
                assert_eq!(op.description, o["description"].as_str(), "{name}");
            }
        }
        let blob = cat
            .find("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read")
            .unwrap();
        assert!(blob.data);
    }

    #[test]
    fn verbs_expand_as_documented() {
        let cat = Catalogue::load();
        let op = |n: &str| cat.find(n).unwrap_or_else(|| panic!("{n} is missing"));
        assert!(!op("Microsoft.Compute/virtualMachines/start/action").data);
        assert!(op("Microsoft.Compute/virtualMachines/login/action").data);
        assert!(op("Microsoft.KeyVault/vaults/secrets/getSecret/action").data);
        assert!(op("Microsoft.KeyVault/vaults/certificates/read").data);
        assert!(!op("Microsoft.KeyVault/vaults/secrets/read").data);
        assert!(op("Microsoft.ContainerRegistry/registries/pull/read").data);
        assert_eq!(
            op("Microsoft.Network/connections/sharedKey/read").verb(),
            "sharedKey/read"
        );
        assert_eq!(op("Microsoft.Compute/register/action").rt, "");
        op("Microsoft.Compute/virtualMachines/providers/Microsoft.Insights/metricDefinitions/read");
        op("Microsoft.KeyVault/vaults/privateEndpointConnections/delete");
        // Appended to a sampled type, which stays one run.
        assert_eq!(
            op("Microsoft.Storage/storageAccounts/listAccountSas/action").rt,
            "storageAccounts"
        );
    }
}
