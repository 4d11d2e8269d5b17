//! Precept's own TOML files (settings, waivers, role and staff files) with every kind of problem:
//! each problem is reported at its place, all of them at once, never a panic. Reviewed snapshots of
//! what the command line prints, one per kind of file, so that a change in how these files are read
//! cannot change a message, a span or a help text unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::fmt::Write as _;

/// Run each case in its own temporary folder and gather what the command line printed.
fn gather(cases: &[(&str, &str)], mut run: impl FnMut(&std::path::Path, &str) -> common::Run) -> String {
    let mut out = String::new();
    for (name, text) in cases {
        // files on disk: the command line reads settings, waivers and role files by path, and this
        // snapshots what it prints for each broken file.
        let dir = tempfile::tempdir().unwrap();
        let got = run(dir.path(), text);
        assert!(!got.stderr.contains("panicked"), "{name}: {}", got.stderr);
        write!(
            out,
            "=== {name}\n{text}\n--- exit {}\n--- stdout\n{}--- stderr\n{}\n",
            got.code, got.stdout, got.stderr
        )
        .unwrap();
    }
    out
}

const SETTINGS: &[(&str, &str)] = &[
    ("empty", ""),
    ("syntax", "policies = [\n"),
    ("duplicate key", "fail_on = \"error\"\nfail_on = \"info\"\n"),
    ("duplicate table", "[limits]\nrole = \"1MiB\"\n[limits]\npolicy = \"1MiB\"\n"),
    ("unknown keys", "polices = [\"p\"]\nzzz = 1\n[limts]\nrole = \"1MiB\"\n"),
    ("quoted unicode key", "\"políticas\" = [\"p\"]\n"),
    (
        "every value of the wrong type",
        "policies = 5\nroles = [\"a\", 1]\nrecords = {}\ninclude = true\nexclude = [[\"x\"]]\nredact = 1.5\noutputs = 7\nwaivers = [\"w\"]\nbaseline = 3\nas_of = 2026-06-30\nfail_on = \"sometimes\"\ncalendars = \"uk\"\nlimits = [1]\n",
    ),
    ("fail_on not text", "fail_on = 1\n"),
    ("fail_on a table", "[fail_on]\nlevel = \"error\"\n"),
    ("bad values in lists", "outputs = [\"human\", \"sarif=\", \"nope\"]\ninclude = [\"[\", \"*.jsonl\"]\nexclude = \"{\"\n"),
    ("calendars", "[calendars]\nuk = 5\nus = \"us.toml\"\nfr = { file = \"x\" }\nde = 2026-01-01\n"),
    (
        "limits",
        "[limits]\nrecord-lin = \"1MiB\"\nrole = \"lots\"\npolicy = -1\nwaivers = 1.5\nbaseline = 99999999999999999999999999999999999999999\nsettings = 2026-01-01\ncalendar = \"2MiB\"\nrecord-file = 1000\nrecord-line = { size = 1 }\nzz = 5\n",
    ),
    ("inline tables", "limits = { role = \"x\", rol = \"1MiB\" }\ncalendars = { uk = 1 }\n"),
    ("dotted keys", "limits.role = \"x\"\ncalendars.uk.file = \"y\"\n"),
];

#[test]
fn settings_files_report_every_problem_at_its_place() {
    let out = gather(SETTINGS, |dir, text| {
        std::fs::write(dir.join("precept.toml"), text).unwrap();
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        std::fs::write(dir.join("policies/p.precept"), POLICY).unwrap();
        std::fs::create_dir_all(dir.join("records")).unwrap();
        std::fs::write(dir.join("records/t.jsonl"), TICKET).unwrap();
        common::precept_in(dir, &["check", "--config", "precept.toml", "--policies", "policies", "records"])
    });
    insta::assert_snapshot!("settings", out);
}

const POLICY: &str = r#"
schema ticket {
  identified by id
  staff by agent
  team by team
  id: text
  agent: text
  team: text
  waited: duration
}
code "House rules" {
  level organisational
  rule answered-quickly {
    for ticket
    require record.waited <= 5m
    message "ticket {record.id} waited {record.waited}"
  }
}
code "Pledge" {
  level ethical
  not waivable
  rule never-an-hour {
    severity warning
    for ticket
    require record.waited < 60m
    message "ticket {record.id} waited an hour or more"
  }
}
"#;

const TICKET: &str = "{\"id\": \"T-1\", \"agent\": \"a\", \"team\": \"b\", \"waited\": \"10m\"}\n";

const GOOD: &str = "rule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31\n";

const WAIVERS: &[(&str, &str)] = &[
    ("empty", ""),
    ("comments only", "# no waivers yet\n"),
    ("syntax", "[[waiver]\nrule = \"x\"\n"),
    ("duplicate key", "[[waiver]]\nrule = \"answered-quickly\"\nrule = \"answered-quickly\"\n"),
    ("unknown tables", "title = \"waivers\"\n[waivers]\nx = 1\n[[waiver]]\nrule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31\n"),
    ("waiver not an array", "waiver = 5\n"),
    ("waiver an inline table", "waiver = { rule = \"answered-quickly\" }\n"),
    ("waiver a table", "[waiver]\nrule = \"answered-quickly\"\n"),
    ("entries not tables", "waiver = [1, \"x\", [2]]\n"),
    (
        "every problem in one waiver",
        "[[waiver]]\nreason = \"typo\"\nexpiry = 1\nrule = 5\nrecord = \"\"\nstaff = 1\nteam = []\nfiles = \"[\"\napprover = \" \"\nexpires = \"2026-12-31\"\n",
    ),
    ("nothing in a waiver", "[[waiver]]\n"),
    (
        "expires not a date",
        "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31T10:00:00\n\n[[waiver]]\nrule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 10:00:00\n\n[[waiver]]\nrule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31T10:00:00Z\n\n[[waiver]]\nrule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = { day = 1 }\n",
    ),
    ("unknown rule and key", "[[waiver]]\nrule = \"answred-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31\nreason = \"x\"\n"),
    ("not waivable", "[[waiver]]\nrule = \"never-an-hour\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31\nrecord = \"T-1\"\n"),
    ("bad files glob alone", "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31\nfiles = \"{a\"\n"),
    (
        "inline entries",
        "waiver = [{ rule = \"answered-quickly\", justification = \"x\", approver = \"P\", expires = 2026-12-31, extra = 1 }, { rule = 1 }]\n",
    ),
    ("a nested table", "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"x\"\napprover = \"P\"\nexpires = 2026-12-31\n[waiver.files]\nx = 1\n"),
];

#[test]
fn waivers_files_report_every_problem_at_its_place() {
    let mut cases: Vec<(&str, String)> = WAIVERS.iter().map(|(n, t)| (*n, t.to_string())).collect();
    cases
        .push(("good and bad waivers", format!("[[waiver]]\n{GOOD}record = \"T-1\"\n\n[[waiver]]\n{GOOD}staff = 5\n")));
    let cases: Vec<(&str, &str)> = cases.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let out = gather(&cases, |dir, text| {
        std::fs::write(dir.join("waivers.toml"), text).unwrap();
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        std::fs::write(dir.join("policies/p.precept"), POLICY).unwrap();
        std::fs::create_dir_all(dir.join("records")).unwrap();
        std::fs::write(dir.join("records/t.jsonl"), TICKET).unwrap();
        common::precept_in(
            dir,
            &[
                "check",
                "--no-config",
                "--as-of",
                "2026-06-01",
                "--waivers",
                "waivers.toml",
                "--policies",
                "policies",
                "records",
            ],
        )
    });
    insta::assert_snapshot!("waivers", out);
}

const ROLES: &[(&str, &str)] = &[
    ("syntax", "[[role]]\nid = \"a\"\ntitle = \"A\"\ntop = true\n\n[[staff]]\nid = \"s\"\nname = = \"S\"\n"),
    ("duplicate key", "[[role]]\nid = \"a\"\nid = \"b\"\n"),
    ("unknown tables", "title = 1\n[rolez]\nx = 1\n[[role]]\nid = \"a\"\ntitle = \"A\"\ntop = true\n"),
    ("actions not a table", "actions = 5\n"),
    (
        "actions",
        "[actions]\nrefund = 5\nx = { limit = \"money\" }\ny = { limit = \"money\", currency = \"gbp\" }\nz = { limit = \"lots\" }\nw = { limit = 5 }\nv = { limt = \"none\", currency = 3 }\nu = {}\nt = { limit = \"money\", currency = 5 }\ns = { limit = \"percent\", description = 1 }\n",
    ),
    ("qualifications and areas not tables", "qualifications = 5\nareas = [1]\n"),
    (
        "qualifications and areas",
        "[qualifications]\ncert = 5\nx = { title = \"X\", titel = \"y\", requires = [\"cert\"] }\n\n[areas]\nadvice = { title = \"A\", requires = \"cert\" }\nb = { requires = [\"cert\", 5], requirs = [] }\n",
    ),
    ("role not an array", "role = 5\n"),
    ("roles not tables", "role = [1, \"x\"]\n"),
    ("role without id", "[[role]]\ntitle = \"A\"\nzz = 1\n"),
    ("role id not text", "[[role]]\nid = 5\ntitle = \"A\"\n"),
    (
        "every problem in one role",
        "[[role]]\nid = \"a\"\ntitel = \"A\"\ndepartment = 5\nescalates_to = 5\ntop = \"yes\"\nrequires = \"x\"\ntrained_in = [1, \"t\"]\nmay = 5\n",
    ),
    ("title not text", "[[role]]\nid = \"a\"\ntitle = 5\ntop = true\n"),
    ("top and escalates", "[[role]]\nid = \"a\"\ntitle = \"A\"\ntop = true\nescalates_to = \"b\"\n"),
    (
        "limits",
        "[actions]\nrefund = { limit = \"money\", currency = \"GBP\" }\n\n[[role]]\nid = \"a\"\ntitle = \"A\"\ntop = true\n[role.may]\nrefund = \"lots\"\nx = false\ny = 1.5\nz = 3\nw = [1]\nv = 99999999999999999999999\nu = { a = 1 }\nt = \"10%\"\ns = \"48h\"\nr = true\nq = 2026-01-01\n",
    ),
    ("staff not tables", "staff = [1]\n"),
    ("staff without id", "[[staff]]\nname = \"S\"\n"),
    ("staff id not text", "[[staff]]\nid = []\nname = \"S\"\n"),
    ("staff without employment", "[[staff]]\nid = \"s\"\nnme = \"S\"\nteam = 5\nroles = 5\n"),
    ("employed not a table", "[[staff]]\nid = \"s\"\nname = \"S\"\nemployed = 2020-01-01\n"),
    ("employed without from", "[[staff]]\nid = \"s\"\nname = \"S\"\nemployed = { until = 2021-01-01, since = 1 }\n"),
    (
        "employment dates",
        "[[staff]]\nid = \"s\"\nname = \"S\"\nemployed = { from = \"2020-01-01\", until = \"2020-1-1\" }\n\n[[staff]]\nid = \"t\"\nname = \"T\"\nemployed = { from = 2020-01-01T10:00:00 }\n\n[[staff]]\nid = \"u\"\nname = \"U\"\nemployed = { from = 5 }\n",
    ),
    ("lists not lists", "[[staff]]\nid = \"s\"\nname = \"S\"\nemployed = { from = 2020-01-01 }\nroles = 5\nqualifications = \"q\"\ntraining = { area = \"a\" }\n"),
    (
        "list entries",
        "[actions]\nrefund = { limit = \"none\" }\n[qualifications]\nq = { title = \"Q\" }\n[areas]\na = { title = \"A\" }\n[[role]]\nid = \"r\"\ntitle = \"R\"\ntop = true\n\n[[staff]]\nid = \"s\"\nname = \"S\"\nemployed = { from = 2020-01-01 }\nroles = [1, { from = 2020-01-01 }, { role = \"r\" }, { role = \"r\", from = 2021-01-01, until = 2020-01-01 }, { role = 5, from = \"x\" }, { role = \"r\", from = 2020-01-01, to = 1 }]\nqualifications = [{ issued = 2020-01-01 }, { id = \"q\" }, { id = \"q\", issued = \"then\", expires = 3 }, { id = \"q\", issued = 2020-01-01, grade = \"A\" }, 7]\ntraining = [{ completed = 2020-01-01 }, { area = \"a\", completed = \"x\" }, { area = \"a\", completed = 2020-01-01, score = 1 }, \"a\"]\n",
    ),
    (
        "dotted and nested forms",
        "[[staff]]\nid = \"s\"\nname = \"S\"\nemployed.from = 2020-01-01\nemployed.until.day = 1\n[[staff.roles]]\nrole = \"r\"\nfrom = 2020-01-01\nfrm = 1\n",
    ),
    (
        "problems in later pieces",
        "[actions]\nrefund = { limit = \"none\" }\n\n[[role]]\nid = \"r\"\ntitle = \"R\"\ntop = true\n\n[[role]]\nid = \"q\"\ntitle = 5\ntop = true\n\n[[staff]]\nid = \"s\"\nname = \"S\"\nemployed = { from = 2020-01-01 }\nroles = [{ role = \"r\", from = 2020-01-01, untill = 2021-01-01 }]\n",
    ),
    (
        "multi-line strings read whole",
        "[[role]]\nid = \"r\"\ntitle = \"\"\"R\n[[staff]]\n\"\"\"\ntop = true\nzz = 1\n\n[[staff]]\nid = \"s\"\nname = 5\n",
    ),
];

#[test]
fn role_files_report_every_problem_at_its_place() {
    let out = gather(ROLES, |dir, text| {
        std::fs::write(dir.join("roles.toml"), text).unwrap();
        common::precept_in(dir, &["lint", "--as-of", "2026-11-22", "roles.toml"])
    });
    insta::assert_snapshot!("roles", out);
}
