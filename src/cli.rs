//! Every clap struct of the command line. Parsing only: no work happens here.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// The database every command reads and writes unless `--db` or `WHOCAN_DB`
/// names another: `whocan.db` in the current directory.
pub(crate) const DEFAULT_DB: &str = "whocan.db";

#[derive(Debug, Parser)]
#[command(
    name = "whocan",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (",
        env!("WHOCAN_BUILD_COMMIT"),
        " ",
        env!("WHOCAN_BUILD_DATE"),
        ")"
    ),
    about = "Who can do X on Azure Machine Learning workspace W, and why?",
    long_about = "whocan imports Azure and Entra ID exports (role definitions, role assignments, \
deny assignments, PIM eligibility, users, groups, nested memberships, the management-group \
tree, resources, provider operations) into dated snapshots in a local SQLite database, and \
answers who-can and can-I questions offline, with the full path that grants each access.\n\n\
The database is whocan.db in the current directory unless --db FILE (or WHOCAN_DB) names another; \
`whocan demo --keep whocan.db` makes one from the bundled sample tenant to explore.",
    after_help = "Examples:\n  whocan demo\n  whocan import --label 2026-Q4 exports/\n  whocan who Microsoft.MachineLearningServices/workspaces/computes/write --workspace ml-prod --explain\n  whocan can alice.nguyen@contoso.com Microsoft.MachineLearningServices/workspaces/delete --workspace ml-prod"
)]
pub struct Cli {
    /// The SQLite database file. By default whocan.db in the current directory
    /// (the directory whocan is run from), or the file WHOCAN_DB names.
    #[arg(long, global = true, env = "WHOCAN_DB", default_value = DEFAULT_DB)]
    pub(crate) db: PathBuf,

    /// Colour access levels and severities in tables: auto (a terminal, unless
    /// NO_COLOR is set), always, never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub(crate) color: crate::report::style::ColorChoice,

    #[command(subcommand)]
    pub(crate) command: Command,

    /// Whether `--db` was given on the command line (not `WHOCAN_DB`, not the
    /// default): `demo` then keeps its database there.
    #[arg(skip)]
    pub(crate) db_on_command_line: bool,
}

impl Cli {
    /// The command line parsed (exiting with clap's message on a usage error),
    /// noting whether `--db` was on it.
    pub fn parse_command_line() -> Cli {
        let matches = Cli::command()
            .try_get_matches()
            .unwrap_or_else(|e| usage_exit(e));
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| usage_exit(e));
        cli.db_on_command_line = matches.value_source("db") == Some(ValueSource::CommandLine);
        cli
    }

    /// Whether the command reads export files into a new snapshot (`import`, and
    /// `collect`, which can import what it wrote): its memory peaks while the files
    /// are parsed, and what the parse frees is not asked for again.
    pub fn reads_files_into_a_snapshot(&self) -> bool {
        matches!(self.command, Command::Import(_) | Command::Collect(_))
    }
}

/// A usage error: clap's message (escaped, as every text printed is), its
/// closing "try '--help'" line turned into a `hint:` naming the command's own
/// help, exit 2. Help and version requests print as clap prints them.
fn usage_exit(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit()
    }
    let text = e.render().to_string();
    let command = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("Usage: whocan "))
        .and_then(|rest| rest.split_whitespace().next())
        .filter(|w| !w.starts_with(['[', '<', '-']))
        .map(str::to_string)
        .or_else(|| {
            // No usage line (an invalid value): the first argument that names
            // a command.
            let names: Vec<String> = Cli::command()
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            std::env::args().skip(1).find(|a| names.contains(a))
        });
    let hint = match command {
        Some(c) => format!("hint: `whocan {c} --help` lists its arguments, with examples"),
        None => "hint: `whocan --help` lists the commands; `whocan COMMAND --help` each \
                 one's arguments, with examples"
            .to_string(),
    };
    let body: Vec<&str> = text
        .trim_end()
        .lines()
        .filter(|l| !l.starts_with("For more information, try"))
        .collect();
    let message = format!("{}\n{hint}\n", body.join("\n").trim_end());
    let mut err = std::io::stderr().lock();
    let _ = std::io::Write::write_all(
        &mut err,
        crate::report::text::sanitize_lines(&message).as_bytes(),
    );
    std::process::exit(2)
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Import export files and directories (recursively) as one new snapshot.
    #[command(
        after_help = "Each file's kind is recognised from its content; a group-member file \
is named after its group's object id (members/<group-id>.json).\n\nExamples:\n  whocan import exports/\n  whocan import --label 2026-Q4 --taken-at 2026-10-01T00:00:00Z roles.json assignments.json members/"
    )]
    Import(ImportArgs),
    /// List the snapshots in the database.
    #[command(
        after_help = "Each snapshot: id, label, when the exports were taken and imported, content hash, \
tool version, and whether its collection (`whocan collect`) was complete. With --flags, \
every flag an import raised instead (orphaned assignments, undefined roles, groups whose \
members were not imported...).\n\nExamples:\n  \
whocan snapshots\n  whocan snapshots --format csv > snapshots.csv\n  \
whocan snapshots --flags 1 --format csv > flags.csv\n  \
whocan who Microsoft.MachineLearningServices/workspaces/delete -w ml-prod --snapshot 1"
    )]
    Snapshots(SnapshotsArgs),
    /// Every principal that can do all of ACTION... at a scope, and why.
    #[command(
        after_help = "Examples:\n  whocan who Microsoft.MachineLearningServices/workspaces/computes/write --workspace ml-prod\n  whocan who --activity submit-run-v2 --workspace ml-dev --explain\n  whocan who Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read --data --format json --scope /subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-dev/providers/Microsoft.Storage/storageAccounts/stcontosomldev01"
    )]
    Who(WhoArgs),
    /// Can PRINCIPAL do ACTION... at a scope? Exit 0 if yes, 1 if no; says why and why not.
    #[command(
        after_help = "PRINCIPAL is an object id, an appId, a user principal name, a mail address or a display name (case and accents do not matter).\n\nExamples:\n  whocan can alice.nguyen@contoso.com Microsoft.MachineLearningServices/workspaces/delete --workspace ml-prod\n  whocan can contoso-mlops-deploy --activity submit-run-v1 --workspace ml-test --explain"
    )]
    Can(CanArgs),
    /// The concrete operations (from the imported catalogue) a principal can do at a scope.
    #[command(
        after_help = "Examples:\n  whocan what alice.nguyen@contoso.com --workspace ml-dev\n  whocan what alice.nguyen@contoso.com --workspace ml-dev --provider Microsoft.Authorization"
    )]
    What(WhatArgs),
    /// List the AzureML activities that `--activity` accepts and what each requires.
    #[command(
        after_help = "Examples:\n  whocan activities\n  whocan activities --format json\n  \
whocan who --activity submit-run-v2 -w ml-dev\n  \
whocan can alice.nguyen@contoso.com --activity deploy-model -w ml-prod --explain"
    )]
    Activities(ActivitiesArgs),
    /// Import the bundled sample tenant into a scratch database and answer the main questions.
    #[command(after_help = "Examples:\n  whocan demo\n  \
whocan demo --keep whocan.db && whocan who --activity submit-run-v2 -w ml-dev   # whocan.db: the default --db")]
    Demo(DemoArgs),
    /// The quarterly access-review sheet (its columns: docs/contract.md §5); `review apply` records decisions, `review plan` prints the commands that carry out removals.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  whocan review --workspace ml-prod --out ml-prod-2026Q4.csv\n  whocan review --all-workspaces --html review.html\n  whocan review apply ml-prod-2026Q4.csv --reviewer 'Olivia Bennett'   # once reviewers filled `decision`\n  whocan review plan --workspace ml-prod"
    )]
    Review(ReviewArgs),
    /// Effective access gained and lost between two snapshots, each traced to its cause.
    #[command(
        after_help = "FROM and TO are two snapshots: import again (or `whocan collect --import` again) \
to have a second one; the demo's database has one.\n\nExamples:\n  whocan diff 1 2\n  whocan diff 2026-07-01 2026-10-01 --workspace ml-prod --format csv"
    )]
    Diff(DiffArgs),
    /// Recompute every snapshot's content and chain hashes (provenance included) and the review
    /// trail's chain; report the first break. With --receipt, also prove a receipt from `seal`.
    #[command(
        after_help = "Exit 0 when everything verifies, 1 at the first break (named on stderr).\n\nExamples:\n  whocan verify\n  whocan verify --receipt receipts/2026-Q4.json --public-key ~/keys/auditor.key.pub"
    )]
    Verify(VerifyArgs),
    /// Sign the current chain heads (latest snapshot, latest review apply) with an Ed25519 key:
    /// a receipt to keep outside the database. `--new-key FILE` makes a key pair.
    #[command(
        after_help = "Keys are PEM (PKCS#8 private key, SubjectPublicKeyInfo public key), as OpenSSL \
writes them; a key file holding 64 hex digits (the raw 32-byte key) is read too.\n\nExamples:\n  \
whocan seal --new-key ~/keys/auditor.key          # also writes ~/keys/auditor.key.pub\n  \
whocan seal --key ~/keys/auditor.key --out receipts/2026-Q4.json\n  \
whocan verify --receipt receipts/2026-Q4.json --public-key ~/keys/auditor.key.pub"
    )]
    Seal(SealArgs),
    /// Findings: notActions gotchas, V1/V2 gaps, unknown actions, Owner-like custom roles, orphans, limits, risky holders.
    #[command(
        after_help = "Examples:\n  whocan lint\n  whocan lint --workspace ml-prod --format json"
    )]
    Lint(LintArgs),
    /// Export a live tenant through ARM and Microsoft Graph into DIR (the shapes `import` reads), with a completeness ledger.
    #[command(
        after_help = "Tokens come from WHOCAN_ARM_TOKEN / WHOCAN_GRAPH_TOKEN, else from the Azure CLI \
(`az account get-access-token`). A token is sent only to its own host. DIR/collection.json records \
every read (complete, forbidden, throttled, failed, refused, pending, skipped: left out by \
--subscription or --management-group, which answers about it then say).\n\nExamples:\n  \
whocan collect --out exports/2026-11-30\n  \
whocan collect --out exports/2026-11-30 --import --db whocan.db\n  \
whocan collect --out exports/2026-11-30 --resume --import\n  \
whocan collect --out exports/ml --subscription c90828fc-bcbf-42ea-b475-9b27bdc92563"
    )]
    Collect(CollectArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Examples:\n  \
mkdir -p ~/.local/share/bash-completion/completions && whocan completions bash > ~/.local/share/bash-completion/completions/whocan\n  \
whocan completions zsh > \"${fpath[1]}/_whocan\"\n  \
mkdir -p ~/.config/fish/completions && whocan completions fish > ~/.config/fish/completions/whocan.fish\n  \
whocan completions powershell >> $PROFILE")]
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    #[command(
        after_help = "Examples:\n  whocan man | man -l -\n  mkdir -p ~/.local/share/man/man1 && whocan man --dir ~/.local/share/man/man1   # whocan.1, whocan-who.1, ..."
    )]
    Man(ManArgs),
    /// List the AzureML workspaces of a snapshot: resource group, subscription, computes, and how many role assignments apply.
    #[command(
        after_help = "Examples:\n  whocan workspaces\n  whocan workspaces --subscription contoso-ml\n  whocan workspaces --resource-group rg-ml-prod --format csv"
    )]
    Workspaces(WorkspacesArgs),
    /// List the principals of a snapshot (users, groups, service principals), to find the names and ids to ask about.
    #[command(
        after_help = "Each principal once: its display name, type, user principal name (or a service \
principal's appId) and notes (guest, disabled, managed identity, in no directory listing); JSON and \
CSV add the object id and mail. --match keeps those whose name, user principal name, mail, appId or \
object id contains TEXT (case and accents do not matter).\n\nExamples:\n  \
whocan principals\n  \
whocan principals --kind group\n  \
whocan principals --match alice\n  \
whocan principals --kind sp --format csv"
    )]
    Principals(PrincipalsArgs),
    /// Show a principal: its record, groups (with the chain), role assignments, PIM eligibilities and the deny assignments that name it.
    #[command(
        after_help = "PRINCIPAL is an object id, an appId, a user principal name, a mail address or a display name (case and accents do not matter).\n\nExamples:\n  whocan show alice.nguyen@contoso.com\n  whocan show 'ML Data Scientists' --format json\n  whocan show c4442b4c-3f09-43d2-ab29-d207a2785da0 --snapshot 1   # a service principal by its appId"
    )]
    Show(ShowArgs),
    /// List a group's members: direct, or with --transitive every member below it with the chain of groups.
    #[command(
        after_help = "GROUP is a group's object id or display name (case and accents do not matter).\n\nExamples:\n  whocan members 'ML Data Scientists'\n  whocan members 'All ML Staff' --transitive\n  whocan members 0fcf8172-419d-4941-8ee4-dc3ae034c065 --transitive --format csv"
    )]
    Members(MembersArgs),
    /// Show a role definition: its permission blocks, whether it is privileged, and its assignments.
    #[command(
        after_help = "ROLE is a role name (case and accents do not matter), a role GUID, or a role definition id.\n\nExamples:\n  whocan role Contributor\n  whocan role 'AzureML Data Scientist' --assignments\n  whocan role b24988ac-6180-42a0-ab88-20f7382dd24c --format json"
    )]
    Role(RoleArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write whocan.1 and one page per subcommand (whocan-who.1, ...) into DIR
    /// instead of printing whocan.1.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct WorkspacesArgs {
    /// Only the workspaces of this subscription (its id or display name).
    #[arg(long, value_name = "ID")]
    pub(crate) subscription: Option<String>,
    /// Only the workspaces of this resource group (its name).
    #[arg(long, value_name = "RG")]
    pub(crate) resource_group: Option<String>,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub(crate) struct PrincipalsArgs {
    /// Only principals of this kind (sp: service principals, managed identities
    /// included).
    #[arg(long, value_enum)]
    pub(crate) kind: Option<PrincipalKindArg>,
    /// Only principals whose display name, user principal name, mail, appId or
    /// object id contains TEXT (case and accents do not matter).
    #[arg(long = "match", value_name = "TEXT")]
    pub(crate) matching: Option<String>,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

/// The kinds `principals --kind` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PrincipalKindArg {
    User,
    Group,
    /// Service principals, managed identities included.
    #[value(name = "sp", alias = "service-principal")]
    ServicePrincipal,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Object id, appId, user principal name, mail or display name.
    pub(crate) principal: String,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub(crate) struct MembersArgs {
    /// The group: object id or display name.
    pub(crate) group: String,
    /// Every member below the group (members of its member groups, and so on),
    /// each with the chain of groups that leads to it.
    #[arg(long)]
    pub(crate) transitive: bool,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RoleArgs {
    /// Role name, GUID or role definition id.
    pub(crate) role: String,
    /// List the role's assignments and eligibilities (default: only how many).
    #[arg(long)]
    pub(crate) assignments: bool,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Directory to write (new or empty, unless --resume).
    #[arg(short = 'o', long)]
    pub out: PathBuf,
    /// Then import DIR into --db as one snapshot, as `whocan import DIR` does.
    #[arg(long)]
    pub import: bool,
    /// Read only these subscriptions (repeatable; default: every subscription listed). The others are recorded as skipped; an id the tenant does not list is refused.
    #[arg(long = "subscription", value_name = "ID")]
    pub subscriptions: Vec<String>,
    /// Read roles and assignments only at these management groups (repeatable; a group's name, the last segment of its id, or the whole id; default: every one in the tree). The others are recorded as skipped; one the tree does not hold is refused.
    #[arg(long = "management-group", value_name = "NAME")]
    pub management_groups: Vec<String>,
    /// Azure Resource Manager base URL.
    #[arg(long, default_value = "https://management.azure.com")]
    pub arm_url: String,
    /// Microsoft Graph base URL.
    #[arg(long, default_value = "https://graph.microsoft.com")]
    pub graph_url: String,
    /// How many requests at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Continue an interrupted collection in DIR: re-read only what is not complete.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReviewArgs {
    #[command(subcommand)]
    pub(crate) action: Option<ReviewAction>,
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
    /// Review every AzureML workspace of the snapshot.
    #[arg(long, conflicts_with_all = ["scope", "workspace"])]
    pub(crate) all_workspaces: bool,
    /// Write the CSV sheet to this file instead of stdout.
    #[arg(short = 'o', long)]
    pub(crate) out: Option<PathBuf>,
    /// Also write the review as one self-contained HTML report (summary, charts,
    /// findings, access by principal; prints to PDF).
    #[arg(long)]
    pub(crate) html: Option<PathBuf>,
    /// Also write the review as an Excel workbook (a summary sheet, and the rows
    /// with a decision drop-down) that `review apply` reads back.
    #[arg(long)]
    pub(crate) xlsx: Option<PathBuf>,
    /// Output format [default: table on a terminal; CSV when piped or with --out
    /// (the review sheet)]. `--output` (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    /// Refuse (exit 2, nothing written) a review of more rows than this; the rows
    /// are counted before any is written.
    #[arg(long, value_name = "N")]
    pub(crate) max_rows: Option<usize>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReviewAction {
    /// Record the decisions of a filled review sheet (decision: approve, remove or flag).
    #[command(
        after_help = "Examples:\n  whocan review apply ml-prod-2026Q4.csv --reviewer 'Olivia Bennett'\n  \
whocan review apply ml-prod-2026Q4.xlsx --reviewer olivia.bennett@contoso.com"
    )]
    Apply(ReviewApplyArgs),
    /// Print the az commands that would carry out the recorded `remove` decisions.
    #[command(
        after_help = "Nothing is run: the commands are printed for a person to check and run.\n\n\
Examples:\n  whocan review plan -w ml-prod\n  whocan review plan --all-workspaces > removals.sh"
    )]
    Plan(ReviewPlanArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ReviewApplyArgs {
    /// The filled sheet: the CSV, or the workbook of `review --xlsx`.
    pub(crate) file: PathBuf,
    /// Who reviewed, recorded in the audit trail (default: $USER; one of the two is
    /// required).
    #[arg(long)]
    pub(crate) reviewer: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ReviewPlanArgs {
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
    /// Plan the removals recorded for every AzureML workspace of the snapshot.
    #[arg(long, conflicts_with_all = ["scope", "workspace"])]
    pub(crate) all_workspaces: bool,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The earlier snapshot: an id, or a date (the latest snapshot taken at or before it).
    pub(crate) from: String,
    /// The later snapshot: an id, or a date.
    pub(crate) to: String,
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
    /// Only changes of this principal (object id, UPN or display name).
    #[arg(long)]
    pub(crate) principal: Option<String>,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    /// A receipt written by `whocan seal`: prove its signature and that the database still
    /// holds exactly the chain heads it sealed.
    #[arg(long, value_name = "FILE", requires = "public_key")]
    pub(crate) receipt: Option<PathBuf>,
    /// The public key the receipt must be signed with (never taken from the receipt itself).
    #[arg(long, value_name = "KEY", requires = "receipt")]
    pub(crate) public_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SealArgs {
    /// Create a new Ed25519 key pair: FILE (the private key, mode 0600) and FILE.pub. Refuses
    /// to overwrite either.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["key", "out"])]
    pub(crate) new_key: Option<PathBuf>,
    /// The private key to sign with.
    #[arg(long, value_name = "FILE", required_unless_present = "new_key")]
    pub(crate) key: Option<PathBuf>,
    /// Write the receipt here (mode 0600; refuses to overwrite an existing receipt) instead
    /// of to stdout.
    #[arg(short = 'o', long, value_name = "RECEIPT")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Graph {
    Dot,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Files or directories to read (directories recursively).
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// A label for the snapshot, e.g. 2026-Q4.
    #[arg(long)]
    pub(crate) label: Option<String>,
    /// When the exports were taken (RFC 3339; default: now, UTC).
    #[arg(long)]
    pub(crate) taken_at: Option<String>,
    /// Output format of the summary [default: table on a terminal, JSON when
    /// piped]. `--output` (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
}

#[derive(Debug, Args)]
pub(crate) struct SnapshotsArgs {
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    /// List every flag the import of snapshot ID raised (the latest without an
    /// ID): its kind, the object it is about and what it says. `import` shows
    /// a few examples of each kind; this lists them all.
    #[arg(long, value_name = "ID", num_args = 0..=1)]
    pub(crate) flags: Option<Option<i64>>,
}

/// Which snapshot to read.
#[derive(Debug, Args, Clone)]
pub struct SnapshotArgs {
    /// Read this snapshot id instead of the latest.
    #[arg(long, conflicts_with = "as_of")]
    pub snapshot: Option<i64>,
    /// Read the latest snapshot taken at or before this date (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub as_of: Option<String>,
}

/// Where to ask.
#[derive(Debug, Args, Clone)]
pub struct ScopeArgs {
    /// Target scope (a resource id, resource group, subscription, management group or /).
    #[arg(short = 's', long, conflicts_with = "workspace")]
    pub scope: Option<String>,
    /// Target an AzureML workspace by name or resource id (or a compute as
    /// WORKSPACE/COMPUTE).
    #[arg(short = 'w', long)]
    pub workspace: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct WhoArgs {
    /// Actions, e.g. Microsoft.MachineLearningServices/workspaces/computes/write.
    #[arg(required_unless_present = "activity")]
    pub(crate) actions: Vec<String>,
    /// An AzureML activity instead of actions (see `whocan activities`).
    #[arg(long, conflicts_with = "actions")]
    pub(crate) activity: Option<String>,
    /// With --activity: every grant of every required operation (default: one
    /// per operation, the nearest path).
    #[arg(long, requires = "activity")]
    pub(crate) all_paths: bool,
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
    /// Treat the actions as data actions (otherwise the catalogue's isDataAction decides).
    #[arg(long)]
    pub(crate) data: bool,
    /// Ask about an action that its provider's imported catalogue does not list.
    #[arg(long)]
    pub(crate) allow_unknown_action: bool,
    /// List groups that hold the access as well.
    #[arg(long)]
    pub(crate) include_groups: bool,
    /// Print every path: groups, assignment, role, scope, matching pattern.
    #[arg(long)]
    pub(crate) explain: bool,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    /// Write the access paths as a Graphviz graph to stdout instead.
    #[arg(long, value_enum)]
    pub(crate) graph: Option<Graph>,
    /// Tenant-wide: every principal that can do ACTION... at some scope, and where
    /// (the scopes of the assignments that grant it; e.g. `whocan who --anywhere
    /// Microsoft.Authorization/roleAssignments/write`).
    #[arg(long, conflicts_with_all = ["scope", "workspace", "activity", "graph", "explain", "effective"])]
    pub(crate) anywhere: bool,
    /// Besides RBAC's answer, who can reach the access through documented
    /// escalation steps (grant themselves a role, storage keys, a managed
    /// identity, a datastore's secret), each with its chain (see README,
    /// "Escalation").
    #[arg(long, conflicts_with = "graph")]
    pub(crate) effective: bool,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CanArgs {
    /// Object id, appId, user principal name, mail or display name (case and
    /// accents do not matter).
    pub(crate) principal: String,
    /// Actions to check.
    #[arg(required_unless_present = "activity")]
    pub(crate) actions: Vec<String>,
    /// An AzureML activity instead of actions (see `whocan activities`).
    #[arg(long, conflicts_with = "actions")]
    pub(crate) activity: Option<String>,
    /// With --activity: every grant of every required operation (default: one
    /// per operation, the nearest path).
    #[arg(long, requires = "activity")]
    pub(crate) all_paths: bool,
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
    /// Treat the actions as data actions (otherwise the catalogue's isDataAction decides).
    #[arg(long)]
    pub(crate) data: bool,
    /// Ask about an action that its provider's imported catalogue does not list.
    #[arg(long)]
    pub(crate) allow_unknown_action: bool,
    /// Print every path and every reason why not: notActions exclusions, deny
    /// assignments, eligibility windows, roles held at other scopes.
    #[arg(long)]
    pub(crate) explain: bool,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    /// Write the access paths as a Graphviz graph to stdout instead.
    #[arg(long, value_enum)]
    pub(crate) graph: Option<Graph>,
    /// When RBAC says no: whether the principal can reach the access through
    /// documented escalation steps, and the chain (exit 0 when one does).
    #[arg(long, conflicts_with = "graph")]
    pub(crate) effective: bool,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub(crate) struct WhatArgs {
    /// Object id, appId, user principal name, mail or display name.
    pub(crate) principal: String,
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
    /// Only operations of this provider namespace.
    #[arg(long)]
    pub(crate) provider: Option<String>,
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) snapshot: SnapshotArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ActivitiesArgs {
    /// Output format [default: table on a terminal, JSON when piped]. `--output`
    /// (the az CLI's name) is accepted too.
    #[arg(short = 'f', long, visible_alias = "output", value_enum)]
    pub(crate) format: Option<Format>,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Directory of the sample tenant (default: the sample-data/ shipped with whocan).
    #[arg(long)]
    pub(crate) data: Option<PathBuf>,
    /// Keep the demo's database at this path (a new file) instead of a temporary
    /// one; `whocan --db PATH demo` does the same.
    #[arg(long)]
    pub(crate) keep: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("whocan").chain(args.iter().copied()))
            .expect("valid command line")
    }

    /// `main` keeps freed memory for every command but these two (see its
    /// `keep_freed_memory`).
    #[test]
    fn only_import_and_collect_read_files_into_a_snapshot() {
        assert!(parse(&["import", "exports/"]).reads_files_into_a_snapshot());
        assert!(parse(&["collect", "--out", "dir"]).reads_files_into_a_snapshot());
        for other in [
            vec![
                "who",
                "Microsoft.MachineLearningServices/workspaces/read",
                "--workspace",
                "w",
            ],
            vec![
                "can",
                "p",
                "Microsoft.MachineLearningServices/workspaces/read",
                "--workspace",
                "w",
            ],
            vec!["diff", "1", "2"],
            vec!["review", "--all-workspaces"],
        ] {
            assert!(!parse(&other).reads_files_into_a_snapshot(), "{other:?}");
        }
    }
}
