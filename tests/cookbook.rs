//! docs/cookbook.md is run, not just read: every `console` block's command is run and its output
//! compared with the page (by trycmd: `...` on a line of its own stands for any lines), and every
//! `precept`, `csv` or `json` block that names a `file=` is that file, whole (or, marked `excerpt`,
//! a run of its lines), so a recipe cannot show a policy or an export other than the one it runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

const PAGE: &str = "docs/cookbook.md";

#[test]
fn every_command_of_the_cookbook_gives_the_output_it_shows() {
    trycmd::TestCases::new()
        .register_bin("precept", trycmd::schema::Bin::Path(env!("CARGO_BIN_EXE_precept").into()))
        .env("NO_COLOR", "1")
        .case(PAGE);
}

/// A fenced block of the page: its info string and its lines.
struct Block {
    info: String,
    line: usize,
    text: String,
}

fn blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (n, line) in page.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block { info: info.trim().to_string(), line: n + 1, text: String::new() })
            }
            (Some(_), Some("")) => out.extend(open.take()),
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "{PAGE}: a fenced block is not closed");
    out
}

#[test]
fn every_file_the_cookbook_shows_is_the_file_it_runs() {
    let page = std::fs::read_to_string(common::root().join(PAGE)).unwrap();
    let mut shown = 0;
    for block in blocks(&page) {
        let mut words = block.info.split_whitespace();
        let _language = words.next();
        let mut file = None;
        let mut excerpt = false;
        for word in words {
            match word.strip_prefix("file=") {
                Some(path) => file = Some(path.to_string()),
                None if word == "excerpt" => excerpt = true,
                None => panic!("{PAGE}:{}: unknown block attribute `{word}`", block.line),
            }
        }
        let Some(file) = file else { continue };
        let on_disk = std::fs::read_to_string(common::root().join(&file))
            .unwrap_or_else(|e| panic!("{PAGE}:{}: `{file}`: {e}", block.line));
        if excerpt {
            assert!(
                on_disk
                    .lines()
                    .collect::<Vec<_>>()
                    .windows(block.text.lines().count())
                    .any(|w| w.iter().zip(block.text.lines()).all(|(a, b)| a == &b)),
                "{PAGE}:{}: the excerpt is not a run of lines of `{file}`",
                block.line
            );
        } else {
            assert_eq!(block.text, on_disk, "{PAGE}:{}: the block is not `{file}` as it is", block.line);
        }
        shown += 1;
    }
    assert!(shown >= 8, "{PAGE} shows {shown} files; every recipe shows its policy and its export");
}

#[test]
fn every_recipe_folder_is_on_the_page() {
    let page = std::fs::read_to_string(common::root().join(PAGE)).unwrap();
    for entry in std::fs::read_dir(common::root().join("examples/cookbook")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            page.contains(&format!("--policies examples/cookbook/{name}/policies")),
            "examples/cookbook/{name} is not run by {PAGE}"
        );
    }
}
