//! Reports made on worker threads: each format's text of a finding, made by its preparer on any
//! thread and added in order by `prepared`, is byte for byte what `finding` writes; and SARIF and
//! JUnit hold bounded memory however many findings a run has.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use common::root;
use precept::report::{End, Options, Style, FORMATS};
use precept::{Engine, Finding, Records, Standing};

/// The runs to compare on: the bundled example with its role files, some of its findings waived
/// (one waiver expired), some known from a baseline; the fixtures whose rules cannot be
/// determined, that find groups, and that fill in helps.
fn runs() -> Vec<(&'static str, precept::Run)> {
    let as_of = precept::Options { as_of: Some("2026-06-30".parse().unwrap()), ..precept::Options::default() };
    let bundled = || {
        Engine::from_folder(root().join("policies"))
            .unwrap()
            .with_roles_from(&[root().join("fixtures/org")])
            .with_options(as_of.clone())
    };
    let records = || [Records::paths([root().join("fixtures/records")])];
    let plain = bundled().check(records());
    assert!(plain.findings.len() > 30, "the bundled example has findings");
    // Half of the active findings known from a baseline; the first rule's findings waived, and a
    // waiver of the second that has expired.
    let active: Vec<Finding> =
        plain.findings.iter().filter(|f| f.standing == Standing::Active && f.rule.is_some()).cloned().collect();
    let known: Vec<Finding> = active.iter().step_by(2).cloned().collect();
    let first = active[0].rule_id().to_string();
    let second = active.iter().map(Finding::rule_id).find(|r| *r != first).unwrap().to_string();
    let waivers = format!(
        "[[waiver]]\nrule = \"{first}\"\njustification = \"agreed <with> \\\"legal\\\" & co\"\napprover = \"Priya Sharma\"\nexpires = 2099-12-31\n\n[[waiver]]\nrule = \"{second}\"\njustification = \"was agreed\"\napprover = \"Priya Sharma\"\nexpires = 2020-01-01\n"
    );
    let suppressed = bundled()
        .with_waivers("waivers.toml", waivers)
        .with_baseline("baseline.json", precept::suppress::baseline::write(&known))
        .check(records());
    let standings =
        |run: &precept::Run, s: fn(&Standing) -> bool| run.findings.iter().filter(|f| s(&f.standing)).count();
    assert!(standings(&suppressed, |s| matches!(s, Standing::Waived(_))) > 0);
    assert!(standings(&suppressed, |s| *s == Standing::Baselined) > 0);
    assert!(suppressed.findings.iter().any(|f| f.rule.is_none()), "an expired waiver");
    let fixture = |dir: &str, policies: &str| {
        let dir = root().join("fixtures").join(dir);
        let mut engine = Engine::from_folder(dir.join(policies)).unwrap().with_options(as_of.clone());
        if dir.join("org").exists() {
            engine = engine.with_roles_from(&[dir.join("org")]);
        }
        engine.check([Records::paths([dir.join("records")])])
    };
    let unreadable = fixture("unreadable", "policies");
    assert!(standings(&unreadable, Standing::is_undetermined) > 0);
    let groups = fixture("expected-groups", "policies");
    assert!(groups.findings.iter().any(|f| f.group.is_some()));
    vec![
        ("bundled", plain),
        ("waived and known", suppressed),
        ("cannot be determined", unreadable),
        ("groups", groups),
        ("helps", fixture("help", "help.precept")),
        ("cases", fixture("cases", "cases.precept")),
    ]
}

fn end(run: &precept::Run) -> End<'_> {
    End {
        summary: &run.summary,
        diagnostics: &run.diagnostics,
        fail_on: run.fail_on,
        timestamp: "2026-06-30T00:00:00",
        baseline: run.baseline,
    }
}

fn styles() -> [Style; 2] {
    [Style::plain(), Style { color: true, width: 100 }]
}

#[test]
fn a_findings_text_made_on_another_thread_is_what_finding_writes() {
    for (name, run) in runs() {
        for format in FORMATS {
            for style in styles() {
                let options = Options { style, to_stdout: false, baseline: run.baseline };
                let mut whole = (format.make)(&options);
                let mut split = (format.make)(&options);
                // A format with no preparer (the Markdown summary formats only its first findings,
                // in order) is given empty texts, as the command line gives it.
                let Some(preparer) = split.preparer() else {
                    assert_eq!(format.name, "markdown", "{} has a preparer", format.name);
                    let mut a = whole.start();
                    let mut b = split.start();
                    for f in &run.findings {
                        a.push_str(&whole.finding(f));
                        b.push_str(&split.prepared(f, String::new()));
                    }
                    a.push_str(&whole.finish(&end(&run)));
                    b.push_str(&split.finish(&end(&run)));
                    assert_eq!(a, b, "{name}, {}", format.name);
                    if !style.color {
                        assert_eq!(
                            run.report(format.name, "2026-06-30T00:00:00").unwrap(),
                            a,
                            "{name}, {}",
                            format.name
                        );
                    }
                    continue;
                };
                // Prepared on other threads, in reverse order, then added in order.
                let texts: Vec<String> = std::thread::scope(|s| {
                    let handles: Vec<_> = run
                        .findings
                        .iter()
                        .rev()
                        .map(|f| {
                            let preparer = &preparer;
                            s.spawn(move || preparer.prepare(f))
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap()).collect()
                });
                let (mut a, mut b) = (whole.start(), split.start());
                for (f, text) in run.findings.iter().zip(texts.into_iter().rev()) {
                    let one = whole.finding(f);
                    let other = split.prepared(f, text);
                    assert_eq!(one, other, "{name}, {}: finding {}", format.name, f.rule_id());
                    a.push_str(&one);
                    b.push_str(&other);
                }
                a.push_str(&whole.finish(&end(&run)));
                b.push_str(&split.finish(&end(&run)));
                assert_eq!(a, b, "{name}, {}", format.name);
                assert!(!a.is_empty());
                // The report of the run through the library is the same document.
                if !style.color {
                    assert_eq!(run.report(format.name, "2026-06-30T00:00:00").unwrap(), a, "{name}, {}", format.name);
                }
            }
        }
    }
}

/// A policy of one rule every record breaks, and `n` records.
fn many(n: usize) -> precept::Run {
    let engine = common::engine(
        r#"
schema ticket { identified by id  id: text  waited: duration }
code "House rules" { level organisational
  rule answered-quickly { title "Tickets are answered within an hour" for ticket
    require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" }
  rule answered-eventually { title "Tickets are answered within a day" severity warning for ticket
    require record.waited <= 24h  message "ticket {record.id} waited {record.waited}" } }
"#,
    );
    let mut csv = String::from("id,waited\n");
    for i in 0..n {
        csv.push_str(&format!("T-{i},{}h\n", if i % 2 == 0 { 3 } else { 30 }));
    }
    engine.check([Records::bytes("tickets.csv", csv)])
}

#[test]
fn sarif_streams_its_results_and_stops_at_the_cap() {
    let run = many(20_000);
    assert_eq!(run.findings.len(), 30_000);
    let options = Options { style: Style::plain(), to_stdout: false, baseline: false };
    let mut sarif = (precept::report::format("sarif").unwrap().make)(&options);
    let preparer = sarif.preparer().unwrap();
    let mut out = sarif.start();
    let mut written = 0;
    for (i, f) in run.findings.iter().enumerate() {
        let text = sarif.prepared(f, preparer.prepare(f));
        // Each result is written as it comes, none after the cap: nothing is kept to write later.
        assert_eq!(text.is_empty(), i >= precept::report::sarif::MAX_RESULTS, "finding {i}");
        written += usize::from(!text.is_empty());
        out.push_str(&text);
    }
    let tail = sarif.finish(&end(&run));
    assert!(tail.len() < 10_000, "the end holds the rules and notes, not results: {} bytes", tail.len());
    out.push_str(&tail);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let run0 = &doc["runs"][0];
    assert_eq!(run0["results"].as_array().unwrap().len(), precept::report::sarif::MAX_RESULTS);
    assert_eq!(written, precept::report::sarif::MAX_RESULTS);
    let notes = run0["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0]["message"]["text"].as_str().unwrap().starts_with("5000 findings are not in this report"));
    assert_eq!(run0["tool"]["driver"]["rules"].as_array().unwrap().len(), 2);
}

#[test]
fn junit_lists_at_most_its_cap_per_rule_and_counts_them_all() {
    let run = many(20_000);
    let max = precept::report::junit::MAX_LISTED;
    for fail_on in [precept::Severity::Error, precept::Severity::Warning] {
        let options = Options { style: Style::plain(), to_stdout: false, baseline: false };
        let mut junit = (precept::report::format("junit").unwrap().make)(&options);
        let preparer = junit.preparer().unwrap();
        for f in &run.findings {
            assert_eq!(junit.prepared(f, preparer.prepare(f)), "", "written at the end");
        }
        let doc = junit.finish(&End { fail_on, ..end(&run) });
        // 20,000 records break the first rule (error), 10,000 the second (warning).
        let listed = doc.matches("tickets.csv:").count();
        assert_eq!(listed, 2 * max, "{doc}");
        assert!(doc.len() < 100_000, "{} bytes", doc.len());
        assert!(doc.contains("<failure message=\"20000 findings\" type=\"error\">"), "{doc}");
        assert!(doc.contains(&format!("... and {} more (at most {max} are listed per rule", 20_000 - max)));
        assert!(doc.contains(&format!("... and {} more (at most {max} are listed per rule", 10_000 - max)));
        match fail_on {
            // The warnings are below the fail level: listed in the suite's output, not failing.
            precept::Severity::Error => assert!(doc.contains("failures=\"1\""), "{doc}"),
            _ => assert!(doc.contains("<failure message=\"10000 findings\" type=\"warning\">"), "{doc}"),
        }
        // The first findings are the ones listed, in the order found.
        let at = doc.find("tickets.csv:").unwrap();
        let first = doc[at..].lines().next().unwrap();
        assert!(first.contains("record T-0: "), "{first}");
    }
}
