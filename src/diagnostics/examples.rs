//! An example for each diagnostic code: files that provoke it, the command that shows it, and the
//! change that fixes it. `precept explain CODE` shows them; `tests/code_examples.rs` runs every one
//! and checks the code appears, and is gone after the fix.
//!
//! The examples live in `docs/codes/<family>.md`, one page per family, so they read as
//! documentation and are reviewed as text; they are compiled in here, so the binary needs no file.
//! A page is Markdown of a fixed shape (see `docs/codes/README.md`):
//!
//! ````text
//! ## `precept::type::unknown-field`
//!
//! What the example shows, in prose.
//!
//! Run: `precept test --policies policies`
//!
//! ```precept policies/house.precept
//! ...
//! ```
//!
//! Fix:            (or: Fix: run `precept ...` [with])
//!
//! ```precept policies/house.precept
//! ...
//! ```
//! ````
//!
//! Files after `Fix:` replace (or add) files of the same path; the fix's command, when given,
//! replaces the example's. A fence whose language is `link` is a symbolic link, its one line the
//! target (for the codes about links).

/// The fence language of a symbolic link.
pub const LINK: &str = "link";

/// The pages, one per family of codes.
const PAGES: &[&str] = &[
    include_str!("../../docs/codes/baseline.md"),
    include_str!("../../docs/codes/case.md"),
    include_str!("../../docs/codes/code.md"),
    include_str!("../../docs/codes/config.md"),
    include_str!("../../docs/codes/diff.md"),
    include_str!("../../docs/codes/fmt.md"),
    include_str!("../../docs/codes/input.md"),
    include_str!("../../docs/codes/parse.md"),
    include_str!("../../docs/codes/role.md"),
    include_str!("../../docs/codes/rule.md"),
    include_str!("../../docs/codes/sql.md"),
    include_str!("../../docs/codes/test.md"),
    include_str!("../../docs/codes/type.md"),
    include_str!("../../docs/codes/usage.md"),
    include_str!("../../docs/codes/waiver.md"),
];

/// A file of an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Where the file goes, relative to the folder the command runs in.
    pub path: String,
    /// The fence's language (`precept`, `jsonl`, `toml`, ...), for showing it.
    pub lang: String,
    /// Its text; for a [`LINK`], the target.
    pub text: String,
}

impl File {
    /// The target, when this is a symbolic link.
    pub fn link(&self) -> Option<&str> {
        (self.lang == LINK).then(|| self.text.trim())
    }
}

/// The example of one code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Example {
    /// The code it provokes.
    pub code: String,
    /// What it shows, in prose.
    pub note: String,
    /// The command that shows the code, starting with `precept`.
    pub run: Vec<String>,
    /// The files the command reads.
    pub files: Vec<File>,
    /// The files the fix changes or adds.
    pub fix: Vec<File>,
    /// The command after the fix, when it differs from [`Example::run`].
    pub fix_run: Option<Vec<String>>,
}

impl Example {
    /// The command after the fix.
    pub fn fixed_run(&self) -> &[String] {
        self.fix_run.as_deref().unwrap_or(&self.run)
    }
}

/// Every example of every page, in page order.
pub fn all() -> Vec<Example> {
    PAGES.iter().flat_map(|p| parse(p)).collect()
}

/// The example of `code`, if it has one.
///
/// ```
/// let e = precept::diagnostics::examples::example("precept::type::unknown-field").expect("written");
/// assert_eq!(e.run.first().map(String::as_str), Some("precept"));
/// assert!(!e.files.is_empty() && !e.fix.is_empty());
/// ```
pub fn example(code: &str) -> Option<Example> {
    all().into_iter().find(|e| e.code == code)
}

/// The text between the first pair of backticks in `line`.
fn quoted(line: &str) -> Option<&str> {
    let start = line.find('`')? + 1;
    let len = line.get(start..)?.find('`')?;
    line.get(start..start + len)
}

fn words(command: &str) -> Vec<String> {
    command.split_whitespace().map(str::to_string).collect()
}

/// The examples of one page (see the module documentation for its shape). Text that does not fit
/// the shape is prose.
pub fn parse(page: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut fixing = false;
    let mut fence: Option<File> = None;
    for line in page.lines() {
        if let Some(file) = fence.as_mut() {
            if line.trim_end() == "```" {
                if let (Some(f), Some(e)) = (fence.take(), out.last_mut()) {
                    if fixing {
                        e.fix.push(f);
                    } else {
                        e.files.push(f);
                    }
                }
            } else {
                file.text.push_str(line);
                file.text.push('\n');
            }
            continue;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            if let Some(code) = quoted(heading) {
                out.push(Example { code: code.to_string(), ..Example::default() });
                fixing = false;
            }
            continue;
        }
        let Some(e) = out.last_mut() else { continue };
        if let Some(info) = line.strip_prefix("```") {
            let mut parts = info.split_whitespace();
            let lang = parts.next().unwrap_or("").to_string();
            let path = parts.next().unwrap_or("").to_string();
            fence = Some(File { path, lang, text: String::new() });
        } else if let Some(rest) = line.strip_prefix("Run:") {
            e.run = quoted(rest).map(words).unwrap_or_default();
        } else if let Some(rest) = line.strip_prefix("Fix:") {
            fixing = true;
            e.fix_run = quoted(rest).map(words);
        } else if !line.trim().is_empty() && e.run.is_empty() {
            if !e.note.is_empty() {
                e.note.push(' ');
            }
            e.note.push_str(line.trim());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reads_into_examples() {
        let page = "# Title\n\nIntro.\n\n## `precept::x::y`\n\nWhy it\nhappens.\n\nRun: `precept test --policies p`\n\n\
                    ```precept p/a.precept\nline one\n\nline three\n```\n\nFix: run `precept test --policies q` with\n\n\
                    ```precept p/a.precept\nfixed\n```\n\n## `precept::x::z`\n\nRun: `precept lint roles`\n\n```toml roles/r.toml\n```\n\nFix:\n";
        let got = parse(page);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].code, concat!("precept", "::x::y"));
        assert_eq!(got[0].note, "Why it happens.");
        assert_eq!(got[0].run, ["precept", "test", "--policies", "p"]);
        assert_eq!(
            got[0].files,
            [File { path: "p/a.precept".into(), lang: "precept".into(), text: "line one\n\nline three\n".into() }]
        );
        assert_eq!(got[0].fix[0].text, "fixed\n");
        assert_eq!(got[0].fixed_run(), ["precept", "test", "--policies", "q"]);
        assert_eq!(got[1].files[0].text, "", "an empty file");
        assert!(got[1].fix.is_empty() && got[1].fix_run.is_none());
    }

    #[test]
    fn every_example_names_a_registered_code_once() {
        let all = all();
        for (i, e) in all.iter().enumerate() {
            assert!(super::super::registry::lookup(&e.code).is_some(), "{} is not registered", e.code);
            assert!(!all[..i].iter().any(|o| o.code == e.code), "{} has two examples", e.code);
            assert_eq!(e.run.first().map(String::as_str), Some("precept"), "{}", e.code);
            assert!(!e.fix.is_empty() || e.fix_run.is_some(), "{} has no fix", e.code);
        }
    }
}
