//! One finding as a row of the findings table: what it is (severity, standing, code, rule, team,
//! staff, place, record, message), and, folded under the message, its evidence, the excerpt of
//! its record (or of the policy, for a group) and its waiver. The row's `data-` attributes are what
//! the table's filters match; made on any thread ([`super::super::Prepare`]).

use std::fmt::Write as _;

use super::escape;
use super::tally::{standing_name, who};
use crate::findings::{Finding, Standing, Subject};

/// Lines of an excerpt shown.
const EXCERPT_LINES: usize = 6;
/// Characters shown before and after the offending value, and of the value itself.
const CONTEXT_CHARS: usize = 160;
const VALUE_CHARS: usize = 240;

/// The `<tr>` of `f`.
pub fn row(f: &Finding) -> String {
    let (team, staff) = who(f);
    let severity = f.severity().as_str();
    let standing = standing_name(&f.standing);
    let rule = escape::text(f.rule_id());
    let code = escape::text(f.code_name());
    let team_text = team.as_deref().map(escape::text).unwrap_or_default();
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        "<tr data-level=\"{}\" data-code=\"{code}\" data-rule=\"{rule}\" data-team=\"{team_text}\" data-severity=\"{severity}\" data-standing=\"{standing}\">",
        f.level().as_str()
    );
    // Sorted by rank, not by name: errors first, then warnings, then information.
    let rank = match f.severity() {
        crate::ast::Severity::Error => 1,
        crate::ast::Severity::Warning => 2,
        crate::ast::Severity::Info => 3,
    };
    let _ = write!(
        out,
        "<td class=\"sev {severity}\" data-sort=\"{rank}\">{severity}</td><td>{standing}</td><td>{code}</td>"
    );
    let title = f.rule.as_ref().map(|r| escape::text(&r.title)).unwrap_or_default();
    let _ = write!(out, "<td><span title=\"{title}\">{rule}</span></td>");
    let _ = write!(out, "<td>{team_text}</td><td>{}</td>", staff.as_deref().map(escape::text).unwrap_or_default());
    let _ = write!(
        out,
        "<td data-sort=\"{}:{:012}\">{}:{}</td>",
        escape::text(&f.file.name),
        f.line,
        escape::text(&f.file.name),
        f.line
    );
    let record = match &f.record_id {
        Some(id) => escape::text(id),
        None => format!("#{}", f.record_index + 1),
    };
    let _ = write!(out, "<td>{} {record}</td>", f.subject.as_str());
    let _ = writeln!(out, "<td><p>{}</p>{}</td></tr>", escape::text(&f.message), details(f));
    out
}

/// What is folded under the message: evidence, group, waiver, help and excerpt.
fn details(f: &Finding) -> String {
    let mut out = String::from("<details><summary>details</summary>");
    if let Some(cite) = f.rule.as_ref().and_then(|r| r.cite.as_deref()) {
        let _ = write!(out, "<p>Clause: {}</p>", escape::text(cite));
    }
    for e in &f.evidence {
        let _ = write!(out, "<p class=\"evidence\">{}</p>", escape::text(&e.summary));
    }
    if let Some(g) = &f.group {
        let key: Vec<String> =
            g.key.iter().map(|(k, v)| format!("{} = {}", escape::text(k), escape::text(v))).collect();
        let _ = write!(out, "<p>Group: {}</p><ul>", key.join(", "));
        for s in &g.samples {
            let record = s.record.as_deref().map(escape::text).unwrap_or_default();
            let _ = write!(out, "<li>{}:{} {record}</li>", escape::text(&s.file), s.line);
        }
        out.push_str("</ul>");
    }
    match &f.standing {
        Standing::Waived(w) => {
            let _ = write!(
                out,
                "<p>Waived until {} by {} ({}): {}</p>",
                escape::text(&w.expires),
                escape::text(&w.approver),
                escape::text(&w.place),
                escape::text(&w.justification)
            );
        }
        Standing::Baselined => out.push_str("<p>Known from the baseline: not new.</p>"),
        Standing::Undetermined(n) => {
            let _ = write!(out, "<p>Cannot be determined ({}): {}</p>", escape::text(n.code), escape::text(&n.message));
        }
        Standing::Active => {}
    }
    if let Some(help) = f.help() {
        let _ = write!(out, "<p class=\"help\">{}</p>", escape::text(help));
    }
    let what = match f.subject {
        Subject::Record => "record",
        Subject::Role | Subject::StaffMember => "role file",
        Subject::Group | Subject::Case | Subject::ExpiredWaiver => "policy",
    };
    let _ = write!(out, "<p class=\"from\">From the {what}:</p>{}</details>", excerpt(f));
    out
}

/// The lines of `f`'s file around the offending value, the value marked; cut to a few lines and
/// characters (a JSON record file's excerpt is the whole file).
pub fn excerpt(f: &Finding) -> String {
    let text: &str = &f.file.text;
    let span = f.span.clamp(text.len());
    let (start, end) = (span.start, span.end);
    let (Some(before), Some(value), Some(after)) = (text.get(..start), text.get(start..end), text.get(end..)) else {
        return String::new();
    };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let before = &before[line_start..];
    let after = after.split('\n').next().unwrap_or("");
    let before = tail_chars(before, CONTEXT_CHARS);
    let lines: Vec<&str> = value.split('\n').collect();
    let value = if lines.len() > EXCERPT_LINES {
        format!("{}\n…", lines[..EXCERPT_LINES].join("\n"))
    } else {
        value.to_string()
    };
    let value = crate::text::clip_to(&value, VALUE_CHARS);
    let after = crate::text::clip_to(after, CONTEXT_CHARS);
    format!(
        "<pre><span class=\"where\">{}:{}</span>\n{}<mark>{}</mark>{}</pre>",
        escape::text(&f.file.name),
        f.line,
        escape::lines(&before),
        escape::lines(&value),
        escape::lines(&after)
    )
}

/// The last `n` characters of `s`, after `…` when cut.
fn tail_chars(s: &str, n: usize) -> std::borrow::Cow<'_, str> {
    let count = s.chars().count();
    if count <= n {
        return s.into();
    }
    let skip = s.char_indices().nth(count - n).map_or(0, |(i, _)| i);
    format!("…{}", &s[skip..]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_are_cut_on_characters() {
        assert_eq!(tail_chars("héllo", 3), "…llo");
        assert_eq!(tail_chars("héllo", 9), "héllo");
    }
}
