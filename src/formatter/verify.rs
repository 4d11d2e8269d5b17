//! What formatting promises, as functions the tests and the fuzz target share: the formatted text
//! parses to the same tree up to spans, keeps every comment in order, and is already formatted.

use regex::Regex;

use crate::source::SourceFile;
use crate::syntax;
use crate::syntax::tree::concrete;

/// The typed syntax tree of `file` written out with every span left out, or `None` when it does
/// not parse. Two files with the same shape mean the same policy, token for token.
pub fn shape(file: &SourceFile) -> Option<String> {
    let (tree, _) = syntax::parse(file);
    let tree = tree?;
    let text = format!("{:#?}\n{:#?}\n{:#?}", tree.schemas, tree.calendars, tree.codes);
    // The pattern is a constant: it always compiles.
    let spans = Regex::new(r"Span \{\s*start: \d+,\s*end: \d+,?\s*\}").ok()?;
    Some(spans.replace_all(&text, "Span").into_owned())
}

/// The comments of `file` in order, as written (trailing whitespace aside), each with the token
/// written before it (commas aside: a trailing comma may be dropped), or `None` when it does not
/// parse. Equal lists mean every comment is still there, in order, after the same token.
pub fn comment_texts(file: &SourceFile) -> Option<Vec<String>> {
    let root = concrete(file).ok()?;
    let tokens = super::comments::tokens(&root);
    let words: Vec<(usize, String)> = tokens
        .iter()
        .filter_map(|t| file.text.get(t.start..t.end).map(|w| (t.end, w)))
        .filter(|(_, w)| *w != ",")
        .map(|(end, w)| (end, w.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    let placed = super::comments::comments(&file.text, &tokens).into_iter().map(|c| {
        let before = words.iter().rev().find(|(end, _)| *end <= c.span.start).map_or("", |(_, w)| w.as_str());
        format!("after `{before}`: {}", c.text)
    });
    Some(placed.collect())
}

/// Check every promise for `file`: `Ok(None)` when it does not parse (nothing to check), `Ok(Some)`
/// with the formatted text when all hold, `Err` saying which one broke.
pub fn check_promises(file: &SourceFile) -> Result<Option<String>, String> {
    let Ok(once) = super::format_text(file) else { return Ok(None) };
    let formatted = file.with_text(once.clone());
    let before = shape(file).ok_or("the original has no tree")?;
    let after = shape(&formatted).ok_or_else(|| format!("the formatted text does not parse:\n{once}"))?;
    if before != after {
        return Err(format!("the formatted text parses to another tree:\n{once}"));
    }
    if comment_texts(file) != comment_texts(&formatted) {
        return Err(format!(
            "comments changed: {:?} became {:?}\n{once}",
            comment_texts(file),
            comment_texts(&formatted)
        ));
    }
    let twice = super::format_text(&formatted).map_err(|d| format!("the formatted text is refused: {d:?}"))?;
    if twice != once {
        return Err(format!("formatting again changes it:\n--- once\n{once}--- twice\n{twice}"));
    }
    Ok(Some(once))
}
