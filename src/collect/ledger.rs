//! `DIR/collection.json`, the completeness ledger (notes/ledger-contract.md),
//! rewritten atomically through `fsutil::write_file` whenever an entry changes.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const FILE: &str = "collection.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    pub whocan_collection: u32,
    pub tool: String,
    pub arm_url: String,
    pub graph_url: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub complete: bool,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub api: String,
    pub collection: String,
    pub scope: String,
    pub status: String,
    pub http_status: Option<u16>,
    pub pages: u64,
    pub items: u64,
    pub retries: u64,
    pub error: Option<String>,
    pub files: Vec<String>,
}

impl Entry {
    pub fn pending(api: &str, collection: &str, scope: &str) -> Entry {
        Entry {
            api: api.into(),
            collection: collection.into(),
            scope: scope.into(),
            status: "pending".into(),
            http_status: None,
            pages: 0,
            items: 0,
            retries: 0,
            error: None,
            files: Vec::new(),
        }
    }

    /// What identifies the read: API, collection and scope (case-insensitively).
    pub fn key(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.api,
            self.collection,
            self.scope.to_ascii_lowercase()
        )
    }

    pub fn same_request(&self, other: &Entry) -> bool {
        self.api == other.api
            && self.collection == other.collection
            && self.scope.eq_ignore_ascii_case(&other.scope)
    }
}

impl Ledger {
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(FILE)
    }

    pub fn load(dir: &Path) -> anyhow::Result<Ledger> {
        let path = Ledger::path(dir);
        let bytes = std::fs::read(&path)?;
        let ledger: Ledger = serde_json::from_slice(&bytes).map_err(|e| {
            super::CollectError::Usage(format!(
                "{}: not a collection ledger ({e})\nhint: --resume continues a collection that `whocan collect --out DIR` started",
                path.display()
            ))
        })?;
        Ok(ledger)
    }

    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        crate::fsutil::write_file(&Ledger::path(dir), |w| {
            w.write_all(&bytes)?;
            w.write_all(b"\n")
        })?;
        Ok(())
    }
}
