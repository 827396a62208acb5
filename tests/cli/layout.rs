//! Layout at 80 columns (issue 14): the tables and text lines of the browsing,
//! answering and review commands fit the width, and no word is split or
//! shortened (users copy ids): only a path may be broken after a `/`, and a table
//! too narrow for its words is laid out as records (`── 1 of 38 ──`).

use crate::support::sample;

/// Words of text the sample's outputs hold: each must appear whole.
const WORDS: [&str; 8] = [
    "Contributor",
    "(inherited)",
    "owner-equivalent-role",
    "Administrator",
    "management",
    "(workspace)",
    "privileged",
    "Recommendation",
];

#[test]
fn every_line_fits_80_columns_and_no_word_of_text_is_cut() {
    for args in [
        &["lint"][..],
        &["review", "--workspace", "ml-prod"],
        &["review", "--all-workspaces"],
        &["snapshots"],
        &["show", "dave.kim@contoso.com"],
        &["members", "ML Data Scientists", "--transitive"],
        &["workspaces"],
        &["role", "Owner"],
        &["activities"],
    ] {
        let out = sample()
            .env("COLUMNS", "80")
            .args(args.iter().copied())
            .words("--format table --color never")
            .expect(0)
            .stdout();
        let args = args.join(" ");
        for line in out.lines() {
            assert!(line.chars().count() <= 80, "{args}: {line}");
        }
        for word in WORDS {
            let cut = &word[..word.len() - 3];
            assert!(
                !out.contains(&format!("{cut}…")) && !out.contains(&format!("{cut}\n")),
                "{args}: {word} is cut\n{out}"
            );
        }
    }
}

/// `who`'s and `what`'s tables (their text lines are `report::answers`', not
/// fitted yet).
#[test]
fn who_and_what_tables_fit_80_columns() {
    for args in [
        "who Microsoft.MachineLearningServices/workspaces/computes/write -w ml-prod",
        "what dave.kim@contoso.com -w ml-prod",
    ] {
        let out = sample()
            .env("COLUMNS", "80")
            .words(format!("{args} -f table --color never"))
            .expect(0)
            .stdout();
        for line in out.lines().filter(|l| l.starts_with(['│', '┌', '└', '╞'])) {
            assert!(line.chars().count() <= 80, "{line}");
        }
        assert!(out.contains("Contributor"), "{out}");
        assert!(!out.contains("Contribu…"), "{out}");
    }
}

#[test]
fn the_review_at_80_columns_is_records_with_whole_words() {
    let out = sample()
        .env("COLUMNS", "80")
        .words("review --workspace ml-prod --format table --color never")
        .expect(0)
        .stdout();
    assert!(out.contains("\n── 1 of 38 ─"), "{out}");
    assert!(
        out.contains("\nHeld at         resource group rg-ml-prod (inherited)\n"),
        "{out}"
    );
    assert!(
        out.contains("\n38 rows for 18 principals and 5 groups; 38 need a decision\n"),
        "{out}"
    );
    // Wide, it is one table.
    let wide = sample()
        .env("COLUMNS", "250")
        .words("review --workspace ml-prod --format table --color never")
        .expect(0)
        .stdout();
    assert!(!wide.contains("── 1 of 38"), "{wide}");
    assert!(wide.contains("┌"), "{wide}");
}

/// Ids are never shortened (users copy them): at 80 columns every object id,
/// address, hash and resource id is printed whole (a path may go on over two
/// lines after a `/`), and nothing is elided with `…`.
#[test]
fn no_id_is_shortened_at_80_columns() {
    for (args, ids) in [
        (
            "who Microsoft.MachineLearningServices/workspaces/delete -w ml-prod",
            &["<erin.walker@contoso.com>", "<maria.gonzalez@contoso.com>"][..],
        ),
        (
            "snapshots",
            &["fd5178f8fb13d3bcaa7c67c3757a60473d08fd6ca0857a274b3024323659bd14"],
        ),
        (
            "lint",
            &["b9539884-dcb9-46e1-a4d2-441c2ab481c3", "aa9ecdfe-58fb-4a61-9df0-59526331032d"],
        ),
        (
            "what dave.kim@contoso.com -w ml-prod --provider Microsoft.Authorization",
            &["Microsoft.Authorization/roleAssignmentScheduleInstances"],
        ),
        (
            "who Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read --data --effective \
             --scope /subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/stcontosomlprod01",
            &["b9539884-dcb9-46e1-a4d2-441c2ab481c3", "<breakglass01@contoso.onmicrosoft.com>"],
        ),
    ] {
        let out = sample()
            .env("COLUMNS", "80")
            .words(format!("{args} --format table --color never"))
            .expect(0)
            .stdout();
        assert!(!out.contains('…'), "{args}: an id is shortened\n{out}");
        // A path broken after a `/` is whole once its lines are joined.
        let joined = out.replace("/\n", "/");
        for id in ids {
            assert!(
                out.contains(id) || joined.contains(id),
                "{args}: {id} is not whole\n{out}"
            );
        }
    }
}
