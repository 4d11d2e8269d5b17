//! How human output is drawn: in colour or not (`--color`), and how wide (the terminal's width, or
//! `COLUMNS`).
//!
//! The decisions are pure functions of what they are given ([`colour`], [`width`]), so they are
//! tested without a terminal; `super::style` feeds them the process's flag, environment and streams.
//!
//! Colour, for `--color auto` (the default), follows the common conventions in this order:
//! `NO_COLOR` set to anything non-empty turns colour off (<https://no-color.org>);
//! `CLICOLOR_FORCE` set to anything but `0` or empty turns it on even off a terminal; `CLICOLOR=0`
//! turns it off; otherwise a stream is coloured when it is a terminal whose `TERM` is not `dumb`.
//! `--color always` and `--color never` win over all of these: a flag is the most specific thing
//! a user can say.
//!
//! Width: `COLUMNS`, when it is a whole number from [`MIN_WIDTH`] to [`MAX_WIDTH`], wins (a user
//! or a script setting it means it); else the terminal's own width when the stream is one; else
//! 80 columns.
//!
//! Both apply to standard output and standard error only: a human report written to a file
//! (`--output human=PATH`) is always plain and 80 columns wide, the same wherever it was made.

use std::sync::OnceLock;

use clap::ValueEnum;

use crate::diagnostics::render::Style;

/// `--color WHEN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Color {
    /// Colour on a terminal, following NO_COLOR, CLICOLOR_FORCE and CLICOLOR.
    #[default]
    Auto,
    /// Always colour (ANSI escapes), even into a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

/// The narrowest `COLUMNS` used: below it miette's boxes and labels cannot be laid out.
pub const MIN_WIDTH: usize = 20;
/// The widest `COLUMNS` used: a wider value is more likely a mistake than a screen.
pub const MAX_WIDTH: usize = 1000;
/// The width when neither `COLUMNS` nor a terminal says one.
pub const DEFAULT_WIDTH: usize = 80;

/// The `--color` of this run, set once when the arguments are parsed.
static CHOICE: OnceLock<Color> = OnceLock::new();

/// Remember the run's `--color` (the first call wins; later ones are ignored).
pub(super) fn choose(color: Color) {
    let _ = CHOICE.set(color);
}

/// A standard stream human output may go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn is_terminal(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }

    fn terminal_width(self) -> Option<usize> {
        let size = match self {
            Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
            Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
        };
        size.map(|(w, _)| usize::from(w.0))
    }
}

/// How to draw human output on `stream` in this process.
pub(super) fn style(stream: Stream) -> Style {
    let terminal = stream.is_terminal();
    let env = |name: &str| std::env::var(name).ok();
    let color = colour(CHOICE.get().copied().unwrap_or_default(), terminal, &env);
    let width = width(env("COLUMNS").as_deref(), if terminal { stream.terminal_width() } else { None });
    Style { color, width }
}

/// Whether to colour a stream: `choice` is `--color`, `terminal` whether the stream is one, `env`
/// reads an environment variable (see the module documentation for the order).
pub fn colour(choice: Color, terminal: bool, env: &dyn Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            if set("NO_COLOR").is_some() {
                false
            } else if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else if set("CLICOLOR").is_some_and(|v| v == "0") {
                false
            } else {
                terminal && env("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
}

/// The width to lay out at: `COLUMNS` when valid, else the terminal's width, else
/// [`DEFAULT_WIDTH`]. A terminal narrower than [`MIN_WIDTH`] is laid out at that width.
pub fn width(columns: Option<&str>, terminal: Option<usize>) -> usize {
    let given = columns.and_then(|c| c.trim().parse::<usize>().ok()).filter(|w| (MIN_WIDTH..=MAX_WIDTH).contains(w));
    match (given, terminal.filter(|w| *w > 0)) {
        (Some(w), _) => w,
        (None, Some(t)) => t.clamp(MIN_WIDTH, MAX_WIDTH),
        (None, None) => DEFAULT_WIDTH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_string())
    }

    /// Environment variables set, whether the stream is a terminal, whether it is coloured.
    type Case = (&'static [(&'static str, &'static str)], bool, bool);

    #[test]
    fn auto_colours_a_terminal_unless_the_conventions_say_otherwise() {
        let cases: &[Case] = &[
            (&[], true, true),
            (&[], false, false),
            (&[("NO_COLOR", "1")], true, false),
            // An empty NO_COLOR is as if unset (no-color.org).
            (&[("NO_COLOR", "")], true, true),
            (&[("CLICOLOR_FORCE", "1")], false, true),
            (&[("CLICOLOR_FORCE", "0")], false, false),
            (&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], false, false),
            (&[("CLICOLOR", "0")], true, false),
            (&[("CLICOLOR", "1")], false, false),
            (&[("TERM", "dumb")], true, false),
            (&[("TERM", "xterm-256color")], true, true),
        ];
        for (vars, terminal, want) in cases {
            assert_eq!(colour(Color::Auto, *terminal, &env_of(vars)), *want, "{vars:?} terminal={terminal}");
        }
    }

    #[test]
    fn always_and_never_win_over_the_environment() {
        let everything = [("NO_COLOR", "1"), ("CLICOLOR", "0"), ("TERM", "dumb")];
        assert!(colour(Color::Always, false, &env_of(&everything)));
        assert!(!colour(Color::Never, true, &env_of(&[("CLICOLOR_FORCE", "1")])));
    }

    #[test]
    fn columns_wins_when_valid_then_the_terminal_then_80() {
        assert_eq!(width(Some("132"), Some(200)), 132);
        assert_eq!(width(Some(" 60 "), None), 60);
        for bad in ["", "wide", "-5", "0", "19", "1001", "80.5"] {
            assert_eq!(width(Some(bad), Some(150)), 150, "{bad:?}");
            assert_eq!(width(Some(bad), None), DEFAULT_WIDTH, "{bad:?}");
        }
        assert_eq!(width(None, Some(12)), MIN_WIDTH);
        assert_eq!(width(None, Some(0)), DEFAULT_WIDTH);
        assert_eq!(width(None, None), DEFAULT_WIDTH);
    }
}
