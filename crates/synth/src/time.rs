//! Timestamps for the generated records, without a clock: a [`Stamp`] is seconds
//! since 1970 drawn from the seed, formatted the way each export prints dates
//! (`+00:00` with microseconds for az, `Z` for ARM and Graph).

use super::rng::Rng;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp(pub i64);

pub(crate) const DAY: i64 = 86_400;

impl Stamp {
    pub(crate) fn ymd(y: i64, m: i64, d: i64) -> Stamp {
        Stamp(days_from_civil(y, m, d) * DAY)
    }

    /// A uniform instant in `[from, to)`.
    pub(crate) fn between(rng: &mut Rng, from: Stamp, to: Stamp) -> Stamp {
        let span = (to.0 - from.0).max(1) as usize;
        Stamp(from.0 + rng.below(span) as i64)
    }

    pub(crate) fn plus_days(self, days: i64) -> Stamp {
        Stamp(self.0 + days * DAY)
    }

    fn parts(self) -> (i64, i64, i64, i64, i64, i64) {
        let days = self.0.div_euclid(DAY);
        let secs = self.0.rem_euclid(DAY);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// `2025-02-11T14:31:50.009871+00:00` (az CLI); the fraction is derived from the
    /// instant so that it looks measured but stays deterministic.
    pub(crate) fn az(self) -> String {
        let (y, m, d, h, mi, s) = self.parts();
        let frac = (self.0.wrapping_mul(2_654_435_761) as u64 % 1_000_000) as i64;
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:06}+00:00")
    }

    /// `2025-02-11T14:31:50Z` (ARM, Graph).
    pub(crate) fn zulu(self) -> String {
        let (y, m, d, h, mi, s) = self.parts();
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_through_chrono() {
        let s = Stamp::ymd(2026, 2, 28).plus_days(1);
        assert_eq!(s.zulu(), "2026-03-01T00:00:00Z");
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let t = Stamp::between(&mut rng, Stamp::ymd(2015, 1, 1), Stamp::ymd(2027, 1, 1));
            let parsed = chrono::DateTime::parse_from_rfc3339(&t.zulu()).unwrap();
            assert_eq!(parsed.timestamp(), t.0);
            let az = chrono::DateTime::parse_from_rfc3339(&t.az()).unwrap();
            assert_eq!(az.timestamp(), t.0);
        }
    }
}
