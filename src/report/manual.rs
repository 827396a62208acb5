//! Completion scripts and man pages, rendered from the clap command tree.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap_complete::Shell;

use super::text::eprintln_safe;

pub(crate) fn completions(
    out: &mut dyn Write,
    shell: Shell,
    mut cmd: clap::Command,
) -> io::Result<()> {
    let name = cmd.get_name().to_string();
    // Rendered in memory first: clap_complete panics on a failed write, and a
    // closed stdout (`| head`) must end quietly like every other command.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut script);
    out.write_all(&script)
}

/// `whocan.1`: the top-level page (its SUBCOMMANDS section names each command).
pub(crate) fn man_page(out: &mut dyn Write, cmd: clap::Command) -> io::Result<()> {
    clap_mangen::Man::new(cmd).render(out)
}

/// `whocan.1` and one page per subcommand, nested ones too (`whocan-review-apply.1`),
/// each written whole (temp file and rename, mode 0600 like every file whocan
/// writes), all or none: every page is rendered first, then written together
/// ([`crate::fsutil::write_files`]). Returns the paths written.
pub(crate) fn man_pages(dir: &Path, cmd: clap::Command) -> anyhow::Result<Vec<PathBuf>> {
    let mut pages = Vec::new();
    let mut cmd = cmd;
    cmd.build();
    render_pages(dir, &cmd, "whocan", &mut pages)?;
    crate::fsutil::write_files(
        pages
            .iter()
            .map(|(path, page)| {
                let write: crate::fsutil::Render = Box::new(move |w| w.write_all(page));
                (path.as_path(), write)
            })
            .collect(),
    )?;
    Ok(pages.into_iter().map(|(path, _)| path).collect())
}

fn render_pages(
    dir: &Path,
    cmd: &clap::Command,
    name: &str,
    pages: &mut Vec<(PathBuf, Vec<u8>)>,
) -> anyhow::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .title(name.to_string())
        .render(&mut page)?;
    pages.push((dir.join(format!("{name}.1")), page));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        render_pages(dir, sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

pub(crate) fn wrote(paths: &[PathBuf]) {
    for p in paths {
        eprintln_safe!("wrote {}", p.display());
    }
}
