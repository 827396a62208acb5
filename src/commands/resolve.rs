//! What the user typed, matched against what a snapshot knows (SPEC §3, "Nothing
//! is answered about what is not there"): principals, scopes, workspaces, actions
//! and activities. A name that matches nothing is a [`UsageError`] (exit 2) that
//! says what was not found, offers the closest names (`did you mean`) and a hint.
//!
//! Matching is case- and accent-insensitive ([`fold`]); closeness is the
//! optimal-string-alignment (restricted Damerau–Levenshtein) [`distance`] between
//! folded names. The exact lookups are index seeks in the store; reading many
//! names (to fold them or to rank them) happens only once nothing matched exactly.
//! Every name echoed back is passed through [`shown`].

use crate::cli::ScopeArgs;
use crate::engine::activities::{self, Activity};
use crate::engine::scope::kind_of;
use crate::model::{key, scope_key, Principal, PrincipalKind, ScopeKind, ScopeNode, Tenant};
use crate::store::{IdSeen, Store};

use super::UsageError;

// ---------------------------------------------------------------------------
// Text: folding, distance, escaping
// ---------------------------------------------------------------------------

/// `s` lowercased, with diacritics of the Latin scripts removed (á→a, ñ→n, ü→u,
/// ß→ss, æ→ae, ø→o, ł→l, ș→s, ...; combining marks dropped), runs of white space
/// as one space, trimmed. Letters of other scripts are only lowercased.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] into `out` (cleared first), reusing its allocation.
fn fold_into(s: &str, out: &mut String) {
    out.clear();
    let mut space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_whitespace() {
            space = !out.is_empty();
            return;
        }
        let mapped = fold_char(c);
        if mapped == Some("") {
            return;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match mapped {
            Some(m) => out.push_str(m),
            None => out.push(c),
        }
    };
    if s.is_ascii() {
        for b in s.bytes() {
            push(char::from(b.to_ascii_lowercase()), out);
        }
    } else {
        for c in s.chars().flat_map(char::to_lowercase) {
            push(c, out);
        }
    }
}

/// The base letters of one lowercase Latin letter with a diacritic, `Some("")`
/// for a combining mark, `None` to keep `c`.
fn fold_char(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        return None;
    }
    Some(match c {
        // Combining diacritical marks (decomposed input).
        '\u{0300}'..='\u{036f}' => "",
        // Latin-1 Supplement.
        'à'..='å' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è'..='ë' => "e",
        'ì'..='ï' => "i",
        'ð' => "d",
        'ñ' => "n",
        'ò'..='ö' | 'ø' => "o",
        'ù'..='ü' => "u",
        'ý' | 'ÿ' => "y",
        'þ' => "th",
        'ß' => "ss",
        // Latin Extended-A (upper and lower case alternate; both map alike).
        'Ā'..='ą' => "a",
        'Ć'..='č' => "c",
        'Ď'..='đ' => "d",
        'Ē'..='ě' => "e",
        'Ĝ'..='ģ' => "g",
        'Ĥ'..='ħ' => "h",
        'Ĩ'..='ı' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ĵ' | 'ĵ' => "j",
        'Ķ'..='ĸ' => "k",
        'Ĺ'..='ł' => "l",
        'Ń'..='ŋ' => "n",
        'Ō'..='ő' => "o",
        'Œ' | 'œ' => "oe",
        'Ŕ'..='ř' => "r",
        'Ś'..='š' => "s",
        'Ţ'..='ŧ' => "t",
        'Ũ'..='ų' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ŷ'..='Ÿ' => "y",
        'Ź'..='ž' => "z",
        'ſ' => "s",
        // Latin Extended-B: the letters of Romanian, pinyin and a few others.
        'ƀ' => "b",
        'ƒ' => "f",
        'ơ' => "o",
        'ư' => "u",
        'ǎ' => "a",
        'ǐ' => "i",
        'ǒ' => "o",
        'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => "u",
        'ǧ' => "g",
        'ǩ' => "k",
        'ǫ' | 'ǭ' => "o",
        'ǰ' => "j",
        'ș' => "s",
        'ț' => "t",
        // Latin Extended Additional: Vietnamese.
        'ạ'..='ặ' => "a",
        'ẹ'..='ệ' => "e",
        'ỉ'..='ị' => "i",
        'ọ'..='ợ' => "o",
        'ụ'..='ự' => "u",
        'ỳ'..='ỹ' => "y",
        'ḍ' => "d",
        'ḥ' => "h",
        'ṃ' => "m",
        'ṅ' | 'ṇ' => "n",
        'ṛ' => "r",
        'ṣ' => "s",
        'ṭ' => "t",
        'ẑ' => "z",
        _ => return None,
    })
}

/// The optimal-string-alignment distance (insertions, deletions, substitutions
/// and transpositions of adjacent characters) between `a` and `b`, by character.
#[cfg(test)]
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    distance_within(&a, &b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`distance`], or `None` as soon as it is certain to exceed `max`.
#[cfg(test)]
fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    distance_rows(a, b, max, &mut Rows::default())
}

/// The three rows [`distance_rows`] works in, kept between calls.
#[derive(Default)]
struct Rows {
    prev2: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

/// [`distance_within`] in `rows` (no allocation once they are large enough).
fn distance_rows(a: &[char], b: &[char], max: usize, rows: &mut Rows) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a.is_empty() || b.is_empty() {
        return Some(a.len().max(b.len()));
    }
    let w = b.len() + 1;
    // Two rows back (transpositions), one back, current.
    let Rows { prev2, prev, cur } = rows;
    prev2.clear();
    prev2.resize(w, 0);
    prev.clear();
    prev.extend(0..w);
    cur.clear();
    cur.resize(w, 0);
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        // Row minima never decrease: nothing below can come back within `max`.
        if row_min > max {
            return None;
        }
        std::mem::swap(prev2, prev);
        std::mem::swap(prev, cur);
    }
    let d = prev[w - 1];
    (d <= max).then_some(d)
}

/// How far a candidate may be from what was typed and still be offered.
fn limit(chars: usize) -> usize {
    (chars / 3).max(2)
}

/// `s` with control characters (C0, DEL, C1), line separators and the bidi
/// overrides and marks shown escaped (`\u{202e}`), never interpreted: for every
/// name a message echoes back.
pub(crate) fn shown(s: &str) -> String {
    crate::report::text::sanitize(s).into_owned()
}

// ---------------------------------------------------------------------------
// Suggestions and the not-found error
// ---------------------------------------------------------------------------

/// How close names are to one query (folded), with the buffers each comparison
/// reuses: a `did you mean` over a large tenant compares hundreds of thousands.
pub(crate) struct Closeness {
    query: String,
    chars: Vec<char>,
    max: usize,
    folded: String,
    buf: Vec<char>,
    rows: Rows,
}

impl Closeness {
    /// Names within [`limit`] edits of `query` are close.
    pub(crate) fn new(query: &str) -> Closeness {
        let query = fold(query);
        let chars: Vec<char> = query.chars().collect();
        let max = limit(chars.len());
        Closeness::within(query, chars, max)
    }

    fn within(query: String, chars: Vec<char>, max: usize) -> Closeness {
        Closeness {
            query,
            chars,
            max,
            folded: String::new(),
            buf: Vec::new(),
            rows: Rows::default(),
        }
    }

    /// `name` folds to the query itself.
    pub(crate) fn same(&mut self, name: &str) -> bool {
        fold_into(name, &mut self.folded);
        self.folded == self.query
    }

    /// The score of `name`: its distance when within the limit; when it only
    /// contains the query (three characters or more), the limit plus one; else
    /// `None`.
    pub(crate) fn score(&mut self, name: &str) -> Option<usize> {
        fold_into(name, &mut self.folded);
        self.score_folded()
    }

    /// [`Closeness::score`] of the name [`Closeness::same`] last folded.
    fn score_folded(&mut self) -> Option<usize> {
        let f = &self.folded;
        let contains = self.chars.len() >= 3 && f.contains(self.query.as_str());
        if f.len().abs_diff(self.query.len()) > 4 * self.max + 8 && !contains {
            // Far apart in length (bytes, up to 4 per character): no need to count.
            return None;
        }
        self.buf.clear();
        self.buf.extend(f.chars());
        distance_rows(&self.chars, &self.buf, self.max, &mut self.rows)
            .or_else(|| contains.then_some(self.max + 1))
    }
}

/// The (at most) `n` best of `scored` (score, item), best first; ties keep their
/// order.
fn best<T>(mut scored: Vec<(usize, usize, T)>, n: usize) -> Vec<T> {
    scored.sort_by_key(|(s, seq, _)| (*s, *seq));
    scored.into_iter().take(n).map(|(_, _, t)| t).collect()
}

/// The (at most) `n` candidates closest to `query`, best first: each candidate is
/// an item and the names it goes by; its closeness is that of its closest name
/// (folded). A candidate is offered when it is within [`limit`] edits, or when a
/// name of it contains the query (three characters or more), ranked after those.
/// Ties keep the candidates' order.
pub(crate) fn closest<T>(
    query: &str,
    candidates: impl IntoIterator<Item = (T, Vec<String>)>,
    n: usize,
) -> Vec<T> {
    let mut c = Closeness::new(query);
    let mut scored = Vec::new();
    for (seq, (item, names)) in candidates.into_iter().enumerate() {
        if let Some(s) = names.iter().filter_map(|name| c.score(name)).min() {
            scored.push((s, seq, item));
        }
    }
    best(scored, n)
}

/// How many candidates a `did you mean` offers.
const OFFER: usize = 5;

/// A not-found error: `headline`, then `did you mean` with the suggestions (each
/// already [`shown`]), then `hint: ...`.
pub(crate) fn not_found(headline: String, suggestions: &[String], hint: &str) -> anyhow::Error {
    let mut msg = headline;
    match suggestions {
        [] => {}
        [one] => msg.push_str(&format!("\ndid you mean: {one}?")),
        many => {
            msg.push_str("\ndid you mean one of these?");
            for s in many {
                msg.push_str(&format!("\n  {s}"));
            }
        }
    }
    if !hint.is_empty() {
        msg.push_str(&format!("\nhint: {hint}"));
    }
    UsageError(msg).into()
}

/// The first `n` of `names`, joined, with how many more there are.
fn listing(names: &[String], n: usize) -> String {
    let mut s = names
        .iter()
        .take(n)
        .map(|x| shown(x))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > n {
        s.push_str(&format!(" and {} more", names.len() - n));
    }
    s
}

// ---------------------------------------------------------------------------
// Where names are looked up
// ---------------------------------------------------------------------------

/// A snapshot in the store, looked up through its indexes.
pub(crate) struct Stored<'a> {
    pub(crate) store: &'a Store,
    pub(crate) snapshot: i64,
}

/// Where principals are looked up.
pub(crate) trait PrincipalSource {
    /// How messages name the snapshot (`snapshot 3`).
    fn label(&self) -> String;
    /// Records whose object id, appId, UPN, mail or display name is `text`
    /// (ASCII case-insensitive), by the first of those that matches.
    fn exact(&self, text: &str) -> anyhow::Result<Vec<Principal>>;
    /// Whether anything but a principal record names the object id `k`.
    fn seen(&self, k: &str) -> anyhow::Result<IdSeen>;
    /// Every principal record, one at a time.
    fn each(&self, f: &mut dyn FnMut(Principal)) -> anyhow::Result<()>;
    /// Every role assignment, one at a time (the names exports give principals
    /// in no listing: [`crate::model::Assignment::names`]).
    fn each_assignment(&self, f: &mut dyn FnMut(&crate::model::Assignment)) -> anyhow::Result<()>;
    /// Every eligibility, one at a time (the name a PIM export gives its
    /// principal: `principal_display_name`).
    fn each_eligibility(&self, f: &mut dyn FnMut(&crate::model::Eligibility))
        -> anyhow::Result<()>;
}

impl PrincipalSource for Stored<'_> {
    fn label(&self) -> String {
        format!("snapshot {}", self.snapshot)
    }

    fn exact(&self, text: &str) -> anyhow::Result<Vec<Principal>> {
        Ok(self.store.find_principals(self.snapshot, text)?)
    }

    fn seen(&self, k: &str) -> anyhow::Result<IdSeen> {
        Ok(self.store.object_id_seen(self.snapshot, k)?)
    }

    fn each(&self, f: &mut dyn FnMut(Principal)) -> anyhow::Result<()> {
        Ok(self.store.each_principal(self.snapshot, f)?)
    }

    fn each_assignment(&self, f: &mut dyn FnMut(&crate::model::Assignment)) -> anyhow::Result<()> {
        Ok(self.store.each_assignment(self.snapshot, &mut |a| f(&a))?)
    }

    fn each_eligibility(
        &self,
        f: &mut dyn FnMut(&crate::model::Eligibility),
    ) -> anyhow::Result<()> {
        Ok(self.store.each_eligibility(self.snapshot, &mut |e| f(&e))?)
    }
}

impl PrincipalSource for Tenant {
    fn label(&self) -> String {
        "this snapshot".to_string()
    }

    fn exact(&self, text: &str) -> anyhow::Result<Vec<Principal>> {
        let k = key(text.trim());
        let fields: [fn(&Principal) -> Option<&str>; 5] = [
            |p| Some(p.id.as_str()),
            |p| p.app_id.as_deref(),
            |p| p.user_principal_name.as_deref(),
            |p| p.mail.as_deref(),
            |p| Some(p.display_name.as_str()),
        ];
        for field in fields {
            let found: Vec<Principal> = self
                .principals
                .iter()
                .filter(|p| field(p).is_some_and(|v| key(v) == k))
                .cloned()
                .collect();
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }

    fn seen(&self, k: &str) -> anyhow::Result<IdSeen> {
        let is = |id: &str| key(id) == k;
        let named = self.assignments.iter().any(|a| is(&a.principal_id))
            || self.eligibilities.iter().any(|e| is(&e.principal_id))
            || self.member_lists.iter().any(|g| is(g))
            || self.member_edges.iter().any(|e| is(&e.group_id))
            || self
                .group_eligibilities
                .iter()
                .any(|g| is(&g.principal_id) || is(&g.group_id))
            || self.denies.iter().any(|d| {
                d.principals
                    .iter()
                    .chain(&d.exclude_principals)
                    .any(|p| is(&p.id))
            });
        if named {
            return Ok(IdSeen::Principal);
        }
        let kinds: Vec<Option<PrincipalKind>> = self
            .member_edges
            .iter()
            .filter(|e| is(&e.member_id))
            .map(|e| e.member_kind)
            .collect();
        Ok(match kinds.first() {
            None => IdSeen::Nowhere,
            Some(first) => {
                if kinds
                    .iter()
                    .any(|k| k.is_none_or(PrincipalKind::is_principal))
                {
                    IdSeen::Principal
                } else {
                    IdSeen::NotPrincipal(first.unwrap_or_default())
                }
            }
        })
    }

    fn each(&self, f: &mut dyn FnMut(Principal)) -> anyhow::Result<()> {
        self.principals.iter().cloned().for_each(f);
        Ok(())
    }

    fn each_eligibility(
        &self,
        f: &mut dyn FnMut(&crate::model::Eligibility),
    ) -> anyhow::Result<()> {
        self.eligibilities.iter().for_each(f);
        Ok(())
    }

    fn each_assignment(&self, f: &mut dyn FnMut(&crate::model::Assignment)) -> anyhow::Result<()> {
        self.assignments.iter().for_each(f);
        Ok(())
    }
}

/// Where scopes and workspaces are looked up.
pub(crate) trait ScopeSource {
    /// How messages name the snapshot (`snapshot 3`).
    fn label(&self) -> String;
    /// The node whose [`scope_key`] is `k`.
    fn by_key(&self, k: &str) -> anyhow::Result<Option<ScopeNode>>;
    /// AzureML workspaces named `name` (by name or by the id's last segment), or
    /// all of them.
    fn workspaces(&self, name: Option<&str>) -> anyhow::Result<Vec<ScopeNode>>;
    /// Whether a scope node, or the scope of an assignment, eligibility or deny
    /// assignment, is `k`.
    fn named(&self, k: &str) -> anyhow::Result<bool>;
    /// Whether some scope named as in [`ScopeSource::named`] lies strictly below
    /// `k` by path.
    fn named_below(&self, k: &str) -> anyhow::Result<bool>;
    /// Every such scope below `k`, as (key, spelling), each key once.
    fn named_keys_below(&self, k: &str) -> anyhow::Result<Vec<(String, String)>>;
}

impl ScopeSource for Stored<'_> {
    fn label(&self) -> String {
        format!("snapshot {}", self.snapshot)
    }

    fn by_key(&self, k: &str) -> anyhow::Result<Option<ScopeNode>> {
        Ok(self.store.scope_by_key(self.snapshot, k)?)
    }

    fn workspaces(&self, name: Option<&str>) -> anyhow::Result<Vec<ScopeNode>> {
        Ok(self.store.workspaces(self.snapshot, name)?)
    }

    fn named(&self, k: &str) -> anyhow::Result<bool> {
        Ok(self.store.scope_named(self.snapshot, k)?)
    }

    fn named_below(&self, k: &str) -> anyhow::Result<bool> {
        Ok(self.store.scope_named_below(self.snapshot, k)?)
    }

    fn named_keys_below(&self, k: &str) -> anyhow::Result<Vec<(String, String)>> {
        Ok(self.store.scopes_named_below(self.snapshot, k)?)
    }
}

fn is_workspace(n: &ScopeNode) -> bool {
    n.kind == ScopeKind::Resource
        && n.resource_type
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces"))
}

impl Tenant {
    /// Every scope the tenant names, as (key, spelling).
    fn named_scopes(&self) -> impl Iterator<Item = (String, &str)> {
        self.scopes
            .iter()
            .map(|n| n.id.as_str())
            .chain(self.assignments.iter().map(|a| a.scope.as_str()))
            .chain(self.eligibilities.iter().map(|e| e.scope.as_str()))
            .chain(self.denies.iter().map(|d| d.scope.as_str()))
            .map(|s| (scope_key(s), s))
    }
}

impl ScopeSource for Tenant {
    fn label(&self) -> String {
        "this snapshot".to_string()
    }

    fn by_key(&self, k: &str) -> anyhow::Result<Option<ScopeNode>> {
        Ok(self.scopes.iter().find(|n| scope_key(&n.id) == k).cloned())
    }

    fn workspaces(&self, name: Option<&str>) -> anyhow::Result<Vec<ScopeNode>> {
        Ok(self
            .scopes
            .iter()
            .filter(|n| is_workspace(n))
            .filter(|n| {
                name.is_none_or(|ws| {
                    n.name.eq_ignore_ascii_case(ws)
                        || scope_key(&n.id).ends_with(&format!("/workspaces/{}", key(ws)))
                })
            })
            .cloned()
            .collect())
    }

    fn named(&self, k: &str) -> anyhow::Result<bool> {
        Ok(self.named_scopes().any(|(sk, _)| sk == k))
    }

    fn named_below(&self, k: &str) -> anyhow::Result<bool> {
        let prefix = if k == "/" {
            "/".to_string()
        } else {
            format!("{k}/")
        };
        Ok(self
            .named_scopes()
            .any(|(sk, _)| sk.starts_with(&prefix) && sk != k))
    }

    fn named_keys_below(&self, k: &str) -> anyhow::Result<Vec<(String, String)>> {
        let prefix = if k == "/" {
            "/".to_string()
        } else {
            format!("{k}/")
        };
        let mut out: Vec<(String, String)> = self
            .named_scopes()
            .filter(|(sk, _)| sk.starts_with(&prefix) && sk != k)
            .map(|(sk, s)| (sk, s.trim().trim_end_matches('/').to_string()))
            .collect();
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------

/// How a principal is shown in a suggestion or an ambiguity: `name <mail or UPN>
/// (Type, object id)`.
fn describe(p: &Principal) -> String {
    let kind = match p.kind {
        PrincipalKind::ManagedIdentity => "ManagedIdentity",
        k => k.as_str(),
    };
    let address = p
        .mail
        .as_deref()
        .or(p.user_principal_name.as_deref())
        .filter(|a| !a.is_empty())
        .map(|a| format!(" <{}>", shown(a)))
        .unwrap_or_default();
    let name = if p.display_name.is_empty() {
        "(no display name)".to_string()
    } else {
        shown(&p.display_name)
    };
    format!("{name}{address} ({kind}, {})", shown(&key(&p.id)))
}

/// The names a principal goes by, besides its ids.
fn names_of(p: &Principal) -> impl Iterator<Item = &str> {
    std::iter::once(p.display_name.as_str())
        .chain(p.user_principal_name.as_deref())
        .chain(p.mail.as_deref())
        .chain(p.other_mails.iter().map(String::as_str))
        .filter(|n| !n.is_empty())
}

fn not_a_principal(name: &str, kind: PrincipalKind) -> anyhow::Error {
    let what = match kind {
        PrincipalKind::OrgContact => "an organisational contact: contacts are",
        _ => "a device: devices are",
    };
    UsageError(format!(
        "\"{}\" is {what} group members but never hold access; ask about a user, group or service principal",
        shown(name.trim())
    ))
    .into()
}

/// The one principal among `found` (records that matched `name` equally well).
fn one_of(name: &str, found: Vec<Principal>) -> anyhow::Result<String> {
    let mut found = found;
    found.sort_by_key(|p| key(&p.id));
    found.dedup_by(|a, b| key(&a.id) == key(&b.id));
    let (principals, others): (Vec<Principal>, Vec<Principal>) =
        found.into_iter().partition(|p| p.kind.is_principal());
    match principals.as_slice() {
        [p] => Ok(key(&p.id)),
        [] => Err(not_a_principal(name, others[0].kind)),
        many => Err(ambiguous(name, many)),
    }
}

/// `name` matches several principals: list them.
pub(crate) fn ambiguous(name: &str, many: &[Principal]) -> anyhow::Error {
    let list: Vec<String> = many
        .iter()
        .map(|p| {
            format!(
                "{}  {}  {}{}",
                shown(&key(&p.id)),
                match p.kind {
                    PrincipalKind::ManagedIdentity => "ManagedIdentity",
                    k => k.as_str(),
                },
                shown(&p.display_name),
                p.user_principal_name
                    .as_deref()
                    .map(|u| format!("  {}", shown(u)))
                    .unwrap_or_default()
            )
        })
        .collect();
    UsageError(format!(
        "`{}` matches {} principals; name one by object id or user principal name:\n  {}",
        shown(name.trim()),
        many.len(),
        list.join("\n  ")
    ))
    .into()
}

/// The principal `name` names, as a key: by object id, appId, UPN, mail or
/// display name exactly (ASCII case-insensitive; index seeks), else by an object id
/// that something else in the snapshot names (an assignment, eligibility, deny
/// assignment, member file or PIM-for-Groups instance), else by UPN, mail, other
/// mails or display name case- and accent-insensitively (a scan: only here).
/// Nothing matched: an error with the closest principals.
pub(crate) fn principal(src: &impl PrincipalSource, name: &str) -> anyhow::Result<String> {
    let text = name.trim();
    if text.is_empty() {
        return Err(UsageError(
            "name a principal: an object id, appId, user principal name, mail or display name"
                .into(),
        )
        .into());
    }
    let found = src.exact(text)?;
    if !found.is_empty() {
        return one_of(name, found);
    }
    let k = key(text);
    match src.seen(&k)? {
        IdSeen::Principal => return Ok(k),
        IdSeen::NotPrincipal(kind) => return Err(not_a_principal(name, kind)),
        IdSeen::Nowhere => {}
    }
    // One pass over every record: the same name once folded, else the closest.
    let guid = super::common::is_guid(&k);
    let mut names = Closeness::new(text);
    // A mistyped object id or appId: a few characters off.
    let mut ids = Closeness::within(k.clone(), k.chars().collect(), 3);
    let mut same: Vec<Principal> = Vec::new();
    let mut scored: Vec<(usize, usize, Principal)> = Vec::new();
    let mut seq = 0usize;
    src.each(&mut |p: Principal| {
        seq += 1;
        let mut score: Option<usize> = None;
        let mut is_same = false;
        for n in names_of(&p) {
            if names.same(n) {
                is_same = true;
                break;
            }
            if same.is_empty() && !guid {
                if let Some(s) = names.score_folded() {
                    score = Some(score.map_or(s, |b| b.min(s)));
                }
            }
        }
        if is_same {
            same.push(p);
            return;
        }
        if guid && same.is_empty() {
            score = [Some(p.id.as_str()), p.app_id.as_deref()]
                .into_iter()
                .flatten()
                .filter_map(|id| ids.score(id))
                .min();
        }
        if let Some(s) = score.filter(|_| p.kind.is_principal()) {
            scored.push((s, seq, p));
            // Only the best few are offered: keep the list short.
            if scored.len() >= 1024 {
                scored.sort_by_key(|(s, seq, _)| (*s, *seq));
                scored.truncate(OFFER);
            }
        }
    })?;
    if !same.is_empty() {
        return one_of(name, same);
    }
    // A principal in no listing, by a name its assignments give it (az's
    // `principalName`: a user's UPN, a service principal's appId; PowerShell's
    // `DisplayName` and `SignInName`), as answers show it.
    let mut assigned: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    src.each_assignment(&mut |a| {
        let n = a.names();
        let raw = a.principal_name.as_deref();
        if [
            n.display_name.as_deref(),
            n.user_principal_name.as_deref(),
            raw,
        ]
        .into_iter()
        .flatten()
        .any(|x| !x.trim().is_empty() && names.same(x.trim()))
        {
            assigned.insert(key(&a.principal_id));
        }
    })?;
    // ... or by the display name a PIM eligibility export gives it.
    src.each_eligibility(&mut |e| {
        if e.principal_display_name
            .as_deref()
            .is_some_and(|x| !x.trim().is_empty() && names.same(x.trim()))
        {
            assigned.insert(key(&e.principal_id));
        }
    })?;
    if assigned.len() == 1 {
        return Ok(assigned.into_iter().next().expect("one"));
    }
    if assigned.len() > 1 {
        let ids: Vec<String> = assigned.iter().map(|k| shown(k)).collect();
        let msg = format!(
            "`{}` matches {} principals that assignments name so; name one by object id:\n  {}",
            shown(text),
            ids.len(),
            ids.join("\n  ")
        );
        return Err(UsageError(msg).into());
    }
    let suggestions: Vec<String> = best(scored, OFFER).iter().map(describe).collect();
    let headline = if guid {
        format!(
            "no principal matches \"{}\" in {}: no directory listing, assignment, eligibility, deny assignment or member file names this object id",
            shown(text),
            src.label()
        )
    } else {
        format!(
            "no principal matches \"{}\" in {}",
            shown(text),
            src.label()
        )
    };
    Err(not_found(
        headline,
        &suggestions,
        "name a principal by object id, appId, user principal name, mail or display name (case and accents do not matter); `whocan principals --match TEXT` lists those whose names contain TEXT",
    ))
}

// ---------------------------------------------------------------------------
// Scopes and workspaces
// ---------------------------------------------------------------------------

/// The scope a question is asked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The scope id, in the snapshot's spelling when it has a node for it.
    pub id: String,
    /// A resource below a known resource group (or subscription) that nothing in
    /// the snapshot names: answered from its ancestors' assignments, but the
    /// inventory that would list it (and anything assigned on it) is missing:
    /// answers carry [`Target::incomplete`] (SPEC §4 `inventory missing`).
    pub(crate) inventory_missing: bool,
    /// For such a resource, the known scopes its id is closest to (a typo in a
    /// compute's name is answered, as SPEC §3 asks, but said so).
    pub(crate) close: Vec<String>,
}

impl Target {
    fn known(id: String) -> Target {
        Target {
            id,
            inventory_missing: false,
            close: Vec::new(),
        }
    }

    /// The `inventory missing` entry of an answer's `incomplete`, if any.
    pub(crate) fn incomplete(&self) -> Option<crate::engine::decide::Incomplete> {
        self.inventory_missing.then(|| {
            crate::engine::decide::Incomplete::scope(
                crate::engine::decide::IncompleteReason::InventoryMissing,
                &self.id,
            )
        })
    }

    /// The stderr warning for a target whose inventory is missing (none otherwise).
    pub(crate) fn warning(&self) -> Option<String> {
        self.inventory_missing.then(|| {
            let close = if self.close.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", self.close.join(", "))
            };
            format!(
                "warning: {} is not in the imported inventory and nothing in the snapshot names it; answered from the assignments of its ancestors (inventory missing){close}",
                shown(&self.id)
            )
        })
    }
}

/// The segments of a scope key (`/a/b` → `[a, b]`; `/` → none).
fn segments(k: &str) -> Vec<&str> {
    k.trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

/// A resource id's part below its container: `providers/NS/type/name`, then
/// more `type/name` pairs, or more `providers/NS/type/name` blocks (extension
/// resources). Empty segments are not allowed.
fn is_resource_path(rest: &[&str]) -> bool {
    let mut i = 0;
    let mut pairs_in_block = 0;
    let mut blocks = 0;
    while i < rest.len() {
        if rest[i].is_empty() {
            return false;
        }
        if rest[i] == "providers" {
            if blocks > 0 && pairs_in_block == 0 {
                return false;
            }
            if i + 1 >= rest.len() || rest[i + 1].is_empty() {
                return false;
            }
            blocks += 1;
            pairs_in_block = 0;
            i += 2;
            continue;
        }
        if blocks == 0 || i + 1 >= rest.len() || rest[i + 1].is_empty() {
            return false;
        }
        pairs_in_block += 1;
        i += 2;
    }
    blocks > 0 && pairs_in_block > 0
}

/// For a resource id below a subscription: the key of its container (resource
/// group, or subscription for a subscription-level resource), when the id has
/// that shape.
fn resource_container(k: &str) -> Option<String> {
    let segs = segments(k);
    if segs.first() != Some(&"subscriptions") || segs.len() < 2 {
        return None;
    }
    let (container, rest) = if segs.get(2) == Some(&"resourcegroups") && segs.len() > 4 {
        (4, &segs[4..])
    } else {
        (2, &segs[2..])
    };
    is_resource_path(rest).then(|| format!("/{}", segs[..container].join("/")))
}

/// Whether the snapshot knows `k`: a node, a named scope, or (subscription and
/// resource group) a prefix of a named scope.
fn scope_known(src: &(impl ScopeSource + ?Sized), k: &str) -> anyhow::Result<bool> {
    if k == "/" || src.by_key(k)?.is_some() || src.named(k)? {
        return Ok(true);
    }
    Ok(matches!(
        kind_of(k),
        ScopeKind::Subscription | ScopeKind::ResourceGroup
    ) && k.starts_with("/subscriptions/")
        && src.named_below(k)?)
}

/// The scopes closest to the unknown `k`: the named scopes below its nearest
/// known ancestor by path, cut to as many segments as `k` has, ranked by the
/// distance of the part below that ancestor.
fn scope_suggestions(src: &(impl ScopeSource + ?Sized), k: &str) -> anyhow::Result<Vec<String>> {
    let segs = segments(k);
    let mut base = "/".to_string();
    for n in (1..segs.len()).rev() {
        let p = format!("/{}", segs[..n].join("/"));
        if src.by_key(&p)?.is_some() || src.named(&p)? || src.named_below(&p)? {
            base = p;
            break;
        }
    }
    let cut = |s: &str| -> String {
        let parts: Vec<&str> = s.trim_start_matches('/').split('/').collect();
        format!("/{}", parts[..parts.len().min(segs.len())].join("/"))
    };
    let mut cands: Vec<(String, String)> = src
        .named_keys_below(&base)?
        .into_iter()
        .map(|(sk, id)| (cut(&sk), cut(&id)))
        .filter(|(sk, _)| sk != k)
        .collect();
    cands.sort();
    cands.dedup_by(|a, b| a.0 == b.0);
    let tail = |s: &str| -> String {
        if base == "/" {
            s.to_string()
        } else {
            s.get(base.len()..).unwrap_or(s).to_string()
        }
    };
    Ok(closest(
        &tail(k),
        cands.into_iter().map(|(sk, id)| (id, vec![tail(&sk)])),
        OFFER,
    )
    .into_iter()
    .map(|s| shown(&s))
    .collect())
}

/// `--scope S`: a scope the snapshot knows, or a resource below a known resource
/// group (flagged [`Target::inventory_missing`]).
fn scope_target(src: &(impl ScopeSource + ?Sized), s: &str) -> anyhow::Result<Target> {
    let t = s.trim();
    if !t.starts_with('/') {
        let hint = if src.workspaces(Some(t))?.is_empty() {
            String::new()
        } else {
            format!(" (for the workspace, use --workspace {})", shown(t))
        };
        return Err(UsageError(format!(
            "--scope \"{}\" is not a scope id: expected /, /providers/Microsoft.Management/managementGroups/NAME, /subscriptions/ID[/resourceGroups/RG[/providers/...]]{hint}",
            shown(t)
        ))
        .into());
    }
    let k = scope_key(t);
    if k == "/" {
        return Ok(Target::known("/".into()));
    }
    if let Some(n) = src.by_key(&k)? {
        return Ok(Target::known(n.id));
    }
    let spelled = t.trim_end_matches('/').to_string();
    if scope_known(src, &k)? {
        return Ok(Target::known(spelled));
    }
    if let Some(container) = resource_container(&k) {
        if scope_known(src, &container)? {
            return Ok(Target {
                close: scope_suggestions(src, &k)?,
                id: spelled,
                inventory_missing: true,
            });
        }
    }
    Err(not_found(
        format!(
            "scope \"{}\" is not in {}: no management-group tree, subscription or resource inventory, assignment, eligibility or deny assignment names it",
            shown(&spelled),
            src.label()
        ),
        &scope_suggestions(src, &k)?,
        "check the id; a resource is answered when its resource group is known",
    ))
}

/// The known workspace names, sorted, each once.
fn workspace_names(all: &[ScopeNode]) -> Vec<String> {
    let mut names: Vec<String> = all.iter().map(|n| n.name.clone()).collect();
    names.sort_by_key(|n| key(n));
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    names
}

fn unknown_workspace(
    src: &(impl ScopeSource + ?Sized),
    asked: &str,
    by_id: bool,
) -> anyhow::Result<anyhow::Error> {
    let all = src.workspaces(None)?;
    let suggestions: Vec<String> = closest(
        asked,
        all.iter().map(|n| {
            let names = if by_id {
                vec![n.id.clone()]
            } else {
                vec![n.name.clone()]
            };
            (n, names)
        }),
        OFFER,
    )
    .into_iter()
    .map(|n| {
        if by_id {
            shown(&n.id)
        } else {
            format!("{} ({})", shown(&n.name), shown(&n.id))
        }
    })
    .collect();
    let names = workspace_names(&all);
    let hint = if names.is_empty() {
        "this snapshot has no AzureML workspace: import `az resource list` or `az ml workspace list` output".to_string()
    } else {
        format!("known workspaces: {}", listing(&names, 20))
    };
    Ok(not_found(
        format!(
            "no workspace {} \"{}\" in {}",
            if by_id { "with id" } else { "named" },
            shown(asked),
            src.label()
        ),
        &suggestions,
        &hint,
    ))
}

/// `--workspace NAME`, `NAME/COMPUTE`, or a workspace's (or compute's) full
/// resource id.
fn workspace_target(src: &(impl ScopeSource + ?Sized), w: &str) -> anyhow::Result<Target> {
    let w = w.trim();
    let (ws_id, compute) = if w.starts_with('/') {
        // A resource id: the workspace part, and a compute below it if any.
        const WS: &str = "/providers/microsoft.machinelearningservices/workspaces/";
        let spelled = w.trim_end_matches('/');
        let k = scope_key(spelled);
        let not_ws = || -> anyhow::Error {
            UsageError(format!(
                "--workspace \"{}\" is not an AzureML workspace id (…/providers/Microsoft.MachineLearningServices/workspaces/NAME[/computes/NAME]); use --scope for other scopes",
                shown(w)
            ))
            .into()
        };
        let Some(at) = k.find(WS) else {
            return Err(not_ws());
        };
        let name_at = at + WS.len();
        let name_end = k[name_at..].find('/').map_or(k.len(), |i| name_at + i);
        if name_end == name_at {
            return Err(not_ws());
        }
        let compute = match spelled.get(name_end..).filter(|r| !r.is_empty()) {
            None => None,
            // `/computes/NAME`, in any case.
            Some(rest) => match rest
                .get(..10)
                .filter(|p| p.eq_ignore_ascii_case("/computes/"))
                .and_then(|_| rest.get(10..))
            {
                Some(c) if !c.is_empty() && !c.contains('/') => Some(c.to_string()),
                _ => return Err(not_ws()),
            },
        };
        let ws_key = &k[..name_end];
        let ws_id = match src.by_key(ws_key)? {
            Some(n) if is_workspace(&n) => n.id,
            _ if src.named(ws_key)? => spelled[..name_end].to_string(),
            _ => return Err(unknown_workspace(src, &spelled[..name_end], true)?),
        };
        (ws_id, compute)
    } else {
        let (ws, compute) = match w.split_once('/') {
            Some((a, b)) => (a, Some(b.to_string())),
            None => (w, None),
        };
        if compute
            .as_deref()
            .is_some_and(|c| c.is_empty() || c.contains('/'))
        {
            return Err(UsageError(format!(
                "--workspace \"{}\": expected NAME, NAME/COMPUTE or a workspace's resource id",
                shown(w)
            ))
            .into());
        }
        let found = src.workspaces(Some(ws))?;
        let ws_id = match found.as_slice() {
            [one] => one.id.clone(),
            [] => return Err(unknown_workspace(src, ws, false)?),
            many => {
                let ids: Vec<String> = many.iter().map(|n| shown(&n.id)).collect();
                return Err(UsageError(format!(
                    "workspace name \"{}\" is ambiguous; pass one of these ids to --workspace or --scope:\n  {}",
                    shown(ws),
                    ids.join("\n  ")
                ))
                .into());
            }
        };
        (ws_id, compute)
    };
    Ok(match compute {
        None => Target::known(ws_id),
        Some(c) => {
            let want = format!("{}/computes/{}", scope_key(&ws_id), key(&c));
            match src.by_key(&want)? {
                Some(n) => Target::known(n.id),
                None => {
                    let missing = !src.named(&want)?;
                    Target {
                        id: format!("{ws_id}/computes/{c}"),
                        inventory_missing: missing,
                        close: if missing {
                            scope_suggestions(src, &want)?
                        } else {
                            Vec::new()
                        },
                    }
                }
            }
        }
    })
}

/// The target scope of `--scope` or `--workspace`.
pub(crate) fn target(
    src: &(impl ScopeSource + ?Sized),
    args: &ScopeArgs,
) -> anyhow::Result<Target> {
    if let Some(s) = &args.scope {
        return scope_target(src, s);
    }
    match &args.workspace {
        Some(w) => workspace_target(src, w),
        None => Err(UsageError("say where: --scope SCOPE or --workspace NAME".into()).into()),
    }
}

// ---------------------------------------------------------------------------
// Actions and activities
// ---------------------------------------------------------------------------

/// An action as asked must be concrete: `Provider.Namespace/type/operation`.
pub(crate) fn action_syntax(a: &str) -> anyhow::Result<()> {
    let a = a.trim();
    if a.is_empty() || !a.contains('/') || a.starts_with('/') {
        return Err(UsageError(format!(
            "\"{}\" is not an action: expected Provider.Namespace/resourceType/operation, e.g. Microsoft.MachineLearningServices/workspaces/computes/write",
            shown(a)
        ))
        .into());
    }
    if a.contains('*') {
        return Err(UsageError(format!(
            "\"{}\" is a pattern; ask about concrete actions (use `whocan what` or an --activity to expand patterns)",
            shown(a)
        ))
        .into());
    }
    Ok(())
}

/// Checks each asked action against its provider's imported catalogue: an action
/// of a provider with a catalogue must be one of its operations (either plane),
/// else an error with the closest operations. Returns notes for actions of
/// providers without a catalogue (answered unchecked) when the snapshot has
/// catalogues of other providers. Index seeks, except on the error path.
pub(crate) fn check_actions(
    src: &Stored<'_>,
    actions: &[String],
    allow_unknown: bool,
) -> anyhow::Result<Vec<String>> {
    let mut notes = Vec::new();
    for a in actions {
        let a = a.trim();
        action_syntax(a)?;
        if allow_unknown {
            continue;
        }
        let ns = a.split('/').next().unwrap_or_default();
        if src.store.provider_catalogued(src.snapshot, ns)? {
            if src.store.operation_catalogued(src.snapshot, a)? {
                continue;
            }
            let ops = src.store.provider_operations(src.snapshot, ns)?;
            let tail = |s: &str| s.get(ns.len() + 1..).unwrap_or(s).to_string();
            let suggestions: Vec<String> =
                closest(&tail(a), ops.iter().map(|o| (o, vec![tail(o)])), OFFER)
                    .into_iter()
                    .map(|o| shown(o))
                    .collect();
            return Err(not_found(
                format!(
                    "\"{}\" is not an operation of {} in {} (its catalogue of {} was imported)",
                    shown(a),
                    shown(ns),
                    PrincipalSource::label(src),
                    crate::words::count(ops.len(), "operation", "operations")
                ),
                &suggestions,
                "check the spelling (`whocan what PRINCIPAL --provider NAMESPACE` lists operations), or pass --allow-unknown-action to ask anyway",
            ));
        }
        if src.store.any_catalogue(src.snapshot)? {
            let providers = src.store.catalogued_providers(src.snapshot)?;
            let near = closest(ns, providers.iter().map(|p| (p, vec![p.clone()])), 1);
            let near = near
                .first()
                .map(|p| format!(" (did you mean {}?)", shown(p)))
                .unwrap_or_default();
            notes.push(format!(
                "note: no operation catalogue of {} was imported{near}; \"{}\" is answered without checking that it exists",
                shown(ns),
                shown(a)
            ));
        }
    }
    Ok(notes)
}

/// Whether `--activity NAME` names a data activity, which follows the
/// resources' facts (a workspace's datastores, vault, registry).
pub(crate) fn is_data_activity(name: Option<&str>) -> bool {
    name.and_then(activities::find)
        .is_some_and(|a| a.data.is_some())
}

/// The activity `--activity NAME` names, or an error with the closest names.
pub(crate) fn activity(name: &str) -> anyhow::Result<Activity> {
    if let Some(a) = activities::find(name) {
        return Ok(a);
    }
    let all = activities::catalogue();
    let asked = key(name.trim()).replace([' ', '_'], "-");
    let suggestions: Vec<String> = closest(
        &asked,
        all.iter().map(|a| (a.name, vec![a.name.to_string()])),
        OFFER,
    )
    .into_iter()
    .map(str::to_string)
    .collect();
    let names: Vec<String> = all.iter().map(|a| a.name.to_string()).collect();
    Err(not_found(
        format!("no activity named \"{}\"", shown(name.trim())),
        &suggestions,
        &format!(
            "known activities: {} (`whocan activities` says what each requires)",
            names.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_accents_case_and_spaces() {
        assert_eq!(fold("María  González"), "maria gonzalez");
        assert_eq!(fold("Tomás Herrera"), "tomas herrera");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Ærø Łódź"), "aero lodz");
        assert_eq!(fold("Müller Ñandú"), "muller nandu");
        assert_eq!(fold("Ștefan Țurcan"), "stefan turcan");
        assert_eq!(fold("Nguyễn"), "nguyen");
        // Decomposed: a + combining acute.
        assert_eq!(fold("Mari\u{0301}a"), "maria");
        assert_eq!(fold("  İstanbul "), "istanbul");
        assert_eq!(fold("Зоя"), "зоя");
    }

    #[test]
    fn distance_counts_edits_and_transpositions() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ml-dev", "ml-dve"), 1);
        assert_eq!(distance("compute", "computes"), 1);
        assert_eq!(distance("maría", "maria"), 1);
    }

    #[test]
    fn closest_prefers_fewer_edits_then_containment() {
        let c = closest(
            "Maria Gonzales",
            [
                ("maria", vec!["María González".to_string()]),
                ("marco", vec!["Marco Rossi".to_string()]),
            ],
            5,
        );
        assert_eq!(c, ["maria"]);
        let c = closest(
            "alice",
            [
                ("alice", vec!["Alice Nguyen".to_string()]),
                ("alicf", vec!["alicf".to_string()]),
            ],
            5,
        );
        assert_eq!(c, ["alicf", "alice"]);
    }

    #[test]
    fn shown_escapes_controls_and_bidi() {
        assert_eq!(shown("a\u{1b}[31mb"), "a\\e[31mb");
        assert_eq!(shown("x\u{202e}y\n"), "x\\u{202e}y\\n");
        assert_eq!(shown("\u{85}"), "\\u{85}");
        assert_eq!(shown("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(shown("María"), "María");
    }

    #[test]
    fn resource_paths() {
        assert!(is_resource_path(&["providers", "ns", "t", "n"]));
        assert!(is_resource_path(&["providers", "ns", "t", "n", "t2", "n2"]));
        assert!(is_resource_path(&[
            "providers",
            "ns",
            "t",
            "n",
            "providers",
            "ns2",
            "t2",
            "n2"
        ]));
        assert!(!is_resource_path(&["providers", "ns"]));
        assert!(!is_resource_path(&["providers", "ns", "t"]));
        assert!(!is_resource_path(&["x", "ns", "t", "n"]));
        assert_eq!(
            resource_container("/subscriptions/s/resourcegroups/rg/providers/ns/t/n").as_deref(),
            Some("/subscriptions/s/resourcegroups/rg")
        );
        assert_eq!(
            resource_container("/subscriptions/s/providers/ns/t/n").as_deref(),
            Some("/subscriptions/s")
        );
        assert_eq!(
            resource_container("/subscriptions/s/resourcegroups/rg"),
            None
        );
        assert_eq!(
            resource_container("/subscriptions/s/resourcegroups/rg/providers"),
            None
        );
    }

    proptest! {
        #[test]
        fn distance_is_a_premetric(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            prop_assert_eq!(distance(&a, &a), 0);
            prop_assert_eq!(distance(&a, &b), distance(&b, &a));
            prop_assert_eq!(distance(&a, &b) == 0, a == b);
            let (la, lb) = (a.chars().count(), b.chars().count());
            prop_assert!(distance(&a, &b) <= la.max(lb));
            prop_assert!(distance(&a, &b) >= la.abs_diff(lb));
        }

        #[test]
        fn bounded_distance_agrees(a in "[a-e]{0,10}", b in "[a-e]{0,10}", max in 0usize..8) {
            let ac: Vec<char> = a.chars().collect();
            let bc: Vec<char> = b.chars().collect();
            let d = distance(&a, &b);
            prop_assert_eq!(distance_within(&ac, &bc, max), (d <= max).then_some(d));
        }

        #[test]
        fn fold_is_idempotent_and_lowercases_ascii(s in "\\PC{0,16}", t in "[A-Za-z0-9@. -]{0,16}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f);
            prop_assert_eq!(fold(&t), t.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase());
        }
    }
}
