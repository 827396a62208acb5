//! Unit tests of the CSV kinds: each kind read field by field, and each refusal with
//! its line, column and message.

use super::*;

const SUB: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const G1: &str = "7e666535-0fad-42c2-be97-d2bf62869490";
const U1: &str = "44ea605d-4ebd-4de4-8bea-8ea7a8bfe147";

/// The header `Get-AzRoleAssignment | Export-Csv` writes (property order of the
/// cmdlet's output), every name quoted as Export-Csv quotes it.
const PS_HEADER: &str = "\"RoleAssignmentName\",\"RoleAssignmentId\",\"Scope\",\"DisplayName\",\"SignInName\",\"RoleDefinitionName\",\"RoleDefinitionId\",\"ObjectId\",\"ObjectType\",\"CanDelegate\",\"Description\",\"ConditionVersion\",\"Condition\"";
const PS_TYPE: &str =
    "#TYPE Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment";

fn ps_row(name: &str, display: &str, sign_in: &str, object: &str, kind: &str) -> String {
    format!(
        "\"{name}\",\"{SUB}/providers/Microsoft.Authorization/roleAssignments/{name}\",\"{SUB}\",\"{display}\",\"{sign_in}\",\"Reader\",\"{READER}\",\"{object}\",\"{kind}\",\"False\",\"\",\"\",\"\""
    )
}

fn assignments_of(text: &str) -> Vec<Assignment> {
    match read(text, "ra").unwrap() {
        CsvRead::Assignments(list) => list,
        other => panic!("expected assignments, got {other:?}"),
    }
}

#[test]
fn powershell_export_csv_with_its_type_line() {
    let text = format!(
        "{PS_TYPE}\r\n{PS_HEADER}\r\n{}\r\n{}\r\n{}\r\n",
        ps_row("a1", "Alice", "alice@contoso.com", U1, "User"),
        ps_row("a2", "ML Team", "", G1, "Group"),
        ps_row(
            "a3",
            "",
            "",
            "b9539884-dcb9-46e1-a4d2-441c2ab481c3",
            "Unknown"
        ),
    );
    let list = assignments_of(&text);
    assert_eq!(list.len(), 3);
    let a = &list[0];
    assert_eq!(
        a.id,
        format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/a1")
    );
    assert_eq!(a.scope, SUB);
    assert_eq!(a.principal_id, U1);
    assert_eq!(a.principal_type, "User");
    assert_eq!(a.principal_name.as_deref(), Some("alice@contoso.com"));
    assert_eq!(a.principal_display_name.as_deref(), Some("Alice"));
    assert_eq!(a.role_definition_id, READER);
    assert_eq!(a.role_definition_name.as_deref(), Some("Reader"));
    assert_eq!(a.can_delegate, Some(false));
    assert_eq!(a.condition, None);
    assert_eq!(a.condition_version, None);
    assert_eq!(a.source, AssignmentSource::RoleAssignment);
    // No SignInName (a group): the display name is the name.
    assert_eq!(list[1].principal_name.as_deref(), Some("ML Team"));
    assert_eq!(list[1].principal_type, "Group");
    // ObjectType Unknown: a deleted principal, `principalName: ""`.
    assert_eq!(list[2].principal_name.as_deref(), Some(""));
    assert_eq!(list[2].principal_display_name, None);
}

/// PowerShell 7 writes no `#TYPE` line; columns may come in any order, in any case,
/// with spaces around them; a condition spans lines inside its quotes.
#[test]
fn powershell_7_any_order_and_a_multi_line_condition() {
    let text = format!(
        " objectid , \"Scope\",roledefinitionid,RoleAssignmentId,CANDELEGATE,Condition,ConditionVersion,SignInName\n\
         {U1},{SUB},{READER},{SUB}/providers/Microsoft.Authorization/roleAssignments/a1,True,\"(\n !(ActionMatches{{'Microsoft.Storage/x'}})\n)\",2.0,\n"
    );
    let list = assignments_of(&text);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].can_delegate, Some(true));
    assert_eq!(
        list[0].condition.as_deref(),
        Some("(\n !(ActionMatches{'Microsoft.Storage/x'})\n)")
    );
    assert_eq!(list[0].condition_version.as_deref(), Some("2.0"));
    // Neither SignInName nor DisplayName: the name is not known (not deleted).
    assert_eq!(list[0].principal_name, None);
    assert_eq!(list[0].principal_type, "");
}

/// The portal's download: PowerShell's columns; a full role definition id is joined
/// on its GUID; DisplayName, SignInName and ObjectType are blank without directory
/// read permission.
#[test]
fn portal_download_role_assignments() {
    let text = format!(
        "RoleAssignmentId,Scope,DisplayName,SignInName,RoleDefinitionName,RoleDefinitionId,ObjectId,ObjectType,CanDelegate\n\
         {SUB}/providers/Microsoft.Authorization/roleAssignments/p1,{SUB},,,Reader,{SUB}/providers/Microsoft.Authorization/roleDefinitions/{},{U1},,false\n",
        READER.to_uppercase()
    );
    let list = assignments_of(&text);
    assert_eq!(list[0].role_definition_id, READER.to_uppercase());
    assert_eq!(list[0].principal_name, None);
    assert_eq!(list[0].principal_display_name, None);
    assert_eq!(list[0].can_delegate, Some(false));
}

#[test]
fn assignment_id_from_its_name_when_the_id_column_is_absent() {
    let text =
        format!("RoleAssignmentName,Scope,ObjectId,RoleDefinitionName\nn1,{SUB}/,{U1},Reader\n");
    let list = assignments_of(&text);
    assert_eq!(
        list[0].id,
        format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/n1")
    );
    assert_eq!(list[0].role_definition_id, "");
    assert_eq!(list[0].role_definition_name.as_deref(), Some("Reader"));
}

#[test]
fn assignments_missing_a_column_are_refused_at_1_1() {
    let e = read(
        &format!("{PS_TYPE}\nRoleAssignmentId,ObjectId,RoleDefinitionId\nx,y,z\n"),
        "ra",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert!(
        e.message
            .starts_with("expected column Scope in role assignments"),
        "{}",
        e.message
    );
    let e = read("RoleAssignmentId,Scope,ObjectId\nx,/,y\n", "ra").unwrap_err();
    assert!(
        e.message
            .starts_with("expected column RoleDefinitionId (or RoleDefinitionName)"),
        "{}",
        e.message
    );
}

#[test]
fn empty_required_assignment_cells_are_located() {
    let text = format!(
        "{PS_TYPE}\n{PS_HEADER}\n{}\n",
        ps_row("a1", "A", "", "", "User")
    );
    let e = read(&text, "ra").unwrap_err();
    // ObjectId is the 8th field; its opening quote is where the field starts.
    let col = 1 + text.lines().nth(2).unwrap().find(",\"\",\"User\"").unwrap() + 1;
    assert_eq!((e.line, e.column), (3, col));
    assert_eq!(
        e.message,
        "expected the principal's object id in column ObjectId"
    );

    let e = read(
        "Scope,ObjectId,RoleDefinitionId,RoleAssignmentId\n/,o,r,\n",
        "x",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (2, 7));
    assert_eq!(
        e.message,
        "expected the role assignment's id in column RoleAssignmentId"
    );
    let e = read(
        "Scope,ObjectId,RoleDefinitionId,RoleAssignmentId\n/,o, ,id\n",
        "x",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (2, 5));
    assert!(
        e.message.contains("RoleDefinitionId or RoleDefinitionName"),
        "{}",
        e.message
    );
}

#[test]
fn a_boolean_that_is_not_true_or_false_is_located() {
    let text = "RoleAssignmentId,Scope,ObjectId,RoleDefinitionId,CanDelegate\nid,/,o,r,yes\n";
    let e = read(text, "x").unwrap_err();
    assert_eq!((e.line, e.column), (2, 10));
    assert_eq!(
        e.message,
        "expected True or False in column CanDelegate, found `yes`"
    );
}

#[test]
fn powershell_role_definitions_are_refused_with_a_hint() {
    let list = "System.Collections.Generic.List`1[System.String]";
    let text = format!(
        "#TYPE Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleDefinition\n\
         \"Name\",\"Id\",\"IsCustom\",\"Description\",\"Actions\",\"NotActions\",\"DataActions\",\"NotDataActions\",\"AssignableScopes\",\"Condition\",\"ConditionVersion\"\n\
         \"Reader\",\"{READER}\",\"False\",\"View all resources\",\"{list}\",\"{list}\",\"{list}\",\"{list}\",\"{list}\",,\n"
    );
    let e = read(&text, "roles").unwrap_err();
    let col = 1 + text.lines().nth(2).unwrap().find("\"System").unwrap();
    assert_eq!((e.line, e.column), (3, col));
    assert!(
        e.message.contains("Get-AzRoleDefinition | Export-Csv"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("permissions are not in the file"),
        "{}",
        e.message
    );
    assert!(
        e.message
            .contains("hint: export with `Get-AzRoleDefinition | ConvertTo-Json"),
        "{}",
        e.message
    );
    // Without the #TYPE line and with no row, the header alone is enough, located
    // at its first list column.
    let e = read("Name,Id,IsCustom,Actions\n", "roles").unwrap_err();
    assert_eq!((e.line, e.column), (1, 18));
    assert!(e.message.contains("hint:"), "{}", e.message);
}

const USERS_HEADER: &str = "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,physicalDeliveryOfficeName,city,postalCode,telephoneNumber,mobile,authenticationAlternativePhoneNumber,authenticationEmail,alternateEmailAddress,ageGroup,consentProvidedForMinor,legalAgeGroupClassification";

#[test]
fn entra_download_users() {
    let text = format!(
        "{USERS_HEADER}\n\
         alice@contoso.com,Alice Nguyen,Nguyen,alice@contoso.com,Alice,{U1},Member,Engineer,ML,True,FR,,,,,,,,,,alice.sspr@example.com,,,,\n\
         bob_fabrikam.com#EXT#@contoso.onmicrosoft.com,Bob,,,,{G1},Guest,,,false,,,,,,,,,,,,bob@fabrikam.com; bob.b@fabrikam.com,,,\n"
    );
    let CsvRead::Users(users) = read(&text, "users").unwrap() else {
        panic!("expected users")
    };
    assert_eq!(users.len(), 2);
    let a = &users[0];
    assert_eq!(a.id, U1);
    assert_eq!(a.kind, PrincipalKind::User);
    assert_eq!(a.display_name, "Alice Nguyen");
    assert_eq!(a.user_principal_name.as_deref(), Some("alice@contoso.com"));
    assert_eq!(a.user_type.as_deref(), Some("Member"));
    assert_eq!(a.account_enabled, Some(true));
    assert_eq!(a.mail.as_deref(), Some("alice@contoso.com"));
    // authenticationEmail is an SSPR method, not an address the user goes by.
    assert!(a.other_mails.is_empty());
    assert!(!a.from_member_list);
    let b = &users[1];
    assert_eq!(b.account_enabled, Some(false));
    assert_eq!(b.mail, None);
    assert_eq!(
        b.other_mails,
        vec!["bob@fabrikam.com", "bob.b@fabrikam.com"]
    );
}

/// The newer download writes the list view's column names.
#[test]
fn entra_download_users_with_spaced_names() {
    let text = format!("\"User principal name\",\"Display name\",\"Object ID\",\"Account enabled\"\nalice@contoso.com,Alice,{U1},\n");
    let CsvRead::Users(users) = read(&text, "export").unwrap() else {
        panic!("expected users")
    };
    assert_eq!(users[0].id, U1);
    assert_eq!(users[0].display_name, "Alice");
    assert_eq!(users[0].account_enabled, None);
}

#[test]
fn entra_download_members_of_a_group() {
    let text = format!(
        "Object ID,User principal name,Display name,Member type\n\
         {U1},alice@contoso.com,Alice,User\n\
         55aa9bfc-ca6a-495a-9844-a4f4d88e3e26,,Inner,Group\n\
         682e4023-ba88-447f-937a-67650b7dccb2,,mi-ml,Service Principal\n\
         01439ca8-dba1-434c-a30d-4d6fb4ee55e3,,Laptop,#microsoft.graph.device\n"
    );
    let CsvRead::Members {
        group,
        edges,
        members,
    } = read(&text, G1).unwrap()
    else {
        panic!("expected members")
    };
    assert_eq!(group, G1);
    let kinds: Vec<_> = edges.iter().map(|e| e.member_kind).collect();
    assert_eq!(
        kinds,
        vec![
            Some(PrincipalKind::User),
            Some(PrincipalKind::Group),
            Some(PrincipalKind::ServicePrincipal),
            Some(PrincipalKind::Device)
        ]
    );
    assert!(edges.iter().all(|e| e.group_id == G1));
    assert_eq!(edges[0].member_id, U1);
    // Each member's identity is kept, marked as known only from the member list.
    assert!(members.iter().all(|p| p.from_member_list));
    assert_eq!(members[0].display_name, "Alice");
    assert_eq!(
        members[0].user_principal_name.as_deref(),
        Some("alice@contoso.com")
    );
    assert_eq!(members[3].kind, PrincipalKind::Device);
}

/// Without a member-type column, a file named after a group is its member list, as
/// for JSON; a member with a UPN is a user.
#[test]
fn an_id_column_in_a_file_named_after_a_group_is_a_member_list() {
    let text =
        format!("id,displayName,userPrincipalName\n{U1},Alice,alice@contoso.com\n{G1},Inner,\n");
    let CsvRead::Members { edges, .. } = read(&text, &G1.to_uppercase()).unwrap() else {
        panic!("expected members")
    };
    assert_eq!(edges[0].member_kind, Some(PrincipalKind::User));
    assert_eq!(edges[1].member_kind, None);
}

#[test]
fn members_in_a_file_not_named_after_a_group_are_refused() {
    let e = read(
        "Object ID,Display name,Member type\nx,y,User\n",
        "members-of-ml",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert!(e.message.contains("<group-object-id>.csv"), "{}", e.message);
    assert!(
        e.message.contains("`members-of-ml` is not a GUID"),
        "{}",
        e.message
    );
}

#[test]
fn an_unknown_header_names_every_kind_it_could_have_been() {
    let e = read("id,displayName\n1,x\n", "other").unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    for want in [
        "groupId,memberId[,memberType]",
        "Get-AzRoleAssignment | Export-Csv",
        "Download role assignments",
        "Download users",
        "Download members",
        "found the header `id,displayName`",
        "`other` is not a GUID",
    ] {
        assert!(e.message.contains(want), "{want}: {}", e.message);
    }
    let e = read("a,b\n1,2\n", "x").unwrap_err();
    assert!(
        e.message.ends_with("found the header `a,b`"),
        "{}",
        e.message
    );
    // `Export-Csv -UseCulture` in a locale whose list separator is `;`.
    let e = read("\"RoleAssignmentId\";\"Scope\"\n", "x").unwrap_err();
    assert!(
        e.message.contains("separated by `;`, not by commas"),
        "{}",
        e.message
    );
}

#[test]
fn empty_files_and_a_lone_type_line_are_refused() {
    let e = read("", "x").unwrap_err();
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (1, 1, "expected a CSV header row, found an empty file")
    );
    let e = read(" \n\n", "x").unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert!(e.message.contains("only white space"), "{}", e.message);
    let e = read(&format!("{PS_TYPE}\n"), "x").unwrap_err();
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("after the #TYPE line"), "{}", e.message);
}

#[test]
fn a_column_named_twice_is_refused_at_the_second() {
    let e = read("groupId,memberId,GroupId\ng,m,h\n", "x").unwrap_err();
    assert_eq!((e.line, e.column), (1, 18));
    assert_eq!(
        e.message,
        "expected each column once, found `GroupId` as field 1 and again as field 3"
    );
}

#[test]
fn field_counts_are_checked_on_every_kind_with_multi_line_cells() {
    // The extra field is on the row's second line, after a quoted line break.
    let text = format!(
        "{PS_HEADER}\n{},\"x\"\n",
        ps_row("a1", "Two\nLines", "", U1, "User")
    );
    let e = read(&text, "ra").unwrap_err();
    assert_eq!(e.line, 3);
    let second = text.lines().nth(2).unwrap();
    assert_eq!(e.column, second.rfind(",\"x\"").unwrap() + 2);
    assert_eq!(
        e.message,
        format!(
            "expected 13 fields (header {}), found 14",
            PS_HEADER.replace('"', "")
        )
    );
    // Fewer fields: where the first missing one should start.
    let e = read(&format!("{USERS_HEADER}\nalice,Alice\n"), "users").unwrap_err();
    assert_eq!((e.line, e.column), (2, 12));
    assert!(
        e.message
            .starts_with("expected 25 fields (header userPrincipalName,"),
        "{}",
        e.message
    );
    assert!(e.message.ends_with(", found 2"), "{}", e.message);
    let e = read(&format!("Object ID,Member type\n{U1},User,\n"), G1).unwrap_err();
    assert_eq!((e.line, e.column), (2, 43));
}

#[test]
fn a_quote_never_closed_is_refused_where_it_opens() {
    let e = read("groupId,memberId\ng1,\"m1\ng2,m2\n", "x").unwrap_err();
    assert_eq!((e.line, e.column), (2, 4));
    assert!(e.message.contains("closing `\"`"), "{}", e.message);
    // Even when the swallowed rest happens to leave the counts right.
    let e = read("groupId,memberId\ng1,m1\ng2,\"m2\n", "x").unwrap_err();
    assert_eq!((e.line, e.column), (3, 4));
    let e = read("groupId,\"memberId\n", "x").unwrap_err();
    assert_eq!((e.line, e.column), (1, 9));
}

#[test]
fn blank_lines_and_a_byte_order_mark_are_harmless() {
    let CsvRead::Edges(edges) =
        read("\u{feff}groupId,memberId\n\ng1,m1\n   \r\n\ng2,m2\n\n", "x").unwrap()
    else {
        panic!("expected edges")
    };
    assert_eq!(edges.len(), 2);
    // Lines are still counted right after blank ones.
    let e = read("groupId,memberId\n\n\ng1,m1,x\n", "x").unwrap_err();
    assert_eq!((e.line, e.column), (4, 7));
}
