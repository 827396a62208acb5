//! The access-review audit trail: every SQL statement about review decisions
//! (`migrations/V2__review_decisions.sql`, chained by `V5__evidence_chain.sql`).
//!
//! An applied sheet is written in one transaction — all of its rows or none — and
//! only ever appended: nothing here updates or deletes a decision (the schema's
//! triggers refuse it too). Triggers can be dropped by whoever can write the file,
//! so each apply also records a chain hash (`canon::review_chain_hash`) over the
//! previous apply's and everything it recorded, and is dated no earlier than the
//! previous apply and its snapshot's import; [`Store::verify_trail`] recomputes it
//! all. Reading gives the decision in force per review key (the latest non-blank
//! one), the keys ever seen on an applied sheet, and the target scopes those sheets
//! covered.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::model::{key, scope_key};

use super::canon::{review_chain_hash, TrailLink, TrailRow};
use super::{Store, StoreError};

/// One applied sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReviewApply {
    /// The snapshot the sheet was validated against (the latest).
    pub(crate) snapshot_id: i64,
    pub(crate) file: String,
    pub(crate) sheet_sha256: String,
    pub(crate) reviewer: String,
    /// UTC, `%Y-%m-%dT%H:%M:%SZ`.
    pub(crate) applied_at: String,
}

/// One row of an applied sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SheetDecision {
    /// Spreadsheet row number (the header is row 1).
    pub(crate) sheet_row: usize,
    pub(crate) review_key: String,
    pub(crate) target_scope: String,
    /// `approve`, `remove`, `flag`, or None when left blank.
    pub(crate) decision: Option<String>,
    pub(crate) comment: Option<String>,
    pub(crate) content_hash: String,
}

/// A recorded decision with who made it, when, and against which snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordedDecision {
    pub(crate) review_key: String,
    pub(crate) target_scope: String,
    pub(crate) decision: String,
    pub(crate) comment: Option<String>,
    pub(crate) content_hash: String,
    pub(crate) reviewer: String,
    pub(crate) decided_at: String,
    pub(crate) snapshot_id: i64,
    pub(crate) apply_id: i64,
}

/// An applied sheet with its rows, as stored.
struct StoredApply {
    id: i64,
    snapshot_id: i64,
    file: String,
    sheet_sha256: String,
    reviewer: String,
    applied_at: String,
    chain_hash: Option<String>,
    rows: Vec<TrailRow>,
}

impl StoredApply {
    fn link(&self) -> TrailLink<'_> {
        TrailLink {
            id: self.id,
            snapshot_id: self.snapshot_id,
            file: &self.file,
            sheet_sha256: &self.sheet_sha256,
            reviewer: &self.reviewer,
            applied_at: &self.applied_at,
            rows: &self.rows,
        }
    }
}

/// The whole trail as stored: applies by id, each with its rows by id.
fn trail(conn: &Connection) -> rusqlite::Result<Vec<StoredApply>> {
    let mut st = conn.prepare(
        "SELECT id, snapshot_id, file, sheet_sha256, reviewer, applied_at, chain_hash \
         FROM review_applies ORDER BY id",
    )?;
    let mut applies = st
        .query_map([], |r| {
            Ok(StoredApply {
                id: r.get(0)?,
                snapshot_id: r.get(1)?,
                file: r.get(2)?,
                sheet_sha256: r.get(3)?,
                reviewer: r.get(4)?,
                applied_at: r.get(5)?,
                chain_hash: r.get(6)?,
                rows: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let index: HashMap<i64, usize> = applies.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let mut st = conn.prepare(
        "SELECT apply_id, sheet_row, review_key, target_scope_key, target_scope, decision, \
         reviewer_comment, content_hash FROM review_decisions ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let Some(&i) = index.get(&r.get::<_, i64>(0)?) else {
            continue;
        };
        applies[i].rows.push(TrailRow {
            sheet_row: r.get(1)?,
            review_key: r.get(2)?,
            target_scope_key: r.get(3)?,
            target_scope: r.get(4)?,
            decision: r.get(5)?,
            comment: r.get(6)?,
            content_hash: r.get(7)?,
        });
    }
    Ok(applies)
}

/// The check of one applied sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReviewCheck {
    pub(crate) id: i64,
    pub(crate) snapshot_id: i64,
    pub(crate) file: String,
    pub(crate) reviewer: String,
    pub(crate) applied_at: String,
    /// How many rows the sheet recorded.
    pub(crate) rows: usize,
    /// None for a sheet applied before the trail was chained (schema V5).
    pub(crate) recorded_chain: Option<String>,
    /// Recomputed from the previous apply's recorded hash (its computed one when
    /// it has none) and what this apply recorded.
    pub(crate) expected_chain: String,
    /// Recomputed from scratch, link by link: what a receipt is checked against.
    pub(crate) computed_chain: String,
    /// A break that is not a hash mismatch (back-dated, unchained after chained,
    /// an unknown snapshot).
    pub(crate) problem: Option<String>,
}

impl ReviewCheck {
    /// Applied before the trail was chained: nothing recorded to compare.
    pub(crate) fn legacy(&self) -> bool {
        self.recorded_chain.is_none()
    }

    pub(crate) fn chain_ok(&self) -> bool {
        self.recorded_chain
            .as_ref()
            .is_none_or(|r| *r == self.expected_chain)
    }

    pub(crate) fn ok(&self) -> bool {
        self.chain_ok() && self.problem.is_none()
    }
}

/// The check of the whole review trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrailCheck {
    pub(crate) applies: Vec<ReviewCheck>,
    /// Decision rows whose apply is not in the trail.
    pub(crate) orphan_rows: i64,
}

impl TrailCheck {
    pub(crate) fn ok(&self) -> bool {
        self.orphan_rows == 0 && self.applies.iter().all(ReviewCheck::ok)
    }
}

impl Store {
    /// Appends one applied sheet and all its rows, in one transaction, chained to
    /// the previous apply. Returns the apply id. Refuses (changing nothing) a sheet
    /// dated before the trail's latest apply or before its snapshot was imported:
    /// the trail's times only go forward, so a back-dated entry is evidence of
    /// tampering, never of a clock that went back.
    pub(crate) fn record_review(
        &mut self,
        apply: &ReviewApply,
        rows: &[SheetDecision],
    ) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let latest: Option<(i64, Option<String>, String)> = tx
            .query_row(
                "SELECT id, chain_hash, applied_at FROM review_applies ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((id, _, at)) = &latest {
            if apply.applied_at < *at {
                return Err(StoreError::Other(format!(
                    "the clock reads {}, before the review trail's latest apply ({id}, at {at}): \
                     the trail only goes forward in time; correct the system clock and apply again",
                    apply.applied_at
                )));
            }
        }
        let imported_at: Option<String> = tx
            .query_row(
                "SELECT imported_at FROM snapshots WHERE id = ?1",
                [apply.snapshot_id],
                |r| r.get(0),
            )
            .optional()?;
        match imported_at {
            None => {
                return Err(StoreError::NoSnapshot(format!(
                    "no snapshot {}",
                    apply.snapshot_id
                )))
            }
            Some(imported) if apply.applied_at < imported => {
                return Err(StoreError::Other(format!(
                    "the clock reads {}, before snapshot {} was imported ({imported}): \
                     correct the system clock and apply again",
                    apply.applied_at, apply.snapshot_id
                )))
            }
            Some(_) => {}
        }
        let previous = match &latest {
            None => String::new(),
            Some((_, Some(chain), _)) => chain.clone(),
            // Sheets applied before the chain existed: their links are computed.
            Some((_, None, _)) => trail(&tx)?
                .iter()
                .fold(String::new(), |prev, a| review_chain_hash(&prev, &a.link())),
        };
        let id = latest.as_ref().map_or(1, |l| l.0 + 1);
        let trail_rows: Vec<TrailRow> = rows
            .iter()
            .map(|r| TrailRow {
                sheet_row: r.sheet_row as i64,
                review_key: key(&r.review_key),
                target_scope_key: scope_key(&r.target_scope),
                target_scope: r.target_scope.clone(),
                decision: r.decision.as_deref().map(key),
                comment: r.comment.clone(),
                content_hash: r.content_hash.clone(),
            })
            .collect();
        let chain = review_chain_hash(
            &previous,
            &TrailLink {
                id,
                snapshot_id: apply.snapshot_id,
                file: &apply.file,
                sheet_sha256: &apply.sheet_sha256,
                reviewer: &apply.reviewer,
                applied_at: &apply.applied_at,
                rows: &trail_rows,
            },
        );
        tx.execute(
            "INSERT INTO review_applies (id, snapshot_id, file, sheet_sha256, reviewer, \
             applied_at, chain_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                apply.snapshot_id,
                apply.file,
                apply.sheet_sha256,
                apply.reviewer,
                apply.applied_at,
                chain
            ],
        )?;
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO review_decisions (apply_id, sheet_row, review_key, \
                 target_scope_key, target_scope, decision, reviewer_comment, content_hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for r in &trail_rows {
                st.execute(params![
                    id,
                    r.sheet_row,
                    r.review_key,
                    r.target_scope_key,
                    r.target_scope,
                    r.decision,
                    r.comment,
                    r.content_hash
                ])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// Every applied sheet, oldest first, checked: its recorded chain hash against
    /// the one recomputed from the previous apply's recorded hash and everything it
    /// recorded, and its time against the previous apply's and its snapshot's
    /// import. Also the decision rows that belong to no apply. Read-only.
    pub(crate) fn verify_trail(&self) -> Result<TrailCheck, StoreError> {
        let applies = trail(&self.conn)?;
        let mut snapshots = HashMap::new();
        {
            let mut st = self
                .conn
                .prepare("SELECT id, imported_at, chain_version FROM snapshots")?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    (r.get::<_, String>(1)?, r.get::<_, i64>(2)?),
                ))
            })?;
            for row in rows {
                let (id, v) = row?;
                snapshots.insert(id, v);
            }
        }
        let mut out = Vec::with_capacity(applies.len());
        let mut previous = String::new();
        let mut computed_previous = String::new();
        let mut previous_at: Option<String> = None;
        let mut chained_before = false;
        for a in &applies {
            let link = a.link();
            let expected = review_chain_hash(&previous, &link);
            let computed = review_chain_hash(&computed_previous, &link);
            let snapshot = snapshots.get(&a.snapshot_id);
            let problem = match (&a.chain_hash, snapshot) {
                (_, None) => Some(format!(
                    "it names snapshot {}, which the database does not hold",
                    a.snapshot_id
                )),
                (None, _) if chained_before => Some(
                    "it has no chain hash, yet an earlier apply has one: only sheets applied \
                     before the trail was chained (schema V5) lack it"
                        .to_string(),
                ),
                (None, Some((_, version))) if *version >= 2 => Some(format!(
                    "it has no chain hash, yet its snapshot {} was imported after the trail \
                     was chained (schema V5)",
                    a.snapshot_id
                )),
                (Some(_), _) if previous_at.as_ref().is_some_and(|p| a.applied_at < *p) => {
                    Some(format!(
                        "it is dated {}, before the previous apply ({}): back-dated",
                        a.applied_at,
                        previous_at.as_deref().unwrap_or_default()
                    ))
                }
                (Some(_), Some((imported, _))) if a.applied_at < *imported => Some(format!(
                    "it is dated {}, before its snapshot {} was imported ({imported}): back-dated",
                    a.applied_at, a.snapshot_id
                )),
                _ => None,
            };
            chained_before |= a.chain_hash.is_some();
            previous = a.chain_hash.clone().unwrap_or_else(|| expected.clone());
            computed_previous = computed.clone();
            previous_at = Some(a.applied_at.clone());
            out.push(ReviewCheck {
                id: a.id,
                snapshot_id: a.snapshot_id,
                file: a.file.clone(),
                reviewer: a.reviewer.clone(),
                applied_at: a.applied_at.clone(),
                rows: a.rows.len(),
                recorded_chain: a.chain_hash.clone(),
                expected_chain: expected,
                computed_chain: computed,
                problem,
            });
        }
        let orphan_rows = self.conn.query_row(
            "SELECT count(*) FROM review_decisions d \
             WHERE NOT EXISTS (SELECT 1 FROM review_applies a WHERE a.id = d.apply_id)",
            [],
            |r| r.get(0),
        )?;
        Ok(TrailCheck {
            applies: out,
            orphan_rows,
        })
    }

    /// The decision in force per review key: the latest non-blank one.
    pub(crate) fn review_decisions(&self) -> Result<HashMap<String, RecordedDecision>, StoreError> {
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
    pub(crate) fn reviewed_keys(&self) -> Result<HashSet<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT review_key FROM review_decisions")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The target scopes (as `scope_key`s) of every applied sheet's rows.
    pub(crate) fn reviewed_target_scopes(&self) -> Result<HashSet<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT target_scope_key FROM review_decisions")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The target scopes (original spelling) that have a decision recorded, sorted.
    pub(crate) fn decided_target_scopes(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT target_scope FROM review_decisions WHERE decision IS NOT NULL \
             GROUP BY target_scope_key ORDER BY target_scope_key",
        )?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many applied sheets and decision rows the trail holds.
    #[cfg(test)]
    pub(crate) fn review_trail_size(&self) -> Result<(i64, i64), StoreError> {
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
                taken_at: "2099-11-01T00:00:00Z".into(),
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
            &apply("2099-11-02T00:00:00Z"),
            &[row(2, "k1", Some("approve")), row(3, "k2", None)],
        )
        .unwrap();
        s.record_review(
            &apply("2099-11-03T00:00:00Z"),
            &[row(2, "k1", None), row(3, "K2", Some("Remove"))],
        )
        .unwrap();
        let d = s.review_decisions().unwrap();
        assert_eq!(d["k1"].decision, "approve");
        assert_eq!(d["k1"].decided_at, "2099-11-02T00:00:00Z");
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
            &apply("2099-11-02T00:00:00Z"),
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
            &apply("2099-11-02T00:00:00Z"),
            &[row(2, "k1", Some("approve")), row(3, "k2", Some("maybe"))],
        );
        assert!(err.is_err(), "the CHECK constraint refuses `maybe`");
        assert_eq!(s.review_trail_size().unwrap(), (0, 0));
    }

    /// Rewrites the trail behind the triggers' back, as an attacker with the file
    /// would.
    fn behind_triggers(s: &Store, sql: &str) {
        s.conn
            .execute_batch(&format!(
                "DROP TRIGGER review_decisions_append_only_update; \
                 DROP TRIGGER review_applies_append_only_update; {sql}; \
                 CREATE TRIGGER review_decisions_append_only_update BEFORE UPDATE ON review_decisions \
                 BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END; \
                 CREATE TRIGGER review_applies_append_only_update BEFORE UPDATE ON review_applies \
                 BEGIN SELECT RAISE(ABORT, 'review_applies is append-only'); END;"
            ))
            .unwrap();
    }

    fn two_applies() -> (tempfile::TempDir, Store) {
        let (d, mut s) = store();
        s.record_review(
            &apply("2099-11-02T00:00:00Z"),
            &[row(2, "k1", Some("remove")), row(3, "k2", None)],
        )
        .unwrap();
        s.record_review(
            &apply("2099-11-03T00:00:00Z"),
            &[row(2, "k3", Some("Remove"))],
        )
        .unwrap();
        (d, s)
    }

    #[test]
    fn an_untouched_trail_verifies_and_each_apply_is_chained() {
        let (_d, s) = two_applies();
        let t = s.verify_trail().unwrap();
        assert!(t.ok(), "{t:?}");
        assert_eq!(t.applies.len(), 2);
        assert!(t.applies.iter().all(|a| !a.legacy()));
        assert_eq!(t.applies[1].rows, 1);
        assert_eq!(
            t.applies[1].recorded_chain.as_deref(),
            Some(t.applies[1].computed_chain.as_str())
        );
    }

    #[test]
    fn rewritten_decisions_break_the_chain_at_their_apply() {
        let (_d, s) = two_applies();
        behind_triggers(
            &s,
            "UPDATE review_decisions SET decision = 'approve' WHERE decision = 'remove'",
        );
        let t = s.verify_trail().unwrap();
        assert!(!t.applies[0].ok() && !t.applies[1].ok(), "{t:?}");
        // Only the first apply's data changed in apply 1; apply 2's too.
        behind_triggers(
            &s,
            "UPDATE review_applies SET reviewer = 'mallory' WHERE id = 2",
        );
        assert!(!s.verify_trail().unwrap().applies[1].chain_ok());
    }

    #[test]
    fn a_back_dated_or_unchained_apply_is_caught() {
        let (_d, s) = two_applies();
        s.conn
            .execute(
                "INSERT INTO review_applies (snapshot_id, file, sheet_sha256, reviewer, applied_at) \
                 VALUES (1, 'forged.csv', '00', 'olivia', '2099-11-01T00:00:00Z')",
                [],
            )
            .unwrap();
        let t = s.verify_trail().unwrap();
        assert!(t.applies[..2].iter().all(ReviewCheck::ok));
        let forged = &t.applies[2];
        assert!(!forged.ok());
        assert!(
            forged.problem.as_deref().unwrap().contains("no chain hash"),
            "{forged:?}"
        );

        // With a correct chain hash, the date still gives it away.
        let (_d, mut s) = two_applies();
        s.record_review(
            &apply("2099-11-04T00:00:00Z"),
            &[row(2, "k4", Some("flag"))],
        )
        .unwrap();
        behind_triggers(
            &s,
            "UPDATE review_applies SET applied_at = '2099-11-01T00:00:00Z' WHERE id = 3",
        );
        let t = s.verify_trail().unwrap();
        assert!(!t.applies[2].ok());
    }

    #[test]
    fn a_trail_never_goes_back_in_time() {
        let (_d, mut s) = two_applies();
        let err = s
            .record_review(&apply("2099-11-02T12:00:00Z"), &[row(2, "k1", None)])
            .unwrap_err();
        assert!(
            err.to_string().contains("correct the system clock"),
            "{err}"
        );
        assert_eq!(s.review_trail_size().unwrap(), (2, 3));
    }

    /// Sheets applied before V5 have no chain hash; the next apply chains onto
    /// their computed links, and they verify.
    #[test]
    fn sheets_applied_before_the_chain_verify_and_are_covered_by_the_next() {
        let (_d, mut s) = two_applies();
        // As written before V5: the snapshot's chain in version 1, no trail chain.
        let snap = s.resolve(&crate::store::SnapshotSelector::Latest).unwrap();
        let v1 = crate::store::chain_hash("", &snap.content_hash, &snap.taken_at, None);
        s.conn
            .execute(
                "UPDATE snapshots SET chain_version = 1, chain_hash = ?1",
                [v1],
            )
            .unwrap();
        behind_triggers(&s, "UPDATE review_applies SET chain_hash = NULL");
        let t = s.verify_trail().unwrap();
        assert!(t.ok(), "{t:?}");
        assert!(t.applies.iter().all(ReviewCheck::legacy));
        s.record_review(
            &apply("2099-11-04T00:00:00Z"),
            &[row(2, "k4", Some("flag"))],
        )
        .unwrap();
        let t = s.verify_trail().unwrap();
        assert!(t.ok(), "{t:?}");
        // ...and a rewrite of a legacy sheet now breaks the chained one after it.
        behind_triggers(
            &s,
            "UPDATE review_decisions SET decision = 'approve' WHERE decision = 'remove'",
        );
        let t = s.verify_trail().unwrap();
        assert!(t.applies[..2].iter().all(ReviewCheck::ok));
        assert!(!t.applies[2].chain_ok());
    }
}
