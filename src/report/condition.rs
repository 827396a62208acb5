//! An ABAC role-assignment condition in words, for people reading a report:
//! `((!(ActionMatches{'…/blobs/read'})) OR (@Resource[…/containers:name]
//! StringEquals 'data'))` reads "when the action is …/blobs/read: container name
//! equals 'data'".
//!
//! Presentation only: the condition is never evaluated (docs/semantics.md), and
//! the exact text is always shown beside this one. An expression this reader does
//! not follow (unbalanced parentheses, a quote left open) comes back as written.

/// One part of a condition.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    /// A comparison or function call, already in words.
    Atom(String),
    Not(Box<Expr>),
    /// `and` (true) or `or` (false) of two or more parts.
    Join(bool, Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Not,
    And,
    Or,
    /// A word or a quoted string, as written.
    Word(String),
}

fn tokens(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '!' if chars.get(i + 1) != Some(&'=') => {
                out.push(Tok::Not);
                i += 1;
            }
            '&' if chars.get(i + 1) == Some(&'&') => {
                out.push(Tok::And);
                i += 2;
            }
            '|' if chars.get(i + 1) == Some(&'|') => {
                out.push(Tok::Or);
                i += 2;
            }
            _ => {
                // A word runs to whitespace or a parenthesis, but never splits a
                // quoted string, `{...}` or `[...]`.
                let mut w = String::new();
                let mut quote = false;
                let mut depth = 0usize;
                while i < chars.len() {
                    let c = chars[i];
                    if quote {
                        w.push(c);
                        if c == '\'' {
                            quote = false;
                        }
                    } else if c == '\'' {
                        quote = true;
                        w.push(c);
                    } else if c == '{' || c == '[' {
                        depth += 1;
                        w.push(c);
                    } else if (c == '}' || c == ']') && depth > 0 {
                        depth -= 1;
                        w.push(c);
                    } else if depth == 0 && (c.is_whitespace() || c == '(' || c == ')') {
                        break;
                    } else {
                        w.push(c);
                    }
                    i += 1;
                }
                if quote || depth > 0 {
                    return None;
                }
                out.push(match w.to_ascii_uppercase().as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => Tok::Word(w),
                });
            }
        }
    }
    Some(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    /// `a AND b OR c`: AND binds tighter, as in the condition language.
    fn or(&mut self) -> Option<Expr> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Some(join(false, parts))
    }

    fn and(&mut self) -> Option<Expr> {
        let mut parts = vec![self.unary()?];
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            parts.push(self.unary()?);
        }
        Some(join(true, parts))
    }

    fn unary(&mut self) -> Option<Expr> {
        match self.peek()? {
            Tok::Not => {
                self.at += 1;
                Some(Expr::Not(Box::new(self.unary()?)))
            }
            Tok::Open => {
                self.at += 1;
                let e = self.or()?;
                (self.peek() == Some(&Tok::Close)).then_some(())?;
                self.at += 1;
                Some(e)
            }
            _ => {
                let mut words = Vec::new();
                while let Some(Tok::Word(w)) = self.peek() {
                    words.push(w.clone());
                    self.at += 1;
                }
                (!words.is_empty()).then(|| Expr::Atom(atom(&words)))
            }
        }
    }
}

fn join(and: bool, mut parts: Vec<Expr>) -> Expr {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        Expr::Join(and, parts)
    }
}

/// A comparison in words: attributes by their last names, operators spelled out.
fn atom(words: &[String]) -> String {
    words.iter().map(|w| word(w)).collect::<Vec<_>>().join(" ")
}

fn word(w: &str) -> String {
    for (prefix, what) in [
        ("ActionMatches{", "action is"),
        ("SubOperationMatches{", "sub-operation is"),
    ] {
        if let Some(rest) = w.strip_prefix(prefix) {
            let list: Vec<String> = rest
                .trim_end_matches('}')
                .split(',')
                .map(|a| short_action(a.trim()))
                .collect();
            return format!("{what} {}", list.join(" or "));
        }
    }
    if let Some(rest) = w.strip_prefix('@') {
        if let Some((source, attr)) = rest.split_once('[') {
            return attribute(source, attr.trim_end_matches(']'));
        }
    }
    operator(w)
        .map(str::to_string)
        .unwrap_or_else(|| w.to_string())
}

/// `'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'` →
/// `'…/containers/blobs/read'`: the last three parts say what it is.
fn short_action(quoted: &str) -> String {
    let a = quoted.trim_matches('\'');
    let parts: Vec<&str> = a.split('/').collect();
    if parts.len() <= 4 {
        return quoted.to_string();
    }
    format!("'…/{}'", parts[parts.len() - 3..].join("/"))
}

/// `@Resource[Microsoft.Storage/.../containers:name]` → `container name`;
/// `@Resource[...:tags:project<$key_case_sensitive$>]` → `blob tag project`.
fn attribute(source: &str, attr: &str) -> String {
    let (path, name) = attr.split_once(':').unwrap_or(("", attr));
    let noun = path.rsplit('/').next().unwrap_or("").trim_end_matches('s');
    let name = name
        .split("<$")
        .next()
        .unwrap_or(name)
        .replace(':', " ")
        .replace("tags ", "tag ");
    let subject = match source {
        "Resource" => noun.to_string(),
        "Request" => format!("requested {noun}"),
        "Principal" => "principal's".to_string(),
        "Environment" => "environment".to_string(),
        other => other.to_lowercase(),
    };
    let subject = subject.trim();
    if subject.is_empty() {
        name
    } else {
        format!("{subject} {name}")
    }
}

/// The condition language's operators in words.
fn operator(w: &str) -> Option<&'static str> {
    Some(match w {
        "StringEquals" | "GuidEquals" => "equals",
        "StringNotEquals" | "GuidNotEquals" => "does not equal",
        "StringEqualsIgnoreCase" => "equals (any case)",
        "StringNotEqualsIgnoreCase" => "does not equal (any case)",
        "StringLike" => "matches",
        "StringNotLike" => "does not match",
        "StringStartsWith" => "starts with",
        "StringNotStartsWith" => "does not start with",
        "NumericEquals" => "=",
        "NumericNotEquals" => "≠",
        "NumericGreaterThan" => ">",
        "NumericGreaterThanEquals" => "≥",
        "NumericLessThan" => "<",
        "NumericLessThanEquals" => "≤",
        "BoolEquals" => "is",
        "BoolNotEquals" => "is not",
        "DateTimeEquals" => "is",
        "DateTimeGreaterThan" => "is after",
        "DateTimeLessThan" => "is before",
        "ForAnyOfAnyValues:StringEquals" => "has any of",
        "ForAllOfAnyValues:StringEquals" => "has only values among",
        "ForAnyOfAllValues:StringNotEquals" => "has none of",
        "ForAllOfAllValues:StringEquals" => "has all of",
        "ForAnyOfAnyValues:GuidEquals" => "has any of",
        _ => return None,
    })
}

fn render(e: &Expr, nested: bool) -> String {
    match e {
        Expr::Atom(a) => a.clone(),
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Atom(a) => format!("not ({a})"),
            other => format!("not ({})", render(other, false)),
        },
        Expr::Join(and, parts) => {
            // Azure's shape: `!(ActionMatches{...}) OR (...)`: the rest applies
            // only to those actions.
            if !and {
                if let Some((actions, rest)) = action_guard(parts) {
                    let nested = rest.len() > 1;
                    let rest: Vec<String> = rest.iter().map(|p| render(p, nested)).collect();
                    return format!("when the {actions}: {}", rest.join(" or "));
                }
            }
            let sep = if *and { " and " } else { " or " };
            let s = parts
                .iter()
                .map(|p| render(p, true))
                .collect::<Vec<_>>()
                .join(sep);
            if nested {
                format!("({s})")
            } else {
                s
            }
        }
    }
}

/// `!(action is A or action is B)` (or `!(action is A and sub-operation is S)`)
/// among the parts of an OR: the guard in words, and the other parts.
fn action_guard(parts: &[Expr]) -> Option<(String, Vec<&Expr>)> {
    let is_action = |a: &str| a.starts_with("action is ") || a.starts_with("sub-operation is ");
    let (i, inner) = parts.iter().enumerate().find_map(|(i, p)| match p {
        Expr::Not(inner) => Some((i, inner.as_ref())),
        _ => None,
    })?;
    let guard = match inner {
        Expr::Atom(a) if is_action(a) => a.clone(),
        Expr::Join(and, xs) => {
            let atoms = xs
                .iter()
                .map(|x| match x {
                    Expr::Atom(a) if is_action(a) => Some(a.as_str()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            if *and {
                atoms.join(" and ")
            } else if atoms.iter().all(|a| a.starts_with("action is ")) {
                let names: Vec<&str> = atoms
                    .iter()
                    .map(|a| a.trim_start_matches("action is "))
                    .collect();
                format!("action is {}", names.join(" or "))
            } else {
                atoms.join(" or ")
            }
        }
        _ => return None,
    };
    let rest: Vec<&Expr> = parts
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, p)| p)
        .collect();
    if rest.is_empty() {
        return None;
    }
    Some((guard, rest))
}

/// The condition in words, or as written when it cannot be read.
pub(crate) fn readable(condition: &str) -> String {
    let parsed = tokens(condition).and_then(|toks| {
        let mut p = Parser { toks, at: 0 };
        let e = p.or()?;
        (p.at == p.toks.len()).then_some(e)
    });
    match parsed {
        Some(e) => render(&e, false),
        None => condition.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn azures_action_guard_reads_as_when() {
        assert_eq!(
            readable("((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'training-data'))"),
            "when the action is '…/containers/blobs/read': container name equals 'training-data'"
        );
    }

    #[test]
    fn several_actions_and_clauses() {
        assert_eq!(
            readable("(!(ActionMatches{'a/read'} AND SubOperationMatches{'x'}) OR (@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringLike 'logs/*' AND @Principal[Microsoft.Directory/CustomSecurityAttributes/Id:Eng_Project] StringEquals 'p'))"),
            "when the action is 'a/read' and sub-operation is 'x': requested blob path matches 'logs/*' and principal's Eng_Project equals 'p'"
        );
        assert_eq!(
            readable("!(ActionMatches{'a'}) || !(ActionMatches{'b'}) || @Resource[x/ys:tags:team<$key_case_sensitive$>] ForAnyOfAnyValues:StringEquals {'ml', 'ai'}"),
            "when the action is 'a': not (action is 'b') or y tag team has any of {'ml', 'ai'}"
        );
    }

    #[test]
    fn what_cannot_be_read_comes_back_as_written() {
        for raw in ["((a", "a)", "'open", "@Resource[x", ""] {
            assert_eq!(readable(raw), raw);
        }
        assert_eq!(readable("x StringEquals 'a ( b'"), "x equals 'a ( b'");
    }
}
