//! The findings on the bundled records are exactly the ones each record declares it breaks.
//!
//! Every record in `fixtures/records/` carries an `expect` list (CSV: an `Expect` column, ids
//! separated by `;`) that the schema does not declare, so Precept ignores it. This test reads those
//! declarations with plain serde/toml/csv parsing, independently of Precept's readers, and compares.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;

type Key = (String, usize);

fn declared() -> BTreeMap<Key, Vec<String>> {
    let mut out = BTreeMap::new();
    let dir = common::root().join("fixtures/records");
    let mut paths: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    for path in paths {
        let name = common::rel(&path).to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let lists: Vec<Vec<String>> = match ext {
            "jsonl" => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| ids(&serde_json::from_str::<serde_json::Value>(l).unwrap()["expect"]))
                .collect(),
            "json" => match serde_json::from_str::<serde_json::Value>(&text).unwrap() {
                serde_json::Value::Array(items) => items.iter().map(|v| ids(&v["expect"])).collect(),
                one => vec![ids(&one["expect"])],
            },
            "toml" => {
                let doc: toml::Table = toml::from_str(&text).unwrap();
                match doc.get("record") {
                    Some(toml::Value::Array(items)) => items.iter().map(|v| toml_ids(v.get("expect"))).collect(),
                    _ => vec![toml_ids(doc.get("expect"))],
                }
            }
            "csv" => {
                let mut r = csv::Reader::from_reader(text.as_bytes());
                let col = r.headers().unwrap().iter().position(|h| h == "Expect").expect("an Expect column");
                r.records()
                    .map(|rec| {
                        let rec = rec.unwrap();
                        rec.get(col)
                            .unwrap_or("")
                            .split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .collect()
            }
            _ => continue,
        };
        for (i, mut list) in lists.into_iter().enumerate() {
            list.sort();
            out.insert((name.clone(), i), list);
        }
    }
    out
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array().expect("every record declares `expect`").iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

fn toml_ids(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .expect("every record declares `expect`")
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn findings_on_the_bundled_records_are_exactly_the_declared_ones() {
    std::env::set_current_dir(common::root()).unwrap();
    let (program, diags) = precept::workspace::load_policies(&["policies".into()]);
    assert!(diags.is_empty(), "{diags:?}");
    let program = program.unwrap();
    // Records are checked against the bundled organisation's roles, as in the README's example.
    let (org, _, role_diags) = precept::workspace::load_org(&["fixtures/org".into()]);
    assert!(role_diags.is_empty(), "{role_diags:?}");
    let directory = precept::roles::authority::Directory::new(&org);
    let authority: Option<&dyn precept::engine::authority::Authority> = Some(&directory);
    let (mut outcome, mut findings) =
        precept::pipeline::check_paths(&program, authority, &["fixtures/records".into()], &Default::default());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    // Rules over roles and staff, on the bundled organisation.
    let mut org_findings = Vec::new();
    precept::pipeline::check_org(&program, &org, authority, &mut outcome, &mut |f| org_findings.push(f));
    let mut org_found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &org_findings {
        org_found.entry(f.record_id.clone().unwrap_or_default()).or_default().push(f.rule_id().to_string());
    }
    // Roles and staff declare the rules they break in a `# expect: rule-id, ...` comment inside
    // their `[[role]]` / `[[staff]]` entry.
    let mut org_declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in ["fixtures/org/roles.toml", "fixtures/org/staff.toml"] {
        let text = std::fs::read_to_string(file).unwrap();
        let (mut id, mut expect): (Option<String>, Vec<String>) = (None, Vec::new());
        let mut flush = |id: &mut Option<String>, expect: &mut Vec<String>| {
            if let (Some(i), false) = (id.take(), expect.is_empty()) {
                org_declared.insert(i, std::mem::take(expect));
            }
            expect.clear();
        };
        for line in text.lines().map(str::trim) {
            if line == "[[role]]" || line == "[[staff]]" {
                flush(&mut id, &mut expect);
            } else if let Some(v) = line.strip_prefix("id = ") {
                id.get_or_insert_with(|| v.trim_matches('"').to_string());
            } else if let Some(list) = line.strip_prefix("# expect:") {
                expect.extend(list.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()));
            }
        }
        flush(&mut id, &mut expect);
    }
    for list in org_found.values_mut().chain(org_declared.values_mut()) {
        list.sort();
    }
    assert_eq!(org_found, org_declared, "findings on roles and staff are exactly the declared ones");
    findings.extend(org_findings.iter().cloned());

    let declared = declared();
    let mut found: BTreeMap<Key, Vec<String>> = declared.keys().map(|k| (k.clone(), Vec::new())).collect();
    for f in findings.iter().filter(|f| f.subject == precept::findings::Subject::Record) {
        found.entry((f.file.name.to_string(), f.record_index)).or_default().push(f.rule_id().to_string());
    }
    for list in found.values_mut() {
        list.sort();
    }
    assert_eq!(outcome.records, declared.len() + org.roles.len(), "every record and role was read");
    let mut wrong = Vec::new();
    for (k, want) in &declared {
        let got = found.get(k).cloned().unwrap_or_default();
        if &got != want {
            wrong.push(format!("{}#{}: declared {want:?}, found {got:?}", k.0, k.1));
        }
    }
    for k in found.keys() {
        if !declared.contains_key(k) {
            wrong.push(format!("{}#{}: finding on a record that declares nothing", k.0, k.1));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Rules over groups: exactly the groups (and missing periods) `fixtures/expect-groups.toml`
    // declares.
    let doc: toml::Table = toml::from_str(&std::fs::read_to_string("fixtures/expect-groups.toml").unwrap()).unwrap();
    let mut groups_declared = groups_declared(&doc);
    let mut groups_found = groups_found(&findings);
    let pending_declared: Vec<(String, usize)> = doc["pending"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), usize::try_from(v.as_integer().unwrap()).unwrap()))
        .collect();
    assert_eq!(outcome.pending, pending_declared, "obligations pending are exactly the declared ones");
    groups_declared.sort();
    groups_found.sort();
    assert_eq!(groups_found, groups_declared, "group findings are exactly the declared ones");
    // Every rule that runs is exercised by at least one finding (an inherited rule an override
    // replaces on every day does not run).
    let running: Vec<usize> =
        program.schemas.iter().flat_map(|s| s.rules.iter().chain(s.group_rules.iter())).copied().collect();
    for (_, r) in program.rules.iter().enumerate().filter(|(i, _)| running.contains(i)) {
        assert!(
            findings.iter().any(|f| f
                .rule
                .as_ref()
                .is_some_and(|x| x.id == r.id && x.id_span == r.id_span && x.file.name == r.file.name)),
            "no fixture breaks `{}`",
            r.id
        );
    }
}

/// The group findings a file in the format of `fixtures/expect-groups.toml` declares: rule, key
/// and missing period (`-` for none), one line each.
fn groups_declared(doc: &toml::Table) -> Vec<String> {
    doc["group"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let key: Vec<String> =
                g["key"].as_table().unwrap().iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap())).collect();
            let missing = g.get("missing").and_then(|m| m.as_str()).unwrap_or("-");
            format!("{} [{}] {missing}", g["rule"].as_str().unwrap(), key.join(", "))
        })
        .collect()
}

/// The group findings found, in the form of [`groups_declared`].
fn groups_found(findings: &[precept::pipeline::Finding]) -> Vec<String> {
    findings
        .iter()
        .filter_map(|f| {
            let g = f.group.as_ref()?;
            let mut key: Vec<String> = g.key.iter().map(|(k, v)| format!("{k}={v}")).collect();
            key.sort();
            let missing = f
                .evidence
                .iter()
                .find_map(|e| e.facts.iter().find(|(k, _)| *k == "missing"))
                .map_or("-", |(_, v)| v.as_str());
            Some(format!("{} [{}] {missing}", f.rule_id(), key.join(", ")))
        })
        .collect()
}

#[test]
fn group_findings_on_the_expected_groups_fixture_are_exactly_the_declared_ones() {
    let dir = common::root().join("fixtures/expected-groups");
    let (program, diags) = precept::workspace::load_policies(&[dir.join("policies")]);
    assert!(diags.is_empty(), "{diags:?}");
    let program = program.unwrap();
    let (org, _, role_diags) = precept::workspace::load_org(&[dir.join("org")]);
    assert!(role_diags.is_empty(), "{role_diags:?}");
    let directory = precept::roles::authority::Directory::new(&org);
    let authority: Option<&dyn precept::engine::authority::Authority> = Some(&directory);
    let (outcome, findings) =
        precept::pipeline::check_paths(&program, authority, &[dir.join("records")], &Default::default());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert!(findings.iter().all(|f| f.group.is_some()), "no rule here judges single records");
    let doc: toml::Table = toml::from_str(&std::fs::read_to_string(dir.join("expect.toml")).unwrap()).unwrap();
    let mut declared = groups_declared(&doc);
    let mut found = groups_found(&findings);
    declared.sort();
    found.sort();
    assert_eq!(found, declared, "group findings are exactly the declared ones");
    // Every rule of the fixture is broken by some group.
    for r in &program.rules {
        assert!(findings.iter().any(|f| f.rule_id() == r.id), "no fixture breaks `{}`", r.id);
    }
}

/// `fixtures/shared-clock/`: six FCA DISP rules on one clock written once as the code's
/// definitions. Each record's findings are exactly the rules its `expect` lists (read here with
/// plain serde).
#[test]
fn findings_on_the_shared_clock_records_are_exactly_the_declared_ones() {
    let dir = common::root().join("fixtures/shared-clock");
    let (program, diags) = precept::workspace::load_policies(&[dir.join("policies")]);
    assert!(diags.is_empty(), "{diags:?}");
    let program = program.unwrap();
    let (outcome, findings) =
        precept::pipeline::check_paths(&program, None, &[dir.join("records")], &Default::default());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let text = std::fs::read_to_string(dir.join("records/complaints.jsonl")).unwrap();
    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut list = ids(&v["expect"]);
        list.sort();
        declared.insert(v["id"].as_str().unwrap().to_string(), list);
    }
    let mut found: BTreeMap<String, Vec<String>> = declared.keys().map(|k| (k.clone(), Vec::new())).collect();
    for f in &findings {
        found.entry(f.record_id.clone().unwrap_or_default()).or_default().push(f.rule_id().to_string());
    }
    for list in found.values_mut() {
        list.sort();
    }
    assert_eq!(outcome.records, declared.len());
    assert_eq!(found, declared);
}

/// `fixtures/cases/`: every record that opens an obligation declares the rules it breaks
/// (`expect`) and those that are pending on it (`pending`); each message starts with the opening
/// record's id (`{opening.id}: ...`), which ties a case finding to the record that opened it.
#[test]
fn case_findings_on_the_case_fixtures_are_exactly_the_declared_ones() {
    std::env::set_current_dir(common::root()).unwrap();
    let (program, diags) = precept::workspace::load_policies(&["fixtures/cases/cases.precept".into()]);
    assert!(diags.is_empty(), "{diags:?}");
    let program = program.unwrap();
    let (outcome, findings) =
        precept::pipeline::check_paths(&program, None, &["fixtures/cases/records".into()], &Default::default());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pending_declared: BTreeMap<String, usize> = BTreeMap::new();
    for entry in std::fs::read_dir("fixtures/cases/records").unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v.get("expect").is_some() {
                let mut ids = ids(&v["expect"]);
                ids.sort();
                declared.insert(v["id"].as_str().unwrap().to_string(), ids);
            }
            for rule in v.get("pending").map(ids).unwrap_or_default() {
                *pending_declared.entry(rule).or_default() += 1;
            }
        }
    }
    let mut found: BTreeMap<String, Vec<String>> = declared.keys().map(|k| (k.clone(), Vec::new())).collect();
    for f in &findings {
        assert!(f.group.is_some(), "only case findings here: {f:?}");
        let (opening, _) = f.message.split_once(": ").unwrap_or_else(|| panic!("no opening id in {:?}", f.message));
        found.entry(opening.to_string()).or_default().push(f.rule_id().to_string());
    }
    for list in found.values_mut() {
        list.sort();
    }
    assert_eq!(found, declared, "case findings, by the record that opened each obligation");
    assert_eq!(outcome.pending, pending_declared.into_iter().collect::<Vec<_>>(), "pending obligations");
}
