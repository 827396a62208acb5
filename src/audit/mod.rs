//! The audit products, built on the engine and never the reverse: [`diff`] (access
//! gained and lost between two snapshots, each change traced to its cause), [`lint`]
//! (findings) and [`review`] (the access-review rows, carried decisions and removal
//! plans). Like the engine they are pure: data in, values out; no SQL, no printing,
//! no clock. Every Azure rule they apply is the engine's (permission blocks, the
//! membership graph, time windows, orphans).

pub(crate) mod diff;
pub(crate) mod lint;
pub(crate) mod lint_escalation;
pub mod review;
pub(crate) mod review_summary;
