//! Policies given as text: parsed, checked and compiled as a policy folder is, with the files they
//! name (calendars) looked up among the texts given rather than on disk.

use crate::check::Loader;
use crate::diagnostics::Diag;
use crate::engine::Program;
use crate::source::{SourceFile, Span};

/// One text given to [`super::Engine::from_sources`]: a policy (a name ending `.precept`) or a file
/// a policy names (a calendar's TOML), with the name diagnostics show and `from "..."` resolves.
/// A `(name, text)` pair converts into one.
///
/// ```
/// use precept::{Engine, PolicySource};
///
/// let policy = PolicySource::from(("house.precept", r#"
///   calendar office from "calendars/office.toml"
///   schema ticket { identified by id  id: text  opened: datetime  answered: datetime }
///   code "House rules" { level organisational
///     rule answered-next-day { title "Tickets are answered within a business day" for ticket
///       require record.answered <= record.opened + 1 business day
///       message "ticket {record.id} answered late" } }
/// "#));
/// assert_eq!(policy.name, "house.precept");
/// let calendar = PolicySource {
///     name: "calendars/office.toml".to_string(),
///     text: "zone = \"Europe/London\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n".to_string(),
/// };
/// assert!(Engine::from_sources([policy.clone(), calendar]).is_ok());
/// // Without the calendar's source, the policy does not compile.
/// let problems = Engine::from_sources([policy]).expect_err("the calendar is missing");
/// assert!(problems.iter().any(|d| d.message.contains("calendars/office.toml")));
/// ```
#[derive(Debug, Clone)]
pub struct PolicySource {
    /// The name, with `/` between folders (`industry/retail.precept`).
    pub name: String,
    /// The text.
    pub text: String,
}

impl<N: Into<String>, T: Into<String>> From<(N, T)> for PolicySource {
    fn from((name, text): (N, T)) -> PolicySource {
        PolicySource { name: name.into(), text: text.into() }
    }
}

/// Resolves `calendar ... from "path"` among the sources given, relative to the policy naming it,
/// with the same refusals as a policy folder on disk (no absolute paths, no `..`).
struct Sources<'a> {
    files: &'a [SourceFile],
}

impl Loader for Sources<'_> {
    fn load(&self, from: &SourceFile, path: &str) -> Result<SourceFile, String> {
        if path.starts_with('/') || path.split(['/', '\\']).any(|part| part == "..") {
            return Err("only files inside the policy folder can be read (no absolute paths or `..`)".to_string());
        }
        let base = from.name.rsplit_once('/').map_or("", |(dir, _)| dir);
        let wanted = if base.is_empty() { path.to_string() } else { format!("{base}/{path}") };
        let wanted = wanted.trim_start_matches("./").replace("/./", "/");
        self.files
            .iter()
            .find(|f| *f.name == *wanted)
            .cloned()
            .ok_or_else(|| format!("cannot read `{wanted}`: no source of that name was given"))
    }
}

/// Compile the policies among `sources`: the program if nothing is wrong, and every diagnostic in
/// a stable order.
pub(super) fn compile(sources: Vec<PolicySource>) -> (Option<Program>, Vec<Diag>) {
    let files: Vec<SourceFile> = sources.into_iter().map(|s| SourceFile::new(s.name, s.text)).collect();
    let mut diags = Vec::new();
    let mut trees = Vec::new();
    let mut ok = true;
    let mut any = false;
    for file in files.iter().filter(|f| f.name.ends_with(".precept")) {
        any = true;
        if file.text.trim().is_empty() {
            diags.push(
                Diag::warning("precept::input::empty-file", format!("policy file `{}` is empty", file.name))
                    .at(file, Span::new(0, 0), "nothing here")
                    .help("write a `code`, `schema` or `calendar` in it, or delete it"),
            );
            continue;
        }
        let (tree, mut d) = crate::syntax::parse(file);
        ok &= tree.is_some() && !d.iter().any(Diag::is_error);
        diags.append(&mut d);
        trees.extend(tree);
    }
    if !ok {
        crate::diagnostics::sort(&mut diags);
        return (None, diags);
    }
    let (program, mut d) = crate::check::check(&trees, &Sources { files: &files });
    diags.append(&mut d);
    let program = program.filter(|p| {
        if p.rules.is_empty() {
            let message =
                if any { "the policies hold no rules" } else { "no policy sources given (names ending `.precept`)" };
            diags.push(
                Diag::error("precept::input::no-rules", message)
                    .help("give at least one `.precept` policy with a rule"),
            );
        }
        !p.rules.is_empty()
    });
    crate::diagnostics::sort(&mut diags);
    (program, diags)
}
