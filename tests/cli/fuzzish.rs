//! A bounded, in-`cargo test` version of the fuzz targets (`fuzz/`, `scripts/fuzz.sh`):
//! random bytes and mutated valid inputs through the JSON and CSV importers, `review
//! apply`'s reader and the pattern matcher never panic, and an importer error always
//! names the file (`name:line:column: ...` where a position is known).

use proptest::prelude::*;
use whocan::import::{fuzz_read, ImportError};

const ROLE: &str = r#"[{"assignableScopes":["/"],"id":"/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7","name":"acdd72a7-3385-48ef-bd42-f606fba81ae7","permissions":[{"actions":["*/read"],"notActions":[],"dataActions":[],"notDataActions":[]}],"roleName":"Reader","roleType":"BuiltInRole","type":"Microsoft.Authorization/roleDefinitions"}]"#;
const PAGE: &str = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[{"id":"44ea605d-4ebd-4de4-8bea-8ea7a8bfe147","displayName":"Ann","userPrincipalName":"ann@x.com"}],"@odata.nextLink":"x"}"#;
const CSV: &str = "RoleAssignmentId,Scope,DisplayName,SignInName,RoleDefinitionName,RoleDefinitionId,ObjectId,ObjectType\n/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a,/subscriptions/s,Ann,ann@x.com,Reader,acdd72a7-3385-48ef-bd42-f606fba81ae7,44ea605d-4ebd-4de4-8bea-8ea7a8bfe147,User\n";
const SHEET: &str = "review_key,target_scope,principal,decision,reviewer_comment\nk1,/subscriptions/s,Ann,'=remove,\"a, b\"\n";

fn check(bytes: &[u8], name: &str) {
    match fuzz_read(bytes, name) {
        Ok(_) => {}
        Err(e @ ImportError::At { line, column, .. }) => {
            assert!(line >= 1 && column >= 1, "{e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("{name}:{line}:{column}: ")),
                "{e}"
            );
        }
        Err(e @ (ImportError::File { .. } | ImportError::Read { .. })) => {
            assert!(e.to_string().starts_with(&format!("{name}: ")), "{e}")
        }
        Err(ImportError::NothingImported(_)) => {}
    }
}

/// A valid input with a few bytes replaced, inserted or removed.
fn mutated(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let n = seed.len();
    prop::collection::vec((0..n, any::<u8>(), 0..3u8), 1..6).prop_map(move |edits| {
        let mut b = seed.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let at = at.min(b.len().saturating_sub(1));
            match op {
                0 if !b.is_empty() => b[at] = byte,
                1 => b.insert(at, byte),
                _ if !b.is_empty() => {
                    b.remove(at);
                }
                _ => {}
            }
        }
        b
    })
}

const NAMES: [&str; 4] = [
    "export.json",
    "members/7e666535-0fad-42c2-be97-d2bf62869490.json",
    "export.csv",
    "members/7e666535-0fad-42c2-be97-d2bf62869490.csv",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256), n in 0..4usize) {
        check(&bytes, NAMES[n]);
        let _ = whocan::commands::review::fuzz_sheet(&bytes);
    }

    #[test]
    fn mutated_json_never_panics(bytes in prop_oneof![mutated(ROLE), mutated(PAGE)], n in 0..2usize) {
        check(&bytes, NAMES[n]);
    }

    #[test]
    fn mutated_csv_never_panics(bytes in mutated(CSV), n in 2..4usize) {
        check(&bytes, NAMES[n]);
    }

    #[test]
    fn mutated_sheets_never_panic(bytes in mutated(SHEET)) {
        let _ = whocan::commands::review::fuzz_sheet(&bytes);
    }

    #[test]
    fn patterns_never_panic(pattern in "[*a-z/.?]{0,24}", action in "[a-z/.*]{0,32}") {
        let p = whocan::engine::pattern::ActionPattern::new(&pattern);
        let _ = p.matches(&action);
    }
}

#[test]
fn the_seeds_themselves_are_read() {
    assert!(fuzz_read(ROLE.as_bytes(), "roles.json").is_ok());
    assert!(fuzz_read(PAGE.as_bytes(), "users.json").is_ok());
    assert_eq!(
        whocan::commands::review::fuzz_sheet(SHEET.as_bytes()),
        Ok(1)
    );
}
