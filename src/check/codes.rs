//! Codes: a code's level and calendar, its days in force, and which of its rules may share an id
//! with a rule declared before (versions of one rule, or an override of an inherited one).
//!
//! Separate from the checking of one rule ([`super::rules`]): this decides which rules are checked at
//! all and on which days, and wires each override to the rule it replaces ([`super::layers`] judges
//! whether it may).

use std::collections::HashMap;

use super::{intersect, overlaps, Checker, Range, Seen, UNKNOWN_CALENDAR};
use crate::ast;
use crate::diagnostics::{suggest, Diag};
use crate::engine::format;
use crate::engine::program::{CodeInfo, Override};
use crate::source::{SourceFile, Span};

impl Checker {
    pub(super) fn code<'a>(
        &mut self,
        file: &SourceFile,
        code: &'a ast::Code,
        parent: Option<usize>,
        seen: &mut HashMap<String, Vec<Seen<'a>>>,
    ) {
        let level = match code.level {
            Some((l, _)) => l,
            None => {
                self.diags.push(
                    Diag::error("precept::parse::missing-clause", format!("code `{}` has no `level`", code.name.value))
                        .at(file, code.name.span, "needs a level")
                        .help("add `level industry`, `level organisational`, `level professional` or `level ethical`"),
                );
                ast::CodeLevel::Organisational
            }
        };
        let calendar = match &code.calendar {
            Some(n) => Some(self.calendar_named(file, n)),
            // A code that names none uses the only calendar declared (even a broken one, already reported).
            None if self.calendar_names.len() == 1 => self.calendar_names.values().next().map(|(i, _, _)| *i),
            None => None,
        };
        let code_index = self.codes.len();
        let clauses = self.clauses(file, code, code_index, parent);
        self.codes.push(CodeInfo {
            name: code.name.value.clone(),
            level,
            version: code.version.as_ref().map(|v| v.value.clone()),
            source: code.source.as_ref().map(|v| v.value.clone()),
            not_waivable: code.not_waivable.is_some(),
            clauses,
            parent,
            file: file.clone(),
            span: code.name.span,
        });
        let code_range = code.effective.as_ref().and_then(|e| self.effective(file, e));
        for rule in &code.rules {
            self.cite_listed(file, code, code_index, rule);
            let own = rule.effective.as_ref().map(|e| self.effective(file, e));
            if matches!(own, Some(None)) {
                continue;
            }
            let own = own.flatten();
            let earlier = seen.get(&rule.id.text).map(Vec::as_slice).unwrap_or_default();
            if earlier.is_empty() {
                // Said once, at the first rule of the id (versions and overrides share it).
                self.diags.extend(super::reserved::rule_id(file, &rule.id.text, rule.id.span));
            }
            // Two rules may share an id only as versions (in the same code, each with its own
            // `effective` days, never both in force on one day) or as an override of a rule
            // inherited from a code this one extends.
            //
            // INVARIANT: every earlier version is of a code that is the last one's or above it (a
            // version is kept only when all before it are inherited or its own code's), so when the
            // last is above this code, all are; when it is this code, only the versions at the end
            // may clash. Looking at no more than that keeps a long chain of overrides linear.
            let lineage = &self.lineage;
            let skip = match earlier.last().map(|p| p.code) {
                Some(last) if lineage.is_ancestor(last, code_index) => earlier.len(),
                Some(last) if last == code_index => {
                    earlier.iter().rposition(|p| p.code != code_index).map_or(0, |i| i + 1)
                }
                _ => 0,
            };
            let mut clash = false;
            let others: Vec<&Seen> =
                earlier.iter().skip(skip).filter(|p| !lineage.is_ancestor(p.code, code_index)).collect();
            for prev in others {
                match (own, prev.range) {
                    (Some(a), Some(b)) if prev.code == code_index && !overlaps(a, b) => {}
                    (Some(a), Some(b)) if prev.code == code_index => {
                        clash = true;
                        self.diags.push(
                            Diag::error(
                                "precept::rule::overlapping-versions",
                                format!("two versions of rule `{}` are in force on the same days", rule.id.text),
                            )
                            .at(
                                file,
                                rule.effective.as_ref().map_or(rule.id.span, |e| e.span),
                                format!("in force {}", format::in_force(a)),
                            )
                            .note(&prev.file, prev.span, format!("also in force {}", format::in_force(b)))
                            .help("end the earlier version the day before the next one starts (`effective until ...`)"),
                        );
                    }
                    _ => {
                        clash = true;
                        self.diags.push(
                            Diag::error("precept::rule::duplicate-id", format!("rule id `{}` is used twice", rule.id.text))
                                .at(file, rule.id.span, "used again here")
                                .note(&prev.file, prev.span, "first used here")
                                .help("rule ids are stable names for findings and must be unique across all policy files; versions of one rule go in the same code, each with `effective from ... until ...`"),
                        );
                    }
                }
                if clash {
                    break;
                }
            }
            if clash {
                continue;
            }
            // Versions (and overrides) of a case rule pick the version judging each case by one
            // date, read over all of them; if they named different dates, two could judge one case.
            let version_of = |f: &SourceFile, r: &ast::Rule| match r.sequence.as_ref().and_then(|q| q.version.as_ref())
            {
                None => "the case's first event".to_string(),
                Some((ast::VersionBy::Receipt, _)) => "receipt".to_string(),
                Some((ast::VersionBy::Field(e), _)) => f.slice(e.span).split_whitespace().collect::<Vec<_>>().join(" "),
            };
            if rule.sequence.is_some() {
                let mine = version_of(file, rule);
                let differs = earlier.iter().find(|p| p.rule.sequence.is_some() && version_of(&p.file, p.rule) != mine);
                if let Some(prev) = differs {
                    let at = rule.sequence.as_ref().and_then(|q| q.version.as_ref()).map_or(rule.id.span, |v| v.1);
                    self.diags.push(
                        Diag::warning(
                            "precept::rule::version-date-differs",
                            format!("versions of rule `{}` pick the version judging a case by different dates", rule.id.text),
                        )
                        .at(file, at, format!("by {mine}"))
                        .note(&prev.file, prev.span, format!("by {}", version_of(&prev.file, prev.rule)))
                        .help("write the same `version by` in every version of the rule, so that one version judges each case"),
                    );
                }
            }
            let range = match (own, code_range) {
                (Some(a), Some(b)) => Some(intersect(a, b)),
                (a, b) => a.or(b),
            };
            // The rule overridden is the nearest ancestor's with a version in force on some of the
            // override's days (a nearer one may define the rule only on other days).
            let days = range.unwrap_or((None, None));
            let in_force_then = |p: &&Seen| overlaps(p.in_force.unwrap_or((None, None)), days);
            // Versions further down the list are of codes further down the chain (the invariant
            // above), so the nearest is the last that is inherited; one code's versions are together.
            let inherited = |p: &&Seen| self.lineage.is_ancestor(p.code, code_index);
            let at = earlier
                .iter()
                .rposition(|p| inherited(&p) && in_force_then(&p))
                .or_else(|| earlier.iter().rposition(|p| inherited(&p)));
            let nearest = at.and_then(|i| earlier.get(i)).map(|p| p.code);
            let overridden: Vec<&Seen> = match (at, nearest) {
                (Some(i), Some(n)) => {
                    let from = earlier.get(..i).and_then(|e| e.iter().rposition(|p| p.code != n)).map_or(0, |k| k + 1);
                    earlier.iter().skip(from).take_while(|p| p.code == n).collect()
                }
                _ => Vec::new(),
            };
            // Versions withdrawn already (on every day, by an earlier override) stay withdrawn.
            let settled = self.settled.get(&rule.id.text).copied().unwrap_or(0);
            let suspend: Vec<usize> =
                earlier.iter().skip(settled).filter(|p| inherited(p)).filter_map(|p| p.compiled).collect();
            // A rule may count in a calendar of its own (a state's holidays beside a national code's).
            let calendar = match &rule.calendar {
                Some(n) => Some(self.calendar_named(file, n)),
                None => calendar,
            };
            // The day that picks a version is a local day in the version's calendar's zone: versions
            // in different zones could each find a record (or case) theirs, or none would.
            let zone = |c: Option<usize>| {
                c.and_then(|i| self.calendars.get(i)).map(|c| c.zone().iana_name().unwrap_or("UTC").to_string())
            };
            let mine = zone(calendar);
            if let Some(prev) = earlier.iter().find(|p| p.code == code_index && zone(p.calendar) != mine) {
                let say =
                    |z: Option<String>| z.map_or("the offsets written (no calendar)".to_string(), |z| format!("`{z}`"));
                let d = Diag::error(
                    "precept::rule::version-zones-differ",
                    format!("versions of rule `{}` take their days in different time zones", rule.id.text),
                )
                .at(file, rule.calendar.as_ref().map_or(rule.id.span, |n| n.span), format!("days in {}", say(mine.clone())))
                .note(&prev.file, prev.span, format!("days in {}", say(zone(prev.calendar))))
                .help("the day a record or case is judged on picks one version, so every version of a rule counts in calendars of one zone; give each version a calendar in the same zone");
                self.diags.push(d);
                continue;
            }
            let relaxes_ok = self.judge_override(file, code_index, rule, calendar, range, &overridden);
            let compiled =
                if relaxes_ok { self.rule_in_context(file, code_index, calendar, rule, range) } else { None };
            if let Some(idx) = compiled {
                if let Some(parent) = nearest {
                    if let Some(r) = self.rules.get_mut(idx) {
                        r.overrides =
                            Some(Override { code: parent, relaxes: rule.relaxes.as_ref().map(|r| r.value.clone()) });
                    }
                }
                for old in suspend {
                    self.suspend(old, range.unwrap_or((None, None)));
                }
                if range.is_none_or(|r| r == (None, None)) {
                    // Every inherited version is withdrawn now: the versions before this code's own.
                    let upto = earlier.iter().rposition(|p| p.code != code_index).map_or(0, |i| i + 1);
                    self.settled.insert(rule.id.text.clone(), upto.max(settled));
                }
            }
            seen.entry(rule.id.text.clone()).or_default().push(Seen {
                file: file.clone(),
                span: rule.effective.as_ref().map_or(rule.id.span, |e| e.span),
                code: code_index,
                range: own,
                in_force: range,
                rule,
                calendar,
                compiled,
            });
        }
    }

    /// The days an `effective` clause gives, both included; `None` (reported) when a date is not real
    /// or the first comes after the last.
    pub(super) fn effective(&mut self, file: &SourceFile, e: &ast::Effective) -> Option<Range> {
        let mut day = |d: &Option<(String, Span)>| -> Result<Option<jiff::civil::Date>, ()> {
            match d {
                None => Ok(None),
                Some((text, span)) => text.parse::<jiff::civil::Date>().map(Some).map_err(|_| {
                    self.diags.push(
                        Diag::error("precept::type::invalid-literal", format!("`{text}` is not a real date"))
                            .at(file, *span, "no such date")
                            .help("write dates as `YYYY-MM-DD`"),
                    );
                }),
            }
        };
        let (from, until) = (day(&e.from).ok()?, day(&e.until).ok()?);
        if let (Some(f), Some(u)) = (from, until) {
            if f > u {
                self.diags.push(
                    Diag::error(
                        "precept::rule::invalid-effective",
                        format!("in force from {f} until {u}: it ends before it starts"),
                    )
                    .at(file, e.span, "never in force")
                    .help("`until` is the last day in force and must not come before `from`"),
                );
                return None;
            }
        }
        Some((from, until))
    }
}

impl Checker {
    /// The calendar a code or rule names, or (reported) the stand-in for one not declared.
    fn calendar_named(&mut self, file: &SourceFile, n: &crate::ast::Name) -> usize {
        if let Some((i, _, _)) = self.calendar_names.get(&n.text) {
            return *i;
        }
        let names: Vec<String> = self.calendar_names.keys().cloned().collect();
        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
        names.sort_unstable();
        self.diags.push(
            Diag::error("precept::type::unknown-calendar", format!("unknown calendar `{}`", n.text))
                .at(file, n.span, "no calendar of this name")
                .help(suggest::help(&n.text, &names, "calendar")),
        );
        UNKNOWN_CALENDAR
    }
}
