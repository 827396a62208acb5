//! The CSV group-member edge list: a header row naming `groupId`, `memberId` and
//! optionally `memberType` (case-insensitive, in any order, other columns ignored),
//! then one **direct** membership per row.
//!
//! The reader is header-driven and strict: a missing column, an empty id, or a row
//! with more or fewer fields than the header is an error at its line and column
//! ([`super::csv_shapes::Table`] checks every row). [`super::csv_shapes::read`] sends
//! a CSV here when its header names `groupId` or `memberId`; any other header is
//! recognised, or refused, there. It never guesses columns by position and never
//! touches the database.

use crate::model::{MemberEdge, PrincipalKind};

use super::csv_shapes::Table;
use super::json::TextError;

/// Reads an edge list from a CSV table whose header names `groupId` or `memberId`.
pub(crate) fn read(table: &Table) -> Result<Vec<MemberEdge>, TextError> {
    let at_header = |message: &str| TextError {
        line: 1,
        column: 1,
        message: message.to_string(),
    };
    let group_col = table.column(&["groupid"])?;
    let member_col = table.column(&["memberid"])?;
    let type_col = table.column(&["membertype"])?;
    let (group_col, member_col) = match (group_col, member_col) {
        (Some(g), Some(m)) => (g, m),
        (None, Some(_)) => return Err(at_header("expected column groupId")),
        (Some(_), None) | (None, None) => return Err(at_header("expected column memberId")),
    };
    let mut edges = Vec::new();
    table.rows(|row| {
        let group_id = row.required(group_col, "a group object id")?;
        let member_id = row.required(member_col, "a member object id")?;
        let member_kind = type_col
            .map(|i| row.cell(i))
            .filter(|t| !t.is_empty())
            .map(|t| member_kind(&t));
        edges.push(MemberEdge {
            group_id,
            member_id,
            member_kind,
        });
        Ok(())
    })?;
    Ok(edges)
}

/// [`PrincipalKind::parse`], without its lowercase copy for the usual spellings.
fn member_kind(t: &str) -> PrincipalKind {
    match t {
        "User" => PrincipalKind::User,
        "Group" => PrincipalKind::Group,
        "ServicePrincipal" => PrincipalKind::ServicePrincipal,
        _ => PrincipalKind::parse(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Vec<MemberEdge>, TextError> {
        read(&Table::parse(text)?)
    }

    #[test]
    fn header_driven_any_order_and_case() {
        let edges =
            read_text("MemberType,memberid,GROUPID,extra\nUser,m1,g1,x\n,m2,g1,\n").unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0].group_id, "g1");
        assert_eq!(edges[0].member_id, "m1");
        assert_eq!(edges[0].member_kind, Some(PrincipalKind::User));
        assert_eq!(edges[1].member_kind, None);
    }

    #[test]
    fn missing_member_column_is_located_at_1_1() {
        let e = read_text("groupId,memberType\ng,User\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert_eq!(e.message, "expected column memberId");
        let e = read_text("memberId\nm\n").unwrap_err();
        assert_eq!(e.message, "expected column groupId");
    }

    #[test]
    fn empty_cell_is_located() {
        let e = read_text("groupId,memberId\ng1,m1\ng2,\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 4));
        assert_eq!(e.message, "expected a member object id in column memberId");
    }

    /// Cells and headers are trimmed as `csv::Trim::All` trims them (ASCII, then
    /// Unicode white space), compared here with the csv crate itself.
    #[test]
    fn trimming_matches_the_csv_readers_own() {
        let text = " groupId ,\u{a0}memberId\t, memberType \n g1 ,\u{2003}m1\u{b},\tUser \n";
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let r = reader.records().next().unwrap().unwrap();
        let edges = read_text(text).unwrap();
        assert_eq!(edges[0].group_id, &r[0]);
        assert_eq!(edges[0].member_id, &r[1]);
        assert_eq!(edges[0].member_kind.map(PrincipalKind::as_str), Some(&r[2]));
    }

    /// A quote after white space is text to the csv reader; the id inside is still
    /// the id, not `"m2"` with its quotes.
    #[test]
    fn a_quoted_cell_after_white_space_is_unquoted() {
        let edges = read_text("groupId,memberId\ng2, \"  m2 \" \n").unwrap();
        assert_eq!(edges[0].member_id, "m2");
    }

    /// The column is the empty field's own, counted on the line as written.
    #[test]
    fn empty_cell_after_white_space_is_located_at_its_field() {
        let e = read_text("groupId , memberId\n  g1 ,\t \n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 7));
        assert_eq!(e.message, "expected a member object id in column memberId");
    }

    /// A display name with an unquoted comma used to shift `memberId` one column to
    /// the right: the member read was `Alice`, and `m1` was lost.
    #[test]
    fn a_row_with_an_extra_field_is_refused_at_that_field() {
        let e = read_text("groupId,displayName,memberId\ng1,Smith, Alice,m1\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 17));
        assert_eq!(
            e.message,
            "expected 3 fields (header groupId,displayName,memberId), found 4"
        );
    }

    #[test]
    fn a_row_with_a_missing_field_is_refused_where_it_should_start() {
        let e = read_text("groupId,memberId,memberType\ng1,m1,User\ng2,m2\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 6));
        assert_eq!(
            e.message,
            "expected 3 fields (header groupId,memberId,memberType), found 2"
        );
    }
}
