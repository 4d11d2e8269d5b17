//! `precept fmt`: policy files rewritten in the canonical layout of [`crate::formatter`], or, with
//! `--check`, only checked for it (for CI).
//!
//! Each file is formatted on its own: one that does not parse is left exactly as it was, its
//! diagnostics shown as `check` shows them, and the others are still formatted. A file is
//! rewritten only if formatting changes it, atomically (a temporary file beside it renamed over
//! it, keeping its permissions), and never through a symbolic link or over anything but a regular
//! file. Exit status: 0 every file is (now) formatted; 1 `--check` found files to reformat; 2 a
//! file could not be read, parsed or written.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::check::Stderr;
use super::{Out, Status};
use crate::diagnostics::Diag;
use crate::input::Found;
use crate::input::Kind;
use crate::source::SourceFile;

/// Why a policy file that needs formatting was not rewritten.
const NOT_WRITTEN: &str = "precept::fmt::not-written";

#[derive(Debug, clap::Args)]
pub(super) struct FmtArgs {
    /// Change nothing: list the files that would be reformatted, and exit 1 if there are any.
    #[arg(long)]
    check: bool,
    /// With `--check`: show each change as a unified diff.
    #[arg(long, requires = "check")]
    diff: bool,
    /// Policy files, or folders walked for `.precept` files (default: `policies`).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// How the files went.
#[derive(Debug, Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    /// Files left alone because they do not parse.
    unparsed: usize,
    /// Files that need formatting but could not be rewritten.
    unwritten: usize,
    /// Files that could not be read, parsed or written, or paths that could not be walked.
    failed: bool,
}

/// `precept fmt`.
pub(super) fn fmt(args: FmtArgs) -> Status {
    let mut err = Stderr::open();
    let mut out = Out::new(std::io::stdout().lock());
    let roots = if args.paths.is_empty() { vec![PathBuf::from("policies")] } else { args.paths.clone() };
    let mut tally = Tally::default();
    // Every file is found before any is rewritten: a rewrite gives the file a new identity, and
    // the same file named twice (a folder and a file in it) must still be formatted once.
    let mut seen = HashSet::new();
    let mut todo = Vec::new();
    for root in &roots {
        let (files, mut diags) = crate::workspace::policy_files(root);
        for d in &mut diags {
            // The walk's advice is `check`'s (`--policies`); `fmt` takes its paths bare.
            if d.code == "precept::input::not-found" {
                d.help =
                    Some("pass policy files or folders that exist (without a path, `fmt` formats `policies`)".into());
            }
        }
        for d in &diags {
            err.diag(d);
            tally.failed |= d.is_error();
        }
        for Found { path, id } in files {
            let key = id.map_or_else(|| Err(path.clone()), Ok);
            if seen.insert(key) {
                todo.push(path);
            }
        }
    }
    for path in todo {
        one_file(&path, &args, &mut tally, &mut out, &mut err);
    }
    out.put(&summary(&tally, args.check));
    let status = if tally.failed {
        Status::Failed
    } else if args.check && tally.changed > 0 {
        Status::Findings
    } else {
        Status::Clean
    };
    super::finish_stdout(&mut out, &mut err.out, err.style, status)
}

fn one_file<W: std::io::Write>(path: &Path, args: &FmtArgs, tally: &mut Tally, out: &mut Out<W>, err: &mut Stderr) {
    let name = crate::text::name(path);
    let file = match crate::workspace::read_source(path, &name, Kind::Policy) {
        Ok(f) => f,
        Err(d) => {
            err.diag(&d);
            tally.failed = true;
            return;
        }
    };
    let formatted = match crate::formatter::format_text(&file) {
        Ok(text) => text,
        Err(diags) => {
            for d in &diags {
                err.diag(d);
            }
            tally.unparsed += 1;
            tally.failed = true;
            return;
        }
    };
    if formatted == *file.text {
        tally.unchanged += 1;
        return;
    }
    if args.check {
        tally.changed += 1;
        out.put(&format!("would reformat {}\n", crate::text::escape(&name)));
        if args.diff {
            out.put(&diff(&file, &formatted));
        }
        return;
    }
    match write_back(path, &name, &formatted) {
        Ok(()) => {
            tally.changed += 1;
            out.put(&format!("reformatted {}\n", crate::text::escape(&name)));
        }
        Err(d) => {
            err.diag(&d);
            tally.unwritten += 1;
            tally.failed = true;
        }
    }
}

/// Replace the file at `path` with `text`, atomically, unless it is a symbolic link (a link is
/// never written through: the file it points to may be anyone's) or not a regular file.
fn write_back(path: &Path, name: &str, text: &str) -> Result<(), Diag> {
    let refuse = |why: String| {
        Diag::error(NOT_WRITTEN, format!("`{name}` needs formatting but was not rewritten: {why}"))
            .help("format the file itself (a link's target, by its own path), or fix what stopped the write")
    };
    let meta = std::fs::symlink_metadata(path).map_err(|e| refuse(crate::input::io_reason(&e)))?;
    if meta.file_type().is_symlink() {
        return Err(refuse("it is a symbolic link".into()));
    }
    if !meta.is_file() {
        return Err(refuse(format!("it is a {}", crate::input::describe(&meta.file_type()))));
    }
    // The text was read without its byte-order mark; a file that had one keeps it, since the
    // formatter changes layout and nothing else.
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let mut head = [0u8; 3];
    let had_bom = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head == BOM);
    let bytes = if had_bom { [BOM, text.as_bytes()].concat() } else { text.as_bytes().to_vec() };
    // A rename puts the new file in place of the path itself: even a link swapped in since the
    // check above is replaced, never written through.
    crate::output_file::write_atomically(path, &bytes).map_err(|e| refuse(crate::input::io_reason(&e)))
}

/// A unified diff from the file as it is to the file formatted, with three lines of context.
fn diff(file: &SourceFile, formatted: &str) -> String {
    let name = crate::text::escape(&file.name);
    let diff = similar::TextDiff::from_lines(&*file.text, formatted);
    let text = diff.unified_diff().context_radius(3).header(&name, &name).to_string();
    crate::text::escape_lines(&text).into_owned()
}

fn summary(t: &Tally, check: bool) -> String {
    let files = |n: usize| if n == 1 { "1 file".to_string() } else { format!("{n} files") };
    let changed = match (check, t.changed) {
        (true, 1) => "1 file would be reformatted".to_string(),
        (true, n) => format!("{} would be reformatted", files(n)),
        (false, n) => format!("{} reformatted", files(n)),
    };
    let mut line = format!("{changed}, {} already formatted", files(t.unchanged));
    if t.unparsed > 0 {
        line.push_str(&format!(", {} left alone (not parsed)", files(t.unparsed)));
    }
    if t.unwritten > 0 {
        line.push_str(&format!(", {} not rewritten", files(t.unwritten)));
    }
    line.push('\n');
    line
}
