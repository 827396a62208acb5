//! The completeness ledger `collection.json` that `whocan collect` writes (SPEC §6,
//! the contract in `collect`'s docs): recognised by its `whocanCollection` key,
//! whatever the file is named, and read strictly — a ledger that does not follow
//! the contract is refused with the place and what was expected there, like every
//! other input. No I/O here.

use serde_json::Value;

use crate::model::{CollectionLedger, LedgerEntry, LEDGER_STATUSES};

use super::json::Seg;
use super::shapes::Problem;

/// The key that identifies a ledger.
pub(crate) const MARKER: &str = "whocanCollection";

/// The ledger format version this whocan reads.
const VERSION: u64 = 1;

/// The parsed document when `text` is a ledger: a top-level object with
/// [`MARKER`]. None for anything else (including text that is not valid JSON:
/// the export parser reports where it breaks).
pub(crate) fn detect(text: &str) -> Option<Value> {
    if !text.contains(MARKER) || !text.trim_start().starts_with('{') {
        return None;
    }
    let v: Value = serde_json::from_str(text).ok()?;
    v.as_object()?.contains_key(MARKER).then_some(v)
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn at(path: &[Seg], key: &'static str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Key(key));
    p
}

fn problem(path: Vec<Seg>, message: String) -> Problem {
    Problem { path, message }
}

type Obj = serde_json::Map<String, Value>;

fn opt_str(o: &Obj, key: &'static str, path: &[Seg]) -> Result<Option<String>, Problem> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(problem(
            at(path, key),
            format!(
                "expected `{key}` to be a string or null, found {}",
                describe(v)
            ),
        )),
    }
}

fn req_str(o: &Obj, key: &'static str, path: &[Seg], what: &str) -> Result<String, Problem> {
    match o.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        None | Some(Value::Null) => Err(problem(
            path.to_vec(),
            format!("expected `{key}` ({what}) in this ledger entry"),
        )),
        Some(v) => Err(problem(
            at(path, key),
            format!(
                "expected `{key}` to be {what} (a non-empty string), found {}",
                describe(v)
            ),
        )),
    }
}

fn count(o: &Obj, key: &'static str, path: &[Seg]) -> Result<i64, Problem> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= i64::MAX as u64) => {
            Ok(n.as_u64().unwrap_or(0) as i64)
        }
        Some(v) => Err(problem(
            at(path, key),
            format!(
                "expected `{key}` to be a whole number 0 or more, found {}",
                match v {
                    Value::Number(n) => n.to_string(),
                    other => describe(other).to_string(),
                }
            ),
        )),
    }
}

/// Reads a ledger document (as [`detect`] returned it).
pub(crate) fn read(doc: &Value) -> Result<CollectionLedger, Problem> {
    let top: &[Seg] = &[];
    let Some(o) = doc.as_object() else {
        return Err(problem(Vec::new(), "expected a ledger object".into()));
    };
    match o.get(MARKER) {
        Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(v) => {
            return Err(problem(
                at(top, MARKER),
                format!(
                    "expected `{MARKER}` to be {VERSION} (the ledger version this whocan reads), \
                     found {}",
                    match v {
                        Value::Number(n) => n.to_string(),
                        other => describe(other).to_string(),
                    }
                ),
            ))
        }
        None => unreachable!("detect checked the marker"),
    }
    let complete = match o.get("complete") {
        Some(Value::Bool(b)) => *b,
        None => {
            return Err(problem(
                Vec::new(),
                "expected `complete` (true or false) in the ledger".into(),
            ))
        }
        Some(v) => {
            return Err(problem(
                at(top, "complete"),
                format!(
                    "expected `complete` to be true or false, found {}",
                    describe(v)
                ),
            ))
        }
    };
    let items = match o.get("entries") {
        Some(Value::Array(a)) => a,
        None => {
            return Err(problem(
                Vec::new(),
                "expected `entries` (an array of ledger entries) in the ledger".into(),
            ))
        }
        Some(v) => {
            return Err(problem(
                at(top, "entries"),
                format!("expected `entries` to be an array, found {}", describe(v)),
            ))
        }
    };
    let mut entries = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let path = vec![Seg::Key("entries"), Seg::Index(i)];
        entries.push(entry(v, &path)?);
    }
    if complete {
        if let Some(i) = entries.iter().position(|e| e.status != "complete") {
            return Err(problem(
                at(top, "complete"),
                format!(
                    "expected `complete` to be false: entries[{i}] is {} (complete is true only \
                     when every entry is complete)",
                    entries[i].status
                ),
            ));
        }
    }
    Ok(CollectionLedger {
        tool: opt_str(o, "tool", top)?,
        arm_url: opt_str(o, "armUrl", top)?,
        graph_url: opt_str(o, "graphUrl", top)?,
        started_at: opt_str(o, "startedAt", top)?,
        finished_at: opt_str(o, "finishedAt", top)?,
        complete,
        entries,
    })
}

fn entry(v: &Value, path: &[Seg]) -> Result<LedgerEntry, Problem> {
    let Some(o) = v.as_object() else {
        return Err(problem(
            path.to_vec(),
            format!("expected a ledger entry (an object), found {}", describe(v)),
        ));
    };
    let api = req_str(o, "api", path, "`arm` or `graph`")?;
    if api != "arm" && api != "graph" {
        return Err(problem(
            at(path, "api"),
            format!("expected `api` to be `arm` or `graph`, found `{api}`"),
        ));
    }
    let status = req_str(o, "status", path, "a ledger status")?;
    if !LEDGER_STATUSES.contains(&status.as_str()) {
        return Err(problem(
            at(path, "status"),
            format!(
                "expected `status` to be one of {}, found `{status}`",
                LEDGER_STATUSES.join(", ")
            ),
        ));
    }
    let http_status = match o.get("httpStatus") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= 999) => {
            n.as_u64().map(|n| n as i64)
        }
        Some(v) => {
            return Err(problem(
                at(path, "httpStatus"),
                format!(
                    "expected `httpStatus` to be an HTTP status code or null, found {}",
                    describe(v)
                ),
            ))
        }
    };
    let files = match o.get("files") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, f)| match f {
                Value::String(s) => Ok(s.clone()),
                other => Err(problem(
                    {
                        let mut p = at(path, "files");
                        p.push(Seg::Index(i));
                        p
                    },
                    format!("expected a file path (a string), found {}", describe(other)),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(v) => {
            return Err(problem(
                at(path, "files"),
                format!(
                    "expected `files` to be an array of paths, found {}",
                    describe(v)
                ),
            ))
        }
    };
    Ok(LedgerEntry {
        collection: req_str(o, "collection", path, "the collection's name")?,
        scope: req_str(o, "scope", path, "the scope or Graph path read")?,
        http_status,
        pages: count(o, "pages", path)?,
        items: count(o, "items", path)?,
        retries: count(o, "retries", path)?,
        error: opt_str(o, "error", path)?,
        files,
        api,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
  "whocanCollection": 1, "tool": "whocan 0.1.0", "complete": false,
  "entries": [
    {"api": "arm", "collection": "roleAssignments", "scope": "/subscriptions/s1",
     "status": "forbidden", "httpStatus": 403, "pages": 0, "items": 0, "retries": 0,
     "error": "AuthorizationFailed", "files": []},
    {"api": "graph", "collection": "groupMembers", "scope": "/groups/g/members",
     "status": "failed", "httpStatus": null, "pages": 1, "items": 2, "retries": 3,
     "error": null, "files": ["members/g.json"]},
    {"api": "arm", "collection": "roleAssignments", "scope": "/",
     "status": "complete", "httpStatus": 200, "pages": 1, "items": 2, "retries": 0,
     "error": null, "files": ["a.json"]}
  ]
}"#;

    #[test]
    fn reads_a_ledger_and_knows_its_unreadable_scopes() {
        let doc = detect(GOOD).expect("a ledger");
        let l = read(&doc).unwrap();
        assert_eq!(l.entries.len(), 3);
        assert_eq!(l.tool.as_deref(), Some("whocan 0.1.0"));
        let unreadable: Vec<&str> = l.unreadable().map(|e| e.scope.as_str()).collect();
        // A graph entry never makes a scope unreadable; a complete arm entry neither.
        assert_eq!(unreadable, ["/subscriptions/s1"]);
        assert_eq!(l.unreadable_scopes(), 1);
        assert_eq!(l.entries[1].files, ["members/g.json"]);
    }

    #[test]
    fn other_documents_are_not_ledgers() {
        assert!(detect(r#"[{"whocanCollection": 1}]"#).is_none());
        assert!(detect(r#"{"value": [{"name": "whocanCollection"}]}"#).is_none());
        assert!(detect(r#"{"whocanCollection": 1,"#).is_none());
    }

    fn refused(text: &str) -> Problem {
        read(&detect(text).expect("a ledger")).expect_err("refused")
    }

    #[test]
    fn a_bad_ledger_says_where_and_what_was_expected() {
        let p = refused(&GOOD.replace("\"forbidden\"", "\"nope\""));
        assert_eq!(
            p.path,
            [Seg::Key("entries"), Seg::Index(0), Seg::Key("status")]
        );
        assert!(
            p.message.contains("expected `status` to be one of"),
            "{}",
            p.message
        );
        let p = refused(&GOOD.replace(
            "\"pages\": 1, \"items\": 2, \"retries\": 3",
            "\"pages\": -1, \"items\": 2, \"retries\": 3",
        ));
        assert_eq!(
            p.path,
            [Seg::Key("entries"), Seg::Index(1), Seg::Key("pages")]
        );
        let p = refused(&GOOD.replace("\"whocanCollection\": 1", "\"whocanCollection\": 2"));
        assert_eq!(p.path, [Seg::Key(MARKER)]);
        let p = refused(&GOOD.replace("\"complete\": false", "\"complete\": true"));
        assert!(
            p.message.contains("entries[0] is forbidden"),
            "{}",
            p.message
        );
        let p = refused(&GOOD.replace("\"api\": \"graph\"", "\"api\": \"rest\""));
        assert_eq!(
            p.path,
            [Seg::Key("entries"), Seg::Index(1), Seg::Key("api")]
        );
        let p = refused(r#"{"whocanCollection": 1, "complete": false}"#);
        assert!(p.message.contains("`entries`"), "{}", p.message);
    }
}
