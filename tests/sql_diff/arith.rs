//! Generated arithmetic, compared rule by rule: the places each dialect gives a computation are
//! estimated by hand in `precept sql` (DuckDB's `DECIMAL` adds the places of a product and types
//! a `CASE` by its widest operand), and a slip there is a wrong verdict or a view the database
//! refuses. So rather than the shapes thought of, seeded random expressions over decimals,
//! whole numbers and amounts: sums, differences, products, quotients, choices (`if`, `otherwise`)
//! and a group's aggregates, compared with constants and with each other, shown in messages and
//! not, over records with values tiny, large, below zero, missing and zero.
//!
//! Each rule is checked alone first (one that does not type is drawn again) and the rules the SQL
//! leaves out are named by its diagnostics: a rule left out is no failure, a different verdict or
//! a refused view is.

use super::{scratch, Engine};

/// The schema every generated rule is written for.
const SCHEMA: &str = r#"schema row {
  identified by id
  id: text
  a: decimal
  b: decimal?
  i: integer
  j: integer?
  m: money GBP
  n: money GBP?
  w: duration
  v: duration?
  t: datetime
  u: datetime?
  team: text
  items: list of { p: decimal?, q: integer? }?
}
"#;

/// A computation's type: what may be combined with it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Dec,
    Int,
    Gbp,
    Dur,
}

/// Seeded expressions over [`SCHEMA`].
struct Gen {
    rng: fastrand::Rng,
    /// Constants of a million too, whose products pass what the databases' decimals hold.
    large: bool,
    /// Inside a quantifier over `record.items`: its element `x`'s fields are read too.
    item: bool,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.usize(..xs.len())]
    }

    /// A leaf of kind `k`: a field (perhaps missing) or a constant.
    fn leaf(&mut self, k: Kind) -> String {
        let field = self.rng.u8(..3) > 0;
        // An optional field is read with a default, as the checker asks (a leaf reading one
        // bare would not type, and its rule would be drawn again).
        if field && self.item && self.rng.bool() {
            match k {
                Kind::Dec => return format!("(x.p otherwise {})", self.pick(&["0", "1.5", "-0.0000000001"])),
                Kind::Int => return format!("(x.q otherwise {})", self.pick(&["0", "2", "-1"])),
                Kind::Gbp | Kind::Dur => {}
            }
        }
        if field && self.rng.u8(..3) == 0 {
            return match k {
                Kind::Dec => format!("(record.b otherwise {})", self.pick(&["0", "2.25", "0.0000000001"])),
                Kind::Int => format!("(record.j otherwise {})", self.pick(&["0", "3", "-2"])),
                Kind::Gbp => format!("(record.n otherwise {})", self.pick(&["0.00 GBP", "1.00 GBP"])),
                Kind::Dur => format!("(record.v otherwise {})", self.pick(&["0s", "1h"])),
            };
        }
        match (k, field) {
            (Kind::Dec, true) => self.pick(&["record.a", "record.a", "record.b"]).into(),
            (Kind::Dec, false) => {
                let big = if self.large { "1000000.5" } else { "1000.5" };
                self.pick(&["1.5", "0.0000000001", "2.25", "0.3333333333", big, "-7.125"]).into()
            }
            (Kind::Int, true) => self.pick(&["record.i", "record.i", "record.j"]).into(),
            (Kind::Int, false) => self.pick(&["3", "1", "7", if self.large { "1000000" } else { "1000" }, "-2"]).into(),
            (Kind::Gbp, true) => self.pick(&["record.m", "record.m", "record.n"]).into(),
            (Kind::Gbp, false) => self.pick(&["1.00 GBP", "0.01 GBP", "250.50 GBP", "-3.99 GBP"]).into(),
            (Kind::Dur, true) => self.pick(&["record.w", "record.w", "record.v"]).into(),
            (Kind::Dur, false) => self.pick(&["30m", "2h", "1d", "90s", "1w"]).into(),
        }
    }

    /// A condition for an `if`.
    fn cond(&mut self) -> String {
        self.pick(&["record.i > 0", "record.a < 1", "record.m >= 10.00 GBP", "record.b is present", "record.j == 0"])
            .into()
    }

    /// An expression of kind `k`, at most `depth` operators deep.
    fn expr(&mut self, k: Kind, depth: u32) -> String {
        if depth == 0 || self.rng.u8(..10) < 3 {
            return self.leaf(k);
        }
        let d = depth - 1;
        match self.rng.u8(..10) {
            // A sum or difference of two of the same kind.
            0 | 1 => {
                let op = self.pick(&["+", "-"]);
                format!("({} {op} {})", self.expr(k, d), self.expr(k, d))
            }
            // A product: by a whole number or a decimal (an amount times a number stays an amount).
            2..=4 => {
                let by = if self.rng.bool() { Kind::Dec } else { Kind::Int };
                let x = self.expr(k, d);
                let y = self.expr(by, d);
                if self.rng.bool() || matches!(k, Kind::Gbp | Kind::Dur) {
                    format!("({x} * {y})")
                } else {
                    format!("({y} * {x})")
                }
            }
            // A quotient by a whole number or a decimal.
            5 | 6 => {
                let by = if self.rng.bool() { Kind::Dec } else { Kind::Int };
                format!("({} / {})", self.expr(k, d), self.expr(by, d))
            }
            7 => format!("(if {} then {} else {})", self.cond(), self.expr(k, d), self.expr(k, d)),
            8 => format!("({} otherwise {})", self.expr(k, d), self.expr(k, d)),
            // A ratio of amounts is a decimal; any value negated.
            _ if k == Kind::Dec && self.rng.bool() => {
                format!("({} / {})", self.expr(Kind::Gbp, d), self.expr(Kind::Gbp, d))
            }
            _ => format!("(-{})", self.expr(k, d)),
        }
    }

    /// A comparison of two expressions of one kind (a quotient of whole numbers is a decimal, so
    /// whole numbers are compared with decimals too).
    fn compare(&mut self, k: Kind, depth: u32) -> (String, String) {
        let op = self.pick(&["<", "<=", ">", ">=", "==", "!="]);
        let x = self.expr(k, depth);
        let other = match k {
            Kind::Int if self.rng.bool() => Kind::Dec,
            _ => k,
        };
        let y = if self.rng.u8(..3) == 0 { self.expr(other, depth) } else { self.leaf(other) };
        (format!("{x} {op} {y}"), x)
    }

    /// An instant: a datetime field (perhaps missing, with a default), moved by durations and
    /// months, or chosen.
    fn instant(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.u8(..10) < 3 {
            return match self.rng.u8(..3) {
                0 => format!(
                    "(record.u otherwise {})",
                    self.pick(&["2024-03-31T01:30:00Z", "2024-02-29T12:00:00-05:00"])
                ),
                _ => "record.t".into(),
            };
        }
        let d = depth - 1;
        match self.rng.u8(..5) {
            0 => format!("({} + {})", self.instant(d), self.expr(Kind::Dur, d)),
            1 => format!("({} - {})", self.instant(d), self.expr(Kind::Dur, d)),
            2 => format!(
                "({} {} {})",
                self.instant(d),
                self.pick(&["+", "-"]),
                self.pick(&["1 month", "2 months", "12 months"])
            ),
            3 => format!("(if {} then {} else {})", self.cond(), self.instant(d), self.instant(d)),
            _ => self.instant(0),
        }
    }

    /// A comparison of instants, of the hours between them, or of an instant's day; and what a
    /// message shows of it.
    fn about_time(&mut self, depth: u32) -> (String, String) {
        let (a, b) = (self.instant(depth), self.instant(depth.min(1)));
        let op = self.pick(&["<", "<=", ">", ">=", "==", "!="]);
        match self.rng.u8(..3) {
            0 => (format!("{a} {op} {b}"), a),
            1 => {
                let h = format!("hours_between({a}, {b})");
                (format!("{h} {op} {}", self.pick(&["0", "1.5", "24", "-0.5", "744"])), h)
            }
            _ => {
                let day = format!("day({a})");
                (format!("{day} {op} {}", self.pick(&["2024-03-31", "2024-02-29", "2024-10-27", "2024-03-01"])), day)
            }
        }
    }

    /// A comparison about an element `x` of `record.items`.
    fn about_item(&mut self) -> String {
        self.item = true;
        let k = if self.rng.bool() { Kind::Dec } else { Kind::Int };
        let (c, _) = self.compare(k, 2);
        self.item = false;
        c
    }

    /// A rule: per record or over teams, its value shown in its message or not.
    /// An aggregate's argument `e` of kind `k`, divided by a constant (perhaps negative, perhaps
    /// of many places; the quotient perhaps negated or multiplied by a constant, or `e` multiplied
    /// by a quotient of constants) one time in three when it is a decimal or an amount, which
    /// keep their kind divided by a number.
    fn maybe_over_constant(&mut self, k: Kind, e: String) -> String {
        if !matches!(k, Kind::Dec | Kind::Gbp) || self.rng.u8(..3) != 0 {
            return e;
        }
        let c = self.pick(&["7", "-7.125", "0.3333333333", "2.5", "1000.5", "-3"]);
        match self.rng.u8(..4) {
            0 => format!("({e}) / {c}"),
            1 => format!("-(({e}) / {c})"),
            2 => format!("({e}) / {c} * {}", self.pick(&["100", "-2", "1.5"])),
            _ => format!("({e}) * ({} / {c})", self.pick(&["3", "-2", "0.25"])),
        }
    }

    fn rule(&mut self, id: usize) -> String {
        let k = [Kind::Dec, Kind::Dec, Kind::Int, Kind::Gbp, Kind::Dur][self.rng.usize(..5)];
        let depth = self.rng.u32(1..4);
        let shown = self.rng.bool();
        let kind = self.rng.u8(..8);
        if kind == 0 {
            // Counted over the group, or its share, or a percentile.
            let (c, _) = self.compare(k, 1);
            let (left, right) = match self.rng.u8(..3) {
                0 => (format!("count({c})"), self.pick(&["1", "2", "5"]).to_string()),
                1 => (format!("share({c})"), self.pick(&["50%", "25%", "90%"]).to_string()),
                _ => {
                    let e = self.expr(k, 2);
                    let e = self.maybe_over_constant(k, e);
                    (format!("percentile({e}, {})", self.pick(&["50", "90", "95"])), self.leaf(k))
                }
            };
            let op = self.pick(&["<", "<=", ">", ">="]);
            let message = if shown { format!("{{group.team}} {{{left}}}") } else { "{group.team}".into() };
            return format!(
                "  rule g{id} {{\n    title \"t\"\n    for row\n    group by record.team\n    require {left} {op} {right}\n    message \"{message}\"\n  }}\n"
            );
        }
        if kind == 1 {
            // A quantifier over the items, or a count of them, perhaps for some records only.
            let c = self.about_item();
            let quantified = match self.rng.u8(..4) {
                0 => format!("all(x in record.items: {c})"),
                1 => format!("any(x in record.items: {c})"),
                2 => format!("none(x in record.items: {c})"),
                _ => format!("count(x in record.items: {c}) {} 1", self.pick(&["<", "<=", ">=", "=="])),
            };
            // The list may be missing: said three ways.
            let (filter, require) = match self.rng.u8(..3) {
                0 => (" where record.items is present".to_string(), quantified),
                1 => (String::new(), format!("record.items is missing or {quantified}")),
                _ => (String::new(), format!("record.items is present and {quantified}")),
            };
            let message = if shown && !filter.is_empty() {
                format!("{{record.id}} {{count(x in record.items: {c})}}")
            } else {
                "{record.id}".into()
            };
            return format!(
                "  rule q{id} {{\n    title \"t\"\n    for row{filter}\n    require {require}\n    message \"{message}\"\n  }}\n"
            );
        }
        if kind == 3 {
            // Instants: moved, chosen, compared, the hours between them, their days.
            let (require, x) = self.about_time(depth.min(2));
            let message = if shown { format!("{{record.id}} {{{x}}}") } else { "{record.id}".into() };
            return format!(
                "  rule t{id} {{\n    title \"t\"\n    for row\n    require {require}\n    message \"{message}\"\n  }}\n"
            );
        }
        if kind == 2 {
            let agg = self.pick(&["avg", "sum", "min", "max"]);
            let e = self.expr(k, depth.min(2));
            let e = self.maybe_over_constant(k, e);
            let left = format!("{agg}({e})");
            let right = match self.rng.u8(..3) {
                0 => {
                    let other = self.pick(&["avg", "sum", "min", "max"]);
                    format!("{other}({})", self.expr(k, 1))
                }
                1 => format!("{} * {}", self.leaf(k), self.pick(&["count()", "2", "1.5"])),
                _ => self.leaf(k),
            };
            let op = self.pick(&["<", "<=", ">", ">="]);
            let message = if shown { format!("{{group.team}} {{{left}}}") } else { "{group.team}".into() };
            return format!(
                "  rule g{id} {{\n    title \"t\"\n    for row\n    group by record.team\n    require {left} {op} {right}\n    message \"{message}\"\n  }}\n"
            );
        }
        let (require, x) = self.compare(k, depth);
        let message = if shown { format!("{{record.id}} {{{x}}}") } else { "{record.id}".into() };
        let filter = if self.rng.u8(..5) == 0 { format!(" where {}", self.cond()) } else { String::new() };
        format!(
            "  rule r{id} {{\n    title \"t\"\n    for row{filter}\n    require {require}\n    message \"{message}\"\n  }}\n"
        )
    }
}

/// The policy around `rules`.
fn policy(rules: &str) -> String {
    format!("{SCHEMA}\ncode \"Generated arithmetic\" {{\n  level organisational\n{rules}}}\n")
}

/// Whether `rules` load (type) as a policy of their own.
fn types(rules: &str) -> bool {
    precept::api::Engine::from_sources([("g.precept", policy(rules).as_str())]).is_ok()
}

/// Records for [`SCHEMA`]: values tiny, large, below zero, zero, with all their places, and the
/// optional ones missing in some.
fn records(rng: &mut fastrand::Rng, n: usize, large: bool) -> String {
    let mut decimals = vec![
        "0",
        "1",
        "-1",
        "0.5",
        "12.3456789012",
        "0.0000000001",
        "-0.0000000001",
        "7.6190476191",
        "99999999.9999999999",
        "-3.25",
        "1000000",
        "0.3333333333",
    ];
    let mut wholes = vec!["0", "1", "-1", "3", "7", "1000", "-250", "2"];
    let mut amounts = vec!["0.00", "0.01", "-0.01", "10.00", "99.99", "1234.89", "-500.50", "3.33"];
    let durations = ["0s", "1s", "90m", "2h", "1d", "PT1H0.5S", "3w", "45m"];
    // Around the spring and autumn changes in Europe, on 29 February, at month ends, east and
    // west of UTC.
    let instants = [
        "2024-03-31T00:30:00Z",
        "2024-03-31T02:30:00+02:00",
        "2024-03-30T23:59:59+01:00",
        "2024-10-27T01:30:00+01:00",
        "2024-10-27T01:30:00Z",
        "2024-02-29T12:00:00-05:00",
        "2024-01-31T23:00:00+05:30",
        "2024-01-31T18:30:00.123456Z",
        "2023-12-31T23:59:59-10:00",
    ];
    if !large {
        decimals.retain(|d| d.len() < 12 || d.starts_with("0.") || d.starts_with("-0.") || d.starts_with("12."));
    } else {
        wholes.extend(["1000000", "123456789012"]);
        amounts.extend(["1234567.89", "1000000000.00"]);
    }
    let mut text = String::new();
    for k in 0..n {
        let mut r = serde_json::json!({
            "id": format!("R-{k:03}"),
            "team": format!("T{}", rng.usize(..4)),
            "a": decimals[rng.usize(..decimals.len())],
            "i": wholes[rng.usize(..wholes.len())].parse::<i64>().unwrap(),
            "m": amounts[rng.usize(..amounts.len())],
            "w": durations[rng.usize(..durations.len())],
            "t": instants[rng.usize(..instants.len())],
        });
        if rng.u8(..4) > 0 {
            r["u"] = instants[rng.usize(..instants.len())].into();
        }
        if rng.u8(..4) > 0 {
            r["v"] = durations[rng.usize(..durations.len())].into();
        }
        if rng.u8(..4) > 0 {
            r["b"] = decimals[rng.usize(..decimals.len())].into();
        }
        if rng.u8(..4) > 0 {
            r["j"] = wholes[rng.usize(..wholes.len())].parse::<i64>().unwrap().into();
        }
        if rng.u8(..4) > 0 {
            r["n"] = amounts[rng.usize(..amounts.len())].into();
        }
        // No list, an empty one, or up to three items, each field perhaps null or absent.
        if rng.u8(..5) > 0 {
            let items: Vec<serde_json::Value> = (0..rng.usize(..4))
                .map(|_| {
                    let mut item = serde_json::json!({});
                    match rng.u8(..4) {
                        0 => item["p"] = serde_json::Value::Null,
                        1 => {}
                        _ => item["p"] = decimals[rng.usize(..decimals.len())].into(),
                    }
                    match rng.u8(..4) {
                        0 => item["q"] = serde_json::Value::Null,
                        1 => {}
                        _ => item["q"] = wholes[rng.usize(..wholes.len())].parse::<i64>().unwrap().into(),
                    }
                    item
                })
                .collect();
            r["items"] = items.into();
        }
        text.push_str(&format!("{r}\n"));
    }
    text
}

/// What [`compare_each`] saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Rules compiled and compared, and found the same.
    pub same: usize,
    /// Rules the SQL left out (named by its diagnostics), and how many for each construct named.
    pub left_out: usize,
    pub left_for: std::collections::BTreeMap<String, usize>,
    /// Rules whose query the database stopped with an overflow (past the digits its numbers hold,
    /// a documented limit: "Limits of each dialect").
    pub stopped: usize,
    /// Rules whose findings differ, or whose query stopped otherwise: each with why.
    pub wrong: Vec<(String, String)>,
}

impl Seen {
    /// Each rule that differs, with the start of why, for the test's output.
    fn print_wrong(&self) {
        for (rule, why) in &self.wrong {
            eprintln!("=== {rule}\n{}\n", why.chars().take(2500).collect::<String>());
        }
    }
}

/// `rules` rules generated from `seed`, each in a project of its own (so that one rule's query
/// stopping leaves the others compared), over `n` generated records, compared on `engine`.
pub fn compare_each(engine: &dyn Engine, seed: u64, rules: usize, n: usize, large: bool) -> Seen {
    let mut g = Gen { rng: fastrand::Rng::with_seed(seed), large, item: false };
    let rows = records(&mut fastrand::Rng::with_seed(seed ^ 0x5eed), n, large);
    let mut seen = Seen::default();
    let mut made = 0;
    for k in 0..rules * 20 {
        if made == rules {
            break;
        }
        let rule = g.rule(k);
        if !types(&rule) {
            continue;
        }
        made += 1;
        if std::env::var("PRINT_RULES").is_ok() {
            eprintln!("RULE {}", rule.replace('\n', " "));
        }
        let (_dir, policies, records_dir) = scratch();
        std::fs::write(policies.join("g.precept"), policy(&rule)).unwrap();
        std::fs::write(records_dir.join("rows.jsonl"), &rows).unwrap();
        let program = super::load_redacted(&policies, &[]);
        let options = precept::sql::Options { dialect: engine.dialect(), range: super::GENERATED_DAYS };
        let sql = precept::sql::compile(&program, &options);
        if sql.compiled.is_empty() {
            seen.left_out += 1;
            for d in &sql.diagnostics {
                // `rule `x` ...: <construct>`: the construct.
                let what = d.message.rsplit(": ").next().unwrap_or(&d.message).to_string();
                if std::env::var("SHOW_LEFT").is_ok_and(|w| what.contains(&w)) {
                    eprintln!("LEFT {rule}");
                }
                *seen.left_for.entry(what).or_default() += 1;
            }
            continue;
        }
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::same_rows(engine, &policies, std::slice::from_ref(&records_dir), super::GENERATED_DAYS)
        }));
        match run {
            Ok(_) => seen.same += 1,
            Err(e) => {
                let why =
                    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
                let why = why.unwrap_or_default();
                if overflowed(&why) {
                    seen.stopped += 1;
                } else {
                    seen.wrong.push((rule, why));
                }
            }
        }
    }
    assert_eq!(made, rules, "seed {seed}: too few generated rules type");
    seen
}

/// Whether a database stopped a query because a number passed what it holds: DuckDB's and
/// Spark's 38 digits, PostgreSQL's and DuckDB's 64-bit whole numbers.
fn overflowed(why: &str) -> bool {
    [
        "Out of Range Error",
        "is out of range",
        "bigint out of range",
        "ARITHMETIC_OVERFLOW",
        "NUMERIC_VALUE_OUT_OF_RANGE",
    ]
    .iter()
    .any(|s| why.contains(s))
}

/// The generated arithmetic of `seed`, `rules` rules over 60 records of modest values, on
/// `engine`: every rule compiled gives the engine's findings, finding for finding; few are left
/// out, and few stop the query (values past the digits a database's numbers hold, documented).
pub fn generated_arithmetic(engine: &dyn Engine, seed: u64, rules: usize) {
    let seen = compare_each(engine, seed, rules, 60, false);
    seen.print_wrong();
    assert!(seen.wrong.is_empty(), "seed {seed}: {} of {rules} generated rules differ: {seen:?}", seen.wrong.len());
    assert!(seen.same * 10 >= rules * 8, "seed {seed}: too few rules compared: {seen:?}");
    assert!(seen.stopped * 20 <= rules, "seed {seed}: too many queries stopped: {seen:?}");
}

/// For exploring by hand: [`compare_each`] of 200 rules from the seed in `SEED` (1 by default),
/// with large values when `LARGE` is set; prints the rules that differ, how many were left out
/// for each construct, with `SHOW_LEFT=TEXT` the rules left out for a construct whose
/// description holds TEXT, and with `PRINT_RULES` every rule generated.
pub fn explore(engine: &dyn Engine) {
    let seed: u64 = std::env::var("SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let seen = compare_each(engine, seed, 200, 60, std::env::var("LARGE").is_ok());
    seen.print_wrong();
    eprintln!("left out for: {:#?}", seen.left_for);
    eprintln!(
        "seed {seed}: {} same, {} left out, {} stopped, {} wrong",
        seen.same,
        seen.left_out,
        seen.stopped,
        seen.wrong.len()
    );
    assert!(seen.wrong.is_empty());
}
