//! "Did you mean" suggestions for misspelt names.

/// Longest name, in bytes, that is compared with the candidates.
pub const LONGEST_TYPO: usize = 256;

/// The closest candidate to `wrong`, if one is close enough to be a likely typo.
/// A name longer than [`LONGEST_TYPO`] bytes is not compared (no name is that long by a typo,
/// and comparing costs its length times each candidate's).
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if wrong.len() > LONGEST_TYPO {
        return None;
    }
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(wrong, c);
        let edits = strsim::levenshtein(wrong, c);
        let close = score >= 0.85 || edits <= (wrong.chars().count() / 3).max(1);
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// A help line: `did you mean `x`?` or a list of what is allowed.
pub fn help(wrong: &str, candidates: &[&str], what: &str) -> String {
    match closest(wrong, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{}`?", crate::text::clip(c)),
        None if candidates.is_empty() => format!("no {what} is declared here"),
        None => {
            let shown: Vec<String> =
                candidates.iter().take(12).map(|c| format!("`{}`", crate::text::clip(c))).collect();
            let more = if candidates.len() > 12 { ", ..." } else { "" };
            format!("the {what}s here are {}{more}", shown.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word() {
        let fields = ["opened_at", "acknowledged_at", "resolved_at"];
        assert_eq!(closest("acknowleged_at", fields), Some("acknowledged_at"));
        assert_eq!(closest("zzz", fields), None);
        assert_eq!(help("resolvd_at", &fields, "field"), "did you mean `resolved_at`?");
        assert!(help("zzz", &fields, "field").starts_with("the fields here are"));
    }
}
