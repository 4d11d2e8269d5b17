//! A rule can count in a calendar of its own, beside its code's default (issue 13, item 3): a
//! national code over England's holidays with one rule over Scotland's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use precept::{Engine, Records};

const POLICY: &str = r#"
calendar england {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
  holidays 2024-12-25, 2024-12-26, 2025-01-01
}
calendar scotland {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
  holidays 2024-12-25, 2024-12-26, 2025-01-01, 2025-01-02
}
schema complaint { identified by id  id: text  opened_at: datetime  acknowledged_at: datetime }
code "National code" {
  level industry
  calendar england
  rule acknowledged-national {
    title "Acknowledged by the next business day (England)"
    for complaint
    require record.acknowledged_at <= record.opened_at + 1 business days
    message "{record.id} acknowledged {record.acknowledged_at}"
  }
  rule acknowledged-scotland {
    title "Acknowledged by the next business day (Scotland)"
    calendar scotland
    for complaint
    require record.acknowledged_at <= record.opened_at + 1 business days
    message "{record.id} acknowledged {record.acknowledged_at}"
  }
}
"#;

fn broken(records: &str) -> Vec<(String, String)> {
    let engine = Engine::from_sources([("p.precept", POLICY)]).expect("the policy compiles");
    let run = engine.check([Records::bytes("c.csv", records)]);
    assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
    run.findings.iter().map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default())).collect()
}

#[test]
fn each_rule_counts_in_its_own_calendar() {
    // Opened Tuesday 31 December before the cut-off. The next business day is Thursday 2 January
    // in England (1 January a holiday) and Friday 3 January in Scotland (2 January one too).
    let csv = "id,opened_at,acknowledged_at\n\
               C-1,2024-12-31T10:00:00Z,2025-01-02T16:00:00Z\n\
               C-2,2024-12-31T10:00:00Z,2025-01-03T10:00:00Z\n\
               C-3,2024-12-31T10:00:00Z,2025-01-03T17:30:00Z\n";
    assert_eq!(
        broken(csv),
        [
            ("acknowledged-national".to_string(), "C-2".to_string()),
            ("acknowledged-national".to_string(), "C-3".to_string()),
            ("acknowledged-scotland".to_string(), "C-3".to_string()),
        ]
    );
}

#[test]
fn a_rule_naming_an_unknown_calendar_or_two_is_refused() {
    let unknown = POLICY.replace("    calendar scotland\n", "    calendar scotlnd\n");
    let problems = Engine::from_sources([("p.precept", unknown.as_str())]).unwrap_err();
    let d = problems.iter().find(|d| d.code == "precept::type::unknown-calendar").expect("unknown calendar");
    assert_eq!(d.message, "unknown calendar `scotlnd`");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("scotland")), "{:?}", d.help);
    let twice = POLICY.replace("    calendar scotland\n", "    calendar scotland\n    calendar england\n");
    let problems = Engine::from_sources([("p.precept", twice.as_str())]).unwrap_err();
    assert!(problems.iter().any(|d| d.message.contains("calendar")), "{problems:?}");
}
