//! The rows of an exported `precept_findings`: CSV with a header, or JSON Lines (one object per
//! line), told apart by the first character that is not blank (`{` for JSON Lines).
//!
//! Columns are named as the view names them ([`crate::sql::FINDING_COLUMNS`]), in any case; a
//! CSV header must name `rule_id`, `record_id`, `field` and `message_values`, a JSON Lines row
//! only `rule_id` (a key left out is NULL, as Spark writes them); the others are read where given, and
//! columns of other names (a history table's `found_at`) are passed over. `message_values` is a
//! JSON array of text (`to_json(message_values)`; a JSON Lines array as it is), or PostgreSQL's
//! array text (`{T-2,"a b",NULL}`).

use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// A file that is not a findings export at all (no header, a needed column missing or twice):
/// none of its rows is read.
pub const COLUMNS: &str = "precept::findings::columns";
/// A row that cannot be read or placed: it is left out, the others are read.
pub const INVALID_ROW: &str = "precept::findings::invalid-row";

/// The columns a CSV header must name.
const NEEDED: [&str; 4] = ["rule_id", "record_id", "field", "message_values"];

/// One finding as the warehouse gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// 1-based line the row starts on.
    pub line: usize,
    /// The row's text in its file.
    pub span: Span,
    /// `rule_id`.
    pub rule_id: String,
    /// `code`, where given.
    pub code: Option<String>,
    /// `schema_name`, where given.
    pub schema_name: Option<String>,
    /// `record_id`.
    pub record_id: Option<String>,
    /// `requirement`, where given (NULL for a presence rule's missing period).
    pub requirement: Option<String>,
    /// `field`; empty for none.
    pub field: String,
    /// `message`, where given: the template the values go in.
    pub message: Option<String>,
    /// `message_values`, in order (`None`: NULL).
    pub values: Vec<Option<String>>,
    /// `group_key`, where given.
    pub group_key: Option<String>,
}

/// The rows of `file`, in order; problems go to `diags` (a row with one is left out).
pub fn read(file: &SourceFile, diags: &mut Vec<Diag>) -> Vec<Row> {
    let first = file.text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}').chars().next();
    match first {
        // A failed export must not pass as one without findings.
        None => {
            diags.push(columns(file, Span::new(0, 0), "it is empty: it has no header and no rows"));
            Vec::new()
        }
        Some('{') => jsonl(file, diags),
        Some(_) => csv(file, diags),
    }
}

/// `precept::findings::invalid-row` at `span` of `file`.
pub fn invalid(file: &SourceFile, span: Span, line: usize, why: &str, help: &str) -> Diag {
    Diag::error(INVALID_ROW, format!("row at line {line} of `{}` was not read: {why}", file.name))
        .at(file, span, "this row")
        .help(help.to_string())
}

/// Which column of a row each of the view's columns is in.
#[derive(Default)]
struct Layout {
    at: std::collections::BTreeMap<&'static str, usize>,
}

impl Layout {
    /// From a header; `Err` names what is wrong with it.
    fn of(header: &[String]) -> Result<Layout, String> {
        let mut at = std::collections::BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
            let Some(col) = crate::sql::FINDING_COLUMNS.iter().find(|c| **c == name) else { continue };
            if at.insert(*col, i).is_some() {
                return Err(format!("the column `{col}` is given twice"));
            }
        }
        let missing: Vec<String> = NEEDED.iter().filter(|c| !at.contains_key(*c)).map(|c| format!("`{c}`")).collect();
        if !missing.is_empty() {
            return Err(format!("it has no column {}", missing.join(", ")));
        }
        Ok(Layout { at })
    }
}

fn columns(file: &SourceFile, span: Span, why: &str) -> Diag {
    Diag::error(COLUMNS, format!("`{}` is not an export of `precept_findings`: {why}", file.name))
        .at(file, span, "the columns")
        .help(format!(
            "export the view's columns by name ({}), as CSV with a header or as JSON Lines; docs/warehouse.md, \"Reading findings back\"",
            crate::sql::FINDING_COLUMNS.join(", ")
        ))
}

/// The span of the line starting at byte `start`, without its line break.
fn line_span(text: &str, start: usize) -> Span {
    let rest = text.get(start..).unwrap_or("");
    let len = rest.find('\n').unwrap_or(rest.len());
    let len = if rest.get(..len).is_some_and(|l| l.ends_with('\r')) { len - 1 } else { len };
    Span::new(start, start + len)
}

fn csv(file: &SourceFile, diags: &mut Vec<Diag>) -> Vec<Row> {
    let text: &str = &file.text;
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(str::to_string).collect(),
        Some(Err(e)) => {
            diags.push(columns(file, line_span(text, 0), &format!("its header is not CSV ({e})")));
            return Vec::new();
        }
        None => return Vec::new(),
    };
    let layout = match Layout::of(&header) {
        Ok(l) => l,
        Err(why) => {
            diags.push(columns(file, line_span(text, 0), &why));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let (start, line) = e.position().map_or((0, 1), |p| {
                    (usize::try_from(p.byte()).unwrap_or(0), usize::try_from(p.line()).unwrap_or(1))
                });
                diags.push(invalid(
                    file,
                    line_span(text, start),
                    line,
                    &format!("it is not CSV ({e})"),
                    "quote cells holding commas, quotes or line breaks",
                ));
                continue;
            }
        };
        let (start, line) = record
            .position()
            .map_or((0, 1), |p| (usize::try_from(p.byte()).unwrap_or(0), usize::try_from(p.line()).unwrap_or(1)));
        let span = line_span(text, start);
        if record.len() != header.len() {
            diags.push(invalid(
                file,
                span,
                line,
                &format!("it has {} cells where the header has {}", record.len(), header.len()),
                "give every row one cell per column of the header",
            ));
            continue;
        }
        // An empty cell is NULL, as warehouses write it to CSV.
        let cell = |col: &str| -> Option<String> {
            let i = *layout.at.get(col)?;
            record.get(i).filter(|c| !c.is_empty()).map(str::to_string)
        };
        let values = match cell("message_values").map_or(Ok(Vec::new()), |t| values_text(&t)) {
            Ok(v) => v,
            Err(why) => {
                diags.push(invalid(file, span, line, &why, VALUES_HELP));
                continue;
            }
        };
        let Some(rule_id) = cell("rule_id") else {
            diags.push(invalid(
                file,
                span,
                line,
                "its `rule_id` is empty",
                "every row names the rule it is a finding of",
            ));
            continue;
        };
        out.push(Row {
            line,
            span,
            rule_id,
            code: cell("code"),
            schema_name: cell("schema_name"),
            record_id: cell("record_id"),
            requirement: cell("requirement"),
            field: cell("field").unwrap_or_default(),
            message: cell("message"),
            values,
            group_key: cell("group_key"),
        });
    }
    out
}

const VALUES_HELP: &str = "export `message_values` as a JSON array of text: `to_json(message_values)` in DuckDB and Spark, `array_to_json(message_values)` in PostgreSQL (or PostgreSQL's own array text)";

/// `message_values` written as text: a JSON array, or PostgreSQL's array text.
fn values_text(t: &str) -> Result<Vec<Option<String>>, String> {
    let t = t.trim();
    if t.starts_with('{') {
        return pg_array(t).ok_or_else(|| format!("its `message_values` `{t}` is not an array"));
    }
    let json: serde_json::Value =
        serde_json::from_str(t).map_err(|e| format!("its `message_values` is not a JSON array ({e})"))?;
    values_json(&json)
}

/// `message_values` as JSON: an array of text (numbers and booleans are taken as written), or a
/// string holding one, or null.
fn values_json(v: &serde_json::Value) -> Result<Vec<Option<String>>, String> {
    use serde_json::Value;
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => values_text(s),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                Value::Number(n) => Ok(Some(n.to_string())),
                Value::Bool(b) => Ok(Some(b.to_string())),
                _ => Err("its `message_values` holds a list or an object where text is due".to_string()),
            })
            .collect(),
        _ => Err("its `message_values` is not an array".to_string()),
    }
}

/// PostgreSQL's text of a one-dimensional array of text: `{a,"b c",NULL}`; `None` if it is not one.
fn pg_array(t: &str) -> Option<Vec<Option<String>>> {
    let inner = t.strip_prefix('{')?.strip_suffix('}')?;
    let mut out = Vec::new();
    if inner.is_empty() {
        return Some(out);
    }
    let mut chars = inner.chars().peekable();
    loop {
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next()? {
                    '\\' => s.push(chars.next()?),
                    '"' => break,
                    c => s.push(c),
                }
            }
            out.push(Some(s));
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '{' || c == '"' {
                    return None;
                }
                s.push(c);
                chars.next();
            }
            out.push(if s.eq_ignore_ascii_case("NULL") { None } else { Some(s) });
        }
        match chars.next() {
            None => return Some(out),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

fn jsonl(file: &SourceFile, diags: &mut Vec<Diag>) -> Vec<Row> {
    let text: &str = &file.text;
    let mut out = Vec::new();
    let mut start = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line = i + 1;
        let at = start;
        start += raw.len();
        if raw.trim().is_empty() {
            continue;
        }
        let span = line_span(text, at);
        let object: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(raw.trim()) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                diags.push(invalid(
                    file,
                    span,
                    line,
                    "it is not a JSON object",
                    "write one JSON object per line, keyed by the view's column names",
                ));
                continue;
            }
            Err(e) => {
                diags.push(invalid(
                    file,
                    span,
                    line,
                    &format!("it is not JSON ({e})"),
                    "write one JSON object per line, keyed by the view's column names",
                ));
                continue;
            }
        };
        match json_row(&object) {
            Ok(mut row) => {
                row.line = line;
                row.span = span;
                out.push(row);
            }
            Err((why, help)) => diags.push(invalid(file, span, line, &why, help)),
        }
    }
    out
}

/// One JSON Lines row; `Err` says why it cannot be read, and what to do.
///
/// Keys are matched as CSV headers are, whatever their case; a key left out is NULL (Spark's
/// `write.json` leaves out NULL fields), so only `rule_id`, never NULL, must be given.
fn json_row(given: &serde_json::Map<String, serde_json::Value>) -> Result<Row, (String, &'static str)> {
    use serde_json::Value;
    let mut o: std::collections::HashMap<String, &Value> = std::collections::HashMap::new();
    for (key, value) in given {
        if o.insert(key.to_ascii_lowercase(), value).is_some() {
            return Err((
                format!("it gives the key `{}` twice (in different cases)", key.to_ascii_lowercase()),
                "give each column of `precept_findings` once",
            ));
        }
    }
    let text = |key: &str| -> Result<Option<String>, (String, &'static str)> {
        match o.get(key).copied() {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => {
                Err((format!("its `{key}` is a list or an object, not text"), "export the view's columns as they are"))
            }
        }
    };
    let values =
        values_json(o.get("message_values").copied().unwrap_or(&Value::Null)).map_err(|why| (why, VALUES_HELP))?;
    let Some(rule_id) = text("rule_id")?.filter(|r| !r.is_empty()) else {
        return Err((
            "it has no `rule_id`".to_string(),
            "every row names the rule it is a finding of: export the view's columns by name",
        ));
    };
    Ok(Row {
        line: 0,
        span: Span::new(0, 0),
        rule_id,
        code: text("code")?,
        schema_name: text("schema_name")?,
        record_id: text("record_id")?,
        requirement: text("requirement")?,
        field: text("field")?.unwrap_or_default(),
        message: text("message")?,
        values,
        group_key: text("group_key")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_arrays_are_read_with_quotes_escapes_and_nulls() {
        assert_eq!(
            pg_array(r#"{T-2,"a, b","say \"hi\"",NULL,"NULL"}"#),
            Some(vec![Some("T-2".into()), Some("a, b".into()), Some("say \"hi\"".into()), None, Some("NULL".into())])
        );
        assert_eq!(pg_array("{}"), Some(vec![]));
        assert_eq!(pg_array("{a,\"b}"), None);
    }

    #[test]
    fn json_arrays_may_be_text_holding_one() {
        assert_eq!(values_text(r#"["1", null]"#), Ok(vec![Some("1".into()), None]));
        assert!(values_text("[1, 2").is_err());
        assert!(values_text("[a, b]").is_err());
    }
}
