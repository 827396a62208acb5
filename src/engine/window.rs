//! Time windows (SPEC §2.10): whether a PIM eligibility, a time-bound active
//! assignment or a PIM-for-Groups membership is in force at the snapshot's time.
//!
//! This is the one place that reads an export's timestamps and compares them with
//! the snapshot's `taken_at`; `decide`, `review`, `lint` and `diff` all ask here.
//! The reference time is always data (the snapshot's `taken_at`), never the clock.
//! Timestamps are read by [`Timestamp::parse`], the one timestamp rule (an
//! export's forms: RFC 3339, a zone-less date and time taken as UTC, a bare date
//! as its start).

use serde::Serialize;

use crate::model::Timestamp;

/// Where an instance stands at the reference time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowState {
    /// Started (or no start) and not ended (or no end): in force.
    Active,
    /// Its `endDateTime` is before the reference time: grants nothing.
    Ended,
    /// Its `startDateTime` is after the reference time: grants nothing yet.
    Scheduled,
}

impl WindowState {
    pub(crate) fn is_active(self) -> bool {
        self == WindowState::Active
    }
}

/// The state of a window `[start, end]` at `at`, as SPEC §2.10 words it: ended
/// when its `endDateTime` is *before* the reference time, scheduled when its
/// `startDateTime` is *after* it (so an instance ending or starting exactly at
/// `taken_at` is in force). With no reference time, or a
/// bound that cannot be read ([`Timestamp::parse`]), that bound does not limit the
/// window (the instance is reported with its raw times, so a reader can still see
/// them).
pub(crate) fn window_state(
    start: Option<&str>,
    end: Option<&str>,
    at: Option<Timestamp>,
) -> WindowState {
    let Some(at) = at else {
        return WindowState::Active;
    };
    if let Some(end) = end.and_then(Timestamp::parse) {
        if end < at {
            return WindowState::Ended;
        }
    }
    if let Some(start) = start.and_then(Timestamp::parse) {
        if start > at {
            return WindowState::Scheduled;
        }
    }
    WindowState::Active
}

/// A window as one cell: `START..END`, each bound in the one timestamp format
/// ([`Timestamp`]'s display) or as exported when it cannot be read, an open bound
/// empty (`..2027-01-01T00:00:00Z`); empty when neither bound is given.
pub(crate) fn window_text(start: Option<&str>, end: Option<&str>) -> String {
    let bound = |b: Option<&str>| match b.map(str::trim).filter(|b| !b.is_empty()) {
        None => String::new(),
        Some(b) => Timestamp::parse(b).map_or_else(|| b.to_string(), |t| t.to_string()),
    };
    let (start, end) = (bound(start), bound(end));
    if start.is_empty() && end.is_empty() {
        String::new()
    } else {
        format!("{start}..{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<Timestamp> {
        Timestamp::parse(s)
    }

    #[test]
    fn states_at_the_snapshot_time() {
        let t = at("2026-10-01T00:00:00Z");
        assert_eq!(window_state(None, None, t), WindowState::Active);
        assert_eq!(
            window_state(
                Some("2026-01-01T00:00:00Z"),
                Some("2026-06-30T00:00:00Z"),
                t
            ),
            WindowState::Ended
        );
        assert_eq!(
            window_state(Some("2026-12-01T00:00:00Z"), None, t),
            WindowState::Scheduled
        );
        assert_eq!(
            window_state(Some("2026-09-01T00:00:00Z"), Some("2027-01-01"), t),
            WindowState::Active
        );
        // SPEC §2.10: ended when the end is *before* the snapshot time, scheduled
        // when the start is *after* it; at either bound exactly, in force.
        assert_eq!(
            window_state(None, Some("2026-10-01T00:00:00Z"), t),
            WindowState::Active
        );
        assert_eq!(
            window_state(Some("2026-10-01T00:00:00Z"), None, t),
            WindowState::Active
        );
        assert_eq!(
            window_state(None, Some("2026-09-30T23:59:59Z"), t),
            WindowState::Ended
        );
        assert_eq!(
            window_state(Some("2026-10-01T00:00:01Z"), None, t),
            WindowState::Scheduled
        );
    }

    #[test]
    fn no_reference_time_or_unreadable_bounds_do_not_limit() {
        assert_eq!(
            window_state(None, Some("2020-01-01T00:00:00Z"), None),
            WindowState::Active
        );
        let t = at("2026-10-01T00:00:00Z");
        assert_eq!(
            window_state(Some("soon"), Some("later"), t),
            WindowState::Active
        );
    }

    #[test]
    fn reads_the_forms_exports_use() {
        let z = at("2026-06-30T00:00:00Z").unwrap();
        assert_eq!(at("2026-06-30T02:00:00+02:00"), Some(z));
        assert_eq!(at("2026-06-30T00:00:00.0000000Z"), Some(z));
        assert_eq!(at("2026-06-30T00:00:00"), Some(z));
        assert_eq!(at("2026-06-30"), Some(z));
        assert_eq!(at(""), None);
    }

    #[test]
    fn a_window_is_one_cell_in_the_one_format() {
        assert_eq!(
            window_text(
                Some("2026-01-05T09:00:00.1234567+01:00"),
                Some("2026-06-30")
            ),
            "2026-01-05T08:00:00Z..2026-06-30T00:00:00Z"
        );
        assert_eq!(
            window_text(None, Some("2027-01-01T00:00:00Z")),
            "..2027-01-01T00:00:00Z"
        );
        assert_eq!(
            window_text(Some("2026-01-01T00:00:00Z"), None),
            "2026-01-01T00:00:00Z.."
        );
        assert_eq!(window_text(Some("soon"), Some(" ")), "soon..");
        assert_eq!(window_text(None, None), "");
    }
}
