//! pest's errors, said in words: ``expected `{` or `rule` `` rather than internal rule names.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::parser::Rule;
use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// Convert a pest error into a `precept::parse::syntax` diagnostic at the offending byte.
pub fn from_pest(file: &SourceFile, err: &Error<Rule>) -> Diag {
    let at = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let span = token_span(&file.text, at);
    let found = if span.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{}`", crate::text::clip(file.slice(span)))
    };
    let (expected, mut help) = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => describe(positives),
        ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    let wants_string = matches!(&err.variant, ErrorVariant::ParsingError { positives, .. }
        if positives.iter().any(|r| matches!(r, Rule::string | Rule::template)));
    if wants_string && file.slice(span) == "\"" {
        let line_end = file.text.get(at..).and_then(|t| t.find('\n')).map_or(file.text.len(), |i| at + i);
        return Diag::error("precept::parse::syntax", "unterminated string")
            .at(file, Span::new(at, line_end), "this string is not closed on its line")
            .help("close the string with `\"`; a string cannot run across lines (write `\\n` for a line break)");
    }
    // A misspelt keyword: suggest the expected word it is closest to.
    let found_word = file.slice(span);
    if found_word.chars().next().is_some_and(char::is_alphabetic) {
        let words: Vec<&str> = expected
            .split(", ")
            .flat_map(|w| w.split(" or "))
            .filter_map(|w| w.strip_prefix('`')?.strip_suffix('`'))
            .collect();
        if let Some(best) = crate::diagnostics::suggest::closest(found_word, words) {
            help = Some(format!("did you mean `{best}`?"));
        }
    }
    let message =
        if expected.is_empty() { format!("unexpected {found}") } else { format!("expected {expected}, found {found}") };
    let mut diag = Diag::error("precept::parse::syntax", message).at(file, span, format!("expected {expected} here"));
    if expected.is_empty() {
        diag.labels[0].text = "not expected here".to_string();
    }
    if span.is_empty() {
        if let Some(open) = super::depth::unclosed(&file.text) {
            let bracket = file.slice(Span::new(open, open + 1)).to_string();
            diag = diag.label(Span::new(open, open + 1), format!("this `{bracket}` is never closed"));
            help.get_or_insert_with(|| format!("add the closing bracket for the `{bracket}` marked above"));
        }
    }
    // A brace of a message or help meant literally: say how braces are written there.
    const BRACES: &str =
        "in a message or help, `{expression}` is filled in with a value; write `{{` and `}}` for literal braces";
    match super::depth::brace_at(&file.text, at) {
        Some(super::depth::Brace::InHole(open)) => {
            diag = diag.label(Span::new(open, open + 1), "this `{` opens a hole, an expression to fill in");
            help = Some(BRACES.to_string());
        }
        Some(super::depth::Brace::Stray) => {
            diag = Diag::error("precept::parse::syntax", "a `}` in a string closes no `{`")
                .at(file, span, "no hole to close")
                .help(BRACES);
            return diag;
        }
        None => {}
    }
    diag.help(help.unwrap_or_else(|| "see the language tour in README.md for what may appear here".to_string()))
}

/// The token starting at `at`: a word, a number, or one character; empty at the end of the file.
fn token_span(text: &str, at: usize) -> Span {
    let at = at.min(text.len());
    let rest = text.get(at..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return Span::new(at, at);
    };
    let len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    Span::new(at, at + len)
}

/// Words for the expected rules, deduplicated and in a stable order, plus help where one fits.
fn describe(positives: &[Rule]) -> (String, Option<String>) {
    let mut words: Vec<String> = Vec::new();
    let mut help = None;
    for rule in positives {
        let (word, h) = rule_words(*rule);
        if let Some(h) = h {
            help.get_or_insert(h.to_string());
        }
        // A description may name several tokens (`schema`, `calendar` or `code`): count each once.
        for w in word.split(", ").flat_map(|w| w.split(" or ")) {
            let w = w.to_string();
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    let text = match words.len() {
        0 => String::new(),
        1 => words.remove(0),
        n => {
            let last = words.remove(n - 1);
            format!("{} or {}", words.join(", "), last)
        }
    };
    (text, help)
}

fn rule_words(rule: Rule) -> (String, Option<&'static str>) {
    let kw = |w: &str| (format!("`{w}`"), None);
    match rule {
        Rule::EOI => ("the end of the file".into(), None),
        Rule::schema_decl | Rule::calendar_decl | Rule::code_decl | Rule::kw_schema | Rule::kw_code => (
            "`schema`, `calendar` or `code`".into(),
            Some("a policy file holds `schema`, `calendar` and `code` declarations"),
        ),
        Rule::lbrace => kw("{"),
        Rule::rbrace => kw("}"),
        Rule::lparen => kw("("),
        Rule::rparen => kw(")"),
        Rule::comma => kw(","),
        Rule::colon => kw(":"),
        Rule::dot => kw("."),
        Rule::ident | Rule::path | Rule::field_name => ("a name".into(), None),
        Rule::rule_id => ("a rule id".into(), Some("rule ids are lowercase words joined by `-`, like `complaint-acknowledged`")),
        Rule::string | Rule::template => ("a quoted string".into(), None),
        Rule::type_expr | Rule::scalar_type | Rule::list_type | Rule::object_type | Rule::enum_type | Rule::money_type => (
            "a type".into(),
            Some("types are `text`, `integer`, `decimal`, `boolean`, `date`, `datetime`, `duration`, `money GBP`, `enum { ... }`, `list of T` and `{ ... }`"),
        ),
        Rule::kw_text | Rule::kw_integer | Rule::kw_decimal | Rule::kw_boolean | Rule::kw_date | Rule::kw_datetime | Rule::kw_duration | Rule::kw_money | Rule::kw_enum | Rule::kw_list => (
            "a type".into(),
            Some("types are `text`, `integer`, `decimal`, `boolean`, `date`, `datetime`, `duration`, `money GBP`, `enum { ... }`, `list of T` and `{ ... }`"),
        ),
        Rule::field_decl => ("a field (`name: type`)".into(), None),
        Rule::optional_mark => kw("?"),
        Rule::level | Rule::kw_industry | Rule::kw_organisational | Rule::kw_professional | Rule::kw_ethical => (
            "a level".into(),
            Some("the levels are `industry`, `organisational`, `professional` and `ethical`"),
        ),
        Rule::severity | Rule::kw_error | Rule::kw_warning | Rule::kw_info => {
            ("a severity".into(), Some("the severities are `error`, `warning` and `info`"))
        }
        Rule::rule_decl | Rule::kw_rule => kw("rule"),
        Rule::level_clause | Rule::kw_level => kw("level"),
        Rule::version_clause | Rule::kw_version => kw("version"),
        Rule::source_clause | Rule::kw_source => kw("source"),
        Rule::uses_calendar_clause | Rule::kw_calendar => kw("calendar"),
        Rule::title_clause | Rule::kw_title => kw("title"),
        Rule::severity_clause | Rule::kw_severity => kw("severity"),
        Rule::cite_clause | Rule::kw_cite => kw("cite"),
        Rule::clause_decl | Rule::kw_clause => kw("clause"),
        Rule::scope_clause | Rule::kw_for => kw("for"),
        Rule::require_clause | Rule::kw_require => kw("require"),
        Rule::message_clause | Rule::kw_message => kw("message"),
        Rule::help_clause | Rule::kw_help => kw("help"),
        Rule::files_clause | Rule::kw_files => kw("files"),
        Rule::identified_clause | Rule::kw_identified => kw("identified by"),
        Rule::dated_clause | Rule::kw_dated => kw("dated by"),
        Rule::staff_clause | Rule::kw_staff => kw("staff by"),
        Rule::team_clause | Rule::kw_team => kw("team by"),
        Rule::waivable_clause | Rule::kw_waivable => kw("not waivable"),
        Rule::kw_not => kw("not waivable"),
        Rule::effective_clause | Rule::kw_effective => kw("effective"),
        Rule::kw_until => kw("until"),
        Rule::extends_clause | Rule::kw_extends => kw("extends"),
        Rule::relaxes_clause | Rule::kw_relaxes => kw("relaxes"),
        Rule::let_clause | Rule::kw_let => kw("let"),
        Rule::define_clause | Rule::kw_define => kw("define"),
        Rule::group_clause | Rule::kw_group => kw("group by"),
        Rule::kw_as => kw("as"),
        Rule::minimum_clause | Rule::kw_minimum => kw("minimum"),
        Rule::kw_records | Rule::kw_record => kw("records"),
        Rule::expect_clause | Rule::kw_expect => kw("expect every"),
        Rule::kw_every => kw("every"),
        Rule::expected_groups | Rule::kw_each => kw("for each"),
        Rule::kw_roles => kw("roles"),
        Rule::case_clause | Rule::kw_case => kw("case by"),
        Rule::event_clause | Rule::event_kind | Rule::kw_opens | Rule::kw_closes | Rule::kw_pauses | Rule::kw_resumes => (
            "`opens`, `closes`, `pauses` or `resumes`".into(),
            None,
        ),
        Rule::within_clause | Rule::kw_within => kw("within"),
        Rule::any_order_clause => kw("in any order"),
        Rule::kw_on => kw("on"),
        Rule::kw_when => kw("when"),
        Rule::kw_at => kw("at"),
        Rule::period | Rule::kw_week | Rule::kw_month => (
            "a period".into(),
            Some("the periods are `day`, `business day`, `week` and `month`"),
        ),
        Rule::column_clause | Rule::kw_column => kw("column"),
        Rule::records_at_clause => kw("records at"),
        Rule::accept_clause | Rule::kw_accept => kw("accept"),
        Rule::truth_spelling | Rule::numbers_spelling | Rule::empty_spelling | Rule::kw_numbers | Rule::kw_empty => (
            "a spelling".into(),
            Some("spellings are two texts for true and false (`\"Y\"/\"N\"`), `numbers in strings` and `empty as missing`"),
        ),
        Rule::kw_strings => kw("strings"),
        Rule::slash => kw("/"),
        Rule::separated_clause | Rule::kw_separated => kw("separated by"),
        Rule::custom_clause | Rule::kw_custom => kw("custom field"),
        Rule::kw_field => kw("field"),
        Rule::enum_variant => ("an enumeration value".into(), None),
        Rule::eq_sign => kw("="),
        Rule::zone_clause | Rule::kw_zone => kw("zone"),
        Rule::working_clause | Rule::kw_working => kw("working"),
        Rule::cutoff_clause | Rule::kw_cutoff => kw("cutoff"),
        Rule::holidays_clause | Rule::kw_holidays => kw("holidays"),
        Rule::calendar_file | Rule::kw_from => kw("from"),
        Rule::calendar_body => kw("{"),
        Rule::kw_where => kw("where"),
        Rule::kw_by => kw("by"),
        Rule::kw_of => kw("of"),
        Rule::kw_in => kw("in"),
        Rule::kw_then => kw("then"),
        Rule::kw_else => kw("else"),
        Rule::kw_with => kw("with"),
        Rule::kw_between => kw("between"),
        Rule::kw_days | Rule::kw_day => kw("days"),
        Rule::kw_present | Rule::kw_missing => ("`present` or `missing`".into(), None),
        Rule::time_lit => ("a time like `17:00`".into(), None),
        Rule::date_lit | Rule::date_text => ("a date like `2024-12-25`".into(), None),
        Rule::currency => ("a currency code like `GBP`".into(), None),
        Rule::op_implies | Rule::op_or | Rule::op_and | Rule::op_eq | Rule::op_ne | Rule::op_le | Rule::op_ge | Rule::op_lt
        | Rule::op_gt | Rule::op_not_in | Rule::op_in | Rule::op_contains | Rule::op_starts_with | Rule::op_ends_with
        | Rule::op_matches | Rule::op_add | Rule::op_sub | Rule::op_mul | Rule::op_div | Rule::op_is_present
        | Rule::op_is_missing | Rule::op_otherwise => ("an operator".into(), None),
        _ => ("an expression".into(), None),
    }
}
