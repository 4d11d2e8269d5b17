//! `--output markdown`: the pull-request summary of the bundled example (reviewed snapshot), text
//! from records and policies that cannot become markup, the bound on its length whatever the run,
//! new against baselined findings, and a run that could not check anything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

const POLICY: &str = r#"
schema note {
  identified by id
  id: text
  text: text
}
code "House | rules <b>" {
  level organisational
  rule short-notes {
    title "Notes | are `short` <script>alert(1)</script>"
    severity warning
    for note
    require record.text starts with "ok"
    message "note {record.id} says: {record.text}"
  }
}
"#;

fn notes(lines: &str) -> precept::Run {
    common::engine(POLICY).check(common::records(&[("records/notes.jsonl", lines)]))
}

#[test]
fn the_bundled_example_as_a_summary() {
    let run = common::precept(&[
        "check",
        "--policies",
        "policies",
        "--roles",
        "fixtures/org",
        "--format",
        "markdown",
        "fixtures/records",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("## Precept: "), "{}", run.stdout);
    // The counts agree with the JSON report's.
    let json = common::precept(&[
        "check",
        "--policies",
        "policies",
        "--roles",
        "fixtures/org",
        "--format",
        "json",
        "fixtures/records",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let total = doc["summary"]["findings"].as_u64().unwrap();
    assert!(run.stdout.contains(&format!("| **total** | **{total}** |")), "{}", run.stdout);
    insta::assert_snapshot!("bundled_example", run.stdout);
}

#[test]
fn record_and_policy_text_cannot_become_markup() {
    let evil = concat!(
        r#"{"id": "N|1", "text": "a | b `code` <script>alert(1)</script>\n# heading\n[x](javascript:alert(1)) ![i](https://e.invalid/p.png) @team $x$"}"#,
        "\n"
    );
    let md = notes(evil).report("markdown", "").unwrap();
    // Markup survives only where no backslash escapes its first character.
    let unescaped = |bad: &str| md.match_indices(bad).any(|(i, _)| i == 0 || md.as_bytes()[i - 1] != b'\\');
    for bad in ["<script", "](javascript", "![", "\n# heading", "`code`", "<b>", "@team", "$x$", "[x]"] {
        assert!(!unescaped(bad), "`{bad}` reached the summary:\n{md}");
    }
    // Bare addresses GitHub would make links of (its autolink extension; found in review).
    let links = notes(concat!(r#"{"id": "N2", "text": "see https://evil.example/p or WWW.evil.example"}"#, "\n"));
    let linked = links.report("markdown", "").unwrap();
    assert!(linked.contains(r"see https\://evil.example/p or WWW\.evil.example"), "{linked}");
    // Each finding is one list item, and each table row keeps its six cells: no `|` from a record
    // or policy opens a cell.
    let item: Vec<&str> = md.lines().filter(|l| l.starts_with("- **warning**")).collect();
    assert_eq!(item.len(), 1, "{md}");
    assert!(item[0].contains(r"a \| b \`code\` \<script\>"), "{}", item[0]);
    let row = md.lines().find(|l| l.starts_with("| `short-notes`")).unwrap();
    assert_eq!(row.replace(r"\|", "").matches('|').count(), 7, "{row}");
    insta::assert_snapshot!("hostile", md);
    // Rendered as a CommonMark reader with GitHub's extensions does: the texts come back as they
    // were, as text, and nothing else is made of them.
    let html = render(&md);
    for bad in ["<script", "<img", "href=", "<h1", "<b>", "<code>code</code>", "<math"] {
        assert!(!html.contains(bad), "`{bad}` in the rendered summary:\n{html}");
    }
    assert!(html.contains("Notes | are `short` &lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    assert!(
        html.contains(
            "says: a | b `code` &lt;script&gt;alert(1)&lt;/script&gt;\\n# heading\\n[x](javascript:alert(1))"
        ),
        "{html}"
    );
    assert_eq!(html.matches("<h2>").count() + html.matches("<h3>").count(), 3, "{html}");
    for row in html.split("<tr>").skip(1) {
        let cells = row.matches("<td").count() + row.matches("<th").count();
        assert!(cells == 5 || cells == 6, "{cells} cells in {row}");
    }
}

/// `md` as HTML, read with tables, strikethrough, task lists and maths, as GitHub reads it.
fn render(md: &str) -> String {
    use pulldown_cmark::{Options, Parser};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM;
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(md, options));
    html
}

#[test]
fn the_summary_stays_bounded_and_says_what_it_leaves_out() {
    let long = "x".repeat(5_000);
    let lines: String = (0..20_000).map(|i| format!("{{\"id\": \"N-{i}\", \"text\": \"{long}<|>\"}}\n")).collect();
    let md = notes(&lines).report("markdown", "").unwrap();
    assert!(md.chars().count() <= precept::report::markdown::MAX_CHARS, "{} characters", md.chars().count());
    assert!(md.len() < 65_536, "{} bytes", md.len());
    let listed = md.lines().filter(|l| l.starts_with("- **warning**")).count();
    assert_eq!(listed, precept::report::markdown::MAX_LISTED);
    assert!(md.contains("19950 active findings not shown"), "{}", &md[md.len().saturating_sub(600)..]);
    assert!(md.contains("| warning | 20000 | 20000 | 0 | 0 |"), "{}", &md[..1200]);
}

#[test]
fn new_findings_are_told_from_baselined_ones() {
    // files on disk: a baseline is written by the command line and read back.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/p.precept"), POLICY.replace("severity warning", "severity error"))
        .unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/notes.jsonl"), "{\"id\": \"N-1\", \"text\": \"no\"}\n").unwrap();
    let written = common::precept_in(dir.path(), &["baseline", "--file", "b.json", "records"]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    std::fs::write(
        dir.path().join("records/notes.jsonl"),
        "{\"id\": \"N-1\", \"text\": \"no\"}\n{\"id\": \"N-2\", \"text\": \"no\"}\n",
    )
    .unwrap();
    let run = common::precept_in(
        dir.path(),
        &["check", "--baseline", "b.json", "--output", "markdown=summary.md", "records"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.starts_with("## Precept: 1 new finding fails the run\n"), "{md}");
    assert!(md.contains("| Severity | Findings | New | Baselined | Waived |"), "{md}");
    assert!(md.contains("| error | 2 | 1 | 1 | 0 |"), "{md}");
    assert!(md.contains("### First new findings"), "{md}");
    assert!(md.contains("record `N-2`") && !md.contains("record `N-1`"), "only the new one is listed:\n{md}");
}

#[test]
fn a_run_that_checks_nothing_says_why() {
    // files on disk: a broken policy stops the command line before any record is read.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/p.precept"), "code {").unwrap();
    let run = common::precept_in(dir.path(), &["check", "--output", "markdown=summary.md", "."]);
    assert_eq!(run.code, 2);
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(
        md.starts_with("## Precept: could not check the records\n\n### Problems\n\n- **error** `precept::parse::"),
        "{md}"
    );
}

#[test]
fn cannot_determine_outcomes_are_counted() {
    let engine = common::engine(
        r#"
schema ticket { identified by id  id: text  waited: duration }
code "House rules" { level organisational
  rule answered-quickly { title "Tickets are answered within an hour" for ticket
    require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
"#,
    );
    let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\nT-3,soon\n")]);
    let md = run.report("markdown", "").unwrap();
    assert!(md.starts_with("## Precept: could not check everything (1 problem)"), "{md}");
    assert!(md.contains("**1 rule outcome cannot be determined**"), "{md}");
    assert!(md.contains("- **error** `precept::input::invalid-value` at `tickets.csv:3`"), "{md}");
}

/// The FCA DISP example's code lists four clauses no rule cites: the summary says so, with the
/// same count as the JSON report's; the bundled codes, every clause cited, say nothing of clauses.
#[test]
fn clauses_with_no_rule_are_counted_when_there_are_some() {
    let args = |format: &'static str| {
        [
            "check",
            "--no-config",
            "--policies",
            "examples/fca-disp/policies",
            "--as-of",
            "2026-11-30",
            "--format",
            format,
            "examples/fca-disp/records",
        ]
    };
    let run = common::precept(&args("markdown"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains(" 4 of 12 clauses the codes list have no rule.\n"), "{}", run.stdout);
    let json = common::precept(&args("json"));
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["clauses"]["listed"], 12);
    let gaps: Vec<&str> = doc["summary"]["clauses"]["without_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["clause"].as_str().unwrap())
        .collect();
    assert_eq!(gaps, ["DISP 1.2.1R", "DISP 1.3.1R", "DISP 1.4.1R(1)", "DISP 1.10.1R"]);

    let bundled = common::precept(&["check", "--policies", "policies", "--format", "markdown", "fixtures/records"]);
    assert!(!bundled.stdout.contains("clause"), "{}", bundled.stdout);
}
