//! The membership graph over interned ids: principal ids as dense `u32`s (GUIDs
//! parsed to numbers), adjacency in compressed sparse rows both ways, every
//! principal's upward holder set computed once (cycle-safe), and downward member
//! closures on demand. `diff` and `lint` walk memberships through it.
//!
//! Its walks are separate from the one over the string-keyed `Index`
//! ([`super::walk::breadth_first`], for `who`, `can` and `what`) because they walk
//! other data: interned ids in sorted adjacency, holder sets precomputed for every
//! principal at once (what comparing two whole snapshots needs), not chains from one
//! principal. Both are iterative and cycle-safe and reach the same sets.

use std::sync::Arc;

use crate::model::key;

pub(crate) type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub(crate) type FxSet<K> = rustc_hash::FxHashSet<K>;

#[inline]
pub(crate) fn pack(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

#[inline]
pub(crate) fn unpack(x: u64) -> (u32, u32) {
    ((x >> 32) as u32, x as u32)
}

/// Strings to dense ids; lookups by a lowercase copy kept in a reused buffer.
#[derive(Default)]
pub(crate) struct Interner {
    pub(crate) map: FxMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    buf: String,
}

impl Interner {
    /// The id of `s` compared case-insensitively (interned lowercase).
    pub(crate) fn lower(&mut self, s: &str) -> u32 {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        buf.push_str(s);
        buf.make_ascii_lowercase();
        let id = self.exact(&buf);
        self.buf = buf;
        id
    }

    /// The id of `s` as given (already normalised).
    pub(crate) fn exact(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        let b: Box<str> = s.into();
        self.names.push(b.clone());
        self.map.insert(b, i);
        i
    }

    pub(crate) fn find_lower(&self, s: &str) -> Option<u32> {
        self.map.get(key(s).as_str()).copied()
    }

    pub(crate) fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// An object id as a number, when it is a GUID (any case).
pub(crate) fn parse_guid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | d as u128;
    }
    Some(v)
}

fn format_guid(v: u128) -> String {
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Principal ids to dense numbers. Object ids are GUIDs: they are parsed into
/// 128-bit numbers (no allocation, no string hashing); anything else is interned
/// as lowercase text.
#[derive(Default)]
pub(crate) struct PrincipalIds {
    guids: FxMap<u128, u32>,
    text: Interner,
    /// Text-interner id → principal id.
    text_ids: Vec<u32>,
    names: Vec<Result<u128, u32>>,
}

impl PrincipalIds {
    /// The id of a GUID (as a number).
    pub(crate) fn guid(&mut self, g: u128) -> u32 {
        let n = self.names.len() as u32;
        let names = &mut self.names;
        *self.guids.entry(g).or_insert_with(|| {
            names.push(Ok(g));
            n
        })
    }

    pub(crate) fn lower(&mut self, s: &str) -> u32 {
        let n = self.names.len() as u32;
        if let Some(g) = parse_guid(s) {
            return self.guid(g);
        }
        let t = self.text.lower(s);
        if t as usize == self.text_ids.len() {
            self.text_ids.push(n);
            self.names.push(Err(t));
        }
        self.text_ids[t as usize]
    }

    pub(crate) fn find_lower(&self, s: &str) -> Option<u32> {
        match parse_guid(s) {
            Some(g) => self.guids.get(&g).copied(),
            None => self.text.find_lower(s).map(|t| self.text_ids[t as usize]),
        }
    }

    pub(crate) fn name(&self, i: u32) -> String {
        match self.names[i as usize] {
            Ok(g) => format_guid(g),
            Err(t) => self.text.name(t).to_string(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn reserve(&mut self, n: usize) {
        self.guids.reserve(n.saturating_sub(self.guids.len()));
        self.names.reserve(n.saturating_sub(self.names.len()));
    }
}

/// Adjacency lists in one array (compressed sparse rows), with a bitset of the
/// rows that are not empty (small enough to stay in cache when most are).
#[derive(Default)]
pub(crate) struct Csr {
    offsets: Vec<u32>,
    targets: Vec<u32>,
    nonempty: Vec<u64>,
}

impl Csr {
    /// From (from, to) pairs sorted by `from`.
    pub(crate) fn from_sorted(n: usize, pairs: impl Iterator<Item = (u32, u32)>) -> Csr {
        let mut offsets = vec![0u32; n + 1];
        let mut targets = Vec::new();
        for (a, b) in pairs {
            offsets[a as usize + 1] += 1;
            targets.push(b);
        }
        let mut nonempty = vec![0u64; n.div_ceil(64)];
        for i in 0..n {
            if offsets[i + 1] > 0 {
                nonempty[i / 64] |= 1 << (i % 64);
            }
            offsets[i + 1] += offsets[i];
        }
        Csr {
            offsets,
            targets,
            nonempty,
        }
    }

    /// Does row `i` have any target?
    pub(crate) fn has(&self, i: u32) -> bool {
        let i = i as usize;
        self.nonempty
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub(crate) fn of(&self, i: u32) -> &[u32] {
        let i = i as usize;
        if i + 1 >= self.offsets.len() {
            return &[];
        }
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// The membership graph of one snapshot over interned principal ids, with every
/// principal's upward holder set computed once, iteratively (cycle-safe): groups by
/// a walk up their parents, everything else as the union of its groups' sets.
/// Immutable once built, so both snapshots can be compared on two threads.
pub(crate) struct MemberGraph {
    /// group → direct members.
    pub(crate) members: Csr,
    /// member → groups it is a direct member of.
    pub(crate) parents: Csr,
    /// Holder sets, one sorted run per principal id.
    up: Vec<u32>,
    up_off: Vec<u32>,
}

/// The reverse of packed (group, member) edges: member → the groups it is a
/// direct member of.
pub(crate) fn parents_of(n: usize, edges: &[u64]) -> Csr {
    let mut rev: Vec<u64> = edges
        .iter()
        .map(|&e| {
            let (g, m) = unpack(e);
            pack(m, g)
        })
        .collect();
    rev.sort_unstable();
    Csr::from_sorted(n, rev.into_iter().map(unpack))
}

impl MemberGraph {
    /// From deduplicated (group, member) edges sorted by group, then member.
    pub(crate) fn new(n: usize, edges: &[u64]) -> MemberGraph {
        let members = Csr::from_sorted(n, edges.iter().map(|&e| unpack(e)));
        let parents = parents_of(n, edges);
        // Groups (principals with members) first: a walk up, with visit stamps.
        let mut tmp: Vec<u32> = Vec::new();
        let mut range = vec![(0u32, 0u32); n];
        let mut stamps = vec![0u32; n];
        let mut stack = Vec::new();
        for p in 0..n as u32 {
            if members.of(p).is_empty() {
                continue;
            }
            let start = tmp.len();
            tmp.push(p);
            stamps[p as usize] = p + 1;
            stack.push(p);
            while let Some(x) = stack.pop() {
                for &g in parents.of(x) {
                    if stamps[g as usize] != p + 1 {
                        stamps[g as usize] = p + 1;
                        tmp.push(g);
                        stack.push(g);
                    }
                }
            }
            tmp[start..].sort_unstable();
            range[p as usize] = (start as u32, tmp.len() as u32);
        }
        // Then every principal in id order; one without members cannot be on a
        // cycle, and its groups' sets are known.
        let mut up = Vec::with_capacity(tmp.len() + n);
        let mut up_off = Vec::with_capacity(n + 1);
        up_off.push(0);
        let mut scratch = Vec::new();
        for p in 0..n as u32 {
            let (a, b) = range[p as usize];
            if a != b {
                up.extend_from_slice(&tmp[a as usize..b as usize]);
            } else if parents.of(p).is_empty() {
                up.push(p);
            } else {
                scratch.clear();
                scratch.push(p);
                for &g in parents.of(p) {
                    let (a, b) = range[g as usize];
                    scratch.extend_from_slice(&tmp[a as usize..b as usize]);
                }
                scratch.sort_unstable();
                scratch.dedup();
                up.extend_from_slice(&scratch);
            }
            up_off.push(up.len() as u32);
        }
        MemberGraph {
            members,
            parents,
            up,
            up_off,
        }
    }

    /// `p` and every group it is in, transitively; sorted.
    pub(crate) fn holders(&self, p: u32) -> &[u32] {
        let i = p as usize;
        if i + 1 >= self.up_off.len() {
            return &[];
        }
        &self.up[self.up_off[i] as usize..self.up_off[i + 1] as usize]
    }
}

/// Downward member closures of one graph, computed on demand (iteratively, with
/// visit stamps, so cycles end) and memoised.
pub(crate) struct Below {
    memo: FxMap<u32, Arc<[u32]>>,
    stamps: Vec<u32>,
    stamp: u32,
}

impl Below {
    pub(crate) fn new(n: usize) -> Below {
        Below {
            memo: FxMap::default(),
            stamps: vec![0; n],
            stamp: 0,
        }
    }

    /// `h` and every principal below it (its members, transitively); `[h]` for a
    /// principal without members.
    pub(crate) fn get(&mut self, g: &MemberGraph, h: u32) -> Arc<[u32]> {
        if g.members.of(h).is_empty() {
            return Arc::from(vec![h]);
        }
        if let Some(r) = self.memo.get(&h) {
            return r.clone();
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.stamps.iter_mut().for_each(|s| *s = 0);
            self.stamp = 1;
        }
        let s = self.stamp;
        let mut out = vec![h];
        if let Some(slot) = self.stamps.get_mut(h as usize) {
            *slot = s;
        }
        let mut i = 0;
        while i < out.len() {
            let x = out[i];
            i += 1;
            for &m in g.members.of(x) {
                let slot = &mut self.stamps[m as usize];
                if *slot != s {
                    *slot = s;
                    out.push(m);
                }
            }
        }
        let r: Arc<[u32]> = out.into();
        self.memo.insert(h, r.clone());
        r
    }
}
