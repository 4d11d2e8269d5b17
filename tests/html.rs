//! The HTML report (`--output html=PATH`): a snapshot of a small report, strings from records and
//! policies that try to break out of the page, a run with many findings staying bounded, and, with
//! the tools `.ci/run` installs, the bundled example's report in a real browser (Debian's
//! `chromium`, driven by `playwright-core`) and through the Nu HTML Checker (`vnu-jar`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The hostile-strings fixture's arguments (its own policies, waivers and records).
const HOSTILE: &[&str] = &[
    "check",
    "--no-config",
    "--policies",
    "fixtures/html/policies",
    "--waivers",
    "fixtures/html/waivers.toml",
    "fixtures/html/records",
];

/// Run `precept` from the project root with `args` and `--output html=…` into `dir`; the report.
fn html_report(dir: &Path, args: &[&str]) -> (common::Run, String) {
    let path = dir.join("report.html");
    let output = format!("html={}", path.display());
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--output", &output]);
    let run = common::precept(&all);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("no report ({e}): {}", run.snapshot()));
    (run, text)
}

/// The page between `<body>` and its script: what a reader sees, without the fixed style and
/// script (their hashes in the head are checked by the browser test).
fn body(page: &str) -> &str {
    let start = page.find("<body>").unwrap();
    let end = page.rfind("<script>").unwrap();
    &page[start..end]
}

/// Every tag of `page`, as (name, attribute names). Attribute values are escaped by the report, so
/// a value holds no `"` and no `>`: a tag ends at the first `>`, and dropping `"…"` leaves names.
fn tags(page: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("every tag ends");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let name = tag.split_whitespace().next().unwrap_or("").trim_end_matches('/').to_string();
        let mut attributes = Vec::new();
        let mut unquoted = String::new();
        for (k, part) in tag.split('"').enumerate() {
            if k % 2 == 0 {
                unquoted.push_str(part);
            }
        }
        for word in unquoted.split_whitespace().skip(1) {
            let attr = word.split('=').next().unwrap_or("").trim_end_matches('/');
            if !attr.is_empty() {
                attributes.push(attr.to_ascii_lowercase());
            }
        }
        out.push((name.to_ascii_lowercase(), attributes));
        // The style and script are the report's own: skip their text.
        for raw in ["style", "script"] {
            if out.last().is_some_and(|(n, _)| n == raw) {
                let close = rest.find(&format!("</{raw}>")).expect("closed");
                rest = &rest[close..];
            }
        }
    }
    out
}

#[test]
fn a_small_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (run, page) = html_report(tmp.path(), HOSTILE);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    insta::assert_snapshot!(body(&page));
}

#[test]
fn strings_from_records_and_policies_cannot_break_out() {
    let tmp = tempfile::tempdir().unwrap();
    // The fixture's records in a folder and file whose names are hostile too (a name cannot hold
    // `/`, so no closing tag).
    let folder = tmp.path().join("<style>x'");
    std::fs::create_dir_all(&folder).unwrap();
    let records = folder.join("<img src=x onerror=alert(10)>\"'.jsonl");
    std::fs::copy("fixtures/html/records/tickets.jsonl", &records).unwrap();
    let args = [&HOSTILE[..HOSTILE.len() - 1], &[records.to_str().unwrap()]].concat();
    let (run, page) = html_report(tmp.path(), &args);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(page.contains("&lt;style&gt;x&#39;/&lt;img src=x onerror=alert(10)&gt;&quot;&#39;.jsonl:1"));
    let allowed = [
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "/style",
        "body",
        "header",
        "h1",
        "/h1",
        "p",
        "/p",
        "/header",
        "main",
        "section",
        "/section",
        "h2",
        "/h2",
        "dl",
        "dt",
        "/dt",
        "dd",
        "/dd",
        "/dl",
        "table",
        "/table",
        "caption",
        "/caption",
        "thead",
        "/thead",
        "tbody",
        "/tbody",
        "tr",
        "/tr",
        "th",
        "/th",
        "td",
        "/td",
        "div",
        "/div",
        "figure",
        "/figure",
        "figcaption",
        "/figcaption",
        "svg",
        "/svg",
        "/title",
        "g",
        "/g",
        "text",
        "/text",
        "rect",
        "code",
        "/code",
        "em",
        "/em",
        "span",
        "/span",
        "form",
        "/form",
        "label",
        "/label",
        "select",
        "/select",
        "option",
        "/option",
        "button",
        "/button",
        "output",
        "/output",
        "details",
        "/details",
        "summary",
        "/summary",
        "pre",
        "/pre",
        "mark",
        "/mark",
        "ul",
        "/ul",
        "li",
        "/li",
        "/main",
        "script",
        "/script",
        "/body",
        "/html",
        "/head",
    ];
    let all = tags(&page);
    for (name, attributes) in &all {
        assert!(allowed.contains(&name.as_str()), "a tag the report never writes: <{name}>");
        for a in attributes {
            assert!(!a.starts_with("on"), "an event handler attribute `{a}` on <{name}>");
            assert!(a != "src" && a != "href", "a reference `{a}` on <{name}>");
        }
    }
    assert_eq!(all.iter().filter(|(n, _)| n == "script").count(), 1, "only the report's own script");
    assert_eq!(all.iter().filter(|(n, _)| n == "style").count(), 1, "only the report's own style");
    assert_eq!(page.matches("</script>").count(), 1);
    assert_eq!(page.matches("</style>").count(), 1);
    assert!(!page.contains("<!-- comment"));
    // The hostile strings are there, escaped: in a message, a record id, a team, a title, a
    // waiver's approver, a relaxation, a code's version and a policy test's name.
    for shown in [
        "&lt;/script&gt;&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;",
        "T-2 &lt;img src=x onerror=alert(8)&gt;",
        "&lt;/style&gt;&lt;b&gt;team&lt;/b&gt;",
        "Every ticket has a note &quot; onmouseover=&quot;alert(4)",
        "Head of &lt;i&gt;Compliance&lt;/i&gt; &quot; onclick=&quot;alert(7)",
        "the night shift is one person &lt;/style&gt;&lt;style&gt;body{display:none}&lt;/style&gt;",
        "1&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
        "a ticket with no note &lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;",
        "s.2 &amp; &lt;s.3&gt;",
        "Answer &lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(11)&lt;/script&gt;",
        "s.9 &lt;b&gt;escalate&lt;/b&gt; <span class=\"clause-title\">Escalate &quot; onclick=&quot;alert(12)</span>",
    ] {
        assert!(page.contains(shown), "missing, escaped: {shown}");
    }
}

#[test]
fn the_hostile_fixture_declares_its_findings() {
    let run = common::precept(&[HOSTILE, &["--format", "json"]].concat());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["record"].as_str().unwrap().to_string(), f["rule"].as_str().unwrap().to_string()))
        .collect();
    found.sort();
    let mut declared = Vec::new();
    for line in std::fs::read_to_string("fixtures/html/records/tickets.jsonl").unwrap().lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        for rule in record["expect"].as_array().unwrap() {
            declared.push((record["id"].as_str().unwrap().to_string(), rule.as_str().unwrap().to_string()));
        }
    }
    declared.sort();
    assert_eq!(found, declared);
}

/// A policy whose one rule every record breaks, and `n` records (a team each of 40, a month each
/// of 12), in `dir`.
fn many(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir.join("records")).unwrap();
    std::fs::write(
        dir.join("house.precept"),
        "schema ticket {\n  identified by id\n  dated by opened\n  team by team\n  id: text\n  team: text\n  opened: date\n  waited: duration\n}\n\ncode \"House rules\" {\n  level organisational\n\n  rule answered-quickly {\n    title \"Tickets are answered within an hour\"\n    cite \"s.1\"\n    for ticket\n    require record.waited <= 1h\n    message \"ticket {record.id} waited {record.waited}\"\n  }\n}\n",
    )
    .unwrap();
    let mut csv = String::from("id,team,opened,waited\n");
    for i in 0..n {
        csv.push_str(&format!("T-{i},team {},2026-{:02}-01,2h\n", i % 40, 1 + i % 12));
    }
    std::fs::write(dir.join("records/tickets.csv"), csv).unwrap();
}

#[test]
fn many_findings_keep_the_report_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sizes = Vec::new();
    // Folders of one name length, so the rows' places are the same length too.
    for (name, n) in [("some", 1_500), ("many", 12_000)] {
        let dir = tmp.path().join(name);
        many(&dir, n);
        let policies = dir.join("house.precept");
        let records = dir.join("records");
        let (run, page) = html_report(
            &dir,
            &["check", "--no-config", "--policies", policies.to_str().unwrap(), records.to_str().unwrap()],
        );
        assert_eq!(run.code, 1, "{}", run.snapshot());
        assert_eq!(page.matches("<tr data-level=").count(), 1_000, "the table is capped");
        let grouped = |k: usize| if k >= 1000 { format!("{}\u{202F}{:03}", k / 1000, k % 1000) } else { k.to_string() };
        let note = format!(
            "The first 1\u{202F}000 of {} findings and cannot-determine outcomes are listed; {} are not listed",
            grouped(n),
            grouped(n - 1000)
        );
        assert!(page.contains(&note), "no note saying how many are not listed:\n{note}");
        // Every finding is counted in the charts: one rule, every team, every month.
        assert!(
            page.contains(&format!("<title>answered-quickly: {} active, 0 waived or baselined</title>", grouped(n)))
        );
        assert!(page.contains("<title>2026-12: ") && page.contains("<title>team 0: "));
        assert!(page.contains("<title>25 others: "), "40 teams, 15 drawn");
        sizes.push(page.len());
    }
    // Eight times the findings, the same page but for the counts.
    assert!(sizes[1].abs_diff(sizes[0]) < 2_000, "{sizes:?}");
    assert!(sizes[1] < 2_000_000, "{sizes:?}");
}

/// The npm tools of tests/browser/package.json, installed (once per lock file) under cargo's
/// temporary folder for tests, never in the repository; `None` (after saying why) when npm is
/// missing and this is not CI.
fn tools() -> Option<PathBuf> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    if !common::have_tool("npm", "apt-get install npm") {
        return None;
    }
    let _one_at_a_time = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report-tools");
    let lock = std::fs::read(common::root().join("tests/browser/package-lock.json")).unwrap();
    let installed = std::fs::read(dir.join("package-lock.json")).ok();
    if installed.as_ref() != Some(&lock) || !dir.join("node_modules/playwright-core").is_dir() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(common::root().join("tests/browser/package.json"), dir.join("package.json")).unwrap();
        std::fs::write(dir.join("package-lock.json"), &lock).unwrap();
        let out = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("npm runs");
        assert!(out.status.success(), "npm ci failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Some(dir)
}

#[test]
fn the_bundled_example_in_a_browser() {
    if !common::have_tool("chromium", "apt-get install chromium")
        || !common::have_tool("node", "apt-get install nodejs")
    {
        return;
    }
    let Some(tools) = tools() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (run, _) = html_report(tmp.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    // The screenshot is kept for review, in cargo's temporary folder (ignored by git).
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report-screenshot.png");
    let out = Command::new("node")
        .arg(common::root().join("tests/browser/check-report.cjs"))
        .arg(tmp.path().join("report.html"))
        .arg(&shot)
        .env("NODE_PATH", tools.join("node_modules"))
        .output()
        .expect("node runs");
    assert!(out.status.success(), "the browser check failed: {}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    eprintln!("screenshot of the bundled example's HTML report: {}", shot.display());
    assert_eq!(seen["console"], serde_json::json!([]), "console errors");
    assert_eq!(seen["pageErrors"], serde_json::json!([]), "script errors");
    assert_eq!(seen["requests"], serde_json::json!([]), "network requests");
    assert_eq!(seen["filtersShown"], true, "the script runs (its hash is in the page's policy)");
    let rows = seen["rows"].as_u64().unwrap();
    assert!(rows > 10, "{seen}");
    assert_eq!(seen["visibleBefore"].as_u64(), Some(rows));
    assert_eq!(seen["visibleAfterReset"].as_u64(), Some(rows));
    // Filtering by rule shows each rule's rows only: fewer than all, and all of them in sum.
    let by_rule = seen["byRule"].as_object().unwrap();
    assert!(by_rule.len() > 1 && by_rule.values().all(|n| n.as_u64().unwrap() < rows), "{seen}");
    assert_eq!(by_rule.values().map(|n| n.as_u64().unwrap()).sum::<u64>(), rows);
    assert_eq!(seen["shownText"], format!("{rows} of {rows} listed findings shown"));
    assert_eq!(seen["sortedByRule"], true);
    // By rank, not by name (alphabetically, info would come between error and warning).
    let rank = |v: &serde_json::Value| ["error", "warning", "info"].iter().position(|s| v == s).unwrap();
    let ranks: Vec<usize> = seen["bySeverity"].as_array().unwrap().iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{seen}");
    assert!(ranks.contains(&0) && ranks.contains(&2), "the example has errors and infos: {seen}");
    let back: Vec<usize> = seen["bySeverityDescending"].as_array().unwrap().iter().map(rank).collect();
    assert!(back.windows(2).all(|w| w[0] >= w[1]), "{seen}");
    assert!(shot.is_file());
}

#[test]
fn the_reports_are_valid_html() {
    if !common::have_tool("java", "apt-get install default-jre-headless") {
        return;
    }
    let Some(tools) = tools() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    // The FCA DISP example's code lists clauses no rule cites: its matrix has gap rows.
    let disp = [
        "check",
        "--no-config",
        "--policies",
        "examples/fca-disp/policies",
        "--as-of",
        "2026-11-30",
        "examples/fca-disp/records",
    ];
    for (name, args) in [("bundled", &["check"][..]), ("hostile", HOSTILE), ("disp", &disp[..])] {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        html_report(&dir, args);
        files.push(dir.join("report.html"));
    }
    let out = Command::new("java")
        .arg("-jar")
        .arg(tools.join("node_modules/vnu-jar/build/dist/vnu.jar"))
        .args(["--format", "json", "--exit-zero-always"])
        .args(&files)
        .output()
        .expect("java runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|_| panic!("vnu's JSON: {}", String::from_utf8_lossy(&out.stderr)));
    let problems: Vec<&serde_json::Value> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        // The checker does not compute hashes, so it takes the page's hashed style and script for
        // ones its policy blocks; the browser test shows they run.
        .filter(|m| {
            !m["message"]
                .as_str()
                .is_some_and(|t| t.contains("violates Content Security Policy") && t.contains("nonce/hash"))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn redacted_fields_stay_redacted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::create_dir_all(dir.join("records")).unwrap();
    std::fs::copy("fixtures/html/policies/hostile.precept", dir.join("policies/hostile.precept")).unwrap();
    std::fs::copy("fixtures/html/records/tickets.jsonl", dir.join("records/tickets.jsonl")).unwrap();
    // The staff, team and date fields a report would chart, and a value the messages show.
    std::fs::write(
        dir.join("precept.toml"),
        "policies = [\"policies\"]\nrecords = [\"records\"]\nredact = [\"handled_by\", \"team\", \"opened_at\", \"note\", \"id\"]\n",
    )
    .unwrap();
    let out = dir.join("report.html");
    let run = common::precept_in(dir, &["check", "--output", &format!("html={}", out.display())]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let page = std::fs::read_to_string(&out).unwrap();
    // What this report adds to a finding (charts, filters, table cells, messages), without the
    // record excerpts: those are the findings' own text, redacted by the check as for the human
    // report (which shows the same excerpts).
    let mut outside_excerpts = String::new();
    for (k, part) in page.split("<pre>").enumerate() {
        outside_excerpts.push_str(if k == 0 { part } else { part.split_once("</pre>").map_or("", |(_, rest)| rest) });
    }
    for raw in ["amara", "Returns", "onfocus", "2026-03", "2026-04", "alert(&#39;note&#39;)", "T-1", "T-3"] {
        assert!(!outside_excerpts.contains(raw), "`{raw}` is in the report");
    }
    let hashed = |v: &str| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(v.as_bytes());
        format!("redacted:{}", digest.iter().take(4).map(|b| format!("{b:02x}")).collect::<String>())
    };
    assert!(page.contains(&format!("data-team=\"{}\"", hashed("Returns"))));
    assert!(page.contains(&format!("<td>{}</td>", hashed("amara"))));
    assert!(page.contains("No finding is dated"));
}

/// The page's waivers section.
fn waivers_section(page: &str) -> &str {
    let start = page.find("<section id=\"waivers\">").expect("a waivers section");
    let end = page[start..].find("</section>").expect("closed") + start;
    &page[start..end]
}

/// A project of the hostile fixture's policies and records with `waivers` and `config`.
fn waivers_project(waivers: &str, config: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::create_dir_all(dir.join("records")).unwrap();
    std::fs::copy("fixtures/html/policies/hostile.precept", dir.join("policies/hostile.precept")).unwrap();
    std::fs::copy("fixtures/html/records/tickets.jsonl", dir.join("records/tickets.jsonl")).unwrap();
    std::fs::write(dir.join("waivers.toml"), waivers).unwrap();
    std::fs::write(
        dir.join("precept.toml"),
        format!("policies = [\"policies\"]\nrecords = [\"records\"]\nwaivers = \"waivers.toml\"\n{config}"),
    )
    .unwrap();
    tmp
}

/// The report of the project in `dir`.
fn project_report(dir: &Path) -> String {
    let out = dir.join("report.html");
    let run = common::precept_in(dir, &["check", "--output", &format!("html={}", out.display())]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    std::fs::read_to_string(&out).unwrap()
}

/// "The waivers in force": every waiver given, not only those that covered a finding, each with
/// what it covers, approver, expiry, reason and how many findings it covered; an unused one and an
/// expired one marked.
#[test]
fn every_waiver_given_is_listed() {
    let waivers = "[[waiver]]\nrule = \"noted\"\nrecord = \"T-3\"\njustification = \"OPS-1\"\napprover = \"Ann\"\nexpires = 2099-12-31\n\n\
                   [[waiver]]\nrule = \"answered-quickly\"\nteam = \"Nobody\"\nfiles = \"legacy/**\"\njustification = \"OPS-2 </td><script>alert(11)</script>\"\napprover = \"Bob\"\nexpires = 2099-12-31\n\n\
                   [[waiver]]\nrule = \"noted\"\nstaff = \"\\\" onfocus=\\\"alert(9)\"\njustification = \"OPS-3\"\napprover = \"Cy\"\nexpires = 2020-01-31\n";
    let project = waivers_project(waivers, "");
    let page = project_report(project.path());
    let section = waivers_section(&page);
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("<tr")).collect();
    assert_eq!(
        rows,
        [
            "<tr><td>noted</td><td>record T-3</td><td>Ann</td><td>2099-12-31</td><td>OPS-1</td><td>waivers.toml:1</td><td class=\"num\">1</td></tr>",
            "<tr><td>answered-quickly</td><td>team Nobody, files legacy/**</td><td>Bob</td><td>2099-12-31</td><td>OPS-2 &lt;/td&gt;&lt;script&gt;alert(11)&lt;/script&gt;</td><td>waivers.toml:8</td><td class=\"num\">0 <strong>unused</strong></td></tr>",
            "<tr class=\"expired\"><td>noted</td><td>staff &quot; onfocus=&quot;alert(9)</td><td>Cy</td><td>2020-01-31 <strong>expired</strong></td><td>OPS-3</td><td>waivers.toml:16</td><td class=\"num\">1 (would cover; waives nothing)</td></tr>",
        ],
        "{section}"
    );
    assert!(
        section.contains("3 waivers given: 2 in force, 1 of them unused (covering no finding in this run); 1 expired"),
        "{section}"
    );
}

#[test]
fn waivers_past_the_cap_are_counted() {
    let mut waivers = String::new();
    for i in 0..620 {
        waivers.push_str(&format!(
            "[[waiver]]\nrule = \"noted\"\nrecord = \"X-{i}\"\njustification = \"j\"\napprover = \"a\"\nexpires = 2099-12-31\n"
        ));
    }
    let project = waivers_project(&waivers, "");
    let section = waivers_section(&project_report(project.path())).to_string();
    assert_eq!(section.matches("<tr><td>noted</td>").count(), 500, "the list is capped");
    assert!(section.contains("The first 500 of 620 waivers are listed; 120 are not listed"), "{section}");
    assert!(section.contains("620 waivers given: 620 in force, 620 of them unused"), "{section}");
}

/// A group rule's findings are named by their key, hashed when a part of it is redacted: a
/// waiver naming such a group (or its team) shows the hash, not the value it was written with.
#[test]
fn waivers_of_redacted_group_keys_show_hashes() {
    let waivers = "[[waiver]]\nrule = \"busy-teams\"\nrecord = \"team Returns\"\nteam = \"Returns\"\njustification = \"j\"\napprover = \"a\"\nexpires = 2099-12-31\n";
    let project = waivers_project(waivers, "redact = [\"team\"]\n");
    std::fs::write(
        project.path().join("policies/groups.precept"),
        "code \"Groups\" {\n  level organisational\n  rule busy-teams {\n    for ticket\n    group by record.team\n    require count() <= 0\n    message \"team {group.team} is busy\"\n  }\n}\n",
    )
    .unwrap();
    let page = project_report(project.path());
    let section = waivers_section(&page);
    assert!(!section.contains("Returns"), "the redacted team is in the waivers section:\n{section}");
    assert!(section.contains("<td>busy-teams</td><td>record redacted:"), "{section}");
}

#[test]
fn waivers_of_redacted_fields_show_hashes() {
    let hashed = |v: &str| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(v.as_bytes());
        format!("redacted:{}", digest.iter().take(4).map(|b| format!("{b:02x}")).collect::<String>())
    };
    // A redacted record id is matched by its hash, as findings show it.
    let waivers = format!(
        "[[waiver]]\nrule = \"noted\"\nrecord = \"{}\"\njustification = \"j\"\napprover = \"a\"\nexpires = 2099-12-31\n\n\
         [[waiver]]\nrule = \"noted\"\nrecord = \"T-1\"\nteam = \"Returns\"\nstaff = \"amara\"\njustification = \"j\"\napprover = \"a\"\nexpires = 2099-12-31\n",
        hashed("T-3")
    );
    let project = waivers_project(&waivers, "redact = [\"handled_by\", \"team\", \"id\"]\n");
    let page = project_report(project.path());
    let section = waivers_section(&page);
    for raw in ["Returns", "amara", "T-1", "T-3"] {
        assert!(!section.contains(raw), "`{raw}` is in the waivers section:\n{section}");
    }
    let first = format!("<td>record {}</td>", hashed("T-3"));
    assert!(
        section.contains(&format!(
            "{first}<td>a</td><td>2099-12-31</td><td>j</td><td>waivers.toml:1</td><td class=\"num\">1</td>"
        )),
        "{section}"
    );
    let second = format!("<td>record {}, staff {}, team {}</td>", hashed("T-1"), hashed("amara"), hashed("Returns"));
    assert!(section.contains(&second), "{section}");
}

/// The policies of the clause-gap test: a sector code listing three clauses, a house code
/// extending it; `cites` is what the house rule cites.
fn clause_policies(cites: &str) -> String {
    format!(
        r#"schema ticket {{
  identified by id
  id: text
  waited: duration
}}

code "Sector code" {{
  level industry
  clause "DISP 1.6.2R" "Acknowledge a complaint promptly"
  clause "DISP 1.6.4R" "Final response within eight weeks"
  clause "DISP 1.6.5R"
  rule answered-quickly {{
    cite "DISP 1.6.2R"
    for ticket
    require record.waited <= 1h
    message "ticket {{record.id}} waited {{record.waited}}"
  }}
}}

code "House rules" {{
  level organisational
  extends "Sector code"
  clause "H 1" "Answer the same day"
  rule answered-same-day {{
    cite "{cites}"
    for ticket
    require record.waited <= 8h
    message "ticket {{record.id}} waited {{record.waited}}"
  }}
}}
"#
    )
}

/// The matrix's rows, each as the text of its cells (tags dropped), with `gap` in front of a gap row.
fn matrix_rows(page: &str) -> Vec<String> {
    let start = page.find("<table id=\"matrix\">").expect("a matrix");
    let table = &page[start..start + page[start..].find("</table>").unwrap()];
    table
        .split("<tr")
        .skip(2)
        .map(|row| {
            let mut text = String::new();
            let mut in_tag = true;
            for c in row.chars() {
                match c {
                    '<' => {
                        in_tag = true;
                        text.push('|');
                    }
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let cells: Vec<&str> = text.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
            let gap = if row.starts_with(" class=\"gap\"") { "gap: " } else { "" };
            format!("{gap}{}", cells.join(" | "))
        })
        .collect()
}

/// A clause a code lists and no rule cites is a gap row, in the code's order and counted; once a
/// rule (here an extending code's) cites it, the row shows the rule and the gap is gone.
#[test]
fn a_listed_clause_no_rule_cites_is_a_gap_until_a_rule_cites_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("policies")).unwrap();
    std::fs::write(tmp.path().join("tickets.csv"), "id,waited\nT-1,2h\nT-2,10h\n").unwrap();
    let report = |cites: &str| {
        std::fs::write(tmp.path().join("policies/house.precept"), clause_policies(cites)).unwrap();
        let run = common::precept_in(
            tmp.path(),
            &["check", "--no-config", "--policies", "policies", "tickets.csv", "--output", "html=report.html"],
        );
        assert_eq!(run.code, 1, "{}", run.snapshot());
        std::fs::read_to_string(tmp.path().join("report.html")).unwrap()
    };

    let page = report("H 1");
    assert_eq!(
        matrix_rows(&page),
        [
            "Sector code | DISP 1.6.2R | Acknowledge a complaint promptly | answered-quickly | 2 | 0 | 0 | 0 | 0 | none",
            "gap: Sector code | DISP 1.6.4R | Final response within eight weeks | no rule cites this clause",
            "gap: Sector code | DISP 1.6.5R | no rule cites this clause",
            "House rules | H 1 | Answer the same day | answered-same-day | 1 | 0 | 0 | 0 | 0 | none",
        ]
    );
    assert!(page.contains("<p id=\"clause-gaps\" class=\"gaps\">2 of 4 clauses the codes list have no rule.</p>"));
    assert!(page.contains("<dt>Clauses listed</dt><dd>4 (2 with no rule)</dd>"));

    // The house rule now cites a clause of the code it extends: it traces there, and that gap goes.
    let page = report("DISP 1.6.4R");
    let rows = matrix_rows(&page);
    assert_eq!(
        rows[1],
        "Sector code | DISP 1.6.4R | Final response within eight weeks | answered-same-day | (of House rules) | 1 | 0 | 0 | 0 | 0 | none"
    );
    assert_eq!(rows.iter().filter(|r| r.starts_with("gap: ")).count(), 2, "{rows:#?}");
    assert!(rows.contains(&"gap: House rules | H 1 | Answer the same day | no rule cites this clause".to_string()));
    assert!(page.contains("2 of 4 clauses the codes list have no rule."));

    // Every clause cited: no gap row, and the count says so.
    let all = clause_policies("DISP 1.6.4R").replace(
        "  rule answered-same-day {",
        "  rule answered-today {\n    cite \"H 1\"\n    for ticket\n    require record.waited <= 9h\n    message \"late\"\n  }\n  rule answered-on-time {\n    cite \"DISP 1.6.5R\"\n    for ticket\n    require record.waited <= 9h\n    message \"late\"\n  }\n  rule answered-same-day {",
    );
    std::fs::write(tmp.path().join("policies/house.precept"), all).unwrap();
    let run = common::precept_in(
        tmp.path(),
        &["check", "--no-config", "--policies", "policies", "tickets.csv", "--output", "html=report.html"],
    );
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let page = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(matrix_rows(&page).iter().all(|r| !r.starts_with("gap: ")), "{:#?}", matrix_rows(&page));
    assert!(page.contains("<p id=\"clause-gaps\" class=\"no-gaps\">0 of 4 clauses the codes list have no rule.</p>"));

    // An override citing its own code's clause implements the clause of the rule it replaces on
    // every day too: that clause is no gap, and its row names the override.
    let overridden = clause_policies("H 1")
        .replace("rule answered-same-day {", "rule answered-quickly {")
        .replace("record.waited <= 8h", "record.waited <= 30m");
    std::fs::write(tmp.path().join("policies/house.precept"), overridden).unwrap();
    let run = common::precept_in(
        tmp.path(),
        &["check", "--no-config", "--policies", "policies", "tickets.csv", "--output", "html=report.html"],
    );
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let page = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert_eq!(
        matrix_rows(&page)[0],
        "Sector code | DISP 1.6.2R | Acknowledge a complaint promptly | answered-quickly | (of House rules, in place of this code's rule) | 2 | 0 | 0 | 0 | 0 | none"
    );
    assert!(page.contains("2 of 4 clauses the codes list have no rule."));
}
