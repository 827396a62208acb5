//! How `--effective` answers are shown: escalation chains (issue 15) as JSON, a
//! table section, text lines for `can`, and CSV rows (one per step).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::engine::decide::Grant;
use crate::engine::escalate::{Escalation, Step};

use super::csv;
use super::text::writeln_safe;
use super::{Cell, ScopeNames};

/// One step as JSON: what it is, who takes it with which grant, and what it
/// gives. Fields in name order (as a JSON object's keys are written), borrowed:
/// a `who --effective` answer writes hundreds of thousands of them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepJson<'a> {
    actor: &'a str,
    actor_name: &'a str,
    condition: &'a Option<String>,
    doc: &'a str,
    gives: &'a str,
    grants: Vec<GrantJson<'a>>,
    needs: &'a str,
    on: &'a str,
    role: &'a Option<String>,
    step: crate::engine::escalate::StepKind,
}

/// A step's grant as JSON: every field of [`Grant`], in name order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GrantJson<'a> {
    action: &'a str,
    assignment_id: &'a str,
    assignment_scope: &'a str,
    block: usize,
    condition: &'a Option<String>,
    inherited: bool,
    matched_pattern: &'a str,
    role_definition_id: &'a str,
    role_name: &'a str,
    scope_level: crate::model::ScopeKind,
    via: &'a [crate::engine::decide::GroupRef],
}

impl<'a> From<&'a Grant> for GrantJson<'a> {
    fn from(g: &'a Grant) -> Self {
        GrantJson {
            action: &g.action,
            assignment_id: &g.assignment_id,
            assignment_scope: &g.assignment_scope,
            block: g.block,
            condition: &g.condition,
            inherited: g.inherited,
            matched_pattern: &g.matched_pattern,
            role_definition_id: &g.role_definition_id,
            role_name: &g.role_name,
            scope_level: g.scope_level,
            via: &g.via,
        }
    }
}

fn step_json(s: &Step) -> StepJson<'_> {
    StepJson {
        actor: &s.actor,
        actor_name: &s.actor_name,
        condition: &s.condition,
        doc: s.doc,
        gives: &s.gives,
        grants: s.grants.iter().map(GrantJson::from).collect(),
        needs: &s.needs,
        on: &s.on,
        role: &s.role,
        step: s.kind,
    }
}

/// One principal's escalation as JSON (`access: "escalation"`), fields in
/// name order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EscalationJson<'a> {
    access: &'a str,
    account_enabled: Option<bool>,
    conditional: bool,
    display_name: &'a str,
    id: &'a str,
    orphaned: Option<bool>,
    steps: Vec<StepJson<'a>>,
    #[serde(rename = "type")]
    kind: &'a str,
    user_principal_name: &'a Option<String>,
    user_type: &'a Option<String>,
}

/// [`EscalationJson`] of one principal's escalation, to write as it is.
pub(crate) fn escalation_out(e: &Escalation) -> EscalationJson<'_> {
    let p = &e.principal;
    EscalationJson {
        access: e.access,
        account_enabled: p.account_enabled,
        conditional: e.conditional,
        display_name: &p.display_name,
        id: &p.id,
        orphaned: p.orphaned,
        steps: e.steps.iter().map(step_json).collect(),
        kind: &p.kind,
        user_principal_name: &p.user_principal_name,
        user_type: &p.user_type,
    }
}

/// One principal's escalation as a JSON value ([`escalation_out`]).
pub(crate) fn escalation_json(e: &Escalation) -> Value {
    serde_json::to_value(escalation_out(e)).unwrap_or(Value::Null)
}

/// One step in words: `Alice (grant-role): Microsoft.Authorization/...
/// at rg-ml, by Role X @ rg-ml → assigns itself Owner`.
fn step_text(s: &Step, names: &ScopeNames) -> String {
    let by = s
        .grants
        .first()
        .map(|g| {
            let via = if g.via.is_empty() {
                String::new()
            } else {
                format!(
                    " via {}",
                    g.via
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                )
            };
            format!(
                ", by {} @ {}{via}",
                g.role_name,
                names.label(&g.assignment_scope)
            )
        })
        .unwrap_or_default();
    let cond = s
        .condition
        .as_deref()
        .map(|c| format!(" [only if: {c}]"))
        .unwrap_or_default();
    format!(
        "{} ({}): {} on {}{by}{cond} → {}",
        if s.actor_name.is_empty() {
            &s.actor
        } else {
            &s.actor_name
        },
        s.kind.as_str(),
        s.needs,
        names.label(&s.on),
        s.gives
    )
}

/// A chain's two stages: the identity hops, one after the other (each step
/// gives the identity the next step is taken as), then the steps that reach
/// the asked access. The last stage holds several steps when the access has
/// several parts reached differently (a data activity's datastores, several
/// actions): each reaches its part, and together they reach all of it; they do
/// not follow one another.
fn stages(steps: &[Step]) -> (&[Step], &[Step]) {
    let hops = steps
        .iter()
        .rposition(|s| s.identity.is_some())
        .map_or(0, |i| i + 1);
    steps.split_at(hops)
}

/// The heading of a last stage of several steps.
fn several_heading(n: usize) -> String {
    format!("these {n} steps, each reaching a part of the access (together, all of it):")
}

/// A chain in lines of text, each with the step's documentation (none for a
/// heading): the hops numbered in order, then the last stage on the next
/// number, its steps listed under a heading when there are several (never
/// numbered on as if each followed the other).
pub(crate) fn chain_lines(
    steps: &[Step],
    names: &ScopeNames,
) -> Vec<(String, Option<&'static str>)> {
    let (hops, reach) = stages(steps);
    let mut lines: Vec<(String, Option<&'static str>)> = hops
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("{}. {}", i + 1, step_text(s, names)), Some(s.doc)))
        .collect();
    let n = hops.len() + 1;
    match reach {
        [] => {}
        [one] => lines.push((format!("{n}. {}", step_text(one, names)), Some(one.doc))),
        several => {
            // With no hop before it, the heading needs no number.
            let heading = several_heading(several.len());
            lines.push((
                if hops.is_empty() {
                    heading
                } else {
                    format!("{n}. then {heading}")
                },
                None,
            ));
            for s in several {
                lines.push((format!("- {}", step_text(s, names)), Some(s.doc)));
            }
        }
    }
    lines
}

/// Each step's label in a CSV row: `2. TEXT`, or for one of several steps of
/// the last stage `2. (part 1 of 3) TEXT`.
fn step_labels(steps: &[Step], names: &ScopeNames) -> Vec<String> {
    let (hops, reach) = stages(steps);
    let n = hops.len() + 1;
    hops.iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {}", i + 1, step_text(s, names)))
        .chain(reach.iter().enumerate().map(|(j, s)| {
            if reach.len() == 1 {
                format!("{n}. {}", step_text(s, names))
            } else {
                format!(
                    "{n}. (part {} of {}) {}",
                    j + 1,
                    reach.len(),
                    step_text(s, names)
                )
            }
        }))
        .collect()
}

/// The section under `who`'s table: who can reach the access through steps.
pub(crate) fn escalations_table(
    out: &mut dyn Write,
    es: &[Escalation],
    names: &ScopeNames,
) -> io::Result<()> {
    writeln!(out)?;
    if es.is_empty() {
        writeln_safe!(
            out,
            "escalation: nobody else can reach it through the documented steps"
        )?;
        return Ok(());
    }
    writeln_safe!(
        out,
        "escalation: who can reach it through documented steps (not RBAC access now)"
    )?;
    let mut t = super::table(&["principal", "type", "steps", "notes"]);
    for e in es {
        let p = &e.principal;
        let mut label = if p.display_name.is_empty() {
            p.id.clone()
        } else {
            p.display_name.clone()
        };
        if let Some(u) = &p.user_principal_name {
            label.push_str(&format!(" <{u}>"));
        }
        t.add_row([
            Cell::from(label),
            Cell::from(&p.kind),
            Cell::lines(chain_lines(&e.steps, names).into_iter().map(|(l, _)| l)),
            Cell::from(super::answers::principal_notes(p)),
        ]);
    }
    writeln!(out, "{t}")?;
    let conditional = es.iter().filter(|e| e.conditional).count();
    writeln_safe!(
        out,
        "{} {} can escalate{}",
        es.len(),
        if es.len() == 1 {
            "principal"
        } else {
            "principals"
        },
        if conditional > 0 {
            format!(" ({conditional} only if a condition holds)")
        } else {
            String::new()
        }
    )
}

/// `can --effective`'s lines when RBAC says no and a chain says yes.
pub(crate) fn escalation_text(
    out: &mut dyn Write,
    e: &Escalation,
    names: &ScopeNames,
) -> io::Result<()> {
    writeln_safe!(
        out,
        "but can escalate{} in {} {}:",
        if e.conditional {
            " (only if a condition holds)"
        } else {
            ""
        },
        e.steps.len(),
        if e.steps.len() == 1 { "step" } else { "steps" }
    )?;
    for (line, doc) in chain_lines(&e.steps, names) {
        // A step listed under a heading is indented below it.
        let pad = if line.starts_with("- ") { 5 } else { 2 };
        writeln_safe!(out, "{:pad$}{line}", "")?;
        if let Some(doc) = doc {
            // Under the step's text: past its number, or its dash.
            let w = if line.starts_with("- ") {
                pad + 2
            } else {
                pad + 3
            };
            writeln_safe!(out, "{:w$}see {doc}", "")?;
        }
    }
    Ok(())
}

/// CSV rows of escalations in `who`'s columns plus `escalation_step` (one row
/// per step; `access` is `escalation`).
pub(crate) fn escalation_csv_rows(
    c: &mut csv::Writer,
    es: &[Escalation],
    names: &ScopeNames,
    tail_before: usize,
) -> io::Result<()> {
    for e in es {
        let p = &e.principal;
        let labels = step_labels(&e.steps, names);
        for (s, line) in e.steps.iter().zip(&labels) {
            let g = s.grants.first();
            let via = g
                .map(|g| {
                    g.via
                        .iter()
                        .map(|v| v.id.clone())
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default();
            let mut row: Vec<&str> = vec![
                p.id.as_str(),
                p.kind.as_str(),
                p.display_name.as_str(),
                p.user_principal_name.as_deref().unwrap_or(""),
                e.access,
                p.orphan_text(),
                s.needs.as_str(),
                via.as_str(),
                g.map(|g| g.role_name.as_str()).unwrap_or(""),
                g.map(|g| g.role_definition_id.as_str()).unwrap_or(""),
                g.map(|g| g.assignment_id.as_str()).unwrap_or(""),
                g.map(|g| g.assignment_scope.as_str()).unwrap_or(""),
                g.map(|g| g.matched_pattern.as_str()).unwrap_or(""),
                s.condition.as_deref().unwrap_or(""),
            ];
            row.extend(std::iter::repeat_n("", tail_before));
            row.push(line);
            c.row(row)?;
        }
    }
    Ok(())
}
