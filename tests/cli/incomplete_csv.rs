//! CSV has no column for what an answer could not see (`incomplete`): a CSV
//! `who`, `who --anywhere`, `can` or `show` says on stderr, in one line, that the answer
//! is incomplete and where to read why; a complete answer says nothing. `what`,
//! `members` and `review` list each thing on stderr for every format.

use crate::support::sample;

const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
/// stcontososhared01: its answers miss nothing.
const SHARED_STORAGE: &str = "/subscriptions/187f0923-f1d8-4e1d-aa97-9782eb7d5bd0/resourceGroups/rg-shared/providers/Microsoft.Storage/storageAccounts/stcontososhared01";

#[test]
fn a_csv_answer_that_misses_something_says_so_on_stderr() {
    // On ml-dev, Contractors - Fabrikam holds Labeler Custom but its members
    // were not imported (fact 17).
    for args in [
        format!("who {WS_READ} --workspace ml-dev --format csv"),
        format!("who --anywhere {WS_READ} --format csv"),
        format!("can alice.nguyen@contoso.com {WS_READ} --workspace ml-dev --format csv"),
        // Tomás may be a member of Contractors - Fabrikam, unseen.
        "show tomas.herrera@fabrikam.com --format csv".to_string(),
    ] {
        let ran = sample().words(&args).expect(0);
        let err = ran.stderr();
        let warning: Vec<_> = err
            .lines()
            .filter(|l| l.starts_with("warning: this answer is incomplete: "))
            .collect();
        assert_eq!(warning.len(), 1, "{args}: one line\n{err}");
        assert!(
            warning[0].contains("Contractors - Fabrikam"),
            "{args}: {err}"
        );
        assert!(
            warning[0].contains("`--format json` lists them under `incomplete`"),
            "{args}: {err}"
        );
        assert!(
            ran.stdout().starts_with("principal_id,"),
            "{args}: CSV on stdout"
        );
    }
    // The JSON carries the list itself: nothing on stderr.
    let ran = sample()
        .words(format!("who {WS_READ} --workspace ml-dev --format json"))
        .expect(0);
    assert!(!ran.stderr().contains("incomplete"), "{}", ran.stderr());
}

#[test]
fn a_complete_csv_answer_says_nothing_on_stderr() {
    for args in [
        format!("who Microsoft.Storage/storageAccounts/delete --scope {SHARED_STORAGE} --format csv"),
        format!("can erin.walker@contoso.com Microsoft.Storage/storageAccounts/delete --scope {SHARED_STORAGE} --format csv"),
    ] {
        let ran = sample().words(&args).expect(0);
        assert_eq!(ran.stderr(), "", "{args}");
    }
}
