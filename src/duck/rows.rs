//! A row of the findings the SQL gives, as the [`Finding`] the native engine makes of the same
//! record: the message filled in with the SQL's values formatted as the engine formats them (a
//! time in the zone of the rule's calendar), placed at the record's line (its row in Parquet).

use std::sync::Arc;

use super::Source;
use crate::engine::Program;
use crate::findings::{Catalogue, Finding, Standing, Subject};
use crate::source::{SourceFile, Span};

/// One finding as the query gives it.
pub struct Row {
    /// The rule's index in [`Program::rules`].
    pub rule: i64,
    /// The file's index among the sources.
    pub file: i64,
    /// The record's `precept_row`: where it is in its file (`placed` in the engine's module).
    pub row: i64,
    record_id: Option<String>,
    field: String,
    /// The message's values as a JSON array of text (or null).
    values: String,
    staff: Option<String>,
    team: Option<String>,
    day: Option<String>,
    /// Why each value has no answer (NULL where it has one), as a JSON array of text (or null).
    whys: String,
}

impl Row {
    /// The columns of one row of the findings query, in its order.
    ///
    /// # Errors
    ///
    /// DuckDB's, for a value of the wrong type.
    pub fn read(row: &duckdb::Row<'_>) -> Result<Row, duckdb::Error> {
        Ok(Row {
            rule: row.get(0)?,
            file: row.get(1)?,
            row: row.get(2)?,
            record_id: row.get(3)?,
            field: row.get(4)?,
            values: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
            staff: row.get(6)?,
            team: row.get(7)?,
            day: row.get(8)?,
            whys: row.get::<_, Option<String>>(9)?.unwrap_or_default(),
        })
    }
}

/// Show each value with no answer (NULL among `values`, its reason in `whys`, a JSON array of
/// text or null) as the native engine shows it, `(no answer: division by zero)`: not a value of
/// its hole's type, the text is shown as it is.
pub fn answered(values: &mut [Option<String>], whys: &str) {
    let whys: Vec<Option<String>> = serde_json::from_str(whys).unwrap_or_default();
    for (v, why) in values.iter_mut().zip(whys) {
        if let (None, Some(why)) = (&v, why) {
            *v = Some(format!("(no answer: {why})"));
        }
    }
}

/// The finding of row `r` of file `source`; `None` for a rule the program does not have.
pub fn finding(program: &Program, catalogue: &Catalogue, source: &Source, r: Row) -> Option<Finding> {
    let index = usize::try_from(r.rule).ok()?;
    let rule = program.rules.get(index)?;
    let info = catalogue.rule(index)?.clone();
    let mut values: Vec<Option<String>> = serde_json::from_str(&r.values).unwrap_or_default();
    answered(&mut values, &r.whys);
    let message = crate::sql::message::message(program, rule, &values);
    // A JSON Lines or CSV record at the line the native reader read it on; Parquet has no lines:
    // its row stands in for one.
    let (ordinal, line) = super::placed(source.kind, r.row);
    Some(Finding {
        rule: Some(info),
        subject: Subject::Record,
        file: SourceFile::excerpt(source.name.as_str(), Arc::<str>::from(""), line),
        span: Span::new(0, 0),
        line,
        column: 1,
        end: (line, 1),
        record_index: ordinal,
        record_id: r.record_id,
        help: None,
        message,
        field: r.field,
        staff: r.staff,
        team: r.team,
        day: r.day.and_then(|d| d.parse().ok()),
        standing: Standing::Active,
        evidence: Vec::new(),
        group: None,
    })
}
