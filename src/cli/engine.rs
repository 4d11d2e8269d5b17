//! `precept check --engine native|duckdb`: which engine checks the records. The native engine is
//! always built; DuckDB's ([`crate::duck`]) only with the `duckdb` feature, and asking for it in a
//! build without it is a usage error naming the command that installs it.

use super::check::Rest;
use crate::diagnostics::Diag;
use crate::findings::{Finding, Outcome};

/// The command that installs a build with DuckDB (compiling its C++ sources: tens of minutes).
pub(super) const INSTALL: &str = "cargo install --locked --path . --features duckdb-bundled";

/// `--engine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(super) enum EngineArg {
    /// Precept's own engine: every rule, every record format but Parquet.
    #[default]
    Native,
    /// Embedded DuckDB (a build with the `duckdb` feature): the rules that compile to SQL, over
    /// JSON Lines, CSV and Parquet files, out of core.
    Duckdb,
}

/// `precept::usage::engine` when `engine` is not in this build.
pub(super) fn available(engine: EngineArg) -> Result<(), Diag> {
    if engine == EngineArg::Duckdb && !cfg!(feature = "duckdb") {
        return Err(Diag::error(
            "precept::usage::engine",
            "`--engine duckdb` needs a build of Precept with DuckDB, and this one has none",
        )
        .help(format!("install one with `{INSTALL}`, or leave out `--engine` to use the native engine")));
    }
    Ok(())
}

/// Whether a run left rules out (`precept::engine::not-run`): its exit status is then never 0.
pub(super) fn left_rules_out(outcome: &Outcome) -> bool {
    outcome.diagnostics.iter().any(|d| d.code == "precept::engine::not-run")
}

/// Check `rest`'s files (and the Parquet files under `paths`) with DuckDB.
#[cfg(feature = "duckdb")]
#[allow(clippy::too_many_arguments)]
pub(super) fn duckdb(
    engine: &crate::Engine,
    rest: &mut Rest,
    paths: &[std::path::PathBuf],
    select: &crate::data::Select,
    threads: Option<usize>,
    prepare: &(dyn Fn(&Finding) -> Vec<String> + Sync),
    take: &mut dyn FnMut(Finding, Vec<String>),
) -> Outcome {
    let mut found = std::mem::take(&mut rest.found_diags);
    let sources = crate::duck::sources(std::mem::take(&mut rest.files), &mut found, paths, engine.program(), select);
    // DuckDB spills to a folder of its own, removed when the run ends.
    let temp = match tempfile::Builder::new().prefix("precept-duckdb-").tempdir() {
        Ok(t) => t,
        Err(e) => {
            found.push(
                Diag::error("precept::engine::duckdb", format!("DuckDB could not start: no temporary folder: {e}"))
                    .help("set TMPDIR to a folder that can be written to"),
            );
            return Outcome { diagnostics: found, ..Outcome::default() };
        }
    };
    let settings = crate::duck::Settings {
        memory_limit: MEMORY_LIMIT.to_string(),
        temp: temp.path().to_path_buf(),
        threads,
        temp_limit: TEMP_LIMIT.to_string(),
    };
    let org = engine.org();
    engine.check_files_by(found, prepare, take, &mut |program, authority, found, consumer| {
        crate::duck::check(program, (authority, org), &sources, found, &settings, consumer)
    })
}

/// DuckDB's memory limit: with Precept's own memory, a check stays well under 1 GiB however large
/// the files; DuckDB spills what does not fit to its temporary folder.
#[cfg(feature = "duckdb")]
const MEMORY_LIMIT: &str = "512MB";

/// What DuckDB may spill to its temporary folder: a run that needs more stops with a diagnostic
/// rather than fill the disk (DuckDB's own default is 90% of the free space).
#[cfg(feature = "duckdb")]
const TEMP_LIMIT: &str = "4GiB";

/// Without DuckDB in the build, `available` has refused `--engine duckdb` before anything is read.
#[cfg(not(feature = "duckdb"))]
#[allow(clippy::too_many_arguments)]
pub(super) fn duckdb(
    _engine: &crate::Engine,
    _rest: &mut Rest,
    _paths: &[std::path::PathBuf],
    _select: &crate::data::Select,
    _threads: Option<usize>,
    _prepare: &(dyn Fn(&Finding) -> Vec<String> + Sync),
    _take: &mut dyn FnMut(Finding, Vec<String>),
) -> Outcome {
    let d = available(EngineArg::Duckdb).err();
    Outcome { diagnostics: d.into_iter().collect(), ..Outcome::default() }
}
