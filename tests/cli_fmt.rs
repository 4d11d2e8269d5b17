//! `precept fmt` end to end, in temporary folders: files rewritten in place (and only those that
//! change), `--check` and `--diff` changing nothing, a file that does not parse left byte for byte
//! as it was, and symbolic links never written through.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::Path;

use common::precept_in;

const UNTIDY: &str = "code \"House rules\"{level organisational\n  rule quick { for ticket   require record.waited<=1h // an hour\n  }}\n";
const TIDY: &str = "schema ticket {\n  waited: duration\n}\n";
const BROKEN: &str = "code \"c\" {\n  level industry\n  rule r { for ticket require record.waited and }\n}\n";

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn fmt_rewrites_the_files_that_change_keeping_their_permissions_and_then_has_nothing_to_do() {
    let dir = folder(&[("policies/house.precept", UNTIDY), ("policies/schema.precept", TIDY)]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o640);
        std::fs::set_permissions(dir.path().join("policies/house.precept"), perms).unwrap();
    }
    let run = precept_in(dir.path(), &["fmt"]);
    insta::assert_snapshot!(run.snapshot(), @r"
    exit: 0
    --- stdout
    reformatted policies/house.precept
    1 file reformatted, 1 file already formatted
    --- stderr
    ");
    assert_eq!(
        read(dir.path(), "policies/house.precept"),
        "code \"House rules\" {\n  level organisational\n  rule quick {\n    for ticket\n    require record.waited <= 1h // an hour\n  }\n}\n"
    );
    assert_eq!(read(dir.path(), "policies/schema.precept"), TIDY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("policies/house.precept")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // No temporary file is left beside it.
    let names: Vec<_> =
        std::fs::read_dir(dir.path().join("policies")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let again = precept_in(dir.path(), &["fmt", "policies"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, "0 files reformatted, 2 files already formatted\n"));
}

#[test]
fn check_lists_what_would_change_exits_1_and_changes_nothing() {
    let dir = folder(&[("policies/house.precept", UNTIDY), ("policies/schema.precept", TIDY)]);
    let run = precept_in(dir.path(), &["fmt", "--check", "--diff", "policies"]);
    insta::assert_snapshot!(run.snapshot());
    assert_eq!(run.code, 1);
    assert_eq!(read(dir.path(), "policies/house.precept"), UNTIDY);
    let tidy = precept_in(dir.path(), &["fmt", "--check", "policies/schema.precept"]);
    assert_eq!((tidy.code, tidy.stdout.as_str()), (0, "0 files would be reformatted, 1 file already formatted\n"));
}

#[test]
fn a_file_that_does_not_parse_is_left_as_it_was_its_diagnostics_shown_and_the_others_formatted() {
    let dir = folder(&[("policies/broken.precept", BROKEN), ("policies/house.precept", UNTIDY)]);
    let run = precept_in(dir.path(), &["fmt"]);
    insta::assert_snapshot!(run.snapshot());
    assert_eq!(run.code, 2);
    assert_eq!(read(dir.path(), "policies/broken.precept"), BROKEN);
    assert_ne!(read(dir.path(), "policies/house.precept"), UNTIDY);
    // `--check` says the same and changes nothing.
    let check = precept_in(dir.path(), &["fmt", "--check"]);
    assert_eq!(check.code, 2);
    assert!(check.stderr.contains("precept::parse::syntax"), "{}", check.stderr);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_never_written_through() {
    let dir = folder(&[("elsewhere/house.precept", UNTIDY), ("policies/schema.precept", TIDY)]);
    std::os::unix::fs::symlink(dir.path().join("elsewhere/house.precept"), dir.path().join("policies/link.precept"))
        .unwrap();
    // A folder walk skips the link, as `check` does.
    let walked = precept_in(dir.path(), &["fmt", "policies"]);
    assert_eq!(walked.code, 0, "{}", walked.snapshot());
    assert!(walked.stderr.contains("skipped symbolic link `policies/link.precept`"), "{}", walked.stderr);
    // Named, it is read (and `--check` reports it) but never rewritten.
    let check = precept_in(dir.path(), &["fmt", "--check", "policies/link.precept"]);
    assert_eq!((check.code, check.stdout.lines().next()), (1, Some("would reformat policies/link.precept")));
    let named = precept_in(dir.path(), &["fmt", "policies/link.precept"]);
    insta::assert_snapshot!(named.snapshot());
    assert_eq!(named.code, 2);
    assert!(named.stderr.contains("precept::fmt::not-written"), "{}", named.stderr);
    assert_eq!(read(dir.path(), "elsewhere/house.precept"), UNTIDY);
    assert!(std::fs::symlink_metadata(dir.path().join("policies/link.precept")).unwrap().file_type().is_symlink());
}

#[test]
fn a_path_that_does_not_exist_is_an_error() {
    let dir = folder(&[]);
    let run = precept_in(dir.path(), &["fmt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("precept::input::not-found"), "{}", run.stderr);
    assert!(run.stderr.contains("pass policy files or folders that exist"), "{}", run.stderr);
    assert!(!run.stderr.contains("--policies"), "{}", run.stderr);
}

/// A file written with a byte-order mark keeps it when it is laid out: only the layout changes.
#[test]
fn a_byte_order_mark_is_kept() {
    let dir = folder(&[("policies/house.precept", &format!("\u{feff}{UNTIDY}"))]);
    let run = precept_in(dir.path(), &["fmt"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let bytes = std::fs::read(dir.path().join("policies/house.precept")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{bytes:?}");
    assert_eq!(
        std::str::from_utf8(&bytes[3..]).unwrap(),
        "code \"House rules\" {\n  level organisational\n  rule quick {\n    for ticket\n    require record.waited <= 1h // an hour\n  }\n}\n"
    );
    let again = precept_in(dir.path(), &["fmt", "--check"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

/// A file named twice is formatted once and counted once, even though rewriting it gives it a new
/// identity before the second name is reached.
#[test]
fn a_file_named_twice_is_formatted_and_counted_once() {
    let dir = folder(&[("policies/house.precept", UNTIDY)]);
    let run = precept_in(dir.path(), &["fmt", "policies/house.precept", "policies", "policies/house.precept"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "reformatted policies/house.precept\n1 file reformatted, 0 files already formatted\n"),
        "{}",
        run.snapshot()
    );
}
