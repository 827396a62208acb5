//! Time windows (SPEC §2.10): whether a PIM eligibility, a time-bound active
//! assignment or a PIM-for-Groups membership is in force at the snapshot's time.
//!
//! This is the one place that reads an export's timestamps and compares them with
//! the snapshot's `taken_at`; `decide`, `review`, `lint` and `diff` all ask here.
//! The reference time is always data (the snapshot's `taken_at`), never the clock.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

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
    pub fn as_str(self) -> &'static str {
        match self {
            WindowState::Active => "active",
            WindowState::Ended => "ended",
            WindowState::Scheduled => "scheduled",
        }
    }

    pub fn is_active(self) -> bool {
        self == WindowState::Active
    }
}

/// An export's timestamp: RFC 3339 (`2026-06-30T00:00:00Z`, with any offset or
/// fraction), a zone-less `YYYY-MM-DDTHH:MM:SS[.f]` (taken as UTC, as ARM and
/// Graph mean it), or a bare `YYYY-MM-DD` (its start, UTC). Anything else is None.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(d.and_utc());
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(d.and_utc());
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The state of a window `[start, end)` at `at`. With no reference time, or a
/// bound that cannot be read, that bound does not limit the window (the instance
/// is reported with its raw times, so a reader can still see them).
pub fn window_state(
    start: Option<&str>,
    end: Option<&str>,
    at: Option<DateTime<Utc>>,
) -> WindowState {
    let Some(at) = at else {
        return WindowState::Active;
    };
    if let Some(end) = end.and_then(parse_time) {
        if end <= at {
            return WindowState::Ended;
        }
    }
    if let Some(start) = start.and_then(parse_time) {
        if start > at {
            return WindowState::Scheduled;
        }
    }
    WindowState::Active
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<DateTime<Utc>> {
        parse_time(s)
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
        // An end exactly at the snapshot time has ended.
        assert_eq!(
            window_state(None, Some("2026-10-01T00:00:00Z"), t),
            WindowState::Ended
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
}
