//! Renderers: every byte a query prints to stdout. They turn engine values into
//! tables, JSON, CSV and Graphviz DOT; they decide nothing about access.

pub mod answers;
pub mod dot;

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};

/// A table with the house style (no colour, fits the terminal).
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    t
}

pub fn print_json(out: &mut dyn Write, v: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}

/// A CSV writer over stdout-like output, RFC 4180 quoting.
pub fn csv_writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(out)
}
