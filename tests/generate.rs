//! `precept completions SHELL` and `precept man`: the scripts are valid for their shells and
//! complete the real subcommands; the manual pages render and name every subcommand.
//!
//! The subcommands are read from `precept --help`, not listed here, so a subcommand added later is
//! checked too. zsh, fish and PowerShell are not on every machine: their checks run where the shell
//! is installed and are skipped with a message elsewhere (CI does not install them).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::Path;
use std::process::Command;

use common::precept;

/// The visible subcommands, as `precept --help` lists them (`help` left out).
fn subcommands() -> Vec<String> {
    let run = precept(&["--help"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let list: Vec<String> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|name| name != "help")
        .collect();
    for expected in ["check", "baseline", "explain", "test", "lint", "completions", "man"] {
        assert!(list.iter().any(|n| n == expected), "`precept --help` does not list `{expected}`: {list:?}");
    }
    list
}

/// The completion script for `shell`, written to a file in `dir`.
fn script(shell: &str, dir: &Path) -> std::path::PathBuf {
    let run = precept(&["completions", shell]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("precept"), "the {shell} script never names precept");
    let path = dir.join(format!("precept.{shell}"));
    std::fs::write(&path, &run.stdout).unwrap();
    path
}

/// Whether `shell` runs here; if not, say which check is skipped.
fn shell_present(shell: &str, check: &str) -> bool {
    let found = Command::new(shell).arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipping the {check} check: `{shell}` is not installed");
    }
    found
}

#[test]
fn bash_completion_is_valid_and_completes_subcommands_options_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = script("bash", dir.path());
    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(syntax.status.success(), "bash -n: {}", String::from_utf8_lossy(&syntax.stderr));

    // Ask the completion function what it offers, as bash does at a <TAB>: after `precept `, after
    // `precept completions `, and after `precept check --fo`.
    let complete = |words: &[&str]| -> Vec<String> {
        let current = words.len() - 1;
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={current}\n_precept precept '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            path.display(),
            quoted.join(" "),
            words[current],
            words[current - 1],
        );
        let out = Command::new("bash").arg("-c").arg(program).output().unwrap();
        assert!(out.status.success(), "bash: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
    };
    let offered = complete(&["precept", ""]);
    for sub in subcommands() {
        assert!(offered.contains(&sub), "`precept <TAB>` does not offer `{sub}`: {offered:?}");
    }
    let shells = complete(&["precept", "completions", ""]);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(shells.iter().any(|s| s == shell), "`precept completions <TAB>` does not offer `{shell}`: {shells:?}");
    }
    assert_eq!(complete(&["precept", "check", "--fai"]), ["--fail-on"]);
}

#[test]
fn zsh_completion_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = script("zsh", dir.path());
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("#compdef precept"));
    if shell_present("zsh", "zsh -n") {
        let out = Command::new("zsh").arg("-n").arg(&path).output().unwrap();
        assert!(out.status.success(), "zsh -n: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn fish_completion_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = script("fish", dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("complete -c precept"), "no `complete -c precept` in the fish script");
    if shell_present("fish", "fish --no-execute") {
        let out = Command::new("fish").arg("--no-execute").arg(&path).output().unwrap();
        assert!(out.status.success(), "fish --no-execute: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn powershell_completion_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = script("powershell", dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Register-ArgumentCompleter"), "no `Register-ArgumentCompleter` in the PowerShell script");
    for sub in subcommands() {
        assert!(text.contains(&format!("'{sub}'")), "the PowerShell script does not offer `{sub}`");
    }
    if shell_present("pwsh", "PowerShell parse") {
        let parse = format!(
            "$e = $null; [System.Management.Automation.Language.Parser]::ParseFile('{}', [ref]$null, [ref]$e) | Out-Null; if ($e.Count) {{ $e; exit 1 }}",
            path.display()
        );
        let out = Command::new("pwsh").args(["-NoProfile", "-Command", &parse]).output().unwrap();
        assert!(out.status.success(), "pwsh: {}", String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn an_unknown_shell_is_bad_usage() {
    let run = precept(&["completions", "tcsh"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("tcsh") && run.stderr.contains("powershell"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

/// Render a page with `man -l` where `man` is installed: no groff warning, and the text returned.
fn render(page: &Path) -> Option<String> {
    if !shell_present("man", "man -l rendering") {
        return None;
    }
    let out = Command::new("man").args(["--warnings", "-l"]).arg(page).env("MANWIDTH", "100").output().unwrap();
    assert!(out.status.success(), "man -l {}: {}", page.display(), String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warned about {}", page.display());
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_man_page_names_every_subcommand_and_renders() {
    let run = precept(&["man"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert_eq!(run.stderr, "");
    // The header has all five fields, dated by SOURCE_DATE_EPOCH (the tests' fixed 2026-11-18).
    assert!(
        run.stdout.contains(".TH precept 1 2026-11-18 \"precept "),
        "{}",
        run.stdout.lines().find(|l| l.starts_with(".TH")).unwrap_or("no .TH line")
    );
    for sub in subcommands() {
        assert!(run.stdout.contains(&format!("precept\\-{sub}(1)")), "precept.1 does not name `{sub}`");
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("precept.1");
    std::fs::write(&page, &run.stdout).unwrap();
    if let Some(text) = render(&page) {
        assert!(text.contains("SUBCOMMANDS"), "{text}");
        for sub in subcommands() {
            assert!(text.contains(&format!("precept-{sub}(1)")), "the rendered page does not name `{sub}`:\n{text}");
        }
    }
}

#[test]
fn man_out_writes_one_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("share/man/man1");
    let run = precept(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let mut expected: Vec<String> = subcommands().iter().map(|s| format!("precept-{s}.1")).collect();
    expected.push("precept.1".to_string());
    expected.sort();
    let mut found: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    found.sort();
    assert_eq!(found, expected, "no temporary file is left, and every page is there");
    for name in &expected {
        assert!(run.stdout.contains(name.as_str()), "the run does not say it wrote {name}: {}", run.stdout);
    }
    // `precept man` alone prints the same main page.
    assert_eq!(std::fs::read_to_string(out.join("precept.1")).unwrap(), precept(&["man"]).stdout);
    let check = std::fs::read_to_string(out.join("precept-check.1")).unwrap();
    assert!(check.contains("\\-\\-fail\\-on"), "precept-check.1 lacks --fail-on");
    if let Some(text) = render(&out.join("precept-check.1")) {
        assert!(text.contains("--policies") && text.contains("--output"), "{text}");
    }
    // Run again over the same folder: the pages are replaced, not doubled.
    let again = precept(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), expected.len());
}

#[test]
fn man_out_into_a_file_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let run = precept(&["man", "--out", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::usage::output"), "{}", run.stderr);
    assert!(run.stderr.contains("cannot create folder"), "{}", run.stderr);
    assert!(run.stderr.contains("help:"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x", "the file is left as it was");
}
