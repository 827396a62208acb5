//! Counts as people read them: `1 guest`, `3 guests`. The one rule for a number
//! and its noun in every text for people (tables' totals lines, summaries,
//! messages, findings, the HTML report), so that no output says "1 guests".
//!
//! Pure text: no printing and no sanitising (the caller's renderer does that);
//! usable from every layer, like `model`. JSON and CSV carry numbers, not these.

/// A count of things: any integer type (`usize` lengths, `i64` from SQLite).
pub(crate) trait Count: std::fmt::Display + PartialEq + From<u8> + Copy {}
impl<N: std::fmt::Display + PartialEq + From<u8> + Copy> Count for N {}

/// `n` and the noun that agrees with it: `count(1, "guest", "guests")` is
/// `1 guest`, any other count takes `many` (`0 guests`, `2 guests`). The nouns
/// may carry words that agree too (`"row belongs"`, `"rows belong"`).
pub(crate) fn count<N: Count>(n: N, one: &str, many: &str) -> String {
    format!("{n} {}", noun(n, one, many))
}

/// The noun alone, for a text that places the number itself (in markup, or
/// after other words): `one` when `n` is 1, else `many`.
pub(crate) fn noun<'a, N: Count>(n: N, one: &'a str, many: &'a str) -> &'a str {
    if n == N::from(1) {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_takes_the_singular_and_every_other_count_the_plural() {
        assert_eq!(count(1, "guest", "guests"), "1 guest");
        assert_eq!(count(0, "guest", "guests"), "0 guests");
        assert_eq!(count(2, "guest", "guests"), "2 guests");
        assert_eq!(count(11, "snapshot", "snapshots"), "11 snapshots");
        assert_eq!(count(21, "access", "accesses"), "21 accesses");
        assert_eq!(count(1i64, "row belongs", "rows belong"), "1 row belongs");
        assert_eq!(count(3, "row belongs", "rows belong"), "3 rows belong");
    }

    #[test]
    fn the_noun_alone_agrees_the_same_way() {
        assert_eq!(noun(1, "entry", "entries"), "entry");
        assert_eq!(noun(0, "entry", "entries"), "entries");
        assert_eq!(noun(usize::MAX, "entry", "entries"), "entries");
        assert_eq!(noun(1u64, "entry", "entries"), "entry");
    }
}
