//! `whocan what`: the catalogue operations a principal can do at a scope.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::cli::{Format, WhatArgs};
use crate::engine::{decide::principal_info, query};
use crate::report::{self, answers};

use super::common::{load, resolve_principal, target_scope};
use super::{output_format, Outcome};

pub fn run(db: &Path, args: WhatArgs) -> anyhow::Result<Outcome> {
    let l = load(db, &args.snapshot)?;
    let scope = target_scope(&l.tenant, &args.scope)?;
    let principal = resolve_principal(&l.index, &l.tenant, &args.principal)?;
    if l.index.operations.is_empty() {
        eprintln!("warning: this snapshot has no operation catalogue; import `az provider operation show -n NAMESPACE` output");
    }
    let rows = query::what(&l.index, &principal, &scope, args.provider.as_deref());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match output_format(args.format) {
        Format::Json => report::print_json(
            &mut out,
            &json!({
                "snapshot": {"id": l.snapshot.id, "takenAt": l.snapshot.taken_at, "label": l.snapshot.label},
                "scope": scope,
                "principal": principal_info(&l.index, &principal),
                "operations": rows,
            }),
        )?,
        Format::Csv => answers::what_csv(&mut out, &rows)?,
        Format::Table => answers::what_table(&mut out, &rows)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
