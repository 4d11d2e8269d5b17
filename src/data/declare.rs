//! How to declare a spelling a value missed: the last sentence of the help of a value a field's
//! type does not read (`"Yes"` for a boolean in JSON, `"2"` for an integer in JSON, `N` in CSV).
//!
//! [`super::convert`] says which spellings the format and the schema's declarations accept; this
//! says which declaration would make Precept read the value as written (`accept "Yes"/"No"`,
//! `accept numbers in strings`, `accept empty as missing`, an enumeration code), so that an export
//! can be read as it is rather than edited. Only declarations that would read the value are
//! suggested: nothing is said where none would (a datetime that is no datetime).

use super::convert::{clip, Raw};
use crate::engine::types::{Spelling, Ty};
use crate::engine::Program;

/// The usual pairs of spellings for true and false, lowercase, to complete the pair a value is
/// one half of (`"Yes"` suggests `accept "Yes"/"No"`).
const PAIRS: [(&str, &str); 6] = [("yes", "no"), ("y", "n"), ("true", "false"), ("t", "f"), ("1", "0"), ("on", "off")];

/// The sentence to add to the help of `raw`, which a field of type `ty` (with the declared
/// spellings `sp`) did not read; `None` when no declaration would read it.
pub(crate) fn sentence(program: &Program, ty: &Ty, sp: Option<&Spelling>, raw: Raw<'_>) -> Option<String> {
    let text = match raw {
        Raw::Str(s) | Raw::Num(s) => s.to_string(),
        Raw::Cell(s) => s.trim().to_string(),
        Raw::Int(i) => i.to_string(),
        Raw::Float(_) | Raw::Bool(_) | Raw::Moment(_) => return None,
    };
    let quoted = matches!(raw, Raw::Str(_));
    if text.is_empty() && quoted && !matches!(ty, Ty::Text) {
        if sp.is_some_and(|s| s.empty_is_missing) {
            return None;
        }
        return Some(
            "to read `\"\"` as a missing value, declare `accept empty as missing` after the field's type (or before the schema's fields, for all of them) and make the field optional with `?`"
                .to_string(),
        );
    }
    match ty {
        Ty::Bool if !text.is_empty() && !text.contains('"') && text.chars().count() <= 40 => {
            let Some((yes, no)) = pair(&text) else {
                // Not one half of a usual pair (`maybe`): more likely a wrong value than a spelling.
                return Some(
                    "if the export spells true and false in its own way, declare both after the field's type (`boolean accept \"<true>\"/\"<false>\"`), or before the schema's fields for all its booleans"
                        .to_string(),
                );
            };
            let shown = clip(&text);
            Some(format!(
                "to read `{shown}` as {}, declare the export's spellings after the field's type (`boolean accept \"{}\"/\"{}\"`), or before the schema's fields for all its booleans; several pairs may be given",
                if yes == text { "true" } else { "false" },
                clip(&yes),
                clip(&no)
            ))
        }
        Ty::Int if quoted && text.trim().parse::<i64>().is_ok() && !sp.is_some_and(|s| s.numbers_in_strings) => Some(
            format!(
                "to read whole numbers written as strings (`\"{}\"`), declare `accept numbers in strings` after the field's type, or before the schema's fields for all of them",
                clip(&text)
            ),
        ),
        Ty::Enum(e) if !text.is_empty() && !text.contains('"') && text.chars().count() <= 40 => {
            let names = program.enums.get(*e).map_or(&[][..], |d| d.variants.as_slice());
            // The value it most likely stands for: the same name in another case, else a placeholder.
            let name = names.iter().find(|n| n.eq_ignore_ascii_case(&text)).map_or("<value>", String::as_str);
            let code = if text.parse::<i64>().is_ok() && !quoted { text.clone() } else { format!("\"{text}\"") };
            Some(format!(
                "if the export writes `{}` for a value, declare it as that value's code in the enumeration: `enum {{ {} = {}, ... }}`",
                clip(&text),
                clip(name),
                clip(&code)
            ))
        }
        _ => None,
    }
}

/// The usual pair of spellings `text` is one half of, in its case: (true, false).
fn pair(text: &str) -> Option<(String, String)> {
    let lower = text.to_lowercase();
    let cased = |other: &str| {
        if text.chars().all(|c| !c.is_lowercase()) {
            other.to_uppercase()
        } else if text.chars().next().is_some_and(char::is_uppercase) {
            let mut c = other.chars();
            c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        } else {
            other.to_string()
        }
    };
    for (yes, no) in PAIRS {
        if lower == yes {
            return Some((text.to_string(), cased(no)));
        }
        if lower == no {
            return Some((cased(yes), text.to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_completed_in_the_case_written() {
        let p = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(pair("Yes"), p("Yes", "No"));
        assert_eq!(pair("N"), p("Y", "N"));
        assert_eq!(pair("false"), p("true", "false"));
        assert_eq!(pair("1"), p("1", "0"));
        assert_eq!(pair("OFF"), p("ON", "OFF"));
        assert_eq!(pair("maybe"), None);
    }
}
