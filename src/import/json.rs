//! Text decoding and JSON parsing for the importer.
//!
//! Bytes become text here (UTF-8, with or without a byte-order mark, or UTF-16 with a
//! BOM as Windows PowerShell writes it), and text becomes a *pruned* JSON tree
//! ([`Val`]): objects keep only the keys the importer knows ([`KNOWN_KEYS`], matched
//! case-insensitively and stored under their canonical spelling); every other key's
//! value is skipped while parsing, so a large export costs memory for the fields used,
//! not for `tags`, `appRoles`, `expandedProperties` and the like.
//!
//! This module must never guess: malformed input is an error with the 1-based line
//! and column (counted in characters) where the parser stopped and a sentence saying
//! what was expected there. An object that gives a key twice is malformed (which
//! value is meant cannot be told): the error points at the second key. It never reads files and never touches the database.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Every object key the importer reads, in its canonical spelling. Keys are matched
/// case-insensitively (the PowerShell role shape writes `Name`, `Actions`, ...).
pub(crate) const KNOWN_KEYS: &[&str] = &[
    "@odata.type",
    "@odata.context",
    "@odata.nextLink",
    // Azure AD Graph (`graph.windows.net`, older az and PowerShell) pages.
    "odata.nextLink",
    // A Graph delta page's entry for an object deleted (or gone out of scope).
    "@removed",
    // Graph's recycle bin (`directory/deletedItems`): refused as a listing.
    "deletedDateTime",
    // An Entra ID directory role assignment (`roleManagement/directory`): told
    // apart from an Azure role assignment, and refused by name.
    "directoryScopeId",
    "nextLink",
    // Azure Resource Graph: `az graph query` (snake case), the REST response and
    // `Search-AzGraph` (camel / Pascal case).
    "data",
    "count",
    "skip_token",
    "skipToken",
    "total_records",
    "totalRecords",
    "resultTruncated",
    "managementGroupAncestorsChain",
    "id",
    "objectId",
    "objectType",
    "name",
    "type",
    "displayName",
    "description",
    "properties",
    "value",
    "children",
    "parent",
    // A management group's `details.path` (`$expand=path`): its ancestors' names.
    "path",
    "denyAssignmentEffect",
    "managementGroupAncestors",
    "details",
    "roleName",
    "roleType",
    "isCustom",
    "permissions",
    "assignableScopes",
    "actions",
    "notActions",
    "dataActions",
    "notDataActions",
    "condition",
    "conditionVersion",
    "principalId",
    "principalType",
    "principalName",
    "roleDefinitionId",
    "roleDefinitionName",
    // PIM instances: `expandedProperties.roleDefinition.displayName` (ARM) or
    // `RoleDefinitionDisplayName` (Az PowerShell), the role's name.
    "expandedProperties",
    "roleDefinition",
    "roleDefinitionDisplayName",
    // ... and the principal's: `expandedProperties.principal.displayName` (ARM)
    // or `PrincipalDisplayName` (Az PowerShell).
    "principal",
    "principalDisplayName",
    "scope",
    "createdOn",
    "denyAssignmentName",
    "doNotApplyToChildScopes",
    "principals",
    "excludePrincipals",
    "startDateTime",
    "endDateTime",
    "memberType",
    "originRoleAssignmentId",
    "assignmentType",
    "roleEligibilityScheduleId",
    "roleAssignmentScheduleId",
    "userPrincipalName",
    "otherMails",
    // `Get-AzRoleAssignment | ConvertTo-Json`.
    "roleAssignmentId",
    "roleAssignmentName",
    "signInName",
    "canDelegate",
    // PIM for Groups (Graph `privilegedAccess/group/...ScheduleInstances`).
    "groupId",
    "accessId",
    "eligibilityScheduleId",
    "assignmentScheduleId",
    "userType",
    "accountEnabled",
    "appId",
    "servicePrincipalType",
    "servicePrincipalNames",
    "securityEnabled",
    "mailEnabled",
    "groupTypes",
    "mail",
    "tenantId",
    "homeTenantId",
    "subscriptionId",
    "state",
    "isDefault",
    "cloudName",
    "resourceGroup",
    "resourceTypes",
    "operations",
    "isDataAction",
    // Resources' facts (issue 15): workspaces' linked resources (ARM camel case,
    // `az ml workspace` snake case), managed identities, storage accounts, key
    // vaults, AzureML datastores (ARM and `az ml datastore`). Of a datastore's
    // credentials only what tells their kind is read: `account_key` / `sas_token`
    // are looked at for presence (`az ml`), never kept in the model.
    "identity",
    "userAssignedIdentities",
    "user_assigned_identities",
    "principal_id",
    "client_id",
    "clientId",
    "resource_id",
    "storageAccount",
    "storage_account",
    "keyVault",
    "key_vault",
    "containerRegistry",
    "container_registry",
    "applicationInsights",
    "application_insights",
    "allowSharedKeyAccess",
    "enableRbacAuthorization",
    "datastoreType",
    "accountName",
    "account_name",
    "containerName",
    "container_name",
    "fileShareName",
    "file_share_name",
    "filesystem",
    "subscription_id",
    "resource_group",
    "credentials",
    "credentialsType",
    "account_key",
    "sas_token",
    "thumbprint",
];

/// The longest key in [`KNOWN_KEYS`], in bytes: longer keys are unknown at once.
const LONGEST_KNOWN: usize = 40;

/// The canonical spelling of `key` when it is known (ASCII case-insensitively): a
/// binary search over the lowercase table, with no allocation.
fn known_key(key: &str) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    if key.len() > LONGEST_KNOWN {
        return None;
    }
    let table = TABLE.get_or_init(|| {
        let mut t: Vec<(String, &'static str)> = KNOWN_KEYS
            .iter()
            .map(|k| (k.to_ascii_lowercase(), *k))
            .collect();
        t.sort();
        t
    });
    let mut buf = [0u8; LONGEST_KNOWN];
    let lower = &mut buf[..key.len()];
    lower.copy_from_slice(key.as_bytes());
    lower.make_ascii_lowercase();
    table
        .binary_search_by(|(k, _)| k.as_bytes().cmp(lower))
        .ok()
        .map(|i| table[i].1)
}

/// A JSON value with unknown object keys pruned away.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Val>),
    Obj(Obj),
}

impl Val {
    /// "a string", "an array", ... for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "a boolean",
            Val::Num(_) => "a number",
            Val::Str(_) => "a string",
            Val::Arr(_) => "an array",
            Val::Obj(_) => "an object",
        }
    }
}

/// An object's known fields, in input order, under their canonical key. A key that
/// occurs twice (or, for a known key, in two spellings) is a parse error.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Obj {
    fields: Vec<(&'static str, Val)>,
}

impl Obj {
    /// The value under a canonical key (as spelled in [`KNOWN_KEYS`]).
    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        debug_assert!(KNOWN_KEYS.contains(&key), "unknown key {key}");
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Present, even when null.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Present and not null.
    pub(crate) fn has_value(&self, key: &str) -> bool {
        !matches!(self.get(key), None | Some(Val::Null))
    }

    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Val::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn obj(&self, key: &str) -> Option<&Obj> {
        match self.get(key) {
            Some(Val::Obj(o)) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn arr(&self, key: &str) -> Option<&[Val]> {
        match self.get(key) {
            Some(Val::Arr(a)) => Some(a),
            _ => None,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// Where a value stands in an export, which decides what it may be. Records are
/// objects: a scalar (or an array) where a record is expected is refused while
/// parsing, so a file that cannot hold records fails at once instead of after
/// building a tree many times its size.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Anything goes (inside a record, or [`parse`] of a plain value).
    Any,
    /// The top-level value of an export: an array or an object.
    Top,
    /// Element `.0` of the top-level array: a record or a page, an object.
    TopElement(usize),
    /// The `value` or `data` (`key`) of the top-level object or of element `outer`
    /// of the top-level array: when an array, the page's records.
    Page {
        key: &'static str,
        outer: Option<usize>,
    },
    /// Element `i` of a page array: a record, an object.
    Record {
        key: &'static str,
        outer: Option<usize>,
        i: usize,
    },
    /// The value of a `displayName` or `description`: free text written by
    /// people, where a NUL character (`\u0000`) is kept as it is (every other
    /// string refuses one: [`refuse_nul`]).
    Text,
    /// An ARM `identity.userAssignedIdentities`: an object keyed by resource ids,
    /// which are no known keys. It is kept whole, as an array of `[key, value]`
    /// pairs in input order (element `i` is the object's `i`-th member, which
    /// [`locate`] follows); anything but an object (or null) is refused here.
    Entries,
}

impl Place {
    /// Where a field of an object standing here is.
    fn field(self, key: &'static str) -> Place {
        if key == "userAssignedIdentities" {
            return Place::Entries;
        }
        if key == "displayName" || key == "description" {
            return Place::Text;
        }
        match self {
            Place::Top if key == "value" || key == "data" => Place::Page { key, outer: None },
            Place::TopElement(i) if key == "value" || key == "data" => Place::Page {
                key,
                outer: Some(i),
            },
            _ => Place::Any,
        }
    }

    /// Where element `i` of an array standing here is.
    fn element(self, i: usize) -> Place {
        match self {
            Place::Top => Place::TopElement(i),
            Place::Page { key, outer } => Place::Record { key, outer, i },
            _ => Place::Any,
        }
    }

    /// Must be an object.
    fn is_record(self) -> bool {
        matches!(self, Place::TopElement(_) | Place::Record { .. })
    }

    /// The refusal of `found` standing here, if it cannot.
    fn refuse(self, found: &str) -> Option<String> {
        let path = match self {
            Place::Any | Place::Text | Place::Page { .. } => return None,
            Place::Entries => {
                return Some(format!(
                    "expected `userAssignedIdentities` to be an object mapping each identity's \
                     resource id to its principalId and clientId, found {found}"
                ))
            }
            Place::Top => {
                return Some(format!(
                    "{NOT_A_RECORD} found {found} at the top level; {}",
                    super::shapes::EXPECTED_SHAPES
                ))
            }
            Place::TopElement(i) => format!("[{i}]"),
            Place::Record { key, outer, i } => match outer {
                Some(o) => format!("[{o}].{key}[{i}]"),
                None => format!("{key}[{i}]"),
            },
        };
        Some(format!(
            "{NOT_A_RECORD} {path} is {found}, where a record (an object) is expected; {}",
            super::shapes::EXPECTED_SHAPES
        ))
    }
}

/// The start of the "not a record" messages (the parse error keeps them as they are).
const NOT_A_RECORD: &str = "unrecognised shape:";

/// The start of the "too large to hold" message.
const TOO_LARGE: &str = "this file would take more than";

/// What one parse holds besides the tree: the unknown keys of the objects being
/// parsed (each object's above the length it found the stack at, so a repeated key
/// is found without an allocation per object), and an account of the memory the
/// tree takes, which may not pass `limit`.
struct State<'de> {
    seen: Vec<Cow<'de, str>>,
    used: usize,
    limit: usize,
}

impl State<'_> {
    fn charge<E: de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limit {
            return Err(E::custom(format!(
                "{TOO_LARGE} {} bytes of memory to hold (the fields whocan keeps are many times \
                 the size of the file here), so it is refused rather than exhaust memory; an \
                 export of records is not shaped like this",
                self.limit
            )));
        }
        Ok(())
    }
}

/// Parses one value standing at `place`.
struct ValSeed<'s, 'de> {
    st: &'s mut State<'de>,
    place: Place,
}

impl<'de> DeserializeSeed<'de> for ValSeed<'_, 'de> {
    type Value = Val;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Val, D::Error> {
        d.deserialize_any(self)
    }
}

/// The start of every duplicate-key message (the parse error keeps it as it is).
const DUPLICATE_KEY: &str = "duplicate key";

/// Above this many unknown keys in one object, they are looked up in a hash set
/// (a linear search would make an object of a million keys take hours).
const SEEN_LINEAR: usize = 32;

impl<'de> ValSeed<'_, 'de> {
    fn scalar<E: de::Error>(self, v: Val, heap: usize) -> Result<Val, E> {
        if self.place == Place::Entries && v == Val::Null {
            return Ok(v);
        }
        if let Some(m) = self.place.refuse(v.describe()) {
            return Err(E::custom(m));
        }
        self.st.charge(heap)?;
        Ok(v)
    }
}

impl<'de> Visitor<'de> for ValSeed<'_, 'de> {
    type Value = Val;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Val, E> {
        self.scalar(Val::Bool(v), 0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val, E> {
        self.scalar(Val::Num(v as f64), 0)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val, E> {
        self.scalar(Val::Num(v as f64), 0)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Val, E> {
        self.scalar(Val::Num(v), 0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Val, E> {
        if let Some(m) = self.place.refuse("a string") {
            return Err(E::custom(m));
        }
        if self.place != Place::Text {
            refuse_nul(v)?;
        }
        self.st.charge(v.len())?;
        Ok(Val::Str(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Val, E> {
        if let Some(m) = self.place.refuse("a string") {
            return Err(E::custom(m));
        }
        if self.place != Place::Text {
            refuse_nul(&v)?;
        }
        self.st.charge(v.len())?;
        Ok(Val::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Val, E> {
        self.scalar(Val::Null, 0)
    }

    fn visit_none<E: de::Error>(self) -> Result<Val, E> {
        self.scalar(Val::Null, 0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val, A::Error> {
        if self.place.is_record() || self.place == Place::Entries {
            return Err(de::Error::custom(
                self.place.refuse("an array").unwrap_or_default(),
            ));
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(ValSeed {
            st: &mut *self.st,
            place: self.place.element(items.len()),
        })? {
            // Charged by capacity, as the vector grows (doubling), not by length.
            if items.len() == items.capacity() {
                self.st
                    .charge(std::mem::size_of::<Val>() * items.capacity().max(4))?;
            }
            items.push(item);
        }
        items.shrink_to_fit();
        Ok(Val::Arr(items))
    }

    /// Known keys are kept under their canonical spelling; a key given twice (a
    /// known key in any two spellings, or an unknown key twice exactly) is an error:
    /// which value is meant cannot be told (SPEC §1).
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val, A::Error> {
        if self.place == Place::Entries {
            return self.entries(map);
        }
        let base = self.st.seen.len();
        // What the unknown keys cost while this object is parsed, given back after.
        let mut transient = 0usize;
        let mut many: Option<std::collections::HashSet<Cow<'de, str>>> = None;
        let mut fields: Vec<(&'static str, Val)> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Known(k, raw) => {
                    if fields.iter().any(|(f, _)| *f == k) {
                        return Err(de::Error::custom(format!(
                            "{DUPLICATE_KEY} `{raw}`: this object already has the field `{k}` \
                             (whocan compares the keys it reads case-insensitively), so which \
                             value is meant is ambiguous"
                        )));
                    }
                    let v = map.next_value_seed(ValSeed {
                        st: &mut *self.st,
                        place: self.place.field(k),
                    })?;
                    self.st.charge(std::mem::size_of::<(&'static str, Val)>())?;
                    fields.push((k, v));
                }
                Key::Unknown(raw) => {
                    let repeated = match &mut many {
                        Some(set) => set.contains(&raw),
                        None => self.st.seen[base..].contains(&raw),
                    };
                    if repeated {
                        return Err(de::Error::custom(format!(
                            "{DUPLICATE_KEY} `{raw}`: this object gives it twice, so which value \
                             is meant is ambiguous"
                        )));
                    }
                    // Counted while the object is parsed (a key's text when owned).
                    let owned = matches!(raw, Cow::Owned(_));
                    let cost =
                        2 * std::mem::size_of::<Cow<str>>() + if owned { raw.len() } else { 0 };
                    self.st.charge(cost)?;
                    transient += cost;
                    match &mut many {
                        Some(set) => {
                            set.insert(raw);
                        }
                        None if self.st.seen.len() - base >= SEEN_LINEAR => {
                            let mut set: std::collections::HashSet<Cow<'de, str>> =
                                self.st.seen.drain(base..).collect();
                            set.insert(raw);
                            many = Some(set);
                        }
                        None => self.st.seen.push(raw),
                    }
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if many.is_none() {
            self.st.seen.truncate(base);
        }
        self.st.used -= transient;
        // No record is an object without one field whocan reads: refused where it
        // stands rather than kept by the million.
        if fields.is_empty() && self.place.is_record() {
            if let Some(m) = self
                .place
                .refuse("an object with none of the expected fields")
            {
                return Err(de::Error::custom(m));
            }
        }
        fields.shrink_to_fit();
        Ok(Val::Obj(Obj { fields }))
    }
}

impl<'de> ValSeed<'_, 'de> {
    /// An object keyed by names that are data ([`Place::Entries`]): every member,
    /// as a `[key, value]` pair, in input order; a key given twice is an error.
    fn entries<A: MapAccess<'de>>(self, mut map: A) -> Result<Val, A::Error> {
        let mut items: Vec<Val> = Vec::new();
        let mut keys: std::collections::HashSet<String> = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if !keys.insert(key.to_string()) {
                return Err(de::Error::custom(format!(
                    "{DUPLICATE_KEY} `{key}`: this object gives it twice, so which value is \
                     meant is ambiguous"
                )));
            }
            let value = map.next_value_seed(ValSeed {
                st: &mut *self.st,
                place: Place::Any,
            })?;
            self.st.charge(key.len() + 3 * std::mem::size_of::<Val>())?;
            items.push(Val::Arr(vec![Val::Str(key.into_owned()), value]));
        }
        Ok(Val::Arr(items))
    }
}

/// An object key as read: a known key's canonical spelling (with the spelling
/// found, for messages), or an unknown key's text.
enum Key<'de> {
    Known(&'static str, Cow<'de, str>),
    Unknown(Cow<'de, str>),
}

/// Deserializes an object key; borrowed from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(match known_key(v) {
            Some(k) => Key::Known(k, Cow::Borrowed(v)),
            None => Key::Unknown(Cow::Borrowed(v)),
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match known_key(v) {
            Some(k) => Key::Known(k, Cow::Owned(v.to_string())),
            None => Key::Unknown(Cow::Owned(v.to_string())),
        })
    }
}

/// No Azure id, key, scope or setting has a NUL character (`\u0000`), and one
/// there could make two different values compare alike: such a value is refused
/// where it is. A `displayName` or `description` ([`Place::Text`]) is free text
/// anyone may write, where a NUL is kept (stored as it is, shown `\0` on a
/// terminal).
fn refuse_nul<E: de::Error>(v: &str) -> Result<(), E> {
    if v.contains('\0') {
        return Err(E::custom(
            "a NUL character (\\u0000) inside a string: whocan keeps one only in a \
             `displayName` or `description`; no Azure id, key or scope has one",
        ));
    }
    Ok(())
}

/// A parse failure at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

/// Decodes a file's bytes as text: UTF-8 (a leading BOM is dropped), or UTF-16 LE/BE
/// when the file starts with the matching BOM. Anything else that is not valid UTF-8
/// is an error located at the first bad byte.
pub(crate) fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, TextError> {
    use std::borrow::Cow;
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(rest).map(Cow::Borrowed);
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<Cow<'_, str>, TextError> {
        if !rest.len().is_multiple_of(2) {
            return Err(TextError {
                line: 1,
                column: 1,
                message: "expected UTF-16 text (the file starts with a UTF-16 byte-order mark) \
                          but its length is odd"
                    .to_string(),
            });
        }
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let mut out = String::with_capacity(rest.len() / 2);
        let (mut line, mut column) = (1usize, 1usize);
        for ch in char::decode_utf16(units) {
            match ch {
                Ok(c) => {
                    out.push(c);
                    if c == '\n' {
                        line += 1;
                        column = 1;
                    } else {
                        column += 1;
                    }
                }
                Err(e) => {
                    return Err(TextError {
                        line,
                        column,
                        message: format!(
                            "expected UTF-16 text, found an unpaired surrogate 0x{:04X}",
                            e.unpaired_surrogate()
                        ),
                    })
                }
            }
        }
        Ok(Cow::Owned(out))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    decode_utf8(bytes).map(Cow::Borrowed)
}

fn decode_utf8(bytes: &[u8]) -> Result<&str, TextError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        // The prefix is valid UTF-8 by construction.
        let prefix = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line = 1 + prefix.matches('\n').count();
        let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
        let column = 1 + prefix[line_start..].chars().count();
        TextError {
            line,
            column,
            message: format!(
                "expected UTF-8 text, found the invalid byte 0x{:02X} at byte offset {offset} \
                 (re-export the file as UTF-8)",
                bytes[offset]
            ),
        }
    })
}

/// Parses JSON text into a pruned tree. Errors carry the position where the parser
/// stopped, with a readable message.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Val, TextError> {
    parse_at(text, Place::Any, usize::MAX)
}

/// Parses an export: like [`parse`], but a scalar where a record is expected (the
/// top level, an element of the top-level array or of a `value` / `data` page) is
/// refused where it stands, and so is a file whose kept fields would take more than
/// twice its size plus 64 MiB of memory. Either way the parse stops early: memory
/// stays within about three times the file (its bytes and the tree) and, for the
/// shapes that are not records at all, about once.
pub(crate) fn parse_export(text: &str) -> Result<Val, TextError> {
    let limit = text.len().saturating_mul(2).saturating_add(64 << 20);
    parse_at(text, Place::Top, limit)
}

/// [`parse_export`] with a given memory limit (for tests).
#[cfg(test)]
pub(crate) fn parse_export_within(text: &str, limit: usize) -> Result<Val, TextError> {
    parse_at(text, Place::Top, limit)
}

fn parse_at(text: &str, place: Place, limit: usize) -> Result<Val, TextError> {
    if text.trim().is_empty() {
        return Err(TextError {
            line: 1,
            column: 1,
            message: if text.is_empty() {
                "expected JSON, found an empty file".to_string()
            } else {
                "expected JSON, found a file with only white space".to_string()
            },
        });
    }
    let mut st = State {
        seen: Vec::new(),
        used: 0,
        limit,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = ValSeed { st: &mut st, place }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        // An early end of file is reported where the file ends, not at its last byte;
        // a duplicate key where that key starts.
        let (line, column) = if e.is_eof() {
            line_col(text, text.len())
        } else if e.to_string().starts_with(DUPLICATE_KEY) {
            let line = e.line().max(1);
            line_col(text, key_start(text, line, e.column()))
        } else {
            let line = e.line().max(1);
            (line, char_column(text, line, e.column()))
        };
        TextError {
            line,
            column,
            message: readable(&e),
        }
    })
}

/// The byte offset where the object key that ends at serde_json's `line` and
/// (byte) `column` starts: back over the closing quote to the opening one.
fn key_start(text: &str, line: usize, byte_column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let b = text.as_bytes();
    let mut i = (line_start + byte_column).min(b.len());
    // serde_json stops just past the key's closing quote.
    while i > 0 && b[i - 1] != b'"' {
        i -= 1;
    }
    if i == 0 {
        return line_start + byte_column;
    }
    let close = i - 1;
    let mut j = close;
    while j > 0 {
        j -= 1;
        if b[j] == b'"' {
            let backslashes = b[..j].iter().rev().take_while(|&&c| c == b'\\').count();
            if backslashes % 2 == 0 {
                return j;
            }
        }
    }
    line_start + byte_column
}

/// serde_json counts columns in bytes; editors count characters.
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(line_text) = text.split('\n').nth(line - 1) else {
        return byte_column.max(1);
    };
    let chars = line_text
        .char_indices()
        .take_while(|(i, _)| *i < byte_column)
        .count();
    chars.max(1)
}

/// serde_json's message without its " at line L column C" suffix, reworded as what
/// was expected.
fn readable(e: &serde_json::Error) -> String {
    let raw = e.to_string();
    let msg = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => raw.as_str(),
    };
    match msg {
        "trailing comma" => {
            "trailing comma: expected another value after `,` (JSON allows no comma before `]` or `}`)"
                .to_string()
        }
        "trailing characters" => {
            "expected the end of the file after the JSON value, found more characters".to_string()
        }
        "expected value" => "expected a JSON value (object, array, string, number, true, false or null)".to_string(),
        "expected ident" => "expected `true`, `false` or `null`".to_string(),
        "EOF while parsing a list" => {
            "expected `,` or `]`, found the end of the file (an array is not closed)".to_string()
        }
        "EOF while parsing an object" => {
            "expected `,` or `}`, found the end of the file (an object is not closed)".to_string()
        }
        "EOF while parsing a string" => {
            "expected a closing `\"`, found the end of the file (a string is not closed)".to_string()
        }
        "EOF while parsing a value" => "expected a JSON value, found the end of the file".to_string(),
        "key must be a string" => "expected an object key in double quotes".to_string(),
        "expected `,` or `]`" => "expected `,` or `]` after an array element".to_string(),
        "expected `,` or `}`" => "expected `,` or `}` after an object member".to_string(),
        "expected `:`" => "expected `:` after an object key".to_string(),
        other
            if other.starts_with(DUPLICATE_KEY)
                || other.starts_with(NOT_A_RECORD)
                || other.starts_with(TOO_LARGE) =>
        {
            other.to_string()
        }
        other => format!("invalid JSON: {other}"),
    }
}

/// One step of a path inside a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(&'static str),
    Index(usize),
}

/// Renders `value[3].properties.principalId`; the empty path is `the top-level value`.
pub(crate) fn path_text(path: &[Seg]) -> String {
    if path.is_empty() {
        return "the top-level value".to_string();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Finds where `path` starts in `text` (which must be valid JSON): a byte offset.
/// Object keys are matched case-insensitively, first occurrence first, like the parse.
pub(crate) fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    for seg in path {
        match seg {
            // An index into an object (`userAssignedIdentities`, kept as pairs):
            // its `want`-th member's value.
            Seg::Index(want) if b.get(pos) == Some(&b'{') => {
                pos = skip_ws(b, pos + 1);
                let mut i = 0;
                loop {
                    if b.get(pos) != Some(&b'"') {
                        return None;
                    }
                    pos = skip_ws(b, skip_string(b, pos)?);
                    if b.get(pos) != Some(&b':') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                    if i == *want {
                        break;
                    }
                    pos = skip_ws(b, skip_value(b, pos)?);
                    if b.get(pos) != Some(&b',') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                    i += 1;
                }
            }
            Seg::Index(want) => {
                if b.get(pos) != Some(&b'[') {
                    return None;
                }
                pos = skip_ws(b, pos + 1);
                let mut i = 0;
                loop {
                    if b.get(pos) == Some(&b']') {
                        return None;
                    }
                    if i == *want {
                        break;
                    }
                    pos = skip_ws(b, skip_value(b, pos)?);
                    if b.get(pos) != Some(&b',') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                    i += 1;
                }
            }
            Seg::Key(want) => {
                if b.get(pos) != Some(&b'{') {
                    return None;
                }
                pos = skip_ws(b, pos + 1);
                loop {
                    if b.get(pos) != Some(&b'"') {
                        return None;
                    }
                    let key_end = skip_string(b, pos)?;
                    let key: String = serde_json::from_str(text.get(pos..key_end)?).ok()?;
                    pos = skip_ws(b, key_end);
                    if b.get(pos) != Some(&b':') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                    if key.eq_ignore_ascii_case(want) {
                        break;
                    }
                    pos = skip_ws(b, skip_value(b, pos)?);
                    if b.get(pos) != Some(&b',') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                }
            }
        }
    }
    Some(pos)
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The offset just past the string starting at `pos` (which holds `"`).
fn skip_string(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The offset just past the value starting at `pos`.
fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => skip_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let prefix = &text[..offset];
    let line = 1 + prefix.matches('\n').count();
    let start = prefix.rfind('\n').map_or(0, |i| i + 1);
    (line, 1 + prefix[start..].chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: &Val) -> &Obj {
        match v {
            Val::Obj(o) => o,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn keeps_known_keys_case_insensitively_and_drops_the_rest() {
        let v = parse(r#"{"Name":"x","ACTIONS":["a"],"tags":{"id":"no"},"id":"i"}"#).unwrap();
        let o = obj(&v);
        assert_eq!(o.str("name"), Some("x"));
        assert_eq!(o.str("id"), Some("i"));
        assert_eq!(o.arr("actions").unwrap().len(), 1);
        assert_eq!(o.fields.len(), 3);
    }

    /// It used to keep the first value silently (SPEC §1: a duplicate key is an
    /// error at `path:line:column`).
    #[test]
    fn duplicate_key_is_an_error_where_the_second_key_starts() {
        let e = parse("{\"name\":\"first\",\n  \"name\":\"second\"}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e:?}");
        assert!(
            e.message.starts_with("duplicate key `name`"),
            "{}",
            e.message
        );
        // Nested, and after a value that is itself an object.
        let e = parse("[{\"a\":{\"b\":1,\"c\":2},\"é\":1, \"é\":2}]").unwrap_err();
        assert_eq!((e.line, e.column), (1, 28), "{e:?}");
        assert!(e.message.contains("`é`"), "{}", e.message);
    }

    #[test]
    fn case_variants_of_a_known_key_are_ambiguous() {
        let e = parse(r#"{"id":"a","Id":"b"}"#).unwrap_err();
        assert_eq!((e.line, e.column), (1, 11), "{e:?}");
        assert!(e.message.contains("`Id`"), "{}", e.message);
        assert!(e.message.contains("case-insensitively"), "{}", e.message);
    }

    #[test]
    fn the_same_unknown_key_in_different_objects_or_cases_is_no_duplicate() {
        let v = parse(r#"[{"tags":1,"x":{"tags":2}},{"tags":3,"Tags":4}]"#).unwrap();
        assert!(matches!(v, Val::Arr(ref a) if a.len() == 2));
        // A key with escapes is compared by its text.
        let e = parse(r#"{"t\u0061gs":1,"tags":2}"#).unwrap_err();
        assert!(
            e.message.starts_with("duplicate key `tags`"),
            "{}",
            e.message
        );
    }

    /// The binary search over the lowercase table against the plain definition.
    #[test]
    fn every_known_key_is_found_in_any_case_and_nothing_else() {
        for k in KNOWN_KEYS {
            assert!(k.len() <= LONGEST_KNOWN, "{k}");
            assert_eq!(known_key(k), Some(*k));
            assert_eq!(known_key(&k.to_ascii_uppercase()), Some(*k));
        }
        for unknown in [
            "",
            "tags",
            "ids",
            "i",
            "@odata.typ",
            "valuee",
            &"x".repeat(80),
        ] {
            assert_eq!(known_key(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn empty_and_blank_files_are_errors_at_1_1() {
        let e = parse("").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("empty file"), "{}", e.message);
        let e = parse("  \n ").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
    }

    #[test]
    fn trailing_comma_is_located_at_the_closing_bracket() {
        let e = parse("[\n  1,\n]").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.starts_with("trailing comma"), "{}", e.message);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = parse("{\"é\": tru }").unwrap_err();
        assert_eq!(e.line, 1);
        // `{"é": tru }`: the parser stops at the space after `tru`, character 10.
        assert_eq!(e.column, 10, "{e:?}");
    }

    #[test]
    fn unclosed_array_says_what_was_expected_where_the_file_ends() {
        let e = parse("[1, 2").unwrap_err();
        assert!(e.message.contains("expected `,` or `]`"), "{}", e.message);
        assert_eq!((e.line, e.column), (1, 6));
        let e = parse("[1,\n 2\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
    }

    #[test]
    fn invalid_utf8_names_the_byte_offset_and_line() {
        let bytes = b"[\n  \"ok\",\n  \"b\xFFd\"\n]";
        let e = decode(bytes).unwrap_err();
        assert_eq!((e.line, e.column), (3, 5));
        assert!(e.message.contains("byte offset 14"), "{}", e.message);
        assert!(e.message.contains("0xFF"), "{}", e.message);
    }

    #[test]
    fn bom_and_utf16_are_decoded() {
        assert_eq!(decode(b"\xEF\xBB\xBF[]").unwrap(), "[]");
        let mut le = vec![0xFF, 0xFE];
        for u in "[\"é\"]".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le).unwrap(), "[\"é\"]");
    }

    #[test]
    fn locate_finds_nested_elements_and_keys() {
        let text =
            "{\"VALUE\": [ {\"a\": [1, {\"x\": \"]\"}]}, {\"properties\": {\"principalId\": 5}} ]}";
        let path = [
            Seg::Key("value"),
            Seg::Index(1),
            Seg::Key("properties"),
            Seg::Key("principalId"),
        ];
        let off = locate(text, &path).unwrap();
        assert_eq!(&text[off..off + 1], "5");
        assert_eq!(path_text(&path), "value[1].properties.principalId");
        assert!(locate(text, &[Seg::Key("value"), Seg::Index(2)]).is_none());
    }

    /// Issue 10, item 7: what cannot be a record is refused where it stands, while
    /// parsing, with its path and position.
    #[test]
    fn exports_refuse_scalars_where_records_stand() {
        for (text, at, found) in [
            ("[1, 2, 3]", (1, 2), "[0] is a number"),
            ("\"hi\"", (1, 4), "found a string at the top level"),
            (
                "{\"value\": [{\"id\":\"a\"}, \"x\"]}",
                (1, 26),
                "value[1] is a string",
            ),
            ("{\"count\":1,\"data\": [null]}", (1, 24), "data[0] is null"),
            ("[{\"value\": [[]]}]", (1, 14), "[0].value[0] is an array"),
            (
                "[{\"tags\": 1}]",
                (1, 12),
                "[0] is an object with none of the expected fields",
            ),
        ] {
            let e = parse_export(text).unwrap_err();
            assert!(e.message.contains(found), "{text}: {}", e.message);
            assert!(e.message.starts_with("unrecognised shape"), "{}", e.message);
            assert_eq!((e.line, e.column), at, "{text}: {e:?}");
        }
        // Scalars inside records, and a record's own `value`, are as before.
        let v = parse_export(r#"[{"id":"a","actions":["x", 1, null],"value":7}]"#).unwrap();
        assert!(matches!(v, Val::Arr(ref a) if a.len() == 1));
        // A plain parse takes any value.
        assert!(parse("[1, 2]").is_ok());
    }

    /// Kept fields that would take more memory than the limit stop the parse there.
    #[test]
    fn a_tree_over_the_memory_limit_is_refused_while_parsing() {
        let text = format!(r#"[{{"id":"a","actions":[{}1]}}]"#, "1,".repeat(10_000));
        let e = parse_export_within(&text, 100_000).unwrap_err();
        assert!(e.message.starts_with(TOO_LARGE), "{}", e.message);
        assert!(e.column < text.len(), "stopped early: {e:?}");
        assert!(parse_export_within(&text, 1_000_000).is_ok());
    }

    /// A million unknown keys in one object: found repeated in linear time.
    #[test]
    fn many_unknown_keys_are_checked_in_linear_time() {
        let n = 200_000;
        let mut text = String::from("{\"id\":\"a\"");
        for i in 0..n {
            text.push_str(&format!(",\"k{i}\":0"));
        }
        let start = std::time::Instant::now();
        assert!(parse_export(&format!("{text}}}")).is_ok());
        let e = parse_export(&format!("{text},\"k{}\":1}}", n / 2)).unwrap_err();
        assert!(e.message.starts_with(DUPLICATE_KEY), "{}", e.message);
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn line_col_of_offsets() {
        assert_eq!(line_col("ab\ncé d", 6), (2, 3));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
