//! Text to syntax tree: the pest parser, its error messages in words, and the lowering to [`crate::ast`].
//!
//! This is the only module that sees pest types. Everything it returns carries [`crate::source::Span`]s.

pub(crate) mod depth;
mod errors;
mod lower;
pub mod parser;
pub mod tree;

pub use depth::MAX_NESTING;
pub use lower::MAX_EXPR_DEPTH;

use pest::Parser;

use crate::ast::PolicyFile;
use crate::diagnostics::Diag;
use crate::source::SourceFile;

/// Parse one policy file. On success the tree may still come with diagnostics (such as a clause given
/// twice); on a syntax error there is no tree and the error says what was expected where.
///
/// ```
/// use precept::source::SourceFile;
/// let file = SourceFile::new("p.precept", "code \"House rules\" { level organisational }");
/// let (tree, diags) = precept::syntax::parse(&file);
/// assert!(diags.is_empty());
/// assert_eq!(tree.map(|t| t.codes.len()), Some(1));
/// ```
pub fn parse(file: &SourceFile) -> (Option<PolicyFile>, Vec<Diag>) {
    if let Err(d) = depth::check_nesting(file) {
        return (None, vec![d]);
    }
    match parser::PreceptParser::parse(parser::Rule::file, &file.text) {
        Ok(mut pairs) => match pairs.next() {
            Some(pair) => lower::lower_file(file, pair),
            None => (None, Vec::new()),
        },
        Err(e) => (None, vec![errors::from_pest(file, &e)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Expr, ExprKind};

    /// The tree of an expression as an s-expression, to test precedence and associativity.
    fn sexp(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Path(names) => names.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join("."),
            ExprKind::Integer(n) => n.to_string(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Now => "now".to_string(),
            ExprKind::Duration(s) => format!("{s}s"),
            ExprKind::BusinessDays(n, None) => format!("{n}bd"),
            ExprKind::BusinessDays(n, Some(c)) => format!("{n}bd@{}", c.text),
            ExprKind::Months(n) => format!("{n}mo"),
            ExprKind::BusinessDaysOf(x, None) => format!("(bd {})", sexp(x)),
            ExprKind::BusinessDaysOf(x, Some(c)) => format!("(bd@{} {})", c.text, sexp(x)),
            ExprKind::MonthsOf(x, years) => format!("({} {})", if *years { "years" } else { "months" }, sexp(x)),
            ExprKind::DurationOf(x, per) => format!("(x{per}s {})", sexp(x)),
            ExprKind::Money(a, c) => format!("{a}{}", c.text),
            ExprKind::Text(t) => format!("{t:?}"),
            ExprKind::Unary(op, x) => format!("({op:?} {})", sexp(x)),
            ExprKind::Binary(op, a, b) => format!("({} {} {})", op.as_str(), sexp(a), sexp(b)),
            ExprKind::Presence(x, p) => format!("({} {})", if *p { "present" } else { "missing" }, sexp(x)),
            ExprKind::Otherwise(x, d) => format!("(otherwise {} {})", sexp(x), sexp(d)),
            ExprKind::Set(items) => format!("{{{}}}", items.iter().map(sexp).collect::<Vec<_>>().join(" ")),
            other => format!("{other:?}"),
        }
    }

    fn parse_require(expr: &str) -> String {
        let text = format!("code \"c\" {{ level industry rule r {{ for s require {expr} }} }}");
        let file = SourceFile::new("t.precept", text);
        let (tree, diags) = parse(&file);
        assert!(diags.is_empty(), "{diags:?}");
        let tree = tree.unwrap();
        sexp(&tree.codes[0].rules[0].requires[0])
    }

    #[test]
    fn a_count_of_business_days_may_name_its_calendar_and_membership_stays_membership() {
        assert_eq!(parse_require("a <= b + 3 business days in nsw"), "(<= a (+ b 3bd@nsw))");
        assert_eq!(parse_require("a <= b + 3 business days"), "(<= a (+ b 3bd))");
        // `in` before a field path or a set is membership, as before.
        assert_eq!(parse_require("x + 3 business days in record.list"), "(in (+ x 3bd) record.list)");
        assert_eq!(parse_require("x in {a, b}"), "(in x {a b})");
    }

    #[test]
    fn precedence_from_loosest_to_tightest() {
        assert_eq!(parse_require("a or b and c"), "(or a (and b c))");
        assert_eq!(parse_require("a implies b implies c"), "(implies a (implies b c))");
        assert_eq!(parse_require("a implies b or c"), "(implies a (or b c))");
        assert_eq!(parse_require("not a == b"), "(Not (== a b))");
        assert_eq!(parse_require("not a and b"), "(and (Not a) b)");
        assert_eq!(parse_require("a + b * c <= d - e"), "(<= (+ a (* b c)) (- d e))");
        assert_eq!(parse_require("a - b - c"), "(- (- a b) c)");
        assert_eq!(parse_require("-a * b"), "(* (Neg a) b)");
        assert_eq!(parse_require("a.x is present and a.x > 1"), "(and (present a.x) (> a.x 1))");
        assert_eq!(parse_require("a otherwise 0 < 5"), "(< (otherwise a 0) 5)");
        assert_eq!(parse_require("k not in {x, y}"), "(not in k {x y})");
        assert_eq!(
            parse_require("t starts with \"A\" or t ends with \"B\""),
            "(or (starts with t \"A\") (ends with t \"B\"))"
        );
    }

    #[test]
    fn literals_keep_their_units() {
        assert_eq!(parse_require("d <= 30m"), "(<= d 1800s)");
        assert_eq!(parse_require("d <= 8 weeks"), "(<= d 4838400s)");
        assert_eq!(parse_require("t <= o + 3 business days"), "(<= t (+ o 3bd))");
        assert_eq!(parse_require("t <= o + 1 business day"), "(<= t (+ o 1bd))");
        assert_eq!(parse_require("m <= 50.00 GBP"), "(<= m 50.00GBP)");
    }

    #[test]
    fn counts_from_values_take_a_unit_after_them() {
        assert_eq!(parse_require("t <= o + r.n business days"), "(<= t (+ o (bd r.n)))");
        assert_eq!(parse_require("t <= o + r.n business day"), "(<= t (+ o (bd r.n)))");
        assert_eq!(parse_require("t <= o + (r.n + 1) business days"), "(<= t (+ o (bd (+ r.n 1))))");
        assert_eq!(parse_require("t <= o + r.n months"), "(<= t (+ o (months r.n)))");
        assert_eq!(parse_require("t <= o - r.n years"), "(<= t (- o (years r.n)))");
        assert_eq!(parse_require("t - o <= r.n days"), "(<= (- t o) (x86400s r.n))");
        assert_eq!(parse_require("t - o <= r.n hours"), "(<= (- t o) (x3600s r.n))");
        assert_eq!(
            parse_require("t <= o + r.n business days otherwise 3 business days"),
            "(<= t (+ o (otherwise (bd r.n) 3bd)))"
        );
        // Literals keep their own forms.
        assert_eq!(parse_require("t <= o + 3 business days"), "(<= t (+ o 3bd))");
        assert_eq!(parse_require("t <= o + 3 months"), "(<= t (+ o 3mo))");
    }

    #[test]
    fn field_names_may_be_keywords_after_a_dot() {
        assert_eq!(parse_require("record.title == \"x\""), "(== record.title \"x\")");
        assert_eq!(parse_require("record.message contains \"y\""), "(contains record.message \"y\")");
    }

    #[test]
    fn a_huge_number_is_a_diagnostic() {
        let file = SourceFile::new(
            "t.precept",
            "code \"c\" { level industry rule r { for s require x < 99999999999999999999 } }",
        );
        let (_, diags) = parse(&file);
        assert_eq!(diags.first().map(|d| d.code.as_ref()), Some("precept::parse::number-out-of-range"));
    }
}
