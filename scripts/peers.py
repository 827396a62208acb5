#!/usr/bin/env python3
"""Side by side with two peers (issue 11): whocan, one recursive-CTE SQL statement,
and an in-memory Python script, asked the same `who` and `can` questions.

Run (from the repository root, after `cargo build --release`):

    python3 scripts/peers.py --db /tmp/large.db --data /tmp/large \
        --whocan target/release/whocan --who 25 --can 200 --out BENCHMARKS.md

`--db` is a whocan database holding the tenant (`whocan --db /tmp/large.db import
/tmp/large --taken-at 2026-10-01`), `--data` the export directory it was imported from
(`whocan-synth --profile large --seed 1 --out /tmp/large`). The script only reads both
(the SQL peer opens the database with `mode=ro`); `--out` is the one file it writes:
the section between `<!-- peers:begin -->` and `<!-- peers:end -->` (created after
`<!-- bench:end -->` when missing; nothing else in the file changes). Without `--out`
the section goes to stdout. Python 3.11, standard library only.

Questions (seeded, `--seed`, default 1):
- `who`: (workspace, action) pairs drawn without replacement from the snapshot's
  `Microsoft.MachineLearningServices/workspaces` scopes (not computes) × ACTIONS.
- `can`: (principal, action, workspace) triples; half draw a random user, service
  principal or managed identity from the directory, half a principal that whocan's
  answer to one of the `who` questions listed, asked about that question's
  workspace with a random action of ACTIONS (so both answers occur).

The three methods, each asked every question, in turn:
- whocan: `whocan --db DB who ACTION --scope WS --format json` (one process per
  question, wall clock); the answer is the set of `principals[].id` (access `allowed`
  or `conditional`; `denied` and `eligible` are separate lists). `can`: the same
  with `can PRINCIPAL ACTION --scope WS`; exit 0 is yes, 1 no.
- SQL peer: ONE statement per question (WHO_SQL, CAN_SQL) over whocan's own tables,
  rows of the snapshot by whocan's predicate `valid_from <= s AND (valid_to IS NULL
  OR valid_to >= s)`. It implements: the target's segment-wise path prefixes down to
  the subscription (resources have no `parent_key` in `scopes`; only subscriptions
  and management groups do), then the `parent_key` chain of management groups, then
  `/`; active role assignments at those scopes (a time-bound one only inside its
  window at the snapshot's `taken_at`), joined to their role on `role_key`; a role
  grants when some block (`json_each`) has an `actions` pattern that GLOBs the
  lowercase action and no `not_actions` pattern of the same block does (data-plane
  actions, by the operations catalogue, use `data_actions`/`not_data_actions`);
  the `/*/` rule (`a/*/b` also matches `a/b`) as a second GLOB with every `/*/`
  replaced by `/`; conditions (assignment or block) make a grant conditional;
  membership by a recursive CTE over `member_edges` (UNION, so cycles end) plus
  active PIM-for-Groups memberships in their window; deny assignments at the chain
  (`do_not_apply_to_child_scopes`: only the target) whose blocks match, naming a
  holder or All Principals and excluding none of the holders; groups, devices and
  contacts are never answered. Timed on one read-only connection opened once, and
  also including a fresh `sqlite3.connect` (the cost a one-shot tool would pay).
  Leaves out: PIM eligibility (`eligible` is not access, so it does not change the
  set), the fallback that joins an assignment to a role *without* an id by
  `roleDefinitionName`, more than one `/*/` in one pattern being optional
  independently (the replace makes all of them optional at once), GLOB's own `?`
  and `[` (no action contains them), and every explanation (paths, `via`,
  why-not, `incomplete`).
- In-memory peer (InMemory below): reads the export files as written (JSON and
  CSV) into dicts once (timed as its load), with indexes: group → members,
  member → groups, assignments by scope and by principal, role by GUID, patterns
  compiled to regular expressions (`*` → `.*`, `/*/` → `/(?:.*/)?`), and answers
  each question in process (timed per question after the load). It implements the
  same rules as the SQL peer, with ancestors from the management-group export.
  Leaves out: PIM eligibility and PIM for Groups (this export has no group-PIM
  file), the role-by-name fallback, time-bound active assignments (the export's
  role-assignment list has no windows), and every explanation.

Agreement: per question the three answers are compared: for `who` the principal ids
each with its access (`allowed` or `conditional`), for `can` yes/no and the access
(`allowed`, `conditional`, `denied`, none; whocan's `eligible` counts as none since
the peers leave eligibility out). A mismatch is listed in the section with the first
few differing ids (`whocan can ID ACTION --scope WS --explain` then says why whocan
decided as it did).

Timings are medians (p50) and p95 (nearest rank) per method and question kind; the
machine is shared and noisy, so single numbers are not to be trusted beyond ±20%.
"""

import argparse
import csv
import datetime
import glob
import hashlib
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ACTIONS = [
    "Microsoft.MachineLearningServices/workspaces/read",
    "Microsoft.MachineLearningServices/workspaces/write",
    "Microsoft.MachineLearningServices/workspaces/computes/write",
    "Microsoft.MachineLearningServices/workspaces/jobs/write",
    "Microsoft.Authorization/roleAssignments/write",
]
ALL_PRINCIPALS = "00000000-0000-0000-0000-000000000000"
NOT_PRINCIPAL_KINDS = ("Group", "Device", "OrgContact")

# ---------------------------------------------------------------------------
# SQL peer: one statement per question.
# ---------------------------------------------------------------------------

# Shared CTEs. Parameters: :s snapshot id, :target scope key (lowercase, no trailing
# '/'), :act lowercase action.
_SQL_COMMON = """
WITH RECURSIVE
taken(t) AS (SELECT julianday(taken_at) FROM snapshots WHERE id = :s),
plane(data) AS (
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM operations WHERE key = :act AND is_data_action = 0
                 AND valid_from <= :s AND (valid_to IS NULL OR valid_to >= :s)) THEN 0
    WHEN EXISTS (SELECT 1 FROM operations WHERE key IN (:act, :act || '#data')
                 AND is_data_action = 1
                 AND valid_from <= :s AND (valid_to IS NULL OR valid_to >= :s)) THEN 1
    ELSE 0 END),
-- segment-wise prefixes of the target, down to /subscriptions/<id>
prefix(k) AS (
  SELECT :target
  UNION
  SELECT rtrim(rtrim(k, replace(k, '/', '')), '/') FROM prefix
  WHERE k LIKE '/subscriptions/%/%'),
-- then the management-group chain (UNION: a cyclic tree still ends), then '/'
chain(k) AS (
  SELECT k FROM prefix
  UNION
  SELECT sc.parent_key FROM chain
  JOIN scopes sc ON sc.key = chain.k
   AND sc.valid_from <= :s AND (sc.valid_to IS NULL OR sc.valid_to >= :s)
  WHERE sc.parent_key IS NOT NULL AND sc.parent_key <> ''
    AND sc.kind IN ('subscription', 'managementGroup')),
anc(k) AS (SELECT k FROM chain UNION SELECT '/'),
-- active assignments at the chain whose role has a block granting the action
grant_(principal, cond) AS (
  SELECT ra.principal_key,
         MIN(CASE WHEN trim(coalesce(ra.condition, '')) <> ''
                    OR trim(coalesce(json_extract(b.value, '$.condition'), '')) <> ''
                  THEN 1 ELSE 0 END)
  FROM anc
  JOIN role_assignments ra ON ra.scope_key = anc.k
   AND ra.valid_from <= :s AND (ra.valid_to IS NULL OR ra.valid_to >= :s)
  JOIN role_definitions rd ON rd.key = ra.role_key
   AND rd.valid_from <= :s AND (rd.valid_to IS NULL OR rd.valid_to >= :s)
  JOIN json_each(rd.permissions) b
  WHERE {principal_filter}
    (ra.start_date_time IS NULL OR julianday(ra.start_date_time) IS NULL
       OR julianday(ra.start_date_time) <= (SELECT t FROM taken))
    AND (ra.end_date_time IS NULL OR julianday(ra.end_date_time) IS NULL
       OR julianday(ra.end_date_time) > (SELECT t FROM taken))
    AND EXISTS (
      SELECT 1 FROM json_each(b.value, CASE (SELECT data FROM plane)
                                       WHEN 1 THEN '$.data_actions' ELSE '$.actions' END) p
      WHERE :act GLOB lower(trim(p.value))
         OR :act GLOB replace(lower(trim(p.value)), '/*/', '/'))
    AND NOT EXISTS (
      SELECT 1 FROM json_each(b.value, CASE (SELECT data FROM plane)
                                       WHEN 1 THEN '$.not_data_actions' ELSE '$.not_actions' END) p
      WHERE :act GLOB lower(trim(p.value))
         OR :act GLOB replace(lower(trim(p.value)), '/*/', '/'))
  GROUP BY ra.principal_key),
-- deny assignments at the chain (only the target itself when they do not apply to
-- children) with a block matching the action
deny_hit(dkey, principals, excludes) AS (
  SELECT d.key, d.principals, d.exclude_principals
  FROM anc
  JOIN deny_assignments d ON d.scope_key = anc.k
   AND d.valid_from <= :s AND (d.valid_to IS NULL OR d.valid_to >= :s)
  WHERE (d.do_not_apply_to_child_scopes = 0 OR d.scope_key = :target)
    AND EXISTS (
      SELECT 1 FROM json_each(d.permissions) b
      WHERE EXISTS (
          SELECT 1 FROM json_each(b.value, CASE (SELECT data FROM plane)
                                           WHEN 1 THEN '$.data_actions' ELSE '$.actions' END) p
          WHERE :act GLOB lower(trim(p.value))
             OR :act GLOB replace(lower(trim(p.value)), '/*/', '/'))
        AND NOT EXISTS (
          SELECT 1 FROM json_each(b.value, CASE (SELECT data FROM plane)
                                           WHEN 1 THEN '$.not_data_actions' ELSE '$.not_actions' END) p
          WHERE :act GLOB lower(trim(p.value))
             OR :act GLOB replace(lower(trim(p.value)), '/*/', '/'))))
"""

# `who`: expand the grant holders downward through memberships; expand each
# deny's principals and exclusions downward the same way.
WHO_SQL = _SQL_COMMON.format(principal_filter="") + """,
reach(p, cond) AS (
  SELECT principal, cond FROM grant_
  UNION
  SELECT me.member_key, reach.cond FROM reach
  JOIN member_edges me ON me.group_key = reach.p
   AND me.valid_from <= :s AND (me.valid_to IS NULL OR me.valid_to >= :s)
  UNION
  SELECT ge.principal_key, reach.cond FROM reach
  JOIN group_eligibilities ge ON ge.group_key = reach.p
   AND ge.valid_from <= :s AND (ge.valid_to IS NULL OR ge.valid_to >= :s)
  WHERE ge.active = 1 AND lower(ge.access_id) = 'member'
    AND (ge.start_date_time IS NULL OR julianday(ge.start_date_time) IS NULL
         OR julianday(ge.start_date_time) <= (SELECT t FROM taken))
    AND (ge.end_date_time IS NULL OR julianday(ge.end_date_time) IS NULL
         OR julianday(ge.end_date_time) > (SELECT t FROM taken))),
deny_named(dkey, p) AS (
  SELECT dh.dkey, lower(json_extract(x.value, '$.id')) FROM deny_hit dh, json_each(dh.principals) x
  UNION
  SELECT dn.dkey, me.member_key FROM deny_named dn
  JOIN member_edges me ON me.group_key = dn.p
   AND me.valid_from <= :s AND (me.valid_to IS NULL OR me.valid_to >= :s)),
deny_excl(dkey, p) AS (
  SELECT dh.dkey, lower(json_extract(x.value, '$.id')) FROM deny_hit dh, json_each(dh.excludes) x
  UNION
  SELECT dx.dkey, me.member_key FROM deny_excl dx
  JOIN member_edges me ON me.group_key = dx.p
   AND me.valid_from <= :s AND (me.valid_to IS NULL OR me.valid_to >= :s)),
answer(p, cond) AS (SELECT p, MIN(cond) FROM reach GROUP BY p)
SELECT a.p, a.cond
FROM answer a
LEFT JOIN principals pr ON pr.key = a.p
 AND pr.valid_from <= :s AND (pr.valid_to IS NULL OR pr.valid_to >= :s)
WHERE CASE
    WHEN pr.kind IS NOT NULL THEN pr.kind NOT IN ('Group', 'Device', 'OrgContact')
    ELSE NOT EXISTS (SELECT 1 FROM member_edges me WHERE me.group_key = a.p
                       AND me.valid_from <= :s AND (me.valid_to IS NULL OR me.valid_to >= :s))
     AND NOT EXISTS (SELECT 1 FROM member_edges me WHERE me.member_key = a.p
                       AND me.member_kind IN ('Group', 'Device', 'OrgContact')
                       AND me.valid_from <= :s AND (me.valid_to IS NULL OR me.valid_to >= :s))
     AND NOT EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.principal_key = a.p
                       AND ra.principal_type = 'Group'
                       AND ra.valid_from <= :s AND (ra.valid_to IS NULL OR ra.valid_to >= :s))
  END
  AND NOT EXISTS (
    SELECT 1 FROM deny_hit dh
    WHERE EXISTS (SELECT 1 FROM deny_named n WHERE n.dkey = dh.dkey
                    AND n.p IN (a.p, '""" + ALL_PRINCIPALS + """'))
      AND NOT EXISTS (SELECT 1 FROM deny_excl x WHERE x.dkey = dh.dkey
                    AND x.p IN (a.p, '""" + ALL_PRINCIPALS + """')))
"""

# `can`: the principal's holders upward, then the same grants and denies.
CAN_SQL = _SQL_COMMON.replace(
    "WITH RECURSIVE\n",
    """WITH RECURSIVE
holders(h) AS (
  SELECT :p
  UNION
  SELECT me.group_key FROM holders
  JOIN member_edges me ON me.member_key = holders.h
   AND me.valid_from <= :s AND (me.valid_to IS NULL OR me.valid_to >= :s)
  UNION
  SELECT ge.group_key FROM holders
  JOIN group_eligibilities ge ON ge.principal_key = holders.h
   AND ge.valid_from <= :s AND (ge.valid_to IS NULL OR ge.valid_to >= :s)
  WHERE ge.active = 1 AND lower(ge.access_id) = 'member'
    AND (ge.start_date_time IS NULL OR julianday(ge.start_date_time) IS NULL
         OR julianday(ge.start_date_time) <= (SELECT julianday(taken_at) FROM snapshots WHERE id = :s))
    AND (ge.end_date_time IS NULL OR julianday(ge.end_date_time) IS NULL
         OR julianday(ge.end_date_time) > (SELECT julianday(taken_at) FROM snapshots WHERE id = :s))),
""",
    1,
).format(principal_filter="ra.principal_key IN (SELECT h FROM holders) AND") + """
SELECT CASE
  WHEN NOT EXISTS (SELECT 1 FROM grant_) THEN 'none'
  WHEN EXISTS (
    SELECT 1 FROM deny_hit dh
    WHERE EXISTS (SELECT 1 FROM json_each(dh.principals) x
                  WHERE lower(json_extract(x.value, '$.id')) = '""" + ALL_PRINCIPALS + """'
                     OR lower(json_extract(x.value, '$.id')) IN (SELECT h FROM holders))
      AND NOT EXISTS (SELECT 1 FROM json_each(dh.excludes) x
                  WHERE lower(json_extract(x.value, '$.id')) = '""" + ALL_PRINCIPALS + """'
                     OR lower(json_extract(x.value, '$.id')) IN (SELECT h FROM holders)))
    THEN 'denied'
  WHEN EXISTS (SELECT 1 FROM grant_ WHERE cond = 0) THEN 'allowed'
  ELSE 'conditional' END
"""


def scope_key(scope):
    k = scope.strip().lower().rstrip("/")
    return k or "/"


# ---------------------------------------------------------------------------
# In-memory peer.
# ---------------------------------------------------------------------------


def compile_pattern(p):
    """Azure action pattern → compiled regex (case-insensitive; `*` any run, `/`
    included; a lone `*` between two `/` may also match nothing)."""
    p = p.strip().lower()
    out, i = [], 0
    while i < len(p):
        if p[i] != "*":
            j = i
            while j < len(p) and p[j] != "*":
                j += 1
            out.append(re.escape(p[i:j]))
            i = j
            continue
        j = i
        while j < len(p) and p[j] == "*":
            j += 1
        lone = j - i == 1 and i > 0 and p[i - 1] == "/" and j < len(p) and p[j] == "/"
        if lone:
            out.append("(?:.*/)?")  # the '/' before is already out; skip the one after
            j += 1
        else:
            out.append(".*")
        i = j
    return re.compile("".join(out), re.DOTALL)


def _paged(d, folder, stem):
    """The items of `folder/stem.json` and of its pages `folder/stem-NNN.json` (the
    xl profile splits large listings into pages), in file-name order."""
    paths = sorted(glob.glob(os.path.join(d, folder, stem + ".json"))
                   + glob.glob(os.path.join(d, folder, stem + "-[0-9]*.json")))
    if not paths:
        raise FileNotFoundError(os.path.join(d, folder, stem + ".json"))
    for path in paths:
        yield from _items(_read_json(path))


def _read_json(path):
    with open(path, encoding="utf-8-sig") as f:
        return json.load(f)


def _items(doc):
    if isinstance(doc, dict):
        return doc.get("value", [])
    return doc


class InMemory:
    def __init__(self, data_dir):
        self.principals = {}  # key -> kind
        self.members_of = {}  # group -> set(member)
        self.groups_of = {}  # member -> set(group)
        self.member_kind = {}
        self.parent = {}  # management group / subscription -> parent
        self.roles = {}  # guid -> [(allow, exclude, data_allow, data_exclude, cond)]
        self.by_scope = {}  # scope key -> [(principal, role guid, cond)]
        self.by_principal = {}  # principal -> [(scope key, role guid, cond)]
        self.assign_type = {}  # principal -> principalType of its assignments
        self.denies = {}  # scope key -> [deny dict]
        self.data_ops, self.control_ops = set(), set()
        self._grant_cache = {}
        d = data_dir
        for u in _paged(d, "directory", "users"):
            self.principals[u["id"].lower()] = "User"
        for g in _paged(d, "directory", "groups"):
            self.principals[g["id"].lower()] = "Group"
        for sp in _paged(d, "directory", "service-principals"):
            kind = "ManagedIdentity" if sp.get("servicePrincipalType") == "ManagedIdentity" else "ServicePrincipal"
            self.principals[sp["id"].lower()] = kind
        for path in sorted(glob.glob(os.path.join(d, "members", "*.json"))):
            group = os.path.splitext(os.path.basename(path))[0].lower()
            for m in _items(_read_json(path)):
                kind = (m.get("@odata.type") or "").rsplit(".", 1)[-1]
                self._edge(group, m["id"].lower(), kind[:1].upper() + kind[1:])
        for path in sorted(glob.glob(os.path.join(d, "members", "*.csv"))):
            with open(path, newline="", encoding="utf-8-sig") as f:
                for row in csv.DictReader(f):
                    self._edge(row["groupId"].lower(), row["memberId"].lower(), row.get("memberType") or "")
        for node in _items(_read_json(os.path.join(d, "scopes", "management-groups.json"))):
            parent = (node.get("parent") or {}).get("id")
            if parent:
                if "/" not in parent:
                    parent = "/providers/Microsoft.Management/managementGroups/" + parent
                self.parent[scope_key(node["id"])] = scope_key(parent)
        for path in ("builtin-roles.json", "custom-roles.json"):
            full = os.path.join(d, "roles", path)
            if not os.path.exists(full):
                continue
            for r in _items(_read_json(full)):
                guid = (r.get("name") or r["id"].rsplit("/", 1)[-1]).lower()
                blocks = []
                for b in r.get("permissions", []):
                    blocks.append((
                        [compile_pattern(x) for x in b.get("actions") or []],
                        [compile_pattern(x) for x in b.get("notActions") or []],
                        [compile_pattern(x) for x in b.get("dataActions") or []],
                        [compile_pattern(x) for x in b.get("notDataActions") or []],
                        bool((b.get("condition") or "").strip()),
                    ))
                self.roles.setdefault(guid, blocks)
        for a in _paged(d, "assignments", "role-assignments"):
            a = a.get("properties", a) if "principalId" not in a else a
            p = a["principalId"].lower()
            role = a["roleDefinitionId"].rstrip("/").rsplit("/", 1)[-1].lower()
            cond = bool((a.get("condition") or "").strip())
            s = scope_key(a["scope"])
            self.by_scope.setdefault(s, []).append((p, role, cond))
            self.by_principal.setdefault(p, []).append((s, role, cond))
            self.assign_type.setdefault(p, a.get("principalType") or "")
        for da in _paged(d, "assignments", "deny-assignments"):
            pr = da.get("properties", da)
            blocks = [(
                [compile_pattern(x) for x in b.get("actions") or []],
                [compile_pattern(x) for x in b.get("notActions") or []],
                [compile_pattern(x) for x in b.get("dataActions") or []],
                [compile_pattern(x) for x in b.get("notDataActions") or []],
                False,
            ) for b in pr.get("permissions", [])]
            s = scope_key(pr.get("scope") or da["id"].split("/providers/Microsoft.Authorization/")[0])
            self.denies.setdefault(s, []).append({
                "scope": s,
                "blocks": blocks,
                "principals": {x["id"].lower() for x in pr.get("principals", [])},
                "excludes": {x["id"].lower() for x in pr.get("excludePrincipals", [])},
                "children": not pr.get("doNotApplyToChildScopes", False),
            })
        for path in glob.glob(os.path.join(d, "operations", "*.json")):
            self._ops(_read_json(path))

    def _edge(self, group, member, kind):
        self.members_of.setdefault(group, set()).add(member)
        self.groups_of.setdefault(member, set()).add(group)
        if kind:
            self.member_kind.setdefault(member, kind)

    def _ops(self, prov):
        for op in prov.get("operations", []) or []:
            (self.data_ops if op.get("isDataAction") else self.control_ops).add(op["name"].lower())
        for rt in prov.get("resourceTypes", []) or []:
            self._ops(rt)

    def is_data(self, action):
        a = action.lower()
        return a not in self.control_ops and a in self.data_ops

    def ancestors(self, target):
        t = scope_key(target)
        out = []
        if t != "/" and not t.startswith("/providers/microsoft.management/"):
            segs = t.strip("/").split("/")
            for n in range(len(segs), 1, -1):
                out.append("/" + "/".join(segs[:n]))
            cur = "/" + "/".join(segs[:2])
        else:
            cur = t
            out.append(t)
        seen = set(out)
        while cur in self.parent and self.parent[cur] not in seen:
            cur = self.parent[cur]
            out.append(cur)
            seen.add(cur)
        if "/" not in seen:
            out.append("/")
        return out

    @staticmethod
    def _blocks_match(blocks, a, data):
        """None if no block grants; else the best (False = unconditional)."""
        best = None
        for allow, excl, dallow, dexcl, cond in blocks:
            al, ex = (dallow, dexcl) if data else (allow, excl)
            if any(p.fullmatch(a) for p in al) and not any(p.fullmatch(a) for p in ex):
                best = cond if best is None else (best and cond)
        return best

    def role_grants(self, role, a, data):
        k = (role, a, data)
        if k not in self._grant_cache:
            blocks = self.roles.get(role)
            self._grant_cache[k] = None if blocks is None else self._blocks_match(blocks, a, data)
        return self._grant_cache[k]

    def is_answerable(self, p):
        kind = self.principals.get(p)
        if kind is not None:
            return kind not in NOT_PRINCIPAL_KINDS
        if p in self.members_of or self.assign_type.get(p) == "Group":
            return False
        return self.member_kind.get(p) not in NOT_PRINCIPAL_KINDS

    def holders(self, p):
        seen, stack = {p}, [p]
        while stack:
            for g in self.groups_of.get(stack.pop(), ()):
                if g not in seen:
                    seen.add(g)
                    stack.append(g)
        return seen

    def _denies(self, target, anc, a, data):
        t = scope_key(target)
        out = []
        for s in anc:
            for d in self.denies.get(s, ()):
                if (d["children"] or s == t) and self._blocks_match(d["blocks"], a, data) is not None:
                    out.append(d)
        return out

    @staticmethod
    def _denied(denies, hs):
        for d in denies:
            named = ALL_PRINCIPALS in d["principals"] or not d["principals"].isdisjoint(hs)
            excluded = ALL_PRINCIPALS in d["excludes"] or not d["excludes"].isdisjoint(hs)
            if named and not excluded:
                return True
        return False

    def who(self, action, target):
        a, data = action.lower(), self.is_data(action)
        anc = self.ancestors(target)
        reach = {}  # principal -> cond (False wins)
        frontier = []
        for s in anc:
            for p, role, acond in self.by_scope.get(s, ()):
                g = self.role_grants(role, a, data)
                if g is None:
                    continue
                cond = acond or g
                if reach.get(p, True) is not False and (p not in reach or not cond):
                    reach[p] = cond
                    frontier.append(p)
        while frontier:
            nxt = []
            for g in frontier:
                cond = reach[g]
                for m in self.members_of.get(g, ()):
                    if m not in reach or (reach[m] and not cond):
                        reach[m] = cond
                        nxt.append(m)
            frontier = nxt
        denies = self._denies(target, anc, a, data)
        out = {}
        for p, cond in reach.items():
            if not self.is_answerable(p):
                continue
            if denies and self._denied(denies, self.holders(p)):
                continue
            out[p] = cond
        return out

    def can(self, principal, action, target):
        a, data = action.lower(), self.is_data(action)
        anc = set(self.ancestors(target))
        hs = self.holders(principal.lower())
        best = None
        for h in hs:
            for s, role, acond in self.by_principal.get(h, ()):
                if s not in anc:
                    continue
                g = self.role_grants(role, a, data)
                if g is None:
                    continue
                cond = acond or g
                best = cond if best is None else (best and cond)
        if best is None:
            return "none"
        if self._denied(self._denies(target, list(anc), a, data), hs):
            return "denied"
        return "conditional" if best else "allowed"


# ---------------------------------------------------------------------------
# Driver.
# ---------------------------------------------------------------------------


def pct(xs, q):
    """Nearest-rank percentile."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]


def run_whocan(binary, db, args):
    t0 = time.perf_counter()
    r = subprocess.run([binary, "--db", db, *args], capture_output=True, text=True)
    return time.perf_counter() - t0, r


def ms(x):
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def machine():
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return os.cpu_count(), mem, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--whocan", default="target/release/whocan")
    ap.add_argument("--who", type=int, default=25)
    ap.add_argument("--can", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--snapshot", type=int, default=None, help="default: the latest")
    ap.add_argument("--import-runs", type=int, default=3,
                    help="times whocan imports --data into a scratch database (0: skip)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    cmdline = "python3 scripts/peers.py " + " ".join(sys.argv[1:])

    db_uri = "file:" + os.path.abspath(args.db) + "?mode=ro"
    conn = sqlite3.connect(db_uri, uri=True)
    s = args.snapshot or conn.execute("SELECT max(id) FROM snapshots").fetchone()[0]
    taken = conn.execute("SELECT taken_at FROM snapshots WHERE id = ?", (s,)).fetchone()[0]
    insnap = "valid_from <= :s AND (valid_to IS NULL OR valid_to >= :s)"
    workspaces = [r[0] for r in conn.execute(
        f"SELECT id FROM scopes WHERE lower(resource_type) LIKE '%/workspaces' AND {insnap} ORDER BY key",
        {"s": s})]
    directory = [r[0] for r in conn.execute(
        f"SELECT id FROM principals WHERE kind IN ('User', 'ServicePrincipal', 'ManagedIdentity') "
        f"AND {insnap} ORDER BY key", {"s": s})]
    rng = random.Random(args.seed)
    pairs = [(w, a) for w in workspaces for a in ACTIONS]
    who_qs = rng.sample(pairs, min(args.who, len(pairs)))
    print(f"snapshot {s} ({taken}); {len(workspaces)} workspaces; {len(who_qs)} who, {args.can} can",
          file=sys.stderr)

    # In-memory peer: load once.
    t0 = time.perf_counter()
    mem = InMemory(args.data)
    mem_load = time.perf_counter() - t0
    print(f"in-memory load {mem_load:.2f} s", file=sys.stderr)

    # whocan import time (scratch database).
    import_times = []
    for _ in range(args.import_runs):
        tmp = tempfile.mkdtemp(prefix="peers-import-")
        try:
            t0 = time.perf_counter()
            r = subprocess.run([args.whocan, "--db", os.path.join(tmp, "i.db"), "import", args.data,
                                "--taken-at", taken[:10]], capture_output=True, text=True)
            import_times.append(time.perf_counter() - t0)
            if r.returncode != 0:
                print("import failed:", r.stderr[-500:], file=sys.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # whocan's fixed cost per process: start, open the database read-only, list snapshots.
    floor = [run_whocan(args.whocan, args.db, ["snapshots", "--format", "json"])[0] for _ in range(20)]

    T = {k: [] for k in ("who_whocan", "who_sql", "who_sql_open", "who_mem",
                         "can_whocan", "can_sql", "can_sql_open", "can_mem")}
    mismatches = []
    who_agree = 0
    who_sizes = []
    whocan_answers = []

    def sql_who(c, ws, act):
        return {r[0]: ("conditional" if r[1] else "allowed")
                for r in c.execute(WHO_SQL, {"s": s, "target": scope_key(ws), "act": act.lower()})}

    def sql_can(c, p, ws, act):
        return c.execute(CAN_SQL, {"s": s, "p": p.lower(), "target": scope_key(ws),
                                   "act": act.lower()}).fetchone()[0]

    for i, (ws, act) in enumerate(who_qs):
        dt, r = run_whocan(args.whocan, args.db, ["who", act, "--scope", ws, "--format", "json"])
        if r.returncode != 0:
            sys.exit(f"whocan who failed ({r.returncode}): {r.stderr[-800:]}")
        T["who_whocan"].append(dt)
        w = {p["id"].lower(): p["access"] for p in json.loads(r.stdout)["principals"]}
        whocan_answers.append((ws, sorted(w)))
        t0 = time.perf_counter()
        q = sql_who(conn, ws, act)
        T["who_sql"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        c2 = sqlite3.connect(db_uri, uri=True)
        sql_who(c2, ws, act)
        c2.close()
        T["who_sql_open"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        m = {k: ("conditional" if v else "allowed") for k, v in mem.who(act, ws).items()}
        T["who_mem"].append(time.perf_counter() - t0)
        who_sizes.append(len(w))
        if w == q == m:
            who_agree += 1
        else:
            mismatches.append(("who", act, ws, w, q, m))
        print(f"who {i + 1}/{len(who_qs)}: {len(w)} principals, whocan {ms(dt)}, "
              f"sql {ms(T['who_sql'][-1])}, mem {ms(T['who_mem'][-1])}"
              + ("" if w == q == m else f"  MISMATCH sql={len(q)} mem={len(m)}"), file=sys.stderr)

    can_qs = []
    for _ in range(args.can):
        if rng.random() < 0.5 or not any(a for _, a in whocan_answers):
            can_qs.append((rng.choice(directory), rng.choice(ACTIONS), rng.choice(workspaces)))
        else:
            ws, ans = rng.choice([x for x in whocan_answers if x[1]])
            can_qs.append((rng.choice(ans), rng.choice(ACTIONS), ws))
    can_agree = can_yes = can_level_agree = 0
    for i, (p, act, ws) in enumerate(can_qs):
        dt, r = run_whocan(args.whocan, args.db, ["can", p, act, "--scope", ws, "--format", "json"])
        if r.returncode not in (0, 1):
            sys.exit(f"whocan can failed ({r.returncode}): {r.stderr[-800:]}")
        T["can_whocan"].append(dt)
        w = r.returncode == 0
        wa = json.loads(r.stdout)["access"] if r.stdout.strip() else ("allowed" if w else "none")
        wa = "none" if wa == "eligible" else wa  # the peers do not compute eligibility
        t0 = time.perf_counter()
        q = sql_can(conn, p, ws, act)
        T["can_sql"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        c2 = sqlite3.connect(db_uri, uri=True)
        sql_can(c2, p, ws, act)
        c2.close()
        T["can_sql_open"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        m = mem.can(p, act, ws)
        T["can_mem"].append(time.perf_counter() - t0)
        qy, my = q in ("allowed", "conditional"), m in ("allowed", "conditional")
        can_yes += w
        if w == qy == my:
            can_agree += 1
        if wa == q == m:
            can_level_agree += 1
        else:
            mismatches.append(("can", act, ws, p, wa, q, m))
    print(f"can: {can_agree}/{len(can_qs)} agree on yes/no, {can_level_agree} on access; {can_yes} yes",
          file=sys.stderr)

    # Mismatch details, with whocan's own explanation of a few ids.
    notes = []
    for mm in mismatches[:10]:
        if mm[0] == "who":
            _, act, ws, w, q, m = mm
            line = f"- `who {act}` at `{ws}`: whocan {len(w)}, SQL {len(q)}, in-memory {len(m)}"
            diffs = []
            for name, other in (("SQL", q), ("in-memory", m)):
                for pid in sorted(set(w) - set(other))[:3]:
                    diffs.append(f"`{pid}` only whocan (not {name})")
                for pid in sorted(set(other) - set(w))[:3]:
                    diffs.append(f"`{pid}` {name}, not whocan")
                for pid in sorted(k for k in set(w) & set(other) if w[k] != other[k])[:3]:
                    diffs.append(f"`{pid}` whocan {w[pid]}, {name} {other[pid]}")
            notes.append(line + ("; " + "; ".join(diffs) if diffs else ""))
        else:
            _, act, ws, p, w, q, m = mm
            notes.append(f"- `can {p} {act}` at `{ws}`: whocan {w}, SQL {q}, in-memory {m}")
    for n in notes:
        print(n, file=sys.stderr)

    # Report.
    nproc, memtotal, cpu = machine()
    with open(args.whocan, "rb") as f:
        binary_sha = hashlib.sha256(f.read()).hexdigest()
    binary_mtime = datetime.datetime.fromtimestamp(os.path.getmtime(args.whocan), datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        commit = subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip() or "?"
        if subprocess.run(["git", "-C", here, "status", "--porcelain", "--", os.path.abspath(__file__)],
                          capture_output=True, text=True).stdout.strip():
            commit += " + uncommitted changes to it"
    except OSError:
        commit = "?"

    def row(kind, label, key, how, base=None):
        xs = T[key]
        p50, p95 = statistics.median(xs), pct(xs, 95)
        ratio = "–" if base is None else f"{statistics.median(T[base]) / p50:.2f}×"
        return f"| {kind} | {label} | {ms(p50)} | {ms(p95)} | {ratio} | {len(xs)} | {how} |"

    lines = [
        "<!-- peers:begin (written by `scripts/peers.py`; edit outside these markers) -->",
        "",
        f"### Results ({os.path.basename(os.path.normpath(args.data))}, seed {args.seed})",
        "",
        f"- date: {date}",
        f"- machine: {nproc} cores (nproc), {memtotal} memory, CPU `{cpu}`; shared with other work, noisy",
        f"- whocan: `{args.whocan}` (`{subprocess.run([args.whocan, '--version'], capture_output=True, text=True).stdout.strip()}`, "
        f"sha256 {binary_sha[:12]}, built {binary_mtime}), "
        f"`scripts/peers.py` at commit {commit}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        f"- data: `{args.data}` imported as `{args.db}` snapshot {s} (taken {taken}); {len(workspaces)} workspaces, "
        f"{len(mem.principals)} directory objects, {sum(len(v) for v in mem.members_of.values())} membership edges, "
        f"{sum(len(v) for v in mem.by_scope.values())} role assignments",
        f"- sample: {len(who_qs)} `who` questions ((workspace, action) pairs, median answer "
        f"{statistics.median(who_sizes) if who_sizes else 0:.0f} principals, largest {max(who_sizes, default=0)}), "
        f"{len(can_qs)} `can` triples ({can_yes} yes by whocan); actions: "
        + ", ".join(f"`{a.split('/', 1)[1]}`" for a in ACTIONS),
        "",
        f"Reproduce with `{cmdline}`.",
        "",
        "| question | method | p50 | p95 | whocan ÷ this (p50) | n | how |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        row("who", "whocan (process)", "who_whocan", "`whocan who ACTION --scope WS --format json`, one process, wall clock"),
        row("who", "SQL peer", "who_sql", "one recursive-CTE statement, connection already open", "who_whocan"),
        row("who", "SQL peer + connect", "who_sql_open", "the same with a fresh read-only `sqlite3.connect` per question", "who_whocan"),
        row("who", "in-memory peer", "who_mem", "Python dicts, after the load below", "who_whocan"),
        row("can", "whocan (process)", "can_whocan", "`whocan can P ACTION --scope WS --format json`, exit 0/1"),
        row("can", "SQL peer", "can_sql", "one recursive-CTE statement, connection already open", "can_whocan"),
        row("can", "SQL peer + connect", "can_sql_open", "the same with a fresh connection per question", "can_whocan"),
        row("can", "in-memory peer", "can_mem", "Python dicts, after the load below", "can_whocan"),
        "",
        "| one-off cost | time | how |",
        "| --- | --- | --- |",
        (f"| whocan import of `{args.data}` | {ms(statistics.median(import_times))} | median of "
         f"{len(import_times)}, process, fresh scratch database |" if import_times else
         "| whocan import | not measured | `--import-runs 0` |"),
        f"| whocan process floor | {ms(statistics.median(floor))} | median of {len(floor)} `whocan --db DB snapshots "
        f"--format json`: start, open read-only, one query, exit (p95 {ms(pct(floor, 95))}) |",
        f"| in-memory peer: load the export files and build its indexes | {ms(mem_load)} | one run, in process |",
        "| SQL peer | 0 | reads whocan's database; no load of its own |",
        "",
        f"**Agreement: `who` {who_agree}/{len(who_qs)} identical answers** (the same principal ids, "
        f"each with the same access, `allowed` or `conditional`, from all three methods); "
        f"**`can` {can_agree}/{len(can_qs)} identical yes/no**, and {can_level_agree}/{len(can_qs)} the same "
        f"access (`allowed`, `conditional`, `denied` or none; whocan's `eligible` counted as none, since "
        f"the peers do not compute eligibility).",
    ]
    if notes:
        lines += ["", "Mismatches (first 10):", ""] + notes
    lines += ["", "<!-- peers:end -->"]
    section = "\n".join(lines) + "\n"

    if not args.out:
        sys.stdout.write(section)
        return
    text = open(args.out, encoding="utf-8").read() if os.path.exists(args.out) else ""
    begin, end = "<!-- peers:begin", "<!-- peers:end -->"
    if begin in text and end in text:
        a = text.index(begin)
        b = text.index(end) + len(end)
        if text[b:b + 1] == "\n":
            b += 1
        text = text[:a] + section + text[b:]
    else:
        heading = ("## Side by side with two peers\n\n"
                   "Issue 11: the same questions asked of whocan, of one recursive-CTE SQL statement over "
                   "whocan's own tables, and of an in-memory Python script over the export files "
                   "(`scripts/peers.py`; its docstring says what each peer implements and leaves out).\n\n")
        anchor = "<!-- bench:end -->"
        if anchor in text:
            i = text.index(anchor) + len(anchor)
            j = text.find("\n## ", i)
            j = len(text) if j < 0 else j + 1
            pre = text[:j].rstrip("\n") + "\n\n"
            text = pre + heading + section + "\n" + text[j:]
        else:
            text = text.rstrip("\n") + "\n\n" + heading + section
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
