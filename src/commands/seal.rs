//! `whocan seal`: an external anchor for the evidence chains.
//!
//! Any hash chain kept only inside the database can be recomputed by whoever can
//! write the database. A receipt cannot: `seal --key FILE` signs, with an Ed25519
//! key the database never sees, the current chain heads — the latest snapshot's
//! chain hash and the latest review apply's chain hash, with their ids — and writes
//! them as a small JSON receipt that the auditor keeps elsewhere. `verify --receipt
//! FILE --public-key KEY` ([`check_receipt`]) proves the signature and that the
//! database, recomputed from scratch, still reaches exactly those hashes at those
//! ids: nothing up to the seal was altered, inserted or removed.
//!
//! Keys are PEM — PKCS#8 `PRIVATE KEY` and SubjectPublicKeyInfo `PUBLIC KEY`, as
//! OpenSSL writes them (`openssl genpkey -algorithm ed25519`) — or 64 hex digits
//! (the raw 32-byte key). `seal --new-key FILE` writes PEM: FILE (0600) and
//! FILE.pub, refusing to overwrite either.
//!
//! The receipt (format `whocan-receipt-v1`) is JSON whose `statement` is the exact
//! text signed (UTF-8, one `name: value` per line, each ending in `\n`):
//!
//! ```text
//! whocan-receipt-v1
//! sealed_at: 2026-11-29T21:30:00Z
//! tool_version: 0.1.0
//! snapshot_id: 3
//! snapshot_chain_hash: <64 hex>
//! review_apply_id: 2            (or `none`)
//! review_chain_hash: <64 hex>   (or `none`)
//! ```
//!
//! next to `signature` (128 hex digits: the Ed25519 signature of the statement's
//! bytes), `publicKey` (64 hex digits, informational: verification always uses the
//! key the auditor passes) and the statement's fields again as JSON for reading;
//! those must agree with the statement.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{json, Value};

use crate::cli::SealArgs;
use crate::report::text::eprintln_safe;
use crate::store::history::SnapshotCheck;
use crate::store::review::TrailCheck;

use super::common::open_existing;
use super::{Outcome, UsageError};

/// The receipt format this binary writes and reads.
pub(crate) const RECEIPT_FORMAT: &str = "whocan-receipt-v1";

pub(crate) fn run(db: &Path, args: SealArgs) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.new_key {
        return new_key(path);
    }
    let key_path = args
        .key
        .as_deref()
        .ok_or_else(|| UsageError("seal needs --key FILE (or --new-key FILE)".into()))?;
    let key = read_signing_key(key_path)?;
    let store = open_existing(db)?;
    let snapshots = store.verify_all()?;
    let trail = store.verify_trail()?;
    if let Some(b) = first_break(&snapshots, &trail) {
        eprintln_safe!(
            "seal: refusing to seal a database that does not verify: {b} (run `whocan verify` for every check)"
        );
        return Ok(Outcome::No);
    }
    let heads = Heads::of(&snapshots, &trail).ok_or_else(|| {
        UsageError(format!(
            "nothing to seal: {} holds no snapshot yet\nhint: run `whocan import PATH...`",
            db.display()
        ))
    })?;
    let sealed_at = crate::model::Timestamp::now().to_string();
    let receipt = Receipt {
        sealed_at,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        heads,
    };
    let text = receipt.sign(&key);
    match &args.out {
        Some(out) => {
            make_parent(out, "the receipt")?;
            crate::fsutil::new_file::write_new_or_device(out, text.as_bytes())
                .with_context(|| format!("writing the receipt {}", out.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes())?;
            lock.flush()?;
        }
    }
    let h = &receipt.heads;
    eprintln_safe!(
        "sealed snapshot {} (chain {}){} at {} with key {}{}; keep the receipt outside the database \
         (README: \"Keeping receipts\")",
        h.snapshot.0,
        h.snapshot.1,
        match &h.review {
            Some((id, hash)) => format!(" and review apply {id} (chain {hash})"),
            None => " (no review applied yet)".to_string(),
        },
        receipt.sealed_at,
        hex(key.verifying_key().as_bytes()),
        match &args.out {
            Some(out) => format!("; receipt written to {}", out.display()),
            None => String::new(),
        }
    );
    Ok(Outcome::Success)
}

/// The first break of the database's own checks, in words; None when intact.
pub(crate) fn first_break(snapshots: &[SnapshotCheck], trail: &TrailCheck) -> Option<String> {
    if let Some(c) = snapshots.iter().find(|c| !c.ok()) {
        return Some(format!(
            "snapshot {} ({}) no longer matches its recorded {} hash",
            c.id,
            c.taken_at,
            if c.content_ok() { "chain" } else { "content" }
        ));
    }
    if let Some(a) = trail.applies.iter().find(|a| !a.ok()) {
        return Some(format!(
            "review apply {} ({}): {}",
            a.id,
            a.applied_at,
            a.problem.clone().unwrap_or_else(|| format!(
                "its recorded chain hash differs from the expected {}",
                a.expected_chain
            ))
        ));
    }
    if trail.orphan_rows > 0 {
        return Some(format!(
            "{} review decision rows belong to no applied sheet",
            trail.orphan_rows
        ));
    }
    None
}

// ---------------------------------------------------------------------------------
// keys

/// `seal --new-key FILE`: FILE (PKCS#8 PEM, 0600) and FILE.pub (SPKI PEM), both
/// created new: an existing file of either name is refused before anything is
/// written.
fn new_key(path: &Path) -> anyhow::Result<Outcome> {
    let public_path = pub_path(path);
    for p in [path, public_path.as_path()] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(UsageError(format!(
                "{} already exists: refusing to overwrite a key (choose another name)",
                p.display()
            ))
            .into());
        }
    }
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut seed[..])
        .map_err(|e| anyhow::anyhow!("cannot read random bytes from the system: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    // PKCS#8 version 1 (the private key alone), which every OpenSSL reads; the
    // public key goes in FILE.pub.
    let private_pem = KeypairBytes {
        secret_key: *seed,
        public_key: None,
    }
    .to_pkcs8_pem(LineEnding::LF)
    .map_err(|e| anyhow::anyhow!("encoding the private key: {e}"))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the public key: {e}"))?;
    make_parent(path, "the key")?;
    crate::fsutil::new_file::create_new(path, private_pem.as_bytes())
        .map_err(|e| refuse_existing(path, e))?;
    // The public key is public: readable by all (0644), as `ssh-keygen` leaves
    // a `.pub`; the private key stays 0600.
    if let Err(e) = crate::fsutil::new_file::create_new(&public_path, public_pem.as_bytes()) {
        // Leave no private key without its public half.
        let _ = std::fs::remove_file(path);
        return Err(refuse_existing(&public_path, e));
    }
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) =
            std::fs::set_permissions(&public_path, std::fs::Permissions::from_mode(0o644))
        {
            // Both halves are ours: remove them rather than leave a pair half done.
            let _ = std::fs::remove_file(path);
            let _ = std::fs::remove_file(&public_path);
            return Err(
                anyhow::Error::new(e).context(format!("making {} readable", public_path.display()))
            );
        }
    }
    eprintln_safe!(
        "created Ed25519 key pair: {} (private, mode 0600: keep it away from the database) and {} \
         (public, mode 0644: publish it with the receipts; public key {})",
        path.display(),
        public_path.display(),
        hex(key.verifying_key().as_bytes())
    );
    Ok(Outcome::Success)
}

/// Creates the folder `path` goes in when it is missing (and its own missing
/// parents), 0700 (keys and receipts are evidence), saying so on stderr; a
/// folder that exists is left as it is.
fn make_parent(path: &Path, what: &str) -> anyhow::Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if std::fs::symlink_metadata(dir).is_ok() {
        return Ok(());
    }
    crate::fsutil::create_dirs(dir).with_context(|| {
        format!(
            "creating the folder {} for {what}\nhint: create it yourself (mkdir -p {}), or write {what} elsewhere",
            dir.display(),
            dir.display()
        )
    })?;
    eprintln_safe!(
        "created the folder {} (mode 0700) for {what}",
        dir.display()
    );
    Ok(())
}

fn refuse_existing(path: &Path, e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        UsageError(format!(
            "{} already exists: refusing to overwrite a key (choose another name)",
            path.display()
        ))
        .into()
    } else {
        anyhow::Error::new(e).context(format!("writing {}", path.display()))
    }
}

/// FILE.pub beside FILE.
fn pub_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".pub");
    PathBuf::from(s)
}

fn read_key_text(path: &Path, what: &str) -> anyhow::Result<zeroize::Zeroizing<String>> {
    let bytes = crate::fsutil::read_regular(path, 1 << 20)
        .map_err(|e| UsageError(format!("cannot read the {what} {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        UsageError(format!(
            "{}: not a key file (expected PEM or 64 hex digits)",
            path.display()
        ))
    })?;
    Ok(zeroize::Zeroizing::new(text))
}

/// 64 hex digits (whitespace around them ignored) as 32 bytes.
fn hex32(text: &str) -> Option<[u8; 32]> {
    let t = text.trim();
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn read_signing_key(path: &Path) -> anyhow::Result<SigningKey> {
    use std::os::unix::fs::PermissionsExt;
    let text = read_key_text(path, "private key")?;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln_safe!(
                "warning: the private key {} is readable or writable by others (mode {:o}): \
                 chmod 600 it",
                path.display(),
                meta.permissions().mode() & 0o777
            );
        }
    }
    if text.contains("-----BEGIN") {
        return SigningKey::from_pkcs8_pem(&text).map_err(|e| {
            UsageError(format!(
                "{}: not an Ed25519 private key in PKCS#8 PEM ({e})",
                path.display()
            ))
            .into()
        });
    }
    match hex32(&text) {
        Some(seed) => Ok(SigningKey::from_bytes(&seed)),
        None => Err(UsageError(format!(
            "{}: not a private key (expected PKCS#8 PEM or 64 hex digits)",
            path.display()
        ))
        .into()),
    }
}

fn read_verifying_key(path: &Path) -> anyhow::Result<VerifyingKey> {
    let text = read_key_text(path, "public key")?;
    if text.contains("PRIVATE KEY") {
        return Err(UsageError(format!(
            "{} is a private key: pass the public key (FILE.pub)",
            path.display()
        ))
        .into());
    }
    if text.contains("-----BEGIN") {
        return VerifyingKey::from_public_key_pem(&text).map_err(|e| {
            UsageError(format!(
                "{}: not an Ed25519 public key in PEM ({e})",
                path.display()
            ))
            .into()
        });
    }
    let bytes = hex32(&text).ok_or_else(|| {
        UsageError(format!(
            "{}: not a public key (expected PEM or 64 hex digits)",
            path.display()
        ))
    })?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| {
        UsageError(format!(
            "{}: not an Ed25519 public key ({e})",
            path.display()
        ))
        .into()
    })
}

// ---------------------------------------------------------------------------------
// receipts

/// The chain heads a receipt seals: (id, chain hash) of the latest snapshot and of
/// the latest review apply (None when no sheet was ever applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heads {
    pub(crate) snapshot: (i64, String),
    pub(crate) review: Option<(i64, String)>,
}

impl Heads {
    /// The heads as recomputed from scratch; None when there is no snapshot.
    fn of(snapshots: &[SnapshotCheck], trail: &TrailCheck) -> Option<Heads> {
        let s = snapshots.last()?;
        Some(Heads {
            snapshot: (s.id, s.computed_chain.clone()),
            review: trail
                .applies
                .last()
                .map(|a| (a.id, a.computed_chain.clone())),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Receipt {
    sealed_at: String,
    tool_version: String,
    heads: Heads,
}

impl Receipt {
    /// The exact text signed.
    fn statement(&self) -> String {
        let (rid, rhash) = match &self.heads.review {
            Some((id, hash)) => (id.to_string(), hash.clone()),
            None => ("none".to_string(), "none".to_string()),
        };
        format!(
            "{RECEIPT_FORMAT}\nsealed_at: {}\ntool_version: {}\nsnapshot_id: {}\n\
             snapshot_chain_hash: {}\nreview_apply_id: {rid}\nreview_chain_hash: {rhash}\n",
            self.sealed_at, self.tool_version, self.heads.snapshot.0, self.heads.snapshot.1
        )
    }

    /// Parses a statement; None unless it is exactly what [`Receipt::statement`]
    /// writes.
    fn parse(statement: &str) -> Option<Receipt> {
        let mut lines = statement.strip_suffix('\n')?.split('\n');
        if lines.next()? != RECEIPT_FORMAT {
            return None;
        }
        let mut field = |name: &str| -> Option<String> {
            let line = lines.next()?;
            let value = line.strip_prefix(name)?.strip_prefix(": ")?;
            (!value.is_empty() && !value.contains(char::is_control)).then(|| value.to_string())
        };
        let sealed_at = field("sealed_at")?;
        let tool_version = field("tool_version")?;
        let sid: i64 = field("snapshot_id")?.parse().ok()?;
        let shash = field("snapshot_chain_hash")?;
        let rid = field("review_apply_id")?;
        let rhash = field("review_chain_hash")?;
        let review = match (rid.as_str(), rhash.as_str()) {
            ("none", "none") => None,
            (id, hash) => Some((id.parse().ok()?, hash.to_string())),
        };
        if lines.next().is_some() {
            return None;
        }
        let r = Receipt {
            sealed_at,
            tool_version,
            heads: Heads {
                snapshot: (sid, shash),
                review,
            },
        };
        (r.statement() == statement).then_some(r)
    }

    /// The readable copy of the statement's fields.
    fn fields(&self) -> Value {
        json!({
            "sealedAt": self.sealed_at,
            "toolVersion": self.tool_version,
            "snapshot": {"id": self.heads.snapshot.0, "chainHash": self.heads.snapshot.1},
            "reviewTrail": self.heads.review.as_ref().map(|(id, hash)| json!({
                "applyId": id, "chainHash": hash
            })),
        })
    }

    /// The signed receipt as pretty JSON with a final newline.
    fn sign(&self, key: &SigningKey) -> String {
        let statement = self.statement();
        let signature = key.sign(statement.as_bytes());
        let mut v = json!({ "format": RECEIPT_FORMAT });
        if let (Value::Object(m), Value::Object(f)) = (&mut v, self.fields()) {
            m.extend(f);
            m.insert("statement".into(), json!(statement));
            m.insert("signature".into(), json!(hex(&signature.to_bytes())));
            m.insert(
                "publicKey".into(),
                json!(hex(key.verifying_key().as_bytes())),
            );
        }
        let mut text = serde_json::to_string_pretty(&v).expect("a JSON value serializes");
        text.push('\n');
        text
    }
}

/// One check of a receipt against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReceiptItem {
    pub(crate) check: String,
    pub(crate) ok: bool,
    pub(crate) detail: String,
}

/// A receipt checked against a public key and the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReceiptCheck {
    pub(crate) path: String,
    pub(crate) sealed_at: String,
    pub(crate) heads: Heads,
    /// In order: the signature, the snapshot head, the review head, what came
    /// after the seal.
    pub(crate) items: Vec<ReceiptItem>,
}

impl ReceiptCheck {
    pub(crate) fn ok(&self) -> bool {
        self.items.iter().all(|i| i.ok)
    }
}

/// Reads a receipt and checks it: its signature with `public_key` (never the key
/// the receipt names), its readable fields against its signed statement, and that
/// the database — recomputed from scratch — holds exactly the sealed chain hashes
/// at the sealed ids. A receipt that cannot be read at all is the user's error
/// (exit 2); every check that fails is an item that is not ok (exit 1).
pub(crate) fn check_receipt(
    receipt_path: &Path,
    public_key: &Path,
    snapshots: &[SnapshotCheck],
    trail: &TrailCheck,
) -> anyhow::Result<ReceiptCheck> {
    let key = read_verifying_key(public_key)?;
    let shown = receipt_path.display().to_string();
    let bytes = crate::fsutil::read_regular(receipt_path, 64 << 20)
        .map_err(|e| UsageError(format!("cannot read the receipt {shown}: {e}")))?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| UsageError(format!("{shown}: not a whocan receipt (not JSON: {e})")))?;
    if v["format"] != RECEIPT_FORMAT {
        return Err(UsageError(format!(
            "{shown}: not a whocan receipt (format {}, expected {RECEIPT_FORMAT:?})",
            v["format"]
        ))
        .into());
    }
    let statement = v["statement"].as_str().unwrap_or_default();
    let receipt = Receipt::parse(statement).ok_or_else(|| {
        UsageError(format!(
            "{shown}: its statement is not a {RECEIPT_FORMAT} statement"
        ))
    })?;
    let mut items = Vec::new();

    let key_hex = hex(key.as_bytes());
    let signature = v["signature"]
        .as_str()
        .and_then(hex64)
        .map(|b| Signature::from_bytes(&b));
    let signed = signature
        .as_ref()
        .is_some_and(|s| key.verify_strict(statement.as_bytes(), s).is_ok());
    let named = v["publicKey"].as_str().unwrap_or_default();
    items.push(ReceiptItem {
        check: "receipt signature".into(),
        ok: signed,
        detail: if signed {
            format!("signed by the given public key {key_hex}")
        } else if signature.is_none() {
            "the receipt's signature is not 128 hex digits".into()
        } else if !named.eq_ignore_ascii_case(&key_hex) {
            format!(
                "does not verify with the given public key {key_hex} (the receipt names key {named}): \
                 a different key signed it, or the receipt was edited"
            )
        } else {
            "does not verify with the given public key: the receipt was edited after signing"
                .into()
        },
    });
    let mut readable = v.clone();
    if let Value::Object(m) = &mut readable {
        for k in ["format", "statement", "signature", "publicKey"] {
            m.remove(k);
        }
    }
    if readable != receipt.fields() {
        items.push(ReceiptItem {
            check: "receipt fields".into(),
            ok: false,
            detail: "the receipt's readable fields differ from its signed statement (only the \
                     statement is signed)"
                .into(),
        });
    }

    let (sid, shash) = &receipt.heads.snapshot;
    items.push(match snapshots.iter().find(|c| c.id == *sid) {
        None => ReceiptItem {
            check: format!("sealed snapshot {sid}"),
            ok: false,
            detail: format!(
                "snapshot {sid}, sealed at {}, is no longer in the database",
                receipt.sealed_at
            ),
        },
        Some(c) if c.computed_chain == *shash => ReceiptItem {
            check: format!("sealed snapshot {sid}"),
            ok: true,
            detail: format!("still reaches the sealed chain hash {shash}"),
        },
        Some(c) => ReceiptItem {
            check: format!("sealed snapshot {sid}"),
            ok: false,
            detail: format!(
                "the chain now reaches {} at snapshot {sid}; the receipt sealed {shash} at {}: \
                 snapshots up to {sid} were altered, inserted or removed since",
                c.computed_chain, receipt.sealed_at
            ),
        },
    });
    items.push(match &receipt.heads.review {
        None => match trail.applies.first() {
            None => ReceiptItem {
                check: "sealed review trail".into(),
                ok: true,
                detail: "empty when sealed, empty now".into(),
            },
            Some(a) if a.applied_at < receipt.sealed_at => ReceiptItem {
                check: "sealed review trail".into(),
                ok: false,
                detail: format!(
                    "the trail was empty when sealed at {}, yet review apply {} is dated {}: \
                     a back-dated apply",
                    receipt.sealed_at, a.id, a.applied_at
                ),
            },
            Some(_) => ReceiptItem {
                check: "sealed review trail".into(),
                ok: true,
                detail: "empty when sealed".into(),
            },
        },
        Some((rid, rhash)) => match trail.applies.iter().find(|a| a.id == *rid) {
            None => ReceiptItem {
                check: format!("sealed review apply {rid}"),
                ok: false,
                detail: format!(
                    "review apply {rid}, sealed at {}, is no longer in the database",
                    receipt.sealed_at
                ),
            },
            Some(a) if a.computed_chain == *rhash => ReceiptItem {
                check: format!("sealed review apply {rid}"),
                ok: true,
                detail: format!("still reaches the sealed chain hash {rhash}"),
            },
            Some(a) => ReceiptItem {
                check: format!("sealed review apply {rid}"),
                ok: false,
                detail: format!(
                    "the trail now reaches {} at apply {rid}; the receipt sealed {rhash} at {}: \
                     applied sheets up to {rid} were altered, inserted or removed since",
                    a.computed_chain, receipt.sealed_at
                ),
            },
        },
    });
    let later_snapshots = snapshots.iter().filter(|c| c.id > *sid).count();
    let rid = receipt.heads.review.as_ref().map_or(0, |r| r.0);
    let later_applies = trail.applies.iter().filter(|a| a.id > rid).count();
    items.push(ReceiptItem {
        check: "since the seal".into(),
        ok: true,
        detail: format!(
            "{} and {} recorded after the receipt (not covered by it)",
            crate::words::count(later_snapshots, "snapshot", "snapshots"),
            crate::words::count(later_applies, "review apply", "review applies")
        ),
    });
    Ok(ReceiptCheck {
        path: shown,
        sealed_at: receipt.sealed_at,
        heads: receipt.heads,
        items,
    })
}

fn hex64(s: &str) -> Option<[u8; 64]> {
    let s = s.trim();
    if s.len() != 128 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 64];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(review: Option<(i64, String)>) -> Receipt {
        Receipt {
            sealed_at: "2026-11-29T21:30:00Z".into(),
            tool_version: "0.1.0".into(),
            heads: Heads {
                snapshot: (3, "ab".repeat(32)),
                review,
            },
        }
    }

    #[test]
    fn statements_parse_back_exactly() {
        for r in [receipt(None), receipt(Some((2, "cd".repeat(32))))] {
            assert_eq!(Receipt::parse(&r.statement()), Some(r.clone()));
        }
        let s = receipt(None).statement();
        assert_eq!(
            Receipt::parse(&s.replace("snapshot_id: 3", "snapshot_id: 03")),
            None
        );
        assert_eq!(Receipt::parse(&format!("{s}extra: 1\n")), None);
        assert_eq!(Receipt::parse(s.trim_end()), None);
    }

    #[test]
    fn hex_keys_read() {
        assert_eq!(hex32(&format!(" {}\n", "0a".repeat(32))), Some([10u8; 32]));
        assert_eq!(hex32("0a"), None);
        assert_eq!(hex32(&"zz".repeat(32)), None);
    }
}
