//! Bar charts as inline SVG, drawn here so the page needs no script or network to show them: one
//! bar per value, its active findings solid and its waived or baselined ones pale, the counts
//! written beside it (so the chart reads without colour too).

use std::fmt::Write as _;

use super::escape;
use super::tally::{Counts, Split};

/// Bars one chart draws; the rest are summed in a last bar.
pub const MAX_BARS: usize = 15;

const WIDTH: usize = 560;
const LABEL: usize = 200;
const BAR_AREA: usize = 260;
const ROW: usize = 22;

/// Labels longer than this are cut (the full value is the bar's tooltip).
const LABEL_CHARS: usize = 28;

/// How a chart orders its bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Most findings first: codes, rules, teams.
    Count,
    /// By value: months, oldest first (the latest [`MAX_BARS`] are drawn).
    Value,
    /// In the order given (severities, most severe first); values not given follow by count.
    Given(&'static [&'static str]),
}

/// A figure with a chart of `counts` titled `title` (`id` names it in the page), or a sentence
/// saying why there is nothing to draw (`empty`).
pub fn figure(id: &str, title: &str, counts: &Counts, order: Order, empty: &str) -> String {
    let mut out = format!("<figure class=\"chart\" id=\"{id}\">\n<figcaption>{title}</figcaption>\n");
    if counts.is_empty() {
        let _ = writeln!(out, "<p class=\"empty\">{empty}</p>");
    } else {
        out.push_str(&svg(id, title, &bars(counts, order)));
        if counts.none > 0 {
            let _ = writeln!(out, "<p class=\"note\">{} findings have no value here.</p>", escape::count(counts.none));
        }
    }
    out.push_str("</figure>\n");
    out
}

/// The bars to draw: at most [`MAX_BARS`], the rest summed as one.
fn bars(counts: &Counts, order: Order) -> Vec<(String, Split)> {
    let all = match order {
        Order::Count => counts.by_count(),
        Order::Value => counts.by_value(),
        Order::Given(given) => {
            let mut all = counts.by_count();
            all.sort_by_key(|(v, _)| given.iter().position(|g| g == v).unwrap_or(given.len()));
            all
        }
    };
    let keep = all.len().min(MAX_BARS);
    let (shown, rest): (Vec<_>, Vec<_>) = match order {
        // The latest months, with the earlier ones summed first.
        Order::Value => {
            let (rest, shown) = all.split_at(all.len() - keep);
            (shown.to_vec(), rest.to_vec())
        }
        Order::Count | Order::Given(_) => {
            let (shown, rest) = all.split_at(keep);
            (shown.to_vec(), rest.to_vec())
        }
    };
    let mut summed = counts.others;
    for (_, s) in &rest {
        summed.active += s.active;
        summed.settled += s.settled;
    }
    let values = rest.len();
    let mut out: Vec<(String, Split)> = shown.into_iter().map(|(k, s)| (k.to_string(), s)).collect();
    if values > 0 || counts.overflowed {
        let label = match (order, counts.overflowed) {
            (Order::Value, false) => format!("{values} earlier"),
            (Order::Count | Order::Given(_), false) => format!("{values} others"),
            (_, true) => "all others".to_string(),
        };
        match order {
            Order::Value => out.insert(0, (label, summed)),
            Order::Count | Order::Given(_) => out.push((label, summed)),
        }
    }
    out
}

/// The SVG of `bars`.
fn svg(id: &str, title: &str, bars: &[(String, Split)]) -> String {
    let most = bars.iter().map(|(_, s)| s.total()).max().unwrap_or(0).max(1);
    let height = bars.len() * ROW + 8;
    let mut out = String::with_capacity(300 + bars.len() * 400);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"{id}-title\">\n<title id=\"{id}-title\">{title}</title>"
    );
    for (i, (label, split)) in bars.iter().enumerate() {
        let y = 4 + i * ROW;
        let active = split.active * BAR_AREA / most;
        let settled = split.settled * BAR_AREA / most;
        // A bar of a few findings among many still shows.
        let active = if split.active > 0 { active.max(2) } else { 0 };
        let settled = if split.settled > 0 { settled.max(2) } else { 0 };
        let full = escape::text(label);
        let shown = escape::text(&crate::text::clip_to(label, LABEL_CHARS));
        let _ = writeln!(
            out,
            "<g><title>{full}: {} active, {} waived or baselined</title>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{shown}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{active}\" height=\"{}\" class=\"active\"/>\
             <rect x=\"{}\" y=\"{y}\" width=\"{settled}\" height=\"{}\" class=\"settled\"/>\
             <text x=\"{}\" y=\"{}\" class=\"value\">{}</text></g>",
            escape::count(split.active),
            escape::count(split.settled),
            LABEL - 6,
            y + ROW - 8,
            ROW - 6,
            LABEL + active,
            ROW - 6,
            LABEL + active + settled + 6,
            y + ROW - 8,
            value_text(*split),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// `12`, or `12 (+3 settled)` when some are waived or baselined.
fn value_text(s: Split) -> String {
    if s.settled == 0 {
        escape::count(s.active)
    } else {
        format!("{} (+{} settled)", escape::count(s.active), escape::count(s.settled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(values: &[(&str, usize)]) -> Counts {
        let mut c = Counts::default();
        for (v, n) in values {
            for _ in 0..*n {
                c.add(Some(v), true);
            }
        }
        c
    }

    #[test]
    fn many_values_are_summed_in_one_bar() {
        let values: Vec<(String, usize)> = (0..20).map(|i| (format!("team {i:02}"), 20 - i)).collect();
        let refs: Vec<(&str, usize)> = values.iter().map(|(v, n)| (v.as_str(), *n)).collect();
        let b = bars(&counts(&refs), Order::Count);
        assert_eq!(b.len(), MAX_BARS + 1);
        assert_eq!(b[0].0, "team 00");
        // Teams 15 to 19 had 5, 4, 3, 2 and 1 findings.
        assert_eq!(b[MAX_BARS], ("5 others".to_string(), Split { active: 15, settled: 0 }));
    }

    #[test]
    fn months_keep_the_latest_in_order() {
        let values: Vec<(String, usize)> =
            (1..=12).chain(1..=6).enumerate().map(|(i, m)| (format!("{}-{m:02}", 2024 + i / 12), 1)).collect();
        let refs: Vec<(&str, usize)> = values.iter().map(|(v, n)| (v.as_str(), *n)).collect();
        let b = bars(&counts(&refs), Order::Value);
        assert_eq!(b[0], ("3 earlier".to_string(), Split { active: 3, settled: 0 }));
        assert_eq!(b[1].0, "2024-04");
        assert_eq!(b.last().map(|(k, _)| k.as_str()), Some("2025-06"));
    }

    #[test]
    fn labels_are_escaped_and_bars_scaled() {
        let svg = figure("c", "Findings", &counts(&[("<b>\"x\"</b>", 4), ("y", 2)]), Order::Count, "none");
        assert!(svg.contains("&lt;b&gt;&quot;x&quot;&lt;/b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(&format!("width=\"{BAR_AREA}\"")) && svg.contains(&format!("width=\"{}\"", BAR_AREA / 2)));
        assert!(
            figure("c", "Findings", &Counts::default(), Order::Count, "nothing to draw").contains("nothing to draw")
        );
    }
}
