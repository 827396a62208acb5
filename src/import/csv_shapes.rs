//! Every CSV input, recognised from its **header row** (SPEC §1): columns are found by
//! name, in any order, case-insensitively, ignoring surrounding white space and quotes
//! and the spaces, dots and underscores inside a name (`Object ID` is `objectId`).
//! An unknown header is an error at `path:1:1` that names every header kind and the
//! columns it needs.
//!
//! Every row must have exactly as many fields as the header (`path:line:column:
//! expected N fields (header ...), found M`, at the first extra field or where the
//! first missing one should start): a row with one field too many used to shift its
//! columns silently. Cells are trimmed (and a cell written as `"..."` after white
//! space is unquoted); a required cell that is empty is an error at its line and
//! column; booleans are `True`/`False` in any case. Lines that are blank or only white
//! space carry nothing and are skipped. Nothing here touches the database.
//!
//! # The kinds and where their headers come from
//!
//! * **`Get-AzRoleAssignment | Export-Csv`** (Windows PowerShell writes a first line
//!   `#TYPE Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment`,
//!   PowerShell 7 does not; every `#TYPE` line before the header is skipped). The
//!   columns are the properties of `PSRoleAssignment`
//!   (Azure/azure-powershell, `src/Resources/Resources/Models.Authorization/
//!   PSRoleAssignment.cs`: `RoleAssignmentId, Scope, DisplayName, SignInName,
//!   RoleDefinitionName, RoleDefinitionId, ObjectId, ObjectType, CanDelegate,
//!   Description, Condition, ConditionVersion`), in the order the cmdlet prints them,
//!   which starts with `RoleAssignmentName` (Microsoft Learn examples of
//!   `Get-AzRoleAssignment` / `New-AzRoleAssignment` output: `RoleAssignmentName,
//!   RoleAssignmentId, Scope, DisplayName, SignInName, RoleDefinitionName,
//!   RoleDefinitionId, ObjectId, ObjectType, CanDelegate, Description,
//!   ConditionVersion, Condition`). `RoleDefinitionId` is a bare GUID; `ObjectType`
//!   `Unknown` is a deleted principal.
//! * **The Azure portal's "Download role assignments" (CSV)** (Access control (IAM) →
//!   Download role assignments): Microsoft Learn, "List Azure role assignments using
//!   the Azure portal" (MicrosoftDocs/azure-docs `articles/role-based-access-control/
//!   role-assignments-list-portal.md`, section *Download role assignments*) names its
//!   `DisplayName`, `SignInName` and `ObjectType` columns (blank without directory
//!   read permission) and shows the file only as a screenshot; its columns are
//!   PowerShell's, so the same reader takes it, needing only `RoleAssignmentId` (or
//!   `RoleAssignmentName`), `Scope`, `ObjectId` and `RoleDefinitionId` (or
//!   `RoleDefinitionName`). A full role definition id is joined on its GUID.
//! * **`Get-AzRoleDefinition | Export-Csv`** (`PSRoleDefinition.cs` in the same
//!   folder: `Name, Id, IsCustom, Description, Actions, NotActions, DataActions,
//!   NotDataActions, AssignableScopes[, Condition, ConditionVersion]`): its list
//!   properties are written as `System.Collections.Generic.List`1[System.String]`, so
//!   the permissions are not in the file. Refused, with a hint to use `ConvertTo-Json`.
//! * **Entra "Download users"** (Microsoft Learn, "Download a list of users in the
//!   Azure portal", MicrosoftDocs/entra-docs `docs/identity/users/
//!   users-bulk-download.md`: `userPrincipalName, displayName, surname, mail,
//!   givenName, objectId, userType, jobTitle, department, accountEnabled,
//!   usageLocation, streetAddress, state, country, physicalDeliveryOfficeName, city,
//!   postalCode, telephoneNumber, mobile, authenticationAlternativePhoneNumber,
//!   authenticationEmail, alternateEmailAddress, ageGroup, consentProvidedForMinor,
//!   legalAgeGroupClassification`; the newer download mirrors the list view's columns,
//!   hence `id` and spaced names are accepted too). Needs `objectId` (or `id`) and
//!   `userPrincipalName`; reads `displayName`, `userType`, `accountEnabled`, `mail`.
//!   `alternateEmailAddress` is read as Graph's `otherMails` (the user's "Other
//!   emails", where a guest's real address often is; MSOnline's
//!   `AlternateEmailAddresses` is Graph's `otherMails`), split on `;` and `,`; an
//!   `otherMails` column is read the same way. `authenticationEmail` (an SSPR method)
//!   is not an address the user is known by and is not read.
//! * **Entra "Download members" of a group** (Microsoft Learn, "Bulk download group
//!   membership list", MicrosoftDocs/entra-docs `docs/identity/users/
//!   groups-bulk-download-members.md`, *Downloaded CSV file format*: `Object ID`,
//!   `User principal name`, `Display name`, `Member type` = User, Group or Service
//!   Principal). Unconfirmed against a real file (`../shared/reference/README.md`
//!   says so), so it is recognised by an id column plus a member-type column
//!   (`Member type`, `objectType` or `@odata.type`), or by an id column in a file named
//!   after a group. The rows do not name their group: the file's stem must be the
//!   group's object id (`<group-object-id>.csv`), as for JSON member files.
//! * **The edge list** `groupId,memberId[,memberType]` ([`super::edges_csv`]).

use std::borrow::Cow;

use crate::model::{
    role_guid_spelled, Assignment, AssignmentSource, MemberEdge, Principal, PrincipalKind,
};

use super::assemble::Content;
use super::edges_csv;
use super::json::{line_col, TextError};
use super::shapes::is_guid;
use super::ReadFile;

/// What one CSV file holds.
#[derive(Debug)]
pub(crate) enum CsvRead {
    /// `groupId,memberId[,memberType]` rows.
    Edges(Vec<MemberEdge>),
    /// PowerShell `Export-Csv` or portal role assignments.
    Assignments(Vec<Assignment>),
    /// Entra "Download users".
    Users(Vec<Principal>),
    /// Entra "Download members" of `group` (the file's stem): the edges, and each
    /// member's identity as the file gives it (`from_member_list: true`).
    Members {
        group: String,
        edges: Vec<MemberEdge>,
        members: Vec<Principal>,
    },
}

impl CsvRead {
    pub(super) fn into_read_file(self) -> ReadFile {
        let (kind, records, content) = match self {
            CsvRead::Edges(edges) => ("group-members", edges.len(), Content::Edges(edges)),
            CsvRead::Assignments(list) => {
                ("role-assignments", list.len(), Content::Assignments(list))
            }
            CsvRead::Users(list) => ("directory", list.len(), Content::Directory(list)),
            CsvRead::Members {
                group,
                edges,
                members,
            } => (
                "group-members",
                edges.len(),
                Content::Members {
                    group,
                    edges,
                    principals: members,
                },
            ),
        };
        ReadFile {
            kind,
            records,
            content,
            partial: false,
        }
    }
}

/// Reads a CSV file's decoded text; `stem` is the file name without its extension.
pub(crate) fn read(text: &str, stem: &str) -> Result<CsvRead, TextError> {
    // As in JSON (`json::refuse_nul`): no export has a NUL, and SQLite's text
    // functions stop at one.
    if let Some(at) = text.find('\0') {
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        return Err(TextError {
            line,
            column,
            message: "a NUL character inside the file: no Azure export has one".into(),
        });
    }
    let table = Table::parse(text)?;
    if table.type_is("PSRoleDefinition") || table.has_any(ROLE_DEFINITION_LISTS) {
        return Err(role_definitions_refused(&table));
    }
    if table.type_is("PSRoleAssignment")
        || table.has_any(&["roleassignmentid", "roleassignmentname"])
        || (table.has("scope")
            && table.has("objectid")
            && table.has_any(&["roledefinitionid", "roledefinitionname"]))
    {
        return assignments(&table).map(CsvRead::Assignments);
    }
    if table.has_any(&["groupid", "memberid"]) {
        return edges_csv::read(&table).map(CsvRead::Edges);
    }
    let id = table.column(ID)?;
    let member_type = table.column(MEMBER_TYPE)?;
    match id {
        Some(id) if member_type.is_some() || is_guid(stem) => members(&table, stem, id),
        Some(id) if table.has("userprincipalname") => users(&table, id).map(CsvRead::Users),
        _ => Err(unknown_header(&table, stem)),
    }
}

const ID: &[&str] = &["objectid", "id"];
const MEMBER_TYPE: &[&str] = &["membertype", "objecttype", "odatatype"];
const ROLE_DEFINITION_LISTS: &[&str] = &[
    "actions",
    "notactions",
    "dataactions",
    "notdataactions",
    "assignablescopes",
];

const EDGES: &str = "a group-member edge list with the header groupId,memberId[,memberType]";
const ASSIGNMENTS: &str = "role assignments as `Get-AzRoleAssignment | Export-Csv` and the \
     Azure portal's \"Download role assignments\" write them (RoleAssignmentId or \
     RoleAssignmentName, Scope, ObjectId, RoleDefinitionId or RoleDefinitionName; also read: \
     DisplayName, SignInName, ObjectType, CanDelegate, Condition, ConditionVersion)";
const USERS: &str = "Entra's \"Download users\" (objectId or id, userPrincipalName; also read: \
     displayName, userType, accountEnabled, mail, alternateEmailAddress)";
const MEMBERS: &str = "Entra's \"Download members\" of a group, in a file named \
     <group-object-id>.csv (Object ID or id, Member type; also read: Display name, User \
     principal name, userType, mail)";

fn unknown_header(table: &Table, stem: &str) -> TextError {
    let mut message = format!(
        "expected {EDGES}; or {ASSIGNMENTS}; or {USERS}; or {MEMBERS}; found the header `{}`",
        table.headers.join(",")
    );
    if let [only] = table.headers.as_slice() {
        if let Some(sep) = [';', '\t'].into_iter().find(|c| only.contains(*c)) {
            message.push_str(&format!(
                " (the header is one field: the file is separated by `{}`, not by commas; \
                 export without -UseCulture or -Delimiter)",
                sep.escape_default()
            ));
        }
    }
    if table.has_any(ID) {
        message.push_str(&format!(
            " (a group's member list without a member-type column is recognised by its name, \
             <group-object-id>.csv; `{stem}` is not a GUID)"
        ));
    }
    TextError {
        line: 1,
        column: 1,
        message,
    }
}

/// `Get-AzRoleDefinition | Export-Csv`: refused, at the first list cell (or the first
/// list column of the header).
fn role_definitions_refused(table: &Table) -> TextError {
    const LIST: &str = "System.Collections.Generic.List";
    let message = format!(
        "expected role definitions with their permissions, found `Get-AzRoleDefinition | \
         Export-Csv` output: Export-Csv writes the list properties (Actions, NotActions, \
         DataActions, NotDataActions, AssignableScopes) as `{LIST}`1[System.String]`, so the \
         roles' permissions are not in the file and no role is imported from it (hint: export \
         with `Get-AzRoleDefinition | ConvertTo-Json -Depth 5 | Out-File roles.json`, or `az \
         role definition list > roles.json`)"
    );
    let mut at = None;
    // Rows of any length: the file is refused whatever they hold.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(table.body().as_bytes());
    let mut record = csv::StringRecord::new();
    while at.is_none() && reader.read_record(&mut record).unwrap_or(false) {
        if let Some(i) = record.iter().position(|c| c.contains(LIST)) {
            let start = table.header_at + record.position().map_or(0, |p| p.byte() as usize);
            at = scan_record(table.text, start).starts.get(i).copied();
        }
    }
    let at = at.or_else(|| {
        let i = table
            .keys
            .iter()
            .position(|k| ROLE_DEFINITION_LISTS.contains(&k.as_str()))?;
        scan_record(table.text, table.header_at)
            .starts
            .get(i)
            .copied()
    });
    let (line, column) = at.map_or((1, 1), |o| line_col(table.text, o));
    TextError {
        line,
        column,
        message,
    }
}

fn assignments(table: &Table) -> Result<Vec<Assignment>, TextError> {
    const KIND: &str = "role assignments (Get-AzRoleAssignment | Export-Csv, or the portal's \
                        \"Download role assignments\")";
    let rid = table.column(&["roleassignmentid"])?;
    let rname = table.column(&["roleassignmentname"])?;
    let scope = table.column(&["scope"])?;
    let oid = table.column(&["objectid"])?;
    let rdid = table.column(&["roledefinitionid"])?;
    let rdname = table.column(&["roledefinitionname"])?;
    let missing = |what: &str| TextError {
        line: 1,
        column: 1,
        message: format!(
            "expected column {what} in {KIND}, found the header `{}`",
            table.headers.join(",")
        ),
    };
    let Some(id_col) = rid.or(rname) else {
        return Err(missing("RoleAssignmentId (or RoleAssignmentName)"));
    };
    let Some(scope) = scope else {
        return Err(missing("Scope"));
    };
    let Some(oid) = oid else {
        return Err(missing("ObjectId"));
    };
    let Some(role_col) = rdid.or(rdname) else {
        return Err(missing("RoleDefinitionId (or RoleDefinitionName)"));
    };
    let display = table.column(&["displayname"])?;
    let sign_in = table.column(&["signinname"])?;
    let object_type = table.column(&["objecttype"])?;
    let can_delegate = table.column(&["candelegate"])?;
    let condition = table.column(&["condition"])?;
    let condition_version = table.column(&["conditionversion"])?;
    let mut out = Vec::new();
    table.rows(|row| {
        let scope = row.required(scope, "the assignment's scope")?;
        let principal_id = row.required(oid, "the principal's object id")?;
        let id = match (row.text(rid), row.text(rname)) {
            (Some(id), _) => id,
            (None, Some(name)) => format!(
                "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
                scope.trim_end_matches('/')
            ),
            (None, None) => {
                return Err(row.error(
                    id_col,
                    format!(
                        "expected the role assignment's id in column {}",
                        table.headers[id_col]
                    ),
                ))
            }
        };
        let role_definition_id = row
            .text(rdid)
            .map(|r| role_guid_spelled(&r).to_string())
            .unwrap_or_default();
        let role_definition_name = row.text(rdname);
        if role_definition_id.is_empty() && role_definition_name.is_none() {
            return Err(row.error(
                role_col,
                "expected the role in column RoleDefinitionId or RoleDefinitionName".to_string(),
            ));
        }
        let principal_type = row.text(object_type).unwrap_or_default();
        let display_name = row.text(display);
        let principal_name = if principal_type.eq_ignore_ascii_case("Unknown") {
            // PowerShell's mark of a deleted principal (SPEC §1).
            Some(String::new())
        } else {
            row.text(sign_in).or_else(|| display_name.clone())
        };
        out.push(Assignment {
            id,
            principal_id,
            principal_type,
            principal_name,
            role_definition_id,
            role_definition_name,
            scope,
            condition: row.text(condition),
            condition_version: row.text(condition_version),
            created_on: None,
            source: AssignmentSource::RoleAssignment,
            start_date_time: None,
            end_date_time: None,
            principal_display_name: display_name,
            can_delegate: row.boolean(can_delegate)?,
        });
        Ok(())
    })?;
    Ok(out)
}

fn users(table: &Table, id: usize) -> Result<Vec<Principal>, TextError> {
    let upn = table.column(&["userprincipalname"])?;
    let display = table.column(&["displayname"])?;
    let user_type = table.column(&["usertype"])?;
    let enabled = table.column(&["accountenabled"])?;
    let mail = table.column(&["mail"])?;
    let other = table.column(&[
        "othermails",
        "otheremails",
        "alternateemailaddress",
        "alternateemailaddresses",
    ])?;
    let mut out = Vec::new();
    table.rows(|row| {
        out.push(Principal {
            id: row.required(id, "the user's object id")?,
            kind: PrincipalKind::User,
            display_name: row.text(display).unwrap_or_default(),
            user_principal_name: row.text(upn),
            user_type: row.text(user_type),
            account_enabled: row.boolean(enabled)?,
            app_id: None,
            mail: row.text(mail),
            other_mails: row.text(other).map(|m| split_mails(&m)).unwrap_or_default(),
            from_member_list: false,
        });
        Ok(())
    })?;
    Ok(out)
}

fn split_mails(cell: &str) -> Vec<String> {
    cell.split([';', ','])
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect()
}

fn members(table: &Table, stem: &str, id: usize) -> Result<CsvRead, TextError> {
    if !is_guid(stem) {
        return Err(TextError {
            line: 1,
            column: 1,
            message: format!(
                "expected a group's member list (Entra's \"Download members\") to be named after \
                 the group's object id, <group-object-id>.csv, as its rows do not name the \
                 group; `{stem}` is not a GUID"
            ),
        });
    }
    let member_type = table.column(MEMBER_TYPE)?;
    let upn = table.column(&["userprincipalname"])?;
    let display = table.column(&["displayname"])?;
    let user_type = table.column(&["usertype"])?;
    let mail = table.column(&["mail"])?;
    let app_id = table.column(&["appid"])?;
    let mut edges = Vec::new();
    let mut members = Vec::new();
    table.rows(|row| {
        let member_id = row.required(id, "the member's object id")?;
        let user_principal_name = row.text(upn);
        let member_kind = row
            .text(member_type)
            .map(|t| member_kind(&t))
            .or_else(|| user_principal_name.as_ref().map(|_| PrincipalKind::User));
        edges.push(MemberEdge {
            group_id: stem.to_string(),
            member_id: member_id.clone(),
            member_kind,
        });
        members.push(Principal {
            id: member_id,
            kind: member_kind.unwrap_or_default(),
            display_name: row.text(display).unwrap_or_default(),
            user_principal_name,
            user_type: row.text(user_type),
            account_enabled: None,
            app_id: row.text(app_id),
            mail: row.text(mail),
            other_mails: Vec::new(),
            from_member_list: true,
        });
        Ok(())
    })?;
    Ok(CsvRead::Members {
        group: stem.to_string(),
        edges,
        members,
    })
}

/// A member type as Entra's download writes it (`User`, `Group`, `Service Principal`)
/// or as Graph does (`#microsoft.graph.user`, ...).
fn member_kind(t: &str) -> PrincipalKind {
    let k: String = t
        .trim()
        .trim_start_matches("#microsoft.graph.")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    match k.as_str() {
        "contact" => PrincipalKind::OrgContact,
        _ => PrincipalKind::parse(&k),
    }
}

// ---------------------------------------------------------------------------------
// The header-driven table every reader uses.

/// A CSV file's header, found after any `#TYPE` lines, and the text it was read from.
pub(crate) struct Table<'t> {
    text: &'t str,
    /// Byte offset of the header row in `text`.
    header_at: usize,
    /// What a `#TYPE` line named (PowerShell's `Export-Csv`), if any.
    type_name: Option<&'t str>,
    /// Header cells, trimmed and unquoted, as spelled.
    headers: Vec<String>,
    /// The same, normalised by [`norm`].
    keys: Vec<String>,
}

impl<'t> Table<'t> {
    pub(crate) fn parse(text: &'t str) -> Result<Table<'t>, TextError> {
        let mut header_at = 0;
        let mut type_name = None;
        while header_at < text.len() {
            let rest = &text[header_at..];
            let end = rest.find(['\n', '\r']).map_or(rest.len(), |i| i + 1);
            let line = rest[..end].trim().trim_start_matches('\u{feff}');
            if let Some(t) = line
                .get(..5)
                .filter(|p| p.eq_ignore_ascii_case("#type"))
                .map(|_| line[5..].trim())
            {
                type_name = Some(t);
            } else if !line.is_empty() {
                break;
            }
            header_at += end;
        }
        if header_at >= text.len() {
            let (line, column, message) = match type_name {
                None if text.is_empty() => (1, 1, "found an empty file".to_string()),
                None => (1, 1, "found a file with only white space".to_string()),
                Some(_) => {
                    let (l, c) = line_col(text, text.len());
                    (l, c, "found nothing after the #TYPE line".to_string())
                }
            };
            return Err(TextError {
                line,
                column,
                message: format!("expected a CSV header row, {message}"),
            });
        }
        let header = scan_record(text, header_at);
        if let Some(q) = header.open_quote {
            return Err(open_quote_error(text, q));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&text.as_bytes()[header_at..]);
        let mut record = csv::StringRecord::new();
        // The text is a `str`, so the reader cannot fail on it.
        reader.read_record(&mut record).map_err(|e| TextError {
            line: 1,
            column: 1,
            message: format!("expected a CSV header row: {e}"),
        })?;
        let headers: Vec<String> = record
            .iter()
            .map(|h| clean(h.trim_start_matches('\u{feff}')).into_owned())
            .collect();
        let keys = headers.iter().map(|h| norm(h)).collect();
        Ok(Table {
            text,
            header_at,
            type_name,
            headers,
            keys,
        })
    }

    fn body(&self) -> &'t str {
        &self.text[self.header_at..]
    }

    /// Whether a `#TYPE` line named a type whose name ends with `suffix`.
    fn type_is(&self, suffix: &str) -> bool {
        self.type_name.is_some_and(|t| {
            t.len() >= suffix.len()
                && t.get(t.len() - suffix.len()..)
                    .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
        })
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    pub(crate) fn has_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.has(k))
    }

    /// The column of the first of `aliases` (normalised names) the header has; a name
    /// that appears twice is an error, located at its second occurrence.
    pub(crate) fn column(&self, aliases: &[&str]) -> Result<Option<usize>, TextError> {
        for alias in aliases {
            let mut hits = self
                .keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k == alias)
                .map(|(i, _)| i);
            if let Some(first) = hits.next() {
                if let Some(second) = hits.next() {
                    let at = scan_record(self.text, self.header_at).starts[second];
                    let (line, column) = line_col(self.text, at);
                    return Err(TextError {
                        line,
                        column,
                        message: format!(
                            "expected each column once, found `{}` as field {} and again as \
                             field {}",
                            self.headers[second],
                            first + 1,
                            second + 1
                        ),
                    });
                }
                return Ok(Some(first));
            }
        }
        Ok(None)
    }

    /// Calls `f` on each data row, in order, after checking its field count; returns
    /// how many rows there were. Blank lines are skipped.
    pub(crate) fn rows(
        &self,
        mut f: impl FnMut(&Row<'_>) -> Result<(), TextError>,
    ) -> Result<usize, TextError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(self.body().as_bytes());
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        let mut last = None;
        loop {
            // The text is a `str`, so the reader cannot fail on it.
            let more = reader.read_record(&mut record).map_err(|e| TextError {
                line: e.position().map_or(1, |p| p.line() as usize),
                column: 1,
                message: format!("expected a CSV row: {e}"),
            })?;
            if !more {
                break;
            }
            let start = self.header_at + record.position().map_or(0, |p| p.byte() as usize);
            last = Some(start);
            if record.len() == 1 && record[0].trim().is_empty() {
                continue;
            }
            let row = Row {
                table: self,
                record: &record,
                start,
            };
            // The header again (two exports joined into one file): no record, and
            // no row to read as one (an assignment whose id is "RoleAssignmentId").
            let header_again = record.len() == self.headers.len()
                && record
                    .iter()
                    .zip(&self.headers)
                    .all(|(c, h)| norm(&clean(c)) == norm(h));
            let checked = if header_again {
                // The record's first byte (past the end of the line before).
                let first = start
                    + self.text[start..]
                        .bytes()
                        .take_while(|b| matches!(b, b'\r' | b'\n'))
                        .count();
                let (line, column) = line_col(self.text, first);
                Err(TextError {
                    line,
                    column,
                    message: format!(
                        "expected a data row, found the header row again (were two exports joined? keep one header, or import them as two files): {}",
                        self.headers.join(",")
                    ),
                })
            } else if record.len() == self.headers.len() {
                f(&row)
            } else {
                Err(self.count_error(start, record.len()))
            };
            // A quote that is never closed swallows the rest of the file into one
            // cell: say so rather than what that did to the row.
            if let Err(e) = checked {
                return Err(match scan_record(self.text, start).open_quote {
                    Some(q) => open_quote_error(self.text, q),
                    None => e,
                });
            }
            rows += 1;
        }
        if let Some(q) = last.and_then(|s| scan_record(self.text, s).open_quote) {
            return Err(open_quote_error(self.text, q));
        }
        Ok(rows)
    }

    fn count_error(&self, start: usize, found: usize) -> TextError {
        let fields = scan_record(self.text, start);
        let n = self.headers.len();
        // The first extra field, or where the first missing one should start.
        let at = if found > n {
            fields.starts.get(n).copied().unwrap_or(fields.end)
        } else {
            fields.end
        };
        let (line, column) = line_col(self.text, at);
        TextError {
            line,
            column,
            message: format!(
                "expected {n} fields (header {}), found {found}",
                self.headers.join(",")
            ),
        }
    }
}

fn open_quote_error(text: &str, at: usize) -> TextError {
    let (line, column) = line_col(text, at);
    TextError {
        line,
        column,
        message: "expected a closing `\"` for the quoted field that starts here, found the end \
                  of the file"
            .to_string(),
    }
}

/// One data row of a [`Table`], with the byte offset where it starts.
pub(crate) struct Row<'a> {
    table: &'a Table<'a>,
    record: &'a csv::StringRecord,
    start: usize,
}

impl Row<'_> {
    /// The cell of column `i`, cleaned (see [`clean`]).
    pub(crate) fn cell(&self, i: usize) -> Cow<'_, str> {
        clean(self.record.get(i).unwrap_or(""))
    }

    /// The cell of `col` when the column exists and the cell is not empty.
    pub(crate) fn text(&self, col: Option<usize>) -> Option<String> {
        let c = self.cell(col?);
        (!c.is_empty()).then(|| c.into_owned())
    }

    /// The cell of `col`, which must not be empty: `expected {what} in column ...`.
    pub(crate) fn required(&self, col: usize, what: &str) -> Result<String, TextError> {
        let c = self.cell(col);
        if c.is_empty() {
            return Err(self.error(
                col,
                format!("expected {what} in column {}", self.table.headers[col]),
            ));
        }
        Ok(c.into_owned())
    }

    /// `True`/`False` (any case); an empty cell or a missing column is None.
    pub(crate) fn boolean(&self, col: Option<usize>) -> Result<Option<bool>, TextError> {
        let Some(i) = col else { return Ok(None) };
        let c = self.cell(i);
        if c.is_empty() {
            Ok(None)
        } else if c.eq_ignore_ascii_case("true") {
            Ok(Some(true))
        } else if c.eq_ignore_ascii_case("false") {
            Ok(Some(false))
        } else {
            Err(self.error(
                i,
                format!(
                    "expected True or False in column {}, found `{c}`",
                    self.table.headers[i]
                ),
            ))
        }
    }

    /// An error located at the start of column `col`'s field in this row.
    pub(crate) fn error(&self, col: usize, message: String) -> TextError {
        let fields = scan_record(self.table.text, self.start);
        let at = fields.starts.get(col).copied().unwrap_or(self.start);
        let (line, column) = line_col(self.table.text, at);
        TextError {
            line,
            column,
            message,
        }
    }
}

/// A cell or header as written, trimmed (`str::trim`, as `csv::Trim::All` trims), and
/// unquoted and trimmed again when what is left is `"..."` (a quote after white space
/// is text to the csv reader, but a quoted id is still the id).
fn clean(cell: &str) -> Cow<'_, str> {
    let t = cell.trim();
    match t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if inner.contains("\"\"") => {
            Cow::Owned(inner.replace("\"\"", "\"").trim().to_string())
        }
        Some(inner) => Cow::Borrowed(inner.trim()),
        None => Cow::Borrowed(t),
    }
}

/// A header name for comparison: cleaned, lowercase, letters and digits only
/// (`Object ID` → `objectid`, `@odata.type` → `odatatype`).
fn norm(header: &str) -> String {
    clean(header)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where the fields of the record starting at byte `start` begin, as the csv reader
/// splits it (a quote opens a quoted field only as a field's first byte; `""` inside
/// is a quote; `,` separates; `\r` or `\n` outside quotes ends the record).
struct Fields {
    starts: Vec<usize>,
    /// The record's terminator, or the end of the text.
    end: usize,
    /// The opening quote of a quoted field still open at the end of the text.
    open_quote: Option<usize>,
}

fn scan_record(text: &str, start: usize) -> Fields {
    let b = text.as_bytes();
    let mut i = start;
    while i < b.len() && matches!(b[i], b'\n' | b'\r') {
        i += 1;
    }
    let mut starts = vec![i];
    let mut at_field_start = true;
    let mut open_quote = None;
    while i < b.len() {
        let c = b[i];
        if open_quote.is_some() {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                open_quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' if at_field_start => {
                open_quote = Some(i);
                at_field_start = false;
            }
            b',' => {
                starts.push(i + 1);
                at_field_start = true;
                i += 1;
                continue;
            }
            b'\n' | b'\r' => break,
            _ => at_field_start = false,
        }
        i += 1;
    }
    Fields {
        starts,
        end: i,
        open_quote,
    }
}

#[cfg(test)]
mod tests;
