//! [`Timestamp`]: the one place whocan reads a date or a time, and the one format
//! it writes one in.
//!
//! Every reader accepts RFC 3339 (any offset, any fraction, `T`, `t` or a space
//! between date and time) and a bare `YYYY-MM-DD`; surrounding blanks are ignored.
//! What else it accepts, and which second a bare date stands for, is the caller's
//! [`Forms`]: an export's timestamps are read leniently ([`Forms::EXPORT`]), what a
//! user types on the command line strictly ([`Forms::COMMAND_LINE`]).
//!
//! Written, a timestamp is always [`FORMAT`] (`2026-10-01T00:00:00Z`: UTC, whole
//! seconds), so that string order is time order.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// The one format whocan writes a timestamp in: UTC, whole seconds.
pub(crate) const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// An instant, UTC; ordered by time. Displays as [`FORMAT`] (a fraction of a
/// second is kept for comparisons, never written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Timestamp(DateTime<Utc>);

/// Dates and times without a zone (taken as UTC), besides RFC 3339 and a bare date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zoneless {
    /// None: a zone (or a bare date) is required.
    Refused,
    /// `YYYY-MM-DDTHH:MM:SS[.f]`.
    T,
    /// `YYYY-MM-DDTHH:MM:SS[.f]` and `YYYY-MM-DD HH:MM:SS[.f]`.
    TOrSpace,
}

/// The second a bare `YYYY-MM-DD` stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayEdge {
    /// Its first: `00:00:00`.
    Start,
    /// Its last: `23:59:59` (an "as of" day includes the whole day).
    End,
}

/// What one reader accepts (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Forms {
    pub(crate) zoneless: Zoneless,
    pub(crate) date: DayEdge,
}

impl Forms {
    /// An export's timestamps (PIM windows, a snapshot's `taken_at` as the engine
    /// reads it): every form ARM, Graph, az and PowerShell write; a date is its start.
    pub(crate) const EXPORT: Forms = Forms {
        zoneless: Zoneless::TOrSpace,
        date: DayEdge::Start,
    };
    /// The store's own reading of a time it is given or holds (`taken_at`, an
    /// `--as-of` limit): RFC 3339, a zone-less `T` form, or a date.
    pub(crate) const STORE: Forms = Forms {
        zoneless: Zoneless::T,
        date: DayEdge::Start,
    };
    /// What a user types (`--taken-at`, `--as-of`, `diff FROM TO`): RFC 3339 or a
    /// date, nothing that leaves the zone to guess.
    pub(crate) const COMMAND_LINE: Forms = Forms {
        zoneless: Zoneless::Refused,
        date: DayEdge::Start,
    };

    /// The same forms, a bare date standing for its last second.
    pub(crate) const fn end_of_day(self) -> Forms {
        Forms {
            zoneless: self.zoneless,
            date: DayEdge::End,
        }
    }
}

impl Timestamp {
    /// An export's timestamp ([`Forms::EXPORT`]); None when it is none of them.
    pub(crate) fn parse(s: &str) -> Option<Timestamp> {
        Timestamp::parse_with(s, Forms::EXPORT)
    }

    /// `s` read with `forms`; None when it is none of them.
    pub(crate) fn parse_with(s: &str, forms: Forms) -> Option<Timestamp> {
        let t = s.trim();
        if let Ok(d) = DateTime::parse_from_rfc3339(t) {
            return Some(Timestamp(d.with_timezone(&Utc)));
        }
        if forms.zoneless == Zoneless::TOrSpace {
            if let Some(d) = microsoft_json_date(t) {
                return Some(d);
            }
        }
        let zoneless: &[&str] = match forms.zoneless {
            Zoneless::Refused => &[],
            Zoneless::T => &["%Y-%m-%dT%H:%M:%S%.f"],
            Zoneless::TOrSpace => &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"],
        };
        for f in zoneless {
            if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
                return Some(Timestamp(d.and_utc()));
            }
        }
        let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
        let time = match forms.date {
            DayEdge::Start => d.and_hms_opt(0, 0, 0),
            DayEdge::End => d.and_hms_opt(23, 59, 59),
        };
        time.map(|t| Timestamp(t.and_utc()))
    }

    /// Whether two of an export's optional timestamps (a window's bound) name
    /// the same instant, however written (`2026-04-01T00:00:00Z`,
    /// `2026-04-01T00:00:00.000+00:00`, `2026-04-01T02:00:00+02:00`): both
    /// absent (or blank), both read as one instant, or, when either cannot be
    /// read, the same text.
    pub(crate) fn same_instant(a: Option<&str>, b: Option<&str>) -> bool {
        fn given(x: Option<&str>) -> Option<&str> {
            x.map(str::trim).filter(|x| !x.is_empty())
        }
        match (given(a), given(b)) {
            (None, None) => true,
            (Some(x), Some(y)) => match (Timestamp::parse(x), Timestamp::parse(y)) {
                (Some(p), Some(q)) => p == q,
                _ => x == y,
            },
            _ => false,
        }
    }

    /// The clock's time. Only commands and the store ask for it (when a snapshot
    /// is imported, a sheet applied, a receipt sealed); the engine never does.
    pub(crate) fn now() -> Timestamp {
        Timestamp(Utc::now())
    }
}

/// Windows PowerShell 5.1's `ConvertTo-Json` (and .NET's
/// `DataContractJsonSerializer`) write a date as `/Date(MS)/` or
/// `/Date(MS+HHMM)/` (`\/Date(...)\/` in the JSON text): milliseconds since
/// 1970-01-01 UTC; the offset only says which zone the writer was in, the
/// instant is the milliseconds.
fn microsoft_json_date(t: &str) -> Option<Timestamp> {
    let inner = t.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits_end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    let (ms, offset) = inner.split_at(digits_end);
    let ms: i64 = ms.parse().ok()?;
    let zone_ok =
        offset.is_empty() || (offset.len() == 5 && offset[1..].bytes().all(|b| b.is_ascii_digit()));
    if !zone_ok {
        return None;
    }
    DateTime::from_timestamp_millis(ms).map(Timestamp)
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(d: DateTime<Utc>) -> Timestamp {
        Timestamp(d)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(FORMAT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn reads_rfc3339_with_any_offset_fraction_and_separator() {
        let z = ts("2026-06-30T00:00:00Z");
        assert_eq!(z.to_string(), "2026-06-30T00:00:00Z");
        assert_eq!(ts("2026-06-30T02:00:00+02:00"), z);
        assert_eq!(ts("2026-06-29T19:00:00-05:00"), z);
        assert_eq!(ts("  2026-06-30t00:00:00z \n"), z);
        assert_eq!(ts("2026-06-30 00:00:00Z"), z);
        let f = ts("2026-06-30T00:00:00.0000001Z");
        assert!(f > z, "a fraction is kept for comparisons");
        assert_eq!(f.to_string(), "2026-06-30T00:00:00Z", "and never written");
    }

    #[test]
    fn the_same_instant_however_written() {
        let same = Timestamp::same_instant;
        assert!(same(
            Some("2026-04-01T00:00:00Z"),
            Some("2026-04-01T00:00:00.000+00:00")
        ));
        assert!(same(
            Some("2026-04-01T00:00:00Z"),
            Some(" 2026-04-01T02:00:00+02:00")
        ));
        assert!(same(None, Some(" ")), "blank is absent");
        assert!(same(Some("soon"), Some("soon")), "unreadable: the text");
        assert!(!same(Some("soon"), Some("later")));
        assert!(!same(
            Some("2026-04-01T00:00:00Z"),
            Some("2026-04-01T00:00:01Z")
        ));
        assert!(!same(Some("2026-04-01T00:00:00Z"), None));
    }

    #[test]
    fn forms_decide_zoneless_times() {
        let z = ts("2026-06-30T00:00:00Z");
        for (s, export, store, cli) in [
            ("2026-06-30T00:00:00", true, true, false),
            ("2026-06-30T00:00:00.5", true, true, false),
            ("2026-06-30 00:00:00", true, false, false),
            ("2026-06-30 00:00:00.250", true, false, false),
        ] {
            let read = |f| Timestamp::parse_with(s, f).map(|t| t.to_string());
            let want = |ok: bool| ok.then(|| z.to_string());
            assert_eq!(read(Forms::EXPORT), want(export), "{s} as an export's");
            assert_eq!(read(Forms::STORE), want(store), "{s} in the store");
            assert_eq!(read(Forms::COMMAND_LINE), want(cli), "{s} typed");
        }
    }

    #[test]
    fn a_date_is_its_first_or_last_second() {
        for f in [Forms::EXPORT, Forms::STORE, Forms::COMMAND_LINE] {
            let start = Timestamp::parse_with(" 2026-10-01 ", f).unwrap();
            assert_eq!(start.to_string(), "2026-10-01T00:00:00Z");
            let end = Timestamp::parse_with("2026-10-01", f.end_of_day()).unwrap();
            assert_eq!(end.to_string(), "2026-10-01T23:59:59Z");
            // A full instant is what it says, end of day or not.
            let exact = Timestamp::parse_with("2026-10-01T12:00:00Z", f.end_of_day());
            assert_eq!(exact.unwrap().to_string(), "2026-10-01T12:00:00Z");
        }
    }

    #[test]
    fn windows_powershell_dates_are_read_from_exports_only() {
        let z = ts("2026-09-30T08:00:00Z");
        assert_eq!(ts("/Date(1790755200000)/"), z);
        assert_eq!(
            ts("/Date(1790755200000+0200)/"),
            z,
            "the offset names the writer's zone"
        );
        assert_eq!(ts("/Date(1790755200000-0500)/"), z);
        assert_eq!(ts("/Date(-86400000)/").to_string(), "1969-12-31T00:00:00Z");
        for bad in [
            "/Date()/",
            "/Date(12a)/",
            "/Date(1+02)/",
            "Date(1)",
            "/Date(1)",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Timestamp::parse_with("/Date(1790755200000)/", Forms::COMMAND_LINE),
            None
        );
    }

    #[test]
    fn anything_else_is_none() {
        for s in [
            "",
            "  ",
            "soon",
            "2026-13-01",
            "2026-02-30",
            "2026-06-30T25:00:00Z",
            "2026-06-30T00:00Z",
            "30/06/2026",
            "2026-06-30T00:00:00+2",
        ] {
            assert_eq!(Timestamp::parse(s), None, "{s:?}");
            assert_eq!(Timestamp::parse_with(s, Forms::COMMAND_LINE), None, "{s:?}");
        }
    }

    #[test]
    fn order_is_time_order_whatever_the_spelling() {
        let a = ts("2026-06-30T01:00:00+02:00"); // 2026-06-29T23:00:00Z
        let b = ts("2026-06-29 23:30:00");
        let c = ts("2026-06-30");
        assert!(a < b && b < c);
        assert!(a.to_string() < b.to_string() && b.to_string() < c.to_string());
    }

    proptest! {
        /// Written, then read by any reader (at either end of the day): the same
        /// instant, and written again the same text.
        #[test]
        fn format_then_parse_round_trips(secs in -62_167_219_200i64..253_402_300_800i64) {
            // 0000-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z
            let t = Timestamp(DateTime::from_timestamp(secs, 0).unwrap());
            let text = t.to_string();
            for f in [Forms::EXPORT, Forms::STORE, Forms::COMMAND_LINE] {
                for f in [f, f.end_of_day()] {
                    let back = Timestamp::parse_with(&text, f);
                    prop_assert_eq!(back, Some(t));
                    prop_assert_eq!(back.unwrap().to_string(), text.clone());
                }
            }
        }

        /// A fraction of a second is dropped when written, never rounded up.
        #[test]
        fn writing_truncates_to_the_second(secs in 0i64..4_102_444_800i64, nanos in 0u32..1_000_000_000) {
            let t = Timestamp(DateTime::from_timestamp(secs, nanos).unwrap());
            let whole = Timestamp(DateTime::from_timestamp(secs, 0).unwrap());
            prop_assert_eq!(t.to_string(), whole.to_string());
            prop_assert_eq!(Timestamp::parse(&t.to_string()), Some(whole));
        }
    }
}
