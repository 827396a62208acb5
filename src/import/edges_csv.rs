//! The CSV group-member edge list: a header row naming `groupId`, `memberId` and
//! optionally `memberType` (case-insensitive, in any order, other columns ignored),
//! then one **direct** membership per row.
//!
//! The reader is header-driven and strict: a missing column or an empty id is an error
//! at its line and column; any CSV that is not an edge list is refused with the header
//! it expected. It never guesses columns by position and never touches the database.

use crate::model::{MemberEdge, PrincipalKind};

use super::json::TextError;

const EXPECTED_HEADER: &str = "groupId,memberId[,memberType]";

/// Reads an edge list from decoded text.
pub(crate) fn read(text: &str) -> Result<Vec<MemberEdge>, TextError> {
    let at = |line: usize, column: usize, message: String| TextError {
        line,
        column,
        message,
    };
    if text.trim().is_empty() {
        return Err(at(
            1,
            1,
            format!("expected a CSV header {EXPECTED_HEADER}, found an empty file"),
        ));
    }
    // Headers and cells are trimmed here (str::trim) rather than by the reader
    // (`csv::Trim::All`), which rebuilds every record twice; its ASCII trim
    // followed by its Unicode trim is exactly str::trim.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e, "a CSV header row"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let (group_col, member_col, type_col) = (find("groupId"), find("memberId"), find("memberType"));
    let found: Vec<&str> = headers.iter().map(String::as_str).collect();
    let (group_col, member_col) = match (group_col, member_col) {
        (Some(g), Some(m)) => (g, m),
        (None, None) => {
            return Err(at(
                1,
                1,
                format!(
                    "expected a group-member edge list with the header {EXPECTED_HEADER}, \
                     found the header `{}`",
                    found.join(",")
                ),
            ))
        }
        (None, Some(_)) => return Err(at(1, 1, "expected column groupId".to_string())),
        (Some(_), None) => return Err(at(1, 1, "expected column memberId".to_string())),
    };
    let mut edges = Vec::new();
    // One record buffer for every row.
    let mut row = csv::StringRecord::new();
    while reader
        .read_record(&mut row)
        .map_err(|e| csv_error(&e, "a CSV row"))?
    {
        let line = row.position().map_or(0, |p| p.line() as usize);
        let column_of = |i: usize| -> usize {
            1 + row
                .iter()
                .take(i)
                .map(|f| f.trim().chars().count() + 1)
                .sum::<usize>()
        };
        let cell = |i: usize, what: &str| -> Result<String, TextError> {
            match row.get(i).map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v.to_string()),
                _ => Err(at(
                    line,
                    column_of(i),
                    format!(
                        "expected {what} in column {}",
                        headers.get(i).map_or("", String::as_str)
                    ),
                )),
            }
        };
        let group_id = cell(group_col, "a group object id")?;
        let member_id = cell(member_col, "a member object id")?;
        let member_kind = type_col
            .and_then(|i| row.get(i))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(member_kind);
        edges.push(MemberEdge {
            group_id,
            member_id,
            member_kind,
        });
    }
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

fn csv_error(e: &csv::Error, what: &str) -> TextError {
    let line = e.position().map_or(1, |p| p.line() as usize).max(1);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "expected UTF-8 text".to_string(),
        _ => format!("expected {what}: {e}"),
    };
    TextError {
        line,
        column: 1,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_driven_any_order_and_case() {
        let edges = read("MemberType,memberid,GROUPID,extra\nUser,m1,g1,x\n,m2,g1,\n").unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0].group_id, "g1");
        assert_eq!(edges[0].member_id, "m1");
        assert_eq!(edges[0].member_kind, Some(PrincipalKind::User));
        assert_eq!(edges[1].member_kind, None);
    }

    #[test]
    fn missing_member_column_is_located_at_1_1() {
        let e = read("groupId,memberType\ng,User\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert_eq!(e.message, "expected column memberId");
    }

    #[test]
    fn other_csv_is_refused_with_the_expected_header() {
        let e = read("id,displayName\n1,x\n").unwrap_err();
        assert!(e.message.contains("groupId,memberId"), "{}", e.message);
        assert!(e.message.contains("id,displayName"), "{}", e.message);
    }

    #[test]
    fn empty_cell_is_located() {
        let e = read("groupId,memberId\ng1,m1\ng2,\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 4));
        assert!(e.message.contains("memberId"), "{}", e.message);
    }

    /// Cells and headers are trimmed as `csv::Trim::All` trims them (ASCII, then
    /// Unicode white space), compared here with the csv crate itself.
    #[test]
    fn trimming_matches_the_csv_readers_own() {
        let text = " groupId ,\u{a0}memberId\t, memberType \n g1 ,\u{2003}m1\u{b},\tUser \n\x0bg2\x0c, \"  m2 \" ,\n";
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let expected: Vec<(String, String, String)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[1].to_string(), r[2].to_string())
            })
            .collect();
        let edges = read(text).unwrap();
        let got: Vec<(String, String, String)> = edges
            .iter()
            .map(|e| {
                let kind = e.member_kind.map_or("", PrincipalKind::as_str);
                (e.group_id.clone(), e.member_id.clone(), kind.to_string())
            })
            .collect();
        assert_eq!(got, expected);
        // A quote after white space is text, not quoting, in both.
        assert_eq!(got[1], ("g2".into(), "\"  m2 \"".into(), String::new()));
    }

    #[test]
    fn empty_cell_after_white_space_is_located_on_trimmed_cells() {
        let e = read("groupId , memberId\n  g1 ,\t \n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 4));
        assert_eq!(e.message, "expected a member object id in column memberId");
    }
}
