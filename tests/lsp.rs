//! `precept lsp` driven over JSON-RPC like an editor drives it: the built binary, a copy of the
//! bundled policies (and a role file) in a temporary folder, `Content-Length` framed messages on
//! its stdin and stdout (see `common/lsp_client.rs`). Every read waits at most a bounded time, so a
//! server that stops answering fails the test instead of hanging it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

#[path = "common/lsp_client.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_client::{uri, Client, WAIT};
use serde_json::{json, Value};

/// The protocol position (UTF-16) of the `nth` occurrence of `needle` in `text`, `delta` bytes in.
fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let start = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("`{needle}` #{nth} not in the text")).0;
    let offset = start + delta;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": text[line_start..offset].encode_utf16().count()})
}

fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The bundled policies, a policy file with two mistakes, and a role file with an escalation
/// cycle, in a fresh folder.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    copy_dir(&common::root().join("policies"), &root.join("policies"));
    std::fs::write(root.join("policies/extra.precept"), BROKEN).unwrap();
    std::fs::create_dir_all(root.join("org")).unwrap();
    std::fs::copy(common::root().join("fixtures/lint/err/escalation-cycle.toml"), root.join("org/roles.toml")).unwrap();
    (dir, root)
}

/// Reads a field the schema does not have (so `complaint` is an unknown name), and reuses the id
/// of a rule of another code.
const BROKEN: &str = r#"code "Extra checks" {
  level organisational
  rule answered-promptly {
    title "Answered"
    for service_record
    require record.kinds == complaint
    message "late"
  }
}
"#;

const FIXED: &str = r#"code "Extra checks" {
  level organisational
  rule extra-answered {
    title "Answered"
    for service_record
    require record.kind == complaint
    message "late"
  }
}
"#;

fn codes(diags: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = diags.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect();
    codes.sort();
    codes
}

fn labels(items: &Value) -> Vec<String> {
    let list = items.as_array().or_else(|| items["items"].as_array()).cloned().unwrap_or_default();
    list.iter().map(|i| i["label"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn diagnostics_of_the_folder_appear_on_open_and_clear_when_fixed() {
    let (_dir, root) = workspace();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    let init = client.initialize(&root);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["hoverProvider"], true, "{init}");
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["documentFormattingProvider"], true, "{init}");

    // Before anything is opened: the whole folder is checked, roles linted.
    let extra = uri(&root.join("policies/extra.precept"));
    let diags = client.diagnostics(&extra);
    assert_eq!(codes(&diags), ["precept::type::unknown-field", "precept::type::unknown-name"], "{diags:?}");
    let unknown = diags.iter().find(|d| d["code"] == "precept::type::unknown-field").unwrap();
    assert_eq!(unknown["range"], json!({"start": pos(BROKEN, "kinds", 0, 0), "end": pos(BROKEN, "kinds", 0, 5)}));
    assert_eq!(unknown["severity"], 1);
    assert!(unknown["message"].as_str().unwrap().contains("help: did you mean `kind`?"), "{unknown}");
    // The rule id used twice is reported on the second use (files are read in path order), with
    // the first, in the other file, as related information.
    let retail_path = root.join("policies/industry/retail-customer-service-code.precept");
    let retail_text = std::fs::read_to_string(&retail_path).unwrap();
    let diags = client.diagnostics(&uri(&retail_path));
    assert_eq!(codes(&diags), ["precept::rule::duplicate-id"], "{diags:?}");
    assert_eq!(diags[0]["range"]["start"], pos(&retail_text, "answered-promptly", 0, 0));
    let related = &diags[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], extra, "{diags:?}");
    assert_eq!(related["location"]["range"]["start"], pos(BROKEN, "answered-promptly", 0, 0));
    assert_eq!(related["message"], "first used here");
    let roles = client.diagnostics(&uri(&root.join("org/roles.toml")));
    assert!(codes(&roles).contains(&"precept::role::escalation-cycle".to_string()), "{roles:?}");

    // Opened with the same text, then fixed in the editor (not on disk): the list empties.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": extra, "languageId": "precept", "version": 1, "text": BROKEN}}),
    );
    assert_eq!(client.diagnostics(&extra).len(), 2);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    );
    assert_eq!(client.diagnostics(&extra), Vec::<Value>::new());

    // A syntax error typed into a ranged change is reported where it is, and clears when undone.
    let start = pos(FIXED, "require", 0, 0);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 3},
               "contentChanges": [{"range": {"start": start, "end": start}, "text": "require ((\n    "}]}),
    );
    let diags = client.diagnostics(&extra);
    assert!(!diags.is_empty() && codes(&diags).iter().all(|c| c.starts_with("precept::parse::")), "{diags:?}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 4}, "contentChanges": [{"text": FIXED}]}),
    );
    assert_eq!(client.diagnostics(&extra), Vec::<Value>::new());
    // The duplicate it caused in the other file is gone too: that file's list is emptied.
    assert_eq!(client.diagnostics(&uri(&retail_path)), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn hover_definition_references_and_symbols() {
    let (_dir, root) = workspace();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    let retail_path = root.join("policies/industry/retail-customer-service-code.precept");
    let retail = uri(&retail_path);
    let text = std::fs::read_to_string(&retail_path).unwrap();
    let schema_path = root.join("policies/schema.precept");
    let schema_text = std::fs::read_to_string(&schema_path).unwrap();
    let charter_path = root.join("policies/organisational/northbrook-service-charter.precept");
    let charter = uri(&charter_path);
    let charter_text = std::fs::read_to_string(&charter_path).unwrap();

    // A field: its type and schema.
    let hover = client.request("textDocument/hover", at(&retail, pos(&text, "record.channel", 0, 8)));
    let value = hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_string();
    assert!(value.contains("channel: enum { phone, email, web_chat, store, self_service }"), "{hover}");
    assert!(value.contains("of schema `service_record`"), "{value}");
    // A rule: title, cite, severity and help.
    let hover = client.request("textDocument/hover", at(&retail, pos(&text, "rule answered-promptly", 0, 6)));
    let value = hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_string();
    for part in [
        "External customers get a first response",
        "severity: warning",
        // The clause, with the title its code lists it with.
        "cite: s.3.1, \"First response within the channel's waiting limit\"",
        "help: \"Answer phone calls",
    ] {
        assert!(value.contains(part), "`{part}` not in {value}");
    }
    // A built-in function: its signature and doc.
    let hover = client.request("textDocument/hover", at(&retail, pos(&text, "share(", 0, 2)));
    let value = hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_string();
    assert!(value.contains("share(") && value.contains("built-in function"), "{hover}");
    // A code: its level and parent.
    let hover = client
        .request("textDocument/hover", at(&charter, pos(&charter_text, "Northbrook Stores Service Charter", 0, 2)));
    let value = hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_string();
    assert!(
        value.contains("level: organisational") && value.contains("extends: \"Retail Customer Service Code\""),
        "{value}"
    );

    // Definition of a field read in a rule: its declaration in the schema file.
    let def = client.request("textDocument/definition", at(&retail, pos(&text, "record.channel", 0, 9)));
    assert_eq!(def["result"]["uri"], uri(&schema_path), "{def}");
    assert_eq!(def["result"]["range"]["start"], pos(&schema_text, "channel: enum", 0, 0));
    // An override's id: the rule it replaces in the parent code.
    let def = client.request("textDocument/definition", at(&charter, pos(&charter_text, "rule promise-kept", 0, 6)));
    assert_eq!(def["result"]["uri"], retail, "{def}");
    assert_eq!(def["result"]["range"]["start"], pos(&text, "promise-kept", 0, 0));
    // A code named in `extends`.
    let def = client.request("textDocument/definition", at(&charter, pos(&charter_text, "extends \"Retail", 0, 10)));
    assert_eq!(def["result"]["uri"], retail, "{def}");
    assert_eq!(def["result"]["range"]["start"], pos(&text, "Retail Customer Service Code\"", 0, 0));
    // A schema named in `for`.
    let def = client.request("textDocument/definition", at(&retail, pos(&text, "for service_record", 0, 5)));
    assert_eq!(def["result"]["range"]["start"], pos(&schema_text, "service_record {", 0, 0), "{def}");
    // A calendar named by a code.
    let calendar_use = pos(&text, "calendar uk", 0, 9);
    let def = client.request("textDocument/definition", at(&retail, calendar_use));
    assert_eq!(def["result"]["range"]["start"], pos(&schema_text, "calendar uk", 0, 9), "{def}");

    // References of the field: its declaration and every read, across files.
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri(&schema_path)}, "position": pos(&schema_text, "channel: enum", 0, 1),
               "context": {"includeDeclaration": true}}),
    );
    let refs = refs["result"].as_array().cloned().unwrap_or_default();
    let in_retail = refs.iter().filter(|r| r["uri"] == retail).count();
    assert_eq!(in_retail, text.matches("record.channel").count(), "{refs:?}");
    assert!(refs.iter().any(|r| r["uri"] == uri(&schema_path)));
    // References of a rule take in the overrides that replace it.
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": retail}, "position": pos(&text, "rule promise-kept", 0, 6),
               "context": {"includeDeclaration": false}}),
    );
    let refs = refs["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(refs[0]["uri"], charter);

    // Outline: the code with its rules; the schema file's schema and calendar.
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": charter}}));
    let code = &symbols["result"][0];
    assert_eq!(code["name"], "Northbrook Stores Service Charter", "{symbols}");
    let rules: Vec<&str> = code["children"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(rules.contains(&"promise-kept") && rules.contains(&"daily-briefing"), "{rules:?}");
    // ... and the clauses it lists, each with its title.
    let clause = code["children"].as_array().unwrap().iter().find(|c| c["name"] == "Charter 2.1").unwrap();
    assert_eq!(clause["detail"], "A team briefing every working day", "{clause}");
    assert!(value_of_hover_code(&mut client, &charter, &charter_text).contains("9 clauses listed"));
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri(&schema_path)}}));
    let names: Vec<&str> = symbols["result"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["uk", "service_record", "case_event", "briefing"], "{symbols}");
    client.shutdown();
}

#[test]
fn completion_of_fields_values_functions_and_names() {
    let (_dir, root) = workspace();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    let extra = uri(&root.join("policies/extra.precept"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": extra, "languageId": "precept", "version": 1, "text": FIXED}}),
    );
    // Typing `record.` (the file no longer parses).
    let typed = FIXED.replace("require record.kind == complaint", "require record.");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 2}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "record.", 0, 7)));
    let found = labels(&items["result"]);
    for field in ["kind", "channel", "customer", "opened_at"] {
        assert!(found.contains(&field.to_string()), "`{field}` not offered: {found:?}");
    }
    assert!(!found.contains(&"require".to_string()), "{found:?}");
    // Inside a nested object.
    let typed = FIXED.replace("require record.kind == complaint", "require record.customer.");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 3}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "customer.", 0, 9)));
    assert_eq!(labels(&items["result"]), ["kind", "id", "department"]);
    // The element bound by a quantifier: the fields of the list's objects.
    let typed = FIXED.replace("require record.kind == complaint", "require all(a in record.actions: a.");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 30}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "a.", 0, 2)));
    assert_eq!(labels(&items["result"]), ["type", "amount", "by", "at", "approved_by"]);
    // After `==`, and inside `in {`: the enumeration's values.
    let typed = FIXED.replace("require record.kind == complaint", "require record.kind == ");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 4}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "== ", 0, 3)));
    assert_eq!(
        labels(&items["result"]),
        ["enquiry", "complaint", "refund_request", "order", "callback", "appointment", "delivery"]
    );
    let typed = FIXED.replace("require record.kind == complaint", "require record.channel in { phone, ");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 5}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "phone, ", 0, 7)));
    assert_eq!(labels(&items["result"]), ["phone", "email", "web_chat", "store", "self_service"]);
    // Elsewhere: keywords, functions with their signatures, schemas and calendars.
    let typed = FIXED.replace("require record.kind == complaint", "require ");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 6}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "require ", 0, 8)));
    let found = labels(&items["result"]);
    for name in ["all", "hours_between", "service_record", "uk", "otherwise"] {
        assert!(found.contains(&name.to_string()), "`{name}` not offered: {found:?}");
    }
    let list = items["result"].as_array().unwrap();
    let hours = list.iter().find(|i| i["label"] == "hours_between").unwrap();
    assert!(hours["detail"].as_str().unwrap().starts_with("hours_between("), "{hours}");
    // After `for`: schemas only.
    let typed = FIXED.replace("for service_record", "for ");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 7}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "for ", 0, 4)));
    assert_eq!(labels(&items["result"]), ["service_record", "case_event", "briefing", "role", "staff"]);
    // Inside `cite "`: the clauses the codes list, each with its title.
    let typed = FIXED.replace("title \"Answered\"", "cite \"Charter 2");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 8}, "contentChanges": [{"text": typed}]}),
    );
    let items = client.request("textDocument/completion", at(&extra, pos(&typed, "cite \"Charter 2", 0, 15)));
    let found = labels(&items["result"]);
    for clause in ["Charter 2.1", "Charter 2.4", "s.3.1", "Pledge 1"] {
        assert!(found.contains(&clause.to_string()), "`{clause}` not offered: {found:?}");
    }
    assert!(!found.contains(&"require".to_string()), "{found:?}");
    let list = items["result"].as_array().unwrap();
    let briefing = list.iter().find(|i| i["label"] == "Charter 2.1").unwrap();
    assert_eq!(briefing["detail"], "A team briefing every working day", "{briefing}");
    client.shutdown();
}

/// The hover text of the charter's code name.
fn value_of_hover_code(client: &mut Client, charter: &str, text: &str) -> String {
    let hover = client.request("textDocument/hover", at(charter, pos(text, "Northbrook Stores Service Charter", 0, 2)));
    hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_string()
}

#[test]
fn bad_input_does_not_stop_the_server() {
    let (_dir, root) = workspace();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    // A request before `initialize` is refused, not fatal.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    client.initialize(&root);
    // Not JSON, a header that is not a header, a length that is not a number.
    client.write_raw(b"Content-Length: 9\r\n\r\n{not json");
    client.write_raw(b"this is not a header\r\n\r\n");
    client.write_raw(b"Content-Length: many\r\n\r\n");
    // Parameters of the wrong shape, an unknown method, a position far outside the file.
    let bad = client.request("textDocument/hover", json!({"textDocument": 5}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let unknown = client.request("precept/nothing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let retail = uri(&root.join("policies/industry/retail-customer-service-code.precept"));
    let far = client.request("textDocument/hover", at(&retail, json!({"line": 99999, "character": 99999})));
    assert_eq!(far["result"], Value::Null, "{far}");
    let changed =
        client.request("textDocument/completion", at("file:///nowhere/x.precept", json!({"line": 0, "character": 0})));
    assert!(changed.get("error").is_none(), "{changed}");
    // Changes to a document that was never opened are ignored.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": retail, "version": 2}, "contentChanges": [{"text": "garbage"}]}),
    );
    // Each unreadable message was logged, and the server still answers.
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": retail}}));
    assert_eq!(symbols["result"][0]["name"], "Retail Customer Service Code", "{symbols}");
    let logged = client.backlog.iter().filter(|m| m["method"] == "window/logMessage").count();
    assert_eq!(logged, 3, "{:?}", client.backlog);
    client.shutdown();
}

#[test]
fn exit_without_shutdown_ends_with_status_1() {
    let (_dir, root) = workspace();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(1));
            return;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_precept_toml_says_which_folders_are_read() {
    let (_dir, root) = workspace();
    // Only `policies/` is the policy folder and only `org/` holds roles: a broken draft beside
    // them, and a role file elsewhere, are not read.
    std::fs::write(root.join("precept.toml"), "policies = [\"policies\"]\nroles = [\"org\"]\n").unwrap();
    std::fs::create_dir_all(root.join("drafts")).unwrap();
    std::fs::write(root.join("drafts/draft.precept"), "code {").unwrap();
    std::fs::create_dir_all(root.join("elsewhere")).unwrap();
    std::fs::copy(common::root().join("fixtures/lint/err/duplicate-role.toml"), root.join("elsewhere/roles.toml"))
        .unwrap();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    let roles = client.diagnostics(&uri(&root.join("org/roles.toml")));
    assert!(codes(&roles).contains(&"precept::role::escalation-cycle".to_string()), "{roles:?}");
    let extra = client.diagnostics(&uri(&root.join("policies/extra.precept")));
    assert_eq!(codes(&extra), ["precept::type::unknown-field", "precept::type::unknown-name"]);
    // Everything published so far is about the folders the settings name.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&root.join("policies/schema.precept"))}}),
    );
    assert_eq!(symbols["result"][1]["name"], "service_record");
    let stray: Vec<&Value> = client
        .backlog
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter(|m| m["params"]["uri"].as_str().is_some_and(|u| u.contains("/drafts/") || u.contains("/elsewhere/")))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    client.shutdown();
}

#[test]
fn a_file_outside_the_workspace_is_checked_on_its_own() {
    let (_dir, root) = workspace();
    let other = tempfile::tempdir().unwrap();
    let other_root = std::fs::canonicalize(other.path()).unwrap();
    let path = other_root.join("loose.precept");
    std::fs::write(&path, BROKEN).unwrap();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    let loose = uri(&path);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": loose, "languageId": "precept", "version": 1, "text": BROKEN}}),
    );
    // Alone, its rule reads a schema it does not have.
    let diags = client.diagnostics(&loose);
    assert_eq!(codes(&diags), ["precept::type::unknown-schema"], "{diags:?}");
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": loose}}));
    assert_eq!(symbols["result"][0]["name"], "Extra checks", "{symbols}");
    client.shutdown();
}

/// Formatting an open document answers with one edit holding `precept fmt`'s layout of the
/// editor's text (not the file on disk); a laid-out document gets no edits, and one that does not
/// parse gets `null` (nothing changes).
#[test]
fn formatting_lays_out_the_open_document_as_fmt_does() {
    let (_dir, root) = workspace();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    let extra = uri(&root.join("policies/extra.precept"));
    let untidy = "code \"Extra checks\" {\n    level organisational\n  rule extra-answered { title \"Answered\"\n  for service_record   // the helpdesk's records\n    require record.kind == complaint\n    message \"late\" }\n}\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": extra, "languageId": "precept", "version": 1, "text": untidy}}),
    );
    let request = json!({"textDocument": {"uri": extra}, "options": {"tabSize": 2, "insertSpaces": true}});
    let response = client.request("textDocument/formatting", request.clone());
    let edits = response["result"].as_array().cloned().unwrap_or_else(|| panic!("{response}"));
    assert_eq!(edits.len(), 1, "{response}");
    let expected = precept::formatter::format_text(&precept::source::SourceFile::new("extra.precept", untidy)).unwrap();
    assert_eq!(edits[0]["newText"], expected.as_str());
    assert!(expected.contains("// the helpdesk's records"), "{expected}");
    let lines = untidy.lines().count();
    assert_eq!(
        edits[0]["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}})
    );

    // Laid out already: no edits.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 2}, "contentChanges": [{"text": expected}]}),
    );
    let response = client.request("textDocument/formatting", request.clone());
    assert_eq!(response["result"], json!([]), "{response}");

    // Does not parse: nothing is changed.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": extra, "version": 3}, "contentChanges": [{"text": "code \"Extra checks\" {\n  rule (("}]}),
    );
    let response = client.request("textDocument/formatting", request);
    assert_eq!(response["result"], Value::Null, "{response}");
    client.shutdown();
}

/// Editor clients add `--stdio` to the command they start (VS Code's `vscode-languageclient` does
/// when told the transport is stdio): the server accepts it and answers as usual.
#[test]
fn the_stdio_flag_editors_pass_is_accepted() {
    let (_dir, root) = workspace();
    let mut client = Client::start_with(env!("CARGO_BIN_EXE_precept"), &root, &["lsp", "--stdio"]);
    let init = client.initialize(&root);
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true, "{init}");
    let extra = uri(&root.join("policies/extra.precept"));
    assert_eq!(codes(&client.diagnostics(&extra)), ["precept::type::unknown-field", "precept::type::unknown-name"]);
    client.shutdown();
}

/// A file opened from the folder above the workspace is checked on its own (a loose project of
/// that folder), and never takes in the workspace's open files: they are checked once, with their
/// own schemas, not again apart from them.
#[test]
fn a_loose_file_above_the_workspace_leaves_the_workspace_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let top = std::fs::canonicalize(dir.path()).unwrap();
    let root = top.join("ws");
    copy_dir(&common::root().join("policies"), &root.join("policies"));
    let loose = top.join("loose.precept");
    std::fs::write(&loose, "code \"Loose\" {\n  level organisational\n}\n").unwrap();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    let loose_uri = uri(&loose);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": loose_uri, "languageId": "precept", "version": 1,
               "text": "code \"Loose\" {\n  level organisational\n}\n"}}),
    );
    assert_eq!(client.diagnostics(&loose_uri), Vec::<Value>::new());
    let extra = uri(&root.join("policies/extra.precept"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": extra, "languageId": "precept", "version": 1, "text": BROKEN}}),
    );
    // Once, from the workspace, which knows `service_record`: not `unknown-schema`, not twice.
    let diags = client.diagnostics(&extra);
    assert_eq!(codes(&diags), ["precept::type::unknown-field", "precept::type::unknown-name"], "{diags:?}");
    client.shutdown();
}

/// A workspace folder far too large to be a policy folder (a home folder, `/`) is not walked: the
/// server answers at once, checks the files open in the editor, and says why it read no others.
#[test]
fn a_huge_workspace_folder_is_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for d in 0..21 {
        let sub = root.join(format!("d{d:02}"));
        std::fs::create_dir(&sub).unwrap();
        for f in 0..1000 {
            std::fs::File::create(sub.join(format!("f{f:04}.txt"))).unwrap();
        }
    }
    let started = std::time::Instant::now();
    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    let open = uri(&root.join("d00/house.precept"));
    let text = "schema ticket {\n  identified by id\n  id: text\n}\n\ncode \"House\" {\n  level organisational\n  rule r {\n    for tickt\n    require record.id is present\n  }\n}\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": open, "languageId": "precept", "version": 1, "text": text}}),
    );
    let diags = client.diagnostics(&open);
    assert_eq!(codes(&diags), ["precept::lsp::large-folder", "precept::type::unknown-schema"], "{diags:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
    client.shutdown();
}
