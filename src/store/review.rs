//! The access-review audit trail: every SQL statement about review decisions
//! (`migrations/V2__review_decisions.sql`).
//!
//! An applied sheet is written in one transaction — all of its rows or none — and
//! only ever appended: nothing here updates or deletes a decision (the schema's
//! triggers refuse it too). Reading gives the decision in force per review key (the
//! latest non-blank one), the keys ever seen on an applied sheet, and the target
//! scopes those sheets covered.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, TransactionBehavior};

use crate::model::{key, scope_key};

use super::{Store, StoreError};

/// One applied sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewApply {
    /// The snapshot the sheet was validated against (the latest).
    pub snapshot_id: i64,
    pub file: String,
    pub sheet_sha256: String,
    pub reviewer: String,
    /// UTC, `%Y-%m-%dT%H:%M:%SZ`.
    pub applied_at: String,
}

/// One row of an applied sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetDecision {
    /// Spreadsheet row number (the header is row 1).
    pub sheet_row: usize,
    pub review_key: String,
    pub target_scope: String,
    /// `approve`, `remove`, `flag`, or None when left blank.
    pub decision: Option<String>,
    pub comment: Option<String>,
    pub content_hash: String,
}

/// A recorded decision with who made it, when, and against which snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDecision {
    pub review_key: String,
    pub target_scope: String,
    pub decision: String,
    pub comment: Option<String>,
    pub content_hash: String,
    pub reviewer: String,
    pub decided_at: String,
    pub snapshot_id: i64,
    pub apply_id: i64,
}

impl Store {
    /// Appends one applied sheet and all its rows, in one transaction. Returns the
    /// apply id.
    pub fn record_review(
        &mut self,
        apply: &ReviewApply,
        rows: &[SheetDecision],
    ) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO review_applies (snapshot_id, file, sheet_sha256, reviewer, applied_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                apply.snapshot_id,
                apply.file,
                apply.sheet_sha256,
                apply.reviewer,
                apply.applied_at
            ],
        )?;
        let apply_id = tx.last_insert_rowid();
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO review_decisions (apply_id, sheet_row, review_key, \
                 target_scope_key, target_scope, decision, reviewer_comment, content_hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for r in rows {
                st.execute(params![
                    apply_id,
                    r.sheet_row as i64,
                    key(&r.review_key),
                    scope_key(&r.target_scope),
                    r.target_scope,
                    r.decision.as_deref().map(key),
                    r.comment,
                    r.content_hash
                ])?;
            }
        }
        tx.commit()?;
        Ok(apply_id)
    }

    /// The decision in force per review key: the latest non-blank one.
    pub fn review_decisions(&self) -> Result<HashMap<String, RecordedDecision>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT d.review_key, d.target_scope, d.decision, d.reviewer_comment, \
             d.content_hash, a.reviewer, a.applied_at, a.snapshot_id, a.id \
             FROM review_decisions d JOIN review_applies a ON a.id = d.apply_id \
             WHERE d.decision IS NOT NULL ORDER BY d.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(RecordedDecision {
                review_key: r.get(0)?,
                target_scope: r.get(1)?,
                decision: r.get(2)?,
                comment: r.get(3)?,
                content_hash: r.get(4)?,
                reviewer: r.get(5)?,
                decided_at: r.get(6)?,
                snapshot_id: r.get(7)?,
                apply_id: r.get(8)?,
            })
        })?;
        let mut out = HashMap::new();
        for d in rows {
            let d = d?;
            out.insert(d.review_key.clone(), d);
        }
        Ok(out)
    }

    /// Every review key that was on an applied sheet, decided or not.
    pub fn reviewed_keys(&self) -> Result<HashSet<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT review_key FROM review_decisions")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The target scopes (as `scope_key`s) of every applied sheet's rows.
    pub fn reviewed_target_scopes(&self) -> Result<HashSet<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT target_scope_key FROM review_decisions")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The target scopes (original spelling) that have a decision recorded, sorted.
    pub fn decided_target_scopes(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT target_scope FROM review_decisions WHERE decision IS NOT NULL \
             GROUP BY target_scope_key ORDER BY target_scope_key",
        )?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many applied sheets and decision rows the trail holds.
    pub fn review_trail_size(&self) -> Result<(i64, i64), StoreError> {
        Ok((
            self.conn
                .query_row("SELECT count(*) FROM review_applies", [], |r| r.get(0))?,
            self.conn
                .query_row("SELECT count(*) FROM review_decisions", [], |r| r.get(0))?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.db")).unwrap();
        s.write_snapshot(
            &super::super::NewSnapshot {
                taken_at: "2026-11-01T00:00:00Z".into(),
                label: None,
                tool_version: "test".into(),
            },
            &crate::model::Tenant::default(),
            &[],
            &[],
        )
        .unwrap();
        (dir, s)
    }

    fn apply(at: &str) -> ReviewApply {
        ReviewApply {
            snapshot_id: 1,
            file: "sheet.csv".into(),
            sheet_sha256: "00".into(),
            reviewer: "olivia".into(),
            applied_at: at.into(),
        }
    }

    fn row(n: usize, k: &str, decision: Option<&str>) -> SheetDecision {
        SheetDecision {
            sheet_row: n,
            review_key: k.into(),
            target_scope: "/Subscriptions/S1".into(),
            decision: decision.map(str::to_string),
            comment: None,
            content_hash: "h".into(),
        }
    }

    #[test]
    fn latest_non_blank_decision_wins_and_blanks_are_seen() {
        let (_d, mut s) = store();
        s.record_review(
            &apply("2026-11-02T00:00:00Z"),
            &[row(2, "k1", Some("approve")), row(3, "k2", None)],
        )
        .unwrap();
        s.record_review(
            &apply("2026-11-03T00:00:00Z"),
            &[row(2, "k1", None), row(3, "K2", Some("Remove"))],
        )
        .unwrap();
        let d = s.review_decisions().unwrap();
        assert_eq!(d["k1"].decision, "approve");
        assert_eq!(d["k1"].decided_at, "2026-11-02T00:00:00Z");
        assert_eq!(d["k2"].decision, "remove");
        assert_eq!(
            s.reviewed_keys().unwrap(),
            HashSet::from(["k1".to_string(), "k2".to_string()])
        );
        assert_eq!(
            s.reviewed_target_scopes().unwrap(),
            HashSet::from(["/subscriptions/s1".to_string()])
        );
        assert_eq!(s.review_trail_size().unwrap(), (2, 4));
    }

    #[test]
    fn the_trail_is_append_only() {
        let (_d, mut s) = store();
        s.record_review(
            &apply("2026-11-02T00:00:00Z"),
            &[row(2, "k1", Some("flag"))],
        )
        .unwrap();
        assert!(s
            .conn
            .execute("UPDATE review_decisions SET decision = 'approve'", [])
            .is_err());
        assert!(s.conn.execute("DELETE FROM review_decisions", []).is_err());
        assert!(s.conn.execute("DELETE FROM review_applies", []).is_err());
        assert_eq!(s.review_decisions().unwrap()["k1"].decision, "flag");
    }

    #[test]
    fn a_bad_row_records_nothing() {
        let (_d, mut s) = store();
        let err = s.record_review(
            &apply("2026-11-02T00:00:00Z"),
            &[row(2, "k1", Some("approve")), row(3, "k2", Some("maybe"))],
        );
        assert!(err.is_err(), "the CHECK constraint refuses `maybe`");
        assert_eq!(s.review_trail_size().unwrap(), (0, 0));
    }
}
