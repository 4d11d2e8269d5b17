//! `precept completions SHELL` and `precept man`: shell completion scripts and manual pages,
//! generated from the same clap definition the parser uses, so they always offer exactly the
//! subcommands and options this binary accepts (including ones added later).
//!
//! Both are made in memory before anything is written: a page or script is complete or absent.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::{finish_stdout, style_for, Cli, Out, Status};
use crate::diagnostics::render::render;
use crate::diagnostics::Diag;

/// `precept completions SHELL`.
#[derive(Debug, clap::Args)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL", value_enum)]
    shell: clap_complete::Shell,
}

/// `precept man [--out DIR]`.
#[derive(Debug, clap::Args)]
pub(super) struct ManArgs {
    /// Write `precept.1` and one page per subcommand (`precept-check.1`, ...) into this folder
    /// (created if needed; each page replaced atomically) instead of `precept.1` to standard output.
    #[arg(long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The command line as clap sees it once built, named as installed.
fn command() -> clap::Command {
    let mut cmd = Cli::command().bin_name("precept");
    cmd.build();
    cmd
}

/// Print the completion script for a shell.
pub(super) fn completions(args: &CompletionsArgs) -> Status {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command(), "precept", &mut script);
    let mut out = Out::new(std::io::stdout().lock());
    let mut err = Out::stderr();
    out.put(&String::from_utf8_lossy(&script));
    finish_stdout(&mut out, &mut err, style_for(super::terminal::Stream::Stderr), Status::Clean)
}

/// One manual page: its file name and its roff text.
struct Page {
    file: String,
    text: String,
}

/// The pages: `precept.1` first, then one per visible subcommand (`precept-check.1`, ...).
/// Rendering writes to memory, which cannot fail; an error would be a bug in clap_mangen, and
/// is reported as such rather than producing a partial page.
fn pages() -> Result<Vec<Page>, String> {
    let date = page_date();
    let cmd = command().disable_help_subcommand(true);
    let mut commands = vec![cmd.clone()];
    commands.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help").cloned());
    commands
        .into_iter()
        .map(|c| {
            let man = clap_mangen::Man::new(c).manual("Precept Manual").date(date.clone());
            let mut bytes = Vec::new();
            man.render(&mut bytes).map_err(|e| format!("the manual page could not be made: {e}"))?;
            Ok(Page { file: man.get_filename(), text: String::from_utf8_lossy(&bytes).into_owned() })
        })
        .collect()
}

/// The date a page states: the day `SOURCE_DATE_EPOCH` names when it is set (the reproducible
/// builds convention, so a package's pages do not change with the day it was built), else today
/// (UTC). Without a date the page header would be malformed: roff reads the fields by position.
fn page_date() -> String {
    let from_epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok());
    from_epoch.unwrap_or_else(jiff::Timestamp::now).strftime("%Y-%m-%d").to_string()
}

/// Print `precept.1`, or write every page into `--out DIR`.
pub(super) fn man(args: &ManArgs) -> Status {
    let mut out = Out::new(std::io::stdout().lock());
    let mut err = Out::stderr();
    let style = style_for(super::terminal::Stream::Stderr);
    let pages = match pages() {
        Ok(p) => p,
        Err(reason) => {
            err.put(&render(&Diag::error("precept::usage::output", reason), style));
            return Status::Failed;
        }
    };
    let Some(dir) = &args.out else {
        if let Some(first) = pages.first() {
            out.put(&first.text);
        }
        return finish_stdout(&mut out, &mut err, style, Status::Clean);
    };
    match write_pages(dir, &pages) {
        Ok(written) => {
            for path in written {
                out.put(&format!("wrote {}\n", crate::text::escape(&path.display().to_string())));
            }
            finish_stdout(&mut out, &mut err, style, Status::Clean)
        }
        Err(d) => {
            err.put(&render(&d, style));
            Status::Failed
        }
    }
}

/// Write each page into `dir`, creating it first; each file is replaced atomically, so a reader
/// (or `man`) never sees half a page. Stops at the first page that cannot be written.
fn write_pages(dir: &Path, pages: &[Page]) -> Result<Vec<PathBuf>, Diag> {
    let shown = crate::text::escape(&dir.display().to_string()).into_owned();
    std::fs::create_dir_all(dir).map_err(|e| {
        Diag::error(
            "precept::usage::output",
            format!("cannot create folder `{shown}`: {}", crate::input::io_reason(&e)),
        )
        .help("give `--out` a folder that can be created and written, e.g. `--out target/man`")
    })?;
    let mut written = Vec::new();
    for page in pages {
        let path = dir.join(&page.file);
        crate::output_file::write_output(&path, page.text.as_bytes()).map_err(|reason| {
            let file = crate::text::escape(&path.display().to_string()).into_owned();
            Diag::error("precept::usage::output", format!("cannot write manual page `{file}`: {reason}"))
                .help("give `--out` a folder you can write, e.g. `--out target/man`")
        })?;
        written.push(path);
    }
    Ok(written)
}
