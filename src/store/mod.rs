//! The store: the only module that speaks SQL.
//!
//! One [`Store`] owns one rusqlite connection. Opening applies the pragmas (WAL,
//! foreign keys) and the embedded refinery migrations. A snapshot is written in one
//! transaction: either it exists completely or the database is as it was.
//! Nothing outside this module names a table.

use std::path::Path;

use crate::model::{Flag, InputFile, Snapshot, Tenant};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("no snapshot matches {0}")]
    NoSnapshot(String),
    #[error("the database holds no snapshot yet (hint: run `whocan import PATH...` first)")]
    Empty,
    #[error("{0}")]
    Other(String),
}

/// Which snapshot a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotSelector {
    Latest,
    Id(i64),
    /// The latest snapshot taken at or before this RFC 3339 instant.
    AsOf(String),
}

/// What `import` asks the store to record about a new snapshot.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub label: Option<String>,
    pub tool_version: String,
}

pub struct Store {
    conn: rusqlite::Connection,
}

impl Store {
    /// Opens (creating with mode 0600 if absent) and migrates the database.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let _ = path;
        todo!("store helper")
    }

    /// Writes a complete snapshot in one transaction and returns its metadata.
    pub fn write_snapshot(
        &mut self,
        meta: &NewSnapshot,
        tenant: &Tenant,
        files: &[InputFile],
        flags: &[Flag],
    ) -> Result<Snapshot, StoreError> {
        let _ = (&self.conn, meta, tenant, files, flags);
        todo!("store helper")
    }

    /// All snapshots, oldest first.
    pub fn snapshots(&self) -> Result<Vec<Snapshot>, StoreError> {
        todo!("store helper")
    }

    pub fn resolve(&self, selector: &SnapshotSelector) -> Result<Snapshot, StoreError> {
        let _ = selector;
        todo!("store helper")
    }

    /// The full content of one snapshot.
    pub fn load_tenant(&self, snapshot_id: i64) -> Result<Tenant, StoreError> {
        let _ = snapshot_id;
        todo!("store helper")
    }

    pub fn files(&self, snapshot_id: i64) -> Result<Vec<InputFile>, StoreError> {
        let _ = snapshot_id;
        todo!("store helper")
    }

    pub fn flags(&self, snapshot_id: i64) -> Result<Vec<Flag>, StoreError> {
        let _ = snapshot_id;
        todo!("store helper")
    }
}
