//! The fast drawing against miette's, byte for byte, over generated findings in every style.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::super::{EvidenceNote, FindingReport, Layout};
use super::{wrap_ascii, Draw};
use crate::diagnostics::render::{Source, Style};
use crate::text::escape;

/// Pieces of text a message, label, help or record line is made of: ASCII words of every length
/// (some longer than any line), hyphens in and around words, punctuation set apart by spaces,
/// accents, combining marks, CJK, emoji (with and without joiners and variation selectors),
/// full-width letters, invisible and control characters (escaped before drawing, as the report
/// escapes them), tabs and line breaks.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-z]{1,10}",
        2 => "[A-Za-z0-9_.]{11,40}",
        1 => "[a-z0-9]{60,130}",
        2 => "[a-z]{1,6}-[a-z0-9]{1,6}(-[a-z]{1,4})?",
        1 => prop::sample::select(vec!["--flag", "a--b", "-x-", "-", "x-", "-1", "2024-01-02T03:04:05Z", "foo-", "é-à"])
            .prop_map(str::to_string),
        2 => prop::sample::select(vec!["[", "]", "(", ")", ":", ",", "`id`", "\"", "{", "}", "'", "…", "\\"])
            .prop_map(str::to_string),
        2 => prop::sample::select(vec!["é", "naïve", "Zoë", "Ångström", "e\u{301}", "ß", "ﬁ"]).prop_map(str::to_string),
        2 => prop::sample::select(vec!["漢字", "テスト", "한국어", "中文的句子很长很长很长很长很长", "ＡＢＣ"])
            .prop_map(str::to_string),
        1 => prop::sample::select(vec!["🙂", "👩\u{200d}💻", "❤\u{fe0f}", "🇬🇧", "⚠", "☞", "×"]).prop_map(str::to_string),
        1 => prop::sample::select(vec!["\u{1b}[31m", "\u{200b}", "\u{202e}", "\u{7f}", "\u{85}", "\0", "\u{ad}"])
            .prop_map(str::to_string),
        1 => prop::sample::select(vec!["\t", "\n", "\r", "\r\n"]).prop_map(str::to_string),
    ]
}

/// Text of `tokens` tokens joined by spaces (sometimes two, sometimes none), perhaps with spaces
/// before or after.
fn text(tokens: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    let sep = prop::sample::select(vec![" ", " ", " ", " ", "  ", ""]);
    (prop::collection::vec((token(), sep), tokens), prop::sample::select(vec!["", "", "", " ", "  "]), any::<bool>())
        .prop_map(|(parts, pad, before)| {
            let mut s = String::new();
            if before {
                s.push_str(pad);
            }
            for (t, sep) in parts {
                s.push_str(&t);
                s.push_str(sep);
            }
            let trimmed = s.trim_end_matches(' ').len();
            s.truncate(trimmed);
            if !before {
                s.push_str(pad);
            }
            s
        })
}

/// Plain text: only the safe ASCII of most messages and records.
fn ascii(tokens: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    let sep = prop::sample::select(vec![" ", " ", " ", "  ", ""]);
    let word = prop_oneof![
        8 => "[a-z]{1,10}",
        2 => "[A-Za-z0-9_.]{11,40}",
        1 => "[a-z0-9]{60,130}",
        2 => "[a-z]{1,6}-[a-z0-9]{1,6}(-[a-z]{1,4})?",
        1 => "[-a-z:`\\[\\](){}\",]{1,8}",
    ];
    prop::collection::vec((word, sep), tokens).prop_map(|parts| parts.into_iter().map(|(w, s)| w + s).collect())
}

/// A line of a record: JSON Lines (ASCII, or with the odd token of any kind).
fn record_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => ascii(0..60).prop_map(|t| format!("{{\"id\":\"TK-1\",\"note\":\"{t}\"}}")),
        2 => text(0..60),
    ]
}

/// The text a finding's record holds: its line alone, with its line break, or (drawn by miette)
/// between others.
fn record_text() -> impl Strategy<Value = (String, usize)> {
    let shape = prop::sample::select(vec![0u8, 0, 0, 1, 1, 2]);
    (record_line(), shape, "[a-z ]{0,20}").prop_map(|(line, shape, other)| match shape {
        0 => (line, 0),
        1 => (format!("{line}\n"), 0),
        _ => (format!("{other}\n{line}\n{other}"), other.len() + 1),
    })
}

fn style() -> impl Strategy<Value = Style> {
    let width = prop_oneof![4 => Just(80usize), 1 => Just(100), 1 => Just(120), 3 => 0usize..240];
    (any::<bool>(), width).prop_map(|(color, width)| Style { color, width })
}

fn severity() -> impl Strategy<Value = miette::Severity> {
    prop::sample::select(vec![miette::Severity::Error, miette::Severity::Warning, miette::Severity::Advice])
}

/// One generated finding's report, as `report_of` makes it (texts escaped, the source cut around
/// the span), and the style to draw it in.
#[derive(Debug)]
struct Case {
    message: String,
    label: String,
    help: Option<String>,
    text: String,
    line_start: usize,
    /// Where the span starts and ends, as shares of the line.
    at: (f64, f64),
    first_line: usize,
    name: String,
    severity: miette::Severity,
    style: Style,
}

fn case() -> impl Strategy<Value = Case> {
    let message = prop_oneof![3 => ascii(0..40), 2 => text(0..40)];
    let label = prop_oneof![3 => ascii(1..8), 1 => text(1..8)];
    let help = prop::option::of(prop_oneof![3 => ascii(0..50), 1 => text(0..50)]);
    let name = prop::sample::select(vec!["records.jsonl", "data/tickets.csv", "/tmp/h ö.jsonl", "a\u{1b}b.jsonl"]);
    let first_line = prop_oneof![1usize..20, 1usize..2_000_000];
    (message, label, help, record_text(), (0.0..=1.0f64, 0.0..=1.0f64), first_line, name, severity(), style()).prop_map(
        |(message, label, help, (text, line_start), at, first_line, name, severity, style)| Case {
            message,
            label,
            help,
            text,
            line_start,
            at,
            first_line,
            name: name.to_string(),
            severity,
            style,
        },
    )
}

impl Case {
    fn report(&self) -> FindingReport {
        let line_len = self.text[self.line_start..].find('\n').unwrap_or(self.text.len() - self.line_start);
        let start = self.line_start + (self.at.0 * line_len as f64) as usize;
        let rest = self.line_start + line_len - start;
        // Now and then a span past the line's end, or an empty one.
        let end = start + (self.at.1 * rest as f64 * 1.02) as usize;
        let text: Arc<str> = self.text.as_str().into();
        let span = crate::source::Span { start, end };
        let (source, spans) = Source::around(&self.name, &text, self.first_line, &[span]);
        FindingReport {
            code: escape(&format!("precept::rule::{}", self.label.split(' ').next().unwrap_or(""))).into(),
            severity: self.severity,
            message: escape(&self.message).into_owned(),
            label: escape(&format!("breaks `{}`", self.label)).into(),
            help: self.help.as_ref().map(|h| escape(h).into()),
            help_drawn: None,
            source,
            span: spans[0],
        }
    }
}

/// Every generated finding that the fast path draws is drawn exactly as miette draws it, and the
/// fast path draws most of them; every evidence note likewise.
#[test]
fn drawn_as_miette_draws() {
    let mut runner = TestRunner::new(Config { cases: 4000, ..Config::default() });
    let fast = std::cell::Cell::new(0usize);
    let all = std::cell::Cell::new(0usize);
    runner
        .run(&case(), |case| {
            let mut report = case.report();
            let layout = Layout::new(case.style);
            let mut miette = String::new();
            layout.handler.render_report(&mut miette, &report).unwrap();
            let mut ours = String::new();
            all.set(all.get() + 1);
            if layout.draw.report(&mut ours, &report) {
                fast.set(fast.get() + 1);
                prop_assert_eq!(&ours, &miette, "{:?}", case);
                // The same with the help wrapped beforehand, as a rule's own help is.
                if let Some(help) = &report.help {
                    let mut drawn = String::new();
                    layout.draw.help(&mut drawn, help);
                    report.help_drawn = Some(drawn.into());
                }
                let mut ours = String::new();
                prop_assert!(layout.draw.report(&mut ours, &report));
                prop_assert_eq!(&ours, &miette, "{:?}", case);
            } else {
                prop_assert!(ours.is_empty());
            }
            // The same message as an evidence note.
            let mut miette = String::new();
            layout.related(&mut miette, &EvidenceNote { message: report.message.clone() });
            let mut ours = String::new();
            layout.draw.advice(&mut ours, &report.message);
            prop_assert_eq!(&ours, &miette, "{:?}", case);
            Ok(())
        })
        .unwrap();
    eprintln!("the fast path drew {} of {} generated findings", fast.get(), all.get());
    // Most generated findings have the common shape (one line, no tab, the label within it).
    assert!(fast.get() * 2 > all.get(), "the fast path drew {} of {} findings", fast.get(), all.get());
}

/// A finding of the bench's shape, in every style, takes the fast path and matches miette.
#[test]
fn common_finding() {
    let line = r#"{"id":"TK_4","kind":"delivery","channel":"phone","customer":{"kind":"external"}}"#;
    for color in [false, true] {
        for width in [0, 1, 10, 40, 80, 200] {
            let case = Case {
                message: "record `TK_4`: TK_4 is not a ticket reference, and its channel is not one of the channels the team-lead approved".into(),
                label: "bench-ticket-format (organisational: Benchmark Extras)".into(),
                help: Some("Give every record a reference of the form TK-NNNN, as the helpdesk exports it.".into()),
                text: format!("{line}\n"),
                line_start: 0,
                at: (0.07, 0.1),
                first_line: 5,
                name: "/tmp/h200.jsonl".into(),
                severity: miette::Severity::Error,
                style: Style { color, width },
            };
            let report = case.report();
            let layout = Layout::new(case.style);
            let mut miette = String::new();
            layout.handler.render_report(&mut miette, &report).unwrap();
            let mut ours = String::new();
            assert!(layout.draw.report(&mut ours, &report), "{case:?}");
            assert_eq!(ours, miette, "{case:?}");
        }
    }
}

/// Findings of other shapes are left to miette.
#[test]
fn other_shapes_fall_back() {
    let base = |text: &str, at: (f64, f64), label: &str| Case {
        message: "m".into(),
        label: label.into(),
        help: None,
        text: text.into(),
        line_start: 0,
        at,
        first_line: 1,
        name: "r.jsonl".into(),
        severity: miette::Severity::Warning,
        style: Style::plain(),
    };
    let draw = Draw::new(Style::plain());
    for case in [
        base("a\tb", (0.0, 1.0), "x"),
        base("first\nsecond\n", (0.0, 1.0), "x"),
        base("abc", (1.0, 0.0), "x"),
        base("", (0.0, 0.0), "x"),
    ] {
        let mut out = String::new();
        assert!(!draw.report(&mut out, &case.report()), "{case:?}");
        assert!(out.is_empty());
    }
}

proptest! {
    /// The ASCII wrapping is textwrap's, with the options miette passes, at every width, narrow
    /// ones included.
    #[test]
    fn wraps_as_textwrap(line in "[a-z -]{0,60}|[a-z0-9 :-]{0,200}", width in 0usize..50, help in any::<bool>()) {
        let (first, rest) = if help { ("  help: ", "        ") } else { ("  × ", "  │ ") };
        let expected = textwrap::fill(
            &line,
            textwrap::Options::new(width)
                .initial_indent(first)
                .subsequent_indent(rest)
                .break_words(true)
                .word_separator(textwrap::WordSeparator::Custom(crate::diagnostics::render::words)),
        );
        let mut ours = String::new();
        wrap_ascii(&mut ours, &line, width, (first, 4 + 4 * usize::from(help)), (rest, 4 + 4 * usize::from(help)));
        prop_assert_eq!(ours, expected);
    }

    /// A line's columns, measured a run of ASCII at a time, are the sum of its characters' widths.
    #[test]
    fn widths_are_the_sum_of_the_characters(parts in prop::collection::vec(token(), 0..12)) {
        use unicode_width::UnicodeWidthChar;
        let line = parts.concat();
        let expected: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
        prop_assert_eq!(super::width(&line), expected);
    }
}
