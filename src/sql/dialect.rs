//! The SQL dialects `precept sql` writes: where DuckDB, PostgreSQL and Spark SQL spell the same
//! computation differently, and nothing else.
//!
//! The compiler in [`super::expr`] builds every query from these few spellings, so a dialect is a
//! column of this file rather than a second compiler: quoting, types, the microsecond arithmetic of
//! instants, date arithmetic, text tests, regular expressions and the text of a value.

use super::tables::scalar;
use crate::engine::types::Ty;

/// A SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// DuckDB (1.x): the dialect the differential tests run.
    DuckDb,
    /// PostgreSQL (14 or later).
    Postgres,
    /// Spark SQL (3.4 or later), with `spark.sql.session.timeZone` set to `UTC`.
    Spark,
}

/// The SQL type of a column or value, as the table mapping (docs/warehouse.md) fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// Text and enumeration values (the variant's name).
    Text,
    /// Whole numbers, and durations in microseconds.
    Int,
    /// Decimals and money: 38 digits, 10 after the point.
    Decimal,
    /// Booleans.
    Bool,
    /// Dates.
    Date,
    /// Instants, as UTC wall-clock time.
    Timestamp,
}

impl Dialect {
    /// Every dialect, in the order the command line lists them.
    pub const ALL: [Dialect; 3] = [Dialect::DuckDb, Dialect::Spark, Dialect::Postgres];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
        }
    }

    /// The dialect named `name` (as `--dialect` takes it).
    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// A quoted identifier: a schema's table, a field's column (`"customer.kind"`).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::DuckDb | Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A text literal. Spark reads backslashes in literals as escapes, so they are doubled there.
    pub fn text(self, s: &str) -> String {
        match self {
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Dialect::DuckDb | Dialect::Postgres => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// The name of a type.
    pub fn ty(self, t: SqlType) -> &'static str {
        match (self, t) {
            (Dialect::DuckDb, SqlType::Text) => "VARCHAR",
            (Dialect::Postgres, SqlType::Text) => "TEXT",
            (Dialect::Spark, SqlType::Text) => "STRING",
            (_, SqlType::Int) => "BIGINT",
            (_, SqlType::Decimal) => "DECIMAL(38, 10)",
            (_, SqlType::Bool) => "BOOLEAN",
            (_, SqlType::Date) => "DATE",
            (_, SqlType::Timestamp) => "TIMESTAMP",
        }
    }

    /// The type of a list of `t`.
    pub fn list_ty(self, t: SqlType) -> String {
        match self {
            Dialect::Spark => format!("ARRAY<{}>", self.ty(t)),
            Dialect::DuckDb | Dialect::Postgres => format!("{}[]", self.ty(t)),
        }
    }

    /// A list of text values, in order (the `message_values` column).
    pub fn text_list(self, items: &[String]) -> String {
        let text = self.ty(SqlType::Text);
        match self {
            Dialect::DuckDb if items.is_empty() => format!("CAST([] AS {text}[])"),
            Dialect::DuckDb => format!("CAST([{}] AS {text}[])", items.join(", ")),
            Dialect::Postgres => format!("CAST(ARRAY[{}] AS {text}[])", items.join(", ")),
            Dialect::Spark => format!("CAST(array({}) AS ARRAY<{text}>)", items.join(", ")),
        }
    }

    /// `(x) IS TRUE`: false for false and for unknown. Spark has no `IS TRUE`; `<=>` is its
    /// null-safe equality.
    pub fn is_true(self, x: &str) -> String {
        match self {
            Dialect::Spark => format!("(({x}) <=> TRUE)"),
            Dialect::DuckDb | Dialect::Postgres => format!("(({x}) IS TRUE)"),
        }
    }

    /// `yes` where condition `c` holds, `no` where it does not, and `unknown` (NULL when `None`)
    /// where it is unknown, as the engine's `if` chooses. A simple `CASE` on `c`, so `c` is
    /// written once: a searched `CASE WHEN c IS TRUE ... WHEN c IS FALSE ...` wrote it twice, and
    /// an `if` whose condition is an `if` doubled the SQL text at each level (10 deep: 566 KB).
    /// PostgreSQL evaluates `c` once; DuckDB and Spark still compare a copy of it per `WHEN` when
    /// they plan the query (docs/warehouse.md, "Size of the SQL"). In PostgreSQL `c` is cast to
    /// `BOOLEAN`: a bare `NULL` there is of no type, and `NULL = TRUE` would not resolve.
    pub fn case_truth(self, c: &str, yes: &str, no: &str, unknown: Option<&str>) -> String {
        let rest = unknown.map(|u| format!(" ELSE {u}")).unwrap_or_default();
        let c = match self {
            Dialect::Postgres => format!("CAST(({c}) AS BOOLEAN)"),
            Dialect::DuckDb | Dialect::Spark => format!("({c})"),
        };
        format!("CASE {c} WHEN TRUE THEN {yes} WHEN FALSE THEN {no}{rest} END")
    }

    /// `(x) IS FALSE`.
    pub fn is_false(self, x: &str) -> String {
        match self {
            Dialect::Spark => format!("(({x}) <=> FALSE)"),
            Dialect::DuckDb | Dialect::Postgres => format!("(({x}) IS FALSE)"),
        }
    }

    /// Microseconds since 1970-01-01T00:00:00Z of a timestamp: instants are compared and
    /// subtracted as whole numbers, exactly, in every dialect.
    pub fn epoch_us(self, ts: &str) -> String {
        match self {
            Dialect::DuckDb => format!("epoch_us({ts})"),
            Dialect::Postgres => format!("CAST(EXTRACT(EPOCH FROM {ts}) * 1000000 AS BIGINT)"),
            Dialect::Spark => format!("unix_micros({ts})"),
        }
    }

    /// The timestamp `us` microseconds after 1970-01-01T00:00:00Z.
    pub fn from_epoch_us(self, us: &str) -> String {
        match self {
            Dialect::DuckDb => format!("make_timestamp({us})"),
            Dialect::Postgres => format!("(TIMESTAMP '1970-01-01 00:00:00' + ({us}) * INTERVAL '1 microsecond')"),
            Dialect::Spark => format!("timestamp_micros({us})"),
        }
    }

    /// Whole days from date `b` to date `a`.
    pub fn days_between(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("CAST(({a}) - ({b}) AS BIGINT)"),
            Dialect::Spark => format!("CAST(datediff({a}, {b}) AS BIGINT)"),
        }
    }

    /// Date `d` moved by `n` whole days (negative: back).
    pub fn add_days(self, d: &str, n: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("CAST(({d}) + CAST({n} AS INTEGER) AS DATE)"),
            Dialect::Spark => format!("date_add({d}, CAST({n} AS INT))"),
        }
    }

    /// Date `d` moved by `n` calendar months, the last day of a shorter month standing for a day it
    /// lacks (31 January + 1 month is the last day of February), as Precept's own rule.
    pub fn add_months(self, d: &str, n: i64) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(({d}) + to_months({n}) AS DATE)"),
            Dialect::Postgres => format!("CAST(({d}) + make_interval(months => {n}) AS DATE)"),
            Dialect::Spark => format!("add_months({d}, {n})"),
        }
    }

    /// [`Dialect::add_months`] by a whole number computed in SQL, `n`.
    pub fn add_months_by(self, d: &str, n: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(({d}) + to_months(CAST({n} AS INTEGER)) AS DATE)"),
            Dialect::Postgres => format!("CAST(({d}) + make_interval(months => CAST({n} AS INTEGER)) AS DATE)"),
            Dialect::Spark => format!("add_months({d}, CAST({n} AS INT))"),
        }
    }

    /// Instant `t` as text at offset `off` (seconds east of UTC): its wall-clock time there and the
    /// offset, `2024-03-01T00:30:00.000000+01:00` (`+00:00` for UTC), as the engine shows a
    /// datetime it keeps the offset of; NULL for a missing instant.
    pub fn written_text(self, t: &str, off: &str) -> String {
        self.written_text_finer(t, off, "''")
    }

    /// [`Dialect::written_text`] with text `finer` (more digits of the fraction of a second)
    /// after the microseconds.
    pub fn written_text_finer(self, t: &str, off: &str, finer: &str) -> String {
        let local =
            self.to_text(&self.from_epoch_us(&format!("{} + ({off}) * 1000000", self.epoch_us(t))), SqlType::Timestamp);
        format!("CASE WHEN {t} IS NOT NULL THEN substr({local}, 1, 26) || {finer} || {} END", self.offset_text(off))
    }

    /// Instant `t` as the engine writes a datetime of offset `off` (seconds east of UTC) where it
    /// shows one as it is, in a list ([`crate::engine::format::value`]): the wall-clock time there
    /// with its fraction of a second only when it has one, without trailing zeros
    /// (`2024-03-01T00:30:00+01:00`, `2024-03-01T00:30:00.25+01:00`), and the offset rounded to the
    /// nearest minute; NULL for NULL.
    pub fn shown_at_offset(self, t: &str, off: &str) -> String {
        let local =
            self.to_text(&self.from_epoch_us(&format!("{} + ({off}) * 1000000", self.epoch_us(t))), SqlType::Timestamp);
        let fraction = self.trim_trailing(&format!("substr({local}, 21, 6)"), "0");
        format!(
            "CASE WHEN {t} IS NOT NULL THEN substr({local}, 1, 19) || CASE WHEN {fraction} <> '' THEN '.' || {fraction} ELSE '' END || {} END",
            self.offset_text(off)
        )
    }

    /// Offset `off` (seconds east of UTC) as the engine writes it after a datetime: `+01:00`,
    /// `-05:00`, rounded to the nearest minute (half a minute up, at most 25:59, as jiff prints an
    /// offset with seconds), the sign the offset's own (`-00:00` for 29 seconds west).
    pub fn offset_text(self, off: &str) -> String {
        let text = self.ty(SqlType::Text);
        let minutes = format!("least({}, 1559)", self.int_div(&format!("abs({off}) + 30"), "60"));
        let two = |n: String| format!("lpad(CAST({n} AS {text}), 2, '0')");
        let (hours, mins) = (two(self.int_div(&minutes, "60")), two(format!("({minutes}) % 60")));
        format!("CASE WHEN ({off}) < 0 THEN '-' ELSE '+' END || {hours} || ':' || {mins}")
    }

    /// Element `i` (from 1, as SQL counts) of list `l`; NULL past its end or for a NULL list.
    pub fn nth(self, l: &str, i: &str) -> String {
        match self {
            Dialect::DuckDb => format!("list_extract({l}, {i})"),
            Dialect::Postgres => format!("({l})[{i}]"),
            Dialect::Spark => format!("get({l}, ({i}) - 1)"),
        }
    }

    /// The position (from 1) of the element bound as `a` in [`Dialect::list_text`].
    pub fn shown_position(self, a: &str) -> String {
        match self {
            Dialect::Spark => format!("({a}_i + 1)"),
            Dialect::DuckDb | Dialect::Postgres => format!("{a}.i"),
        }
    }

    /// The first day of the week (Monday), month or year of date `d`.
    pub fn trunc_date(self, unit: &str, d: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("CAST(date_trunc('{unit}', {d}) AS DATE)"),
            Dialect::Spark => format!("CAST(date_trunc('{unit}', {d}) AS DATE)"),
        }
    }

    /// `col` of the row of `from` (a table, its alias and a `WHERE`) with the least `key` (the
    /// greatest when `last`), for calendar lookups where `col` grows with `key` (a working day's
    /// index with its end), so that it is also the least (greatest) `col`. PostgreSQL's planner
    /// finds that row with one probe of an index on `key` only when asked for it by `ORDER BY ...
    /// LIMIT 1` (it would otherwise read every later row); Spark's correlated subqueries must be
    /// aggregates, and DuckDB turns the aggregate into a join.
    pub fn nearest(self, col: &str, key: &str, last: bool, from: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("(SELECT {col} FROM {from} ORDER BY {key} {} LIMIT 1)", if last { "DESC" } else { "ASC" })
            }
            Dialect::DuckDb | Dialect::Spark => {
                format!("(SELECT {}({col}) FROM {from})", if last { "MAX" } else { "MIN" })
            }
        }
    }

    /// Whole-number division, truncated toward zero.
    pub fn int_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("(({a}) // ({b}))"),
            Dialect::Postgres => format!("(({a}) / ({b}))"),
            Dialect::Spark => format!("(({a}) div ({b}))"),
        }
    }

    /// `haystack contains needle`, `starts with`, `ends with`.
    pub fn text_test(self, op: crate::engine::program::TextOp, h: &str, n: &str) -> String {
        use crate::engine::program::TextOp;
        match (self, op) {
            (Dialect::DuckDb, TextOp::Contains) => format!("contains({h}, {n})"),
            (Dialect::DuckDb, TextOp::StartsWith) => format!("starts_with({h}, {n})"),
            (Dialect::DuckDb, TextOp::EndsWith) => format!("ends_with({h}, {n})"),
            (Dialect::Postgres, TextOp::Contains) => format!("(strpos({h}, {n}) > 0)"),
            (Dialect::Postgres, TextOp::StartsWith) => format!("starts_with({h}, {n})"),
            (Dialect::Postgres, TextOp::EndsWith) => format!("(right({h}, length({n})) = {n})"),
            (Dialect::Spark, TextOp::Contains) => format!("contains({h}, {n})"),
            (Dialect::Spark, TextOp::StartsWith) => format!("startswith({h}, {n})"),
            (Dialect::Spark, TextOp::EndsWith) => format!("endswith({h}, {n})"),
        }
    }

    /// Whether text `s` has a match of regular expression `pattern` anywhere (unanchored, as
    /// `matches` is). DuckDB's RE2 reads the syntax Precept's Rust regexes do; PostgreSQL's and
    /// Java's differ at the edges (docs/warehouse.md, "Limits").
    pub fn regex(self, s: &str, pattern: &str) -> String {
        let p = self.text(pattern);
        match self {
            Dialect::DuckDb => format!("regexp_matches({s}, {p})"),
            Dialect::Postgres => format!("({s} ~ {p})"),
            Dialect::Spark => format!("({s} RLIKE {p})"),
        }
    }

    /// Text compared byte by byte, as Precept compares it (PostgreSQL's default collation
    /// would sort by the locale's rules).
    pub fn bytewise(self, s: &str) -> String {
        match self {
            Dialect::Postgres => format!("({s} COLLATE \"C\")"),
            Dialect::DuckDb | Dialect::Spark => s.to_string(),
        }
    }

    /// A value's text in the `message_values` column: ISO dates, instants as
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, numbers and booleans as SQL writes them.
    pub fn to_text(self, x: &str, t: SqlType) -> String {
        let text = self.ty(SqlType::Text);
        match (self, t) {
            (_, SqlType::Text) => x.to_string(),
            (Dialect::DuckDb, SqlType::Timestamp) => format!("strftime({x}, '%Y-%m-%dT%H:%M:%S.%fZ')"),
            (Dialect::Postgres, SqlType::Timestamp) => format!("to_char({x}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"),
            // Not `CAST(... AS TEXT)`, whose text follows the server's `DateStyle`.
            (Dialect::Postgres, SqlType::Date) => format!("to_char({x}, 'YYYY-MM-DD')"),
            (Dialect::Spark, SqlType::Timestamp) => {
                format!("date_format({x}, 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSSSS\\'Z\\'')")
            }
            (_, SqlType::Bool) => format!("CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END"),
            _ => format!("CAST({x} AS {text})"),
        }
    }

    /// A redacted value as the engine shows it ([`crate::engine::redact::hash`]): `redacted:` and
    /// the first 8 hex digits of the SHA-256 of text `x`'s UTF-8 bytes; NULL for NULL. Every
    /// dialect has SHA-256, so the same customer id gives the same hash in the warehouse as in
    /// `check`'s reports, and waivers and baselines written from either match.
    pub fn redacted(self, x: &str) -> String {
        let hex = match self {
            Dialect::DuckDb => format!("sha256({x})"),
            Dialect::Postgres => format!("encode(sha256(convert_to({x}, 'UTF8')), 'hex')"),
            Dialect::Spark => format!("sha2(CAST({x} AS BINARY), 256)"),
        };
        format!("('redacted:' || substr({hex}, 1, 8))")
    }

    /// Text `s` without the characters `c` at its end (Spark's `rtrim` takes no characters).
    pub fn trim_trailing(self, s: &str, c: &str) -> String {
        match self {
            Dialect::Spark => format!("TRIM(TRAILING '{c}' FROM ({s}))"),
            Dialect::DuckDb | Dialect::Postgres => format!("rtrim({s}, '{c}')"),
        }
    }

    /// Text `s` without the characters `c` at its start.
    pub fn trim_leading(self, s: &str, c: &str) -> String {
        match self {
            Dialect::Spark => format!("TRIM(LEADING '{c}' FROM ({s}))"),
            Dialect::DuckDb | Dialect::Postgres => format!("ltrim({s}, '{c}')"),
        }
    }

    /// `body` with `var.name` bound to each of `fields`' values, each value written once however
    /// often `body` reads it (a `let`): a one-element list mapped in DuckDB and Spark, a
    /// subquery in PostgreSQL (kept apart from `body`). Writing a long expression once, not at each use, keeps the view
    /// small (a view that repeats its operands can outgrow Spark's memory to analyse).
    pub fn bind(self, var: &str, fields: &[(&str, String)], body: &str) -> String {
        match self {
            Dialect::DuckDb => {
                let fields: Vec<String> = fields.iter().map(|(n, v)| format!("'{n}': {v}")).collect();
                format!("list_transform([{{{}}}], lambda {var}: {body})[1]", fields.join(", "))
            }
            Dialect::Spark => {
                let fields: Vec<String> = fields.iter().map(|(n, v)| format!("'{n}', {v}")).collect();
                format!("transform(array(named_struct({})), {var} -> {body})[0]", fields.join(", "))
            }
            Dialect::Postgres => {
                let fields: Vec<String> = fields.iter().map(|(n, v)| format!("{v} AS {n}")).collect();
                // `OFFSET 0` keeps the planner from pulling the values up into `body`, which
                // would write each once for every use again, and nested binds' uses multiplied.
                format!("(SELECT {body} FROM (SELECT {} OFFSET 0) AS {var})", fields.join(", "))
            }
        }
    }

    /// Text `x` as a message quotes it ([`crate::text::clip`]): at most `max` characters (code
    /// points in every dialect's `length` and `substr`), then `…`.
    pub fn clipped(self, x: &str, max: usize) -> String {
        format!("substr({x}, 1, {max}) || CASE WHEN length({x}) > {max} THEN {} ELSE '' END", self.text("…"))
    }

    /// A list element bound to quantifier variable alias `a`, as conditions read it.
    pub fn element(self, a: &str) -> String {
        match self {
            Dialect::Spark => a.to_string(),
            Dialect::DuckDb | Dialect::Postgres => format!("{a}.e"),
        }
    }

    /// Whether a list of type `ty` is held as `JSONB` rather than as an array: PostgreSQL's lists
    /// of objects, whose arrays would need a composite type declared for each object's shape, and
    /// its lists of lists, whose arrays must be rectangular and unnest into one list
    /// (docs/warehouse.md, "Lists"). The table mapping, the loader and the compiler all ask here.
    pub fn jsonb(self, ty: &Ty) -> bool {
        self == Dialect::Postgres && matches!(ty, Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)))
    }

    /// A `JSONB` array `j` of scalars of type `ty` as the SQL array a column of a list of them
    /// is (PostgreSQL), NULL for anything but an array (a missing list); `None` for a `ty` that
    /// is not a scalar.
    pub fn pg_array(self, j: &str, ty: &Ty) -> Option<String> {
        let t = self.ty(scalar(ty)?);
        Some(format!(
            "CASE WHEN jsonb_typeof({j}) = 'array' THEN ARRAY(SELECT CAST(v.t AS {t}) FROM jsonb_array_elements_text({j}) WITH ORDINALITY AS v(t, i) ORDER BY v.i) END"
        ))
    }

    /// Field `name`, of type `ty`, of an object `x` in a list (a struct; in PostgreSQL a `JSONB`
    /// object, or JSON `null` for a missing one). In `JSONB` a scalar is its `->>` text cast to the
    /// mapped type (an absent key and JSON `null` are both NULL, a missing value); an object or a
    /// list of objects or of lists stays `JSONB`, with JSON `null` made NULL so that it reads as
    /// missing; a list of scalars becomes the array its column would be.
    pub fn struct_field(self, x: &str, name: &str, ty: &Ty) -> Option<String> {
        match self {
            Dialect::DuckDb => Some(format!("struct_extract({x}, {})", self.text(name))),
            Dialect::Spark => Some(format!("{x}.{}", self.ident(name))),
            Dialect::Postgres => {
                let key = self.text(name);
                Some(match (scalar(ty), ty) {
                    (Some(SqlType::Text), _) => format!("({x} ->> {key})"),
                    (Some(t), _) => format!("CAST({x} ->> {key} AS {})", self.ty(t)),
                    (None, Ty::List(inner)) if !self.jsonb(ty) => self.pg_array(&format!("{x} -> {key}"), inner)?,
                    _ => format!("NULLIF({x} -> {key}, 'null')"),
                })
            }
        }
    }

    /// The rows of list `l`'s elements, each bound as `a.e` (with its position from 1 as `a.i`
    /// when `ordinal`), for a `FROM` in PostgreSQL: `unnest` of an array, `jsonb_array_elements`
    /// of `JSONB` ([`Dialect::jsonb`]).
    fn pg_elements(l: &str, a: &str, jsonb: bool, ordinal: bool) -> String {
        let f = if jsonb { "jsonb_array_elements" } else { "unnest" };
        if ordinal {
            format!("{f}({l}) WITH ORDINALITY AS {a}(e, i)")
        } else {
            format!("{f}({l}) AS {a}(e)")
        }
    }

    /// `body` (aggregates over the elements of list `l`, each bound as `a`; `jsonb`: held as
    /// [`Dialect::jsonb`] says) as one value: a subquery over the unnested list, or (Spark, whose
    /// higher-order functions take the list themselves) the body alone.
    fn over(self, l: &str, jsonb: bool, a: &str, body: &str) -> String {
        match self {
            Dialect::DuckDb => format!("(SELECT {body} FROM (SELECT UNNEST({l}) AS e) AS {a})"),
            Dialect::Postgres => format!("(SELECT {body} FROM {})", Self::pg_elements(l, a, jsonb, false)),
            Dialect::Spark => body.to_string(),
        }
    }

    /// `any(a in l: cond)`: true when some element's condition is true, else unknown when some is
    /// unknown, else false; unknown for a missing list.
    pub fn any(self, l: &str, jsonb: bool, a: &str, cond: &str) -> String {
        let body = match self {
            Dialect::Spark => format!("exists({l}, {a} -> {})", lambda(cond)),
            _ => format!(
                "CASE WHEN {} > 0 THEN TRUE WHEN {} > 0 THEN NULL ELSE FALSE END",
                counted(a, cond, "TRUE"),
                counted(a, cond, "NULL")
            ),
        };
        format!("CASE WHEN {l} IS NOT NULL THEN {} END", self.over(l, jsonb, a, &body))
    }

    /// `all(a in l: cond)`: false when some element's condition is false, else unknown when some is
    /// unknown, else true; unknown for a missing list.
    pub fn all(self, l: &str, jsonb: bool, a: &str, cond: &str) -> String {
        let body = match self {
            Dialect::Spark => format!("forall({l}, {a} -> {})", lambda(cond)),
            _ => format!(
                "CASE WHEN {} > 0 THEN FALSE WHEN {} > 0 THEN NULL ELSE TRUE END",
                counted(a, cond, "FALSE"),
                counted(a, cond, "NULL")
            ),
        };
        format!("CASE WHEN {l} IS NOT NULL THEN {} END", self.over(l, jsonb, a, &body))
    }

    /// `count(a in l: cond)`: the elements whose condition is true, unknown when any element's is
    /// unknown (it might count or not) or the list is missing.
    pub fn count_where(self, l: &str, jsonb: bool, a: &str, cond: &str) -> String {
        let body = match self {
            Dialect::Spark => {
                let cond = lambda(cond);
                format!(
                    "CASE WHEN exists({l}, {a} -> ({cond}) IS NULL) THEN NULL ELSE CAST(size(filter({l}, {a} -> ({cond}) <=> TRUE)) AS BIGINT) END"
                )
            }
            _ => format!("CASE WHEN {} > 0 THEN NULL ELSE {} END", counted(a, cond, "NULL"), counted(a, cond, "TRUE")),
        };
        format!("CASE WHEN {l} IS NOT NULL THEN {} END", self.over(l, jsonb, a, &body))
    }

    /// List `l` (each element bound as `a`, its position as [`Dialect::shown_position`] gives it;
    /// `jsonb`: held as [`Dialect::jsonb`] says) as the engine shows a list in a message
    /// ([`crate::engine::format::value`]): `[` and the text of its first `most` elements (`item`,
    /// of the element bound as `a`; `(missing)` for none),
    /// joined by `, `, then `, ... N more` past them and `]`; NULL for a missing list.
    pub fn list_text(self, l: &str, jsonb: bool, a: &str, item: &str, most: usize) -> String {
        let item = format!("COALESCE({item}, '(missing)')");
        let shown = match self {
            Dialect::DuckDb => format!(
                "(SELECT string_agg({item}, ', ' ORDER BY {a}.i) FROM (SELECT UNNEST({l}) AS e, generate_subscripts({l}, 1) AS i) AS {a} WHERE {a}.i <= {most})"
            ),
            Dialect::Postgres => format!(
                "(SELECT string_agg({item}, ', ' ORDER BY {a}.i) FROM {} WHERE {a}.i <= {most})",
                Self::pg_elements(l, a, jsonb, true)
            ),
            Dialect::Spark => {
                format!("array_join(transform(slice({l}, 1, {most}), ({a}, {a}_i) -> {}), ', ')", lambda(&item))
            }
        };
        let n = self.len(l, jsonb);
        let text = self.ty(SqlType::Text);
        format!(
            "CASE WHEN {l} IS NOT NULL THEN '[' || COALESCE({shown}, '') || CASE WHEN {n} > {most} THEN ', ... ' || CAST({n} - {most} AS {text}) || ' more' ELSE '' END || ']' END"
        )
    }

    /// `count(l)`: the number of elements; unknown for a missing list.
    pub fn len(self, l: &str, jsonb: bool) -> String {
        let n = match self {
            Dialect::DuckDb => format!("len({l})"),
            Dialect::Postgres if jsonb => format!("jsonb_array_length({l})"),
            Dialect::Postgres => format!("COALESCE(cardinality({l}), 0)"),
            Dialect::Spark => format!("size({l})"),
        };
        format!("CASE WHEN {l} IS NOT NULL THEN CAST({n} AS BIGINT) END")
    }

    /// The position (from 0) of the element bound as `a` in [`Dialect::first_element`], as SQL:
    /// its ordinality less one, or in Spark the index a lambda is given with it.
    pub fn element_index(self, a: &str) -> String {
        match self {
            Dialect::Spark => format!("{a}_i"),
            Dialect::DuckDb | Dialect::Postgres => format!("{a}.i - 1"),
        }
    }

    /// The first element of list `l` (each bound as `a`, its position as
    /// [`Dialect::element_index`] gives it; `jsonb`: a PostgreSQL `JSONB` list) for which
    /// `cond` (true or false, never unknown) holds, in list order, as `sel` gives it; NULL when
    /// there is none. In Spark, whose subqueries cannot read the outer row's list, the
    /// higher-order functions do it: each element is mapped, with its index, to `sel` in a struct
    /// where `cond` holds (NULL elsewhere, so that a NULL `sel` is still the one chosen), the NULLs
    /// are dropped, and the first is read (`get`, NULL for none).
    pub fn first_element(self, l: &str, jsonb: bool, a: &str, sel: &str, cond: &str) -> String {
        match self {
            Dialect::DuckDb => format!(
                "(SELECT {sel} FROM (SELECT UNNEST({l}) AS e, generate_subscripts({l}, 1) AS i) AS {a} WHERE {cond} ORDER BY {a}.i LIMIT 1)"
            ),
            Dialect::Postgres => format!(
                "(SELECT {sel} FROM {} WHERE {cond} ORDER BY {a}.i LIMIT 1)",
                Self::pg_elements(l, a, jsonb, true)
            ),
            Dialect::Spark => format!(
                "get(filter(transform({l}, ({a}, {a}_i) -> CASE WHEN {} THEN named_struct('v', {}) END), {a}_f -> {a}_f IS NOT NULL), 0).v",
                lambda(cond),
                lambda(sel)
            ),
        }
    }

    /// `x in l` (negated: `not in`): whether an element equals `x`; unknown when either is missing.
    /// A missing element equals nothing. `l` is a list of values, never of objects (the checker
    /// does not compare objects), so never `JSONB`.
    pub fn in_list(self, x: &str, l: &str, a: &str, negate: bool) -> String {
        let not = if negate { "NOT " } else { "" };
        let found = match self {
            Dialect::Spark => format!("exists({l}, {a} -> {a} <=> {})", lambda(x)),
            _ => self.over(l, false, a, &format!("COUNT(*) FILTER (WHERE {} = {x}) > 0", self.element(a))),
        };
        format!("CASE WHEN {x} IS NOT NULL AND {l} IS NOT NULL THEN {not}{found} END")
    }
}

/// The elements (bound as `a`, over [`Dialect::over`]) whose `cond` is `is` (`TRUE`, `FALSE`,
/// `NULL`), counted in DuckDB and PostgreSQL. The filter always reads the element: a condition that
/// reads only the record (`all(x in record.items: record.n > 0)`) would otherwise make the count
/// an aggregate of the outer query, as SQL places an aggregate at the level of the columns it
/// reads, which DuckDB refused in the view's `WHERE` (the whole view was lost).
fn counted(a: &str, cond: &str, is: &str) -> String {
    let element = format!("{a}.e");
    if cond.contains(&element) {
        return format!("COUNT(*) FILTER (WHERE ({cond}) IS {is})");
    }
    format!("COUNT(*) FILTER (WHERE ({cond}) IS {is} AND ({element} IS NULL OR TRUE))")
}

/// `sql` as the body of a Spark lambda: its calendar lookups read as columns of the calendar's
/// row joined to the query, since Spark 4 and Databricks refuse a subquery inside a lambda
/// ([`super::lookup::hoisted`]).
pub(crate) fn lambda(sql: &str) -> String {
    super::lookup::hoisted(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_names_escape_what_would_end_them() {
        assert_eq!(Dialect::DuckDb.text("O'Brien"), "'O''Brien'");
        assert_eq!(Dialect::Postgres.text("a\\b"), "'a\\b'");
        // Spark reads backslash escapes in literals.
        assert_eq!(Dialect::Spark.text("O'Brien \\d"), "'O\\'Brien \\\\d'");
        assert_eq!(Dialect::DuckDb.ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
    }

    #[test]
    fn only_postgres_lists_of_objects_and_of_lists_are_jsonb_and_their_fields_are_cast_from_text() {
        let objects = Ty::List(Box::new(Ty::Object(0)));
        let texts = Ty::List(Box::new(Ty::Text));
        let lists = Ty::List(Box::new(texts.clone()));
        assert!(Dialect::Postgres.jsonb(&objects) && Dialect::Postgres.jsonb(&lists));
        assert!(!Dialect::Postgres.jsonb(&texts));
        assert!(!Dialect::DuckDb.jsonb(&lists) && !Dialect::Spark.jsonb(&lists));
        assert!(!Dialect::DuckDb.jsonb(&objects) && !Dialect::Spark.jsonb(&objects));
        let pg = |ty: &Ty| Dialect::Postgres.struct_field("u1.e", "f", ty).unwrap_or_default();
        assert_eq!(pg(&Ty::Text), "(u1.e ->> 'f')");
        assert_eq!(pg(&Ty::Dec), "CAST(u1.e ->> 'f' AS DECIMAL(38, 10))");
        // JSON `null` is made NULL where the value stays JSONB, so that it reads as missing.
        assert_eq!(pg(&objects), "NULLIF(u1.e -> 'f', 'null')");
        assert_eq!(pg(&Ty::Object(0)), "NULLIF(u1.e -> 'f', 'null')");
        assert!(pg(&texts).contains("jsonb_array_elements_text(u1.e -> 'f') WITH ORDINALITY"));
        // A list of lists inside an object stays JSONB, as its column would be.
        assert_eq!(pg(&lists), "NULLIF(u1.e -> 'f', 'null')");
        assert_eq!(Dialect::DuckDb.struct_field("x", "f", &Ty::Int).as_deref(), Some("struct_extract(x, 'f')"));
    }

    #[test]
    fn every_dialect_is_found_by_its_name() {
        for d in Dialect::ALL {
            assert_eq!(Dialect::from_name(d.name()), Some(d));
        }
        assert_eq!(Dialect::from_name("mysql"), None);
    }
}
