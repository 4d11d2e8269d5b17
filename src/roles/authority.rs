//! The answers to rules' questions about staff and roles, from the role files: who held which role
//! on a day, what that role may do and up to what, who is senior to whom, who was qualified.
//!
//! Built once per run and shared by every thread. Role files that did not lint clean still give
//! answers: an escalation cycle ends a path where it would repeat, an unknown role has no scope,
//! and of two overlapping assignments the one that started later counts.

// Looked up for every question a record asks about staff and roles, on every worker thread:
// foldhash, not SipHash (whose hashing was 2% of a findings-heavy run's instructions).
use std::fmt::Write as _;

use foldhash::HashMap;

use jiff::civil::Date;

use super::ladder::Ladder;
use super::model::{Limit, LimitKind, Org};
use crate::engine::authority::{Amount, Authority, Evidence, Query};
use crate::engine::num::Num;

/// Staff, roles and the action vocabulary, indexed for look-up by id.
#[derive(Debug, Default)]
pub struct Directory {
    roles: Vec<RoleEntry>,
    role_ix: HashMap<String, usize>,
    /// Who is above whom (a cycle ends a path where it would repeat).
    ladder: Ladder,
    staff: Vec<StaffEntry>,
    staff_ix: HashMap<String, usize>,
    actions: HashMap<String, LimitKind>,
    /// Area id to the qualifications advice in it needs.
    areas: HashMap<String, Vec<String>>,
}

#[derive(Debug)]
struct RoleEntry {
    id: String,
    title: String,
    may: Vec<(String, Limit)>,
}

#[derive(Debug)]
struct StaffEntry {
    name: String,
    /// Their team, if the staff file gives one.
    team: Option<String>,
    /// First and last day employed: outside them no role is held, whatever the assignments say.
    employed: (Date, Option<Date>),
    /// Sorted by first day; the role by index when it exists.
    assignments: Vec<(Date, Option<Date>, String, Option<usize>)>,
    qualifications: Vec<(String, Date, Option<Date>)>,
}

/// A role held on a day: its index, when the role is defined, and its id.
type Held<'d> = (Option<usize>, &'d str);

impl Directory {
    /// Index an organisation.
    pub fn new(org: &Org) -> Directory {
        let mut d = Directory::default();
        for (i, r) in org.roles.iter().enumerate() {
            d.role_ix.entry(r.id.id.clone()).or_insert(i);
        }
        let senior: Vec<Option<usize>> =
            org.roles.iter().map(|r| r.escalates_to.as_ref().and_then(|e| d.role_ix.get(&e.id).copied())).collect();
        d.ladder = Ladder::new(senior);
        for r in &org.roles {
            let may = r.may.iter().map(|g| (g.action.id.clone(), g.limit)).collect();
            d.roles.push(RoleEntry { id: r.id.id.clone(), title: r.title.clone(), may });
        }
        for (i, s) in org.staff.iter().enumerate() {
            d.staff_ix.entry(s.id.id.clone()).or_insert(i);
            let mut assignments: Vec<_> = s
                .roles
                .iter()
                .map(|a| (a.from, a.until, a.role.id.clone(), d.role_ix.get(&a.role.id).copied()))
                .collect();
            assignments.sort_by_key(|a| a.0);
            let qualifications = s.qualifications.iter().map(|q| (q.id.id.clone(), q.issued, q.expires)).collect();
            let employed = (s.employed_from, s.employed_until);
            d.staff.push(StaffEntry {
                name: s.name.clone(),
                team: s.team.clone(),
                employed,
                assignments,
                qualifications,
            });
        }
        d.actions = org.actions.iter().map(|a| (a.id.clone(), a.kind)).collect();
        d.areas = org.areas.iter().map(|a| (a.id.clone(), a.requires.iter().map(|q| q.id.clone()).collect())).collect();
        d
    }

    fn staff(&self, id: &str) -> Option<&StaffEntry> {
        self.staff_ix.get(id).and_then(|&i| self.staff.get(i))
    }

    /// The role `staff` held on `on`; of overlapping assignments, the one that started last. No one
    /// holds a role on a day they were not employed.
    fn held(&self, staff: &str, on: Date) -> Option<Held<'_>> {
        let s = self.staff(staff)?;
        if on < s.employed.0 || s.employed.1.is_some_and(|u| on > u) {
            return None;
        }
        s.assignments
            .iter()
            .rev()
            .find(|(from, until, _, _)| *from <= on && until.is_none_or(|u| on <= u))
            .map(|(_, _, id, ix)| (*ix, id.as_str()))
    }

    /// `customer-advisor → team-leader → ...`: the escalation path from a role.
    fn path(&self, role: usize) -> String {
        let mut out = String::from(self.role_id(role));
        for r in self.ladder.path(role) {
            out.push_str(" → ");
            out.push_str(self.role_id(r));
        }
        out
    }

    fn role_id(&self, role: usize) -> &str {
        self.roles.get(role).map_or("?", |r| r.id.as_str())
    }

    fn limit(&self, role: usize, action: &str) -> Option<Limit> {
        self.roles.get(role)?.may.iter().find(|(a, _)| a == action).map(|(_, l)| *l)
    }

    fn may(&self, staff: &str, action: &str, amount: Option<Amount>, on: Date) -> bool {
        let Some((Some(role), _)) = self.held(staff, on) else { return false };
        if !self.actions.contains_key(action) {
            return false;
        }
        match (self.limit(role, action), amount) {
            (Some(limit), Some(amount)) => within(limit, amount) != Some(false),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    fn outranks(&self, senior: &str, junior: &str, on: Date) -> bool {
        match (self.held(senior, on), self.held(junior, on)) {
            (Some((Some(s), _)), Some((Some(j), _))) => self.ladder.above(s, j),
            _ => false,
        }
    }

    fn current(&self, staff: &str, qualification: &str, on: Date) -> bool {
        self.staff(staff).is_some_and(|s| {
            s.qualifications
                .iter()
                .any(|(q, issued, expires)| q == qualification && *issued <= on && expires.is_none_or(|e| on <= e))
        })
    }

    /// Who `staff` was on `on`: whether they are staff, and the role they held.
    fn who<'d>(&'d self, staff: &str, on: Date) -> Who<'d> {
        let name = self.staff(staff).map(|s| s.name.as_str());
        Who { name, held: name.and_then(|_| self.held(staff, on)) }
    }

    /// Who `w` was as a sentence (`amara.okafor (Amara Okafor) was customer-advisor (Customer
    /// Advisor) on 2025-03-05`), `on` being the day as shown.
    fn sentence(&self, staff: &str, w: &Who<'_>, on: &str) -> String {
        let Some(name) = w.name else { return format!("`{staff}` is not a member of staff in the role files") };
        match w.held {
            None => format!("{staff} ({name}) held no role on {on}"),
            Some((None, id)) => format!("{staff} ({name}) held `{id}` on {on}, a role the role files do not define"),
            Some((Some(r), id)) => {
                let title = self.roles.get(r).map_or("", |x| x.title.as_str());
                format!("{staff} ({name}) was {id} ({title}) on {on}")
            }
        }
    }

    /// Adds the facts about `w` under `names` (staff, day, role, escalation path; a fact without a
    /// name is left out), and gives where the escalation path is among them, when the role is
    /// defined.
    fn who_facts(
        &self,
        staff: &str,
        w: &Who<'_>,
        on: &str,
        names: [Option<&'static str>; 4],
        facts: &mut Vec<(&'static str, String)>,
    ) -> Option<usize> {
        let [staff_name, on_name, role_name, path_name] = names;
        let mut add = |name: Option<&'static str>, value: &dyn Fn() -> String| {
            name.map(|n| {
                facts.push((n, value()));
                facts.len() - 1
            })
        };
        add(staff_name, &|| staff.to_string());
        add(on_name, &|| on.to_string());
        let (role, id) = w.held?;
        add(role_name, &|| id.to_string());
        let role = role?;
        add(path_name, &|| self.path(role))
    }

    fn qualification_facts(&self, staff: &str, qualification: &str, on: Date) -> String {
        let held: Vec<_> = self
            .staff(staff)
            .map(|s| s.qualifications.iter().filter(|(q, _, _)| q == qualification).collect())
            .unwrap_or_default();
        if self.current(staff, qualification, on) {
            return "current on the day".to_string();
        }
        // The latest certificate issued by the day tells the story; failing that, the first one.
        let before = held.iter().filter(|(_, issued, _)| *issued <= on).max_by_key(|(_, issued, _)| *issued);
        match before.or_else(|| held.iter().min_by_key(|(_, issued, _)| *issued)) {
            None => "not held".to_string(),
            Some((_, issued, _)) if *issued > on => format!("not issued until {issued}"),
            Some((_, _, Some(expires))) => format!("expired on {expires}"),
            Some(_) => "not current".to_string(),
        }
    }
}

/// Whether `amount` is within `limit`: `None` when it says nothing about it (a money value
/// recorded for a replacement, whose limit is a count), and the action is judged on permission
/// alone. Money in another currency than the limit's is never within it.
fn within(limit: Limit, amount: Amount) -> Option<bool> {
    match (limit, amount) {
        (Limit::Allowed, _) => Some(true),
        (Limit::Money(l, c), Amount::Money(a, d)) => Some(c == d && a <= Num::from(l)),
        (Limit::Percent(l), Amount::Number(a)) => Some(a <= Num::from(l)),
        (Limit::Count(l), Amount::Number(a)) => Some(a <= Num::from(l)),
        (Limit::Duration(l), Amount::Duration(a)) => Some(a <= l),
        _ => None,
    }
}

impl Authority for Directory {
    fn role_of(&self, staff: &str, on: Date) -> Option<&str> {
        self.held(staff, on).map(|(_, id)| id)
    }

    /// A team is expected over a range when someone in it was employed on a day of it: a team
    /// formed after the range, or whose staff had all left before it, is not.
    fn teams(&self, from: Date, until: Date) -> Vec<String> {
        let teams: std::collections::BTreeSet<&str> = self
            .staff
            .iter()
            .filter(|s| s.employed.0 <= until && s.employed.1.is_none_or(|u| u >= from))
            .filter_map(|s| s.team.as_deref())
            .collect();
        teams.into_iter().map(str::to_string).collect()
    }

    fn judge(&self, q: &Query<'_>) -> bool {
        match *q {
            Query::May { staff, action, amount, on } => self.may(staff, action, amount, on),
            Query::Outranks { senior, junior, on } => senior != junior && self.outranks(senior, junior, on),
            Query::Qualified { staff, qualification, on } => self.current(staff, qualification, on),
            Query::QualifiedFor { staff, area, on } => {
                self.staff(staff).is_some()
                    && self.areas.get(area).is_some_and(|needs| needs.iter().all(|q| self.current(staff, q, on)))
            }
        }
    }

    // Asked for every question about roles a broken rule asked, which in a findings-heavy run is
    // most records: each text is written once (the day, the amount, the limit and the path are
    // shown in the facts and the summary alike) and the senior of a referral gets no sentence.
    fn explain(&self, q: &Query<'_>) -> Evidence {
        let mut facts = Vec::new();
        let fact = |facts: &[(&'static str, String)], at: Option<usize>| {
            at.and_then(|i| facts.get(i)).map_or(String::new(), |(_, v)| v.clone())
        };
        let summary = match *q {
            Query::May { staff, action, amount, on } => {
                let shown = on.to_string();
                let w = self.who(staff, on);
                let path = self.who_facts(staff, &w, &shown, SUBJECT, &mut facts);
                let mut out = self.sentence(staff, &w, &shown);
                facts.push(("action", action.to_string()));
                let amount_shown = amount.map(|a| a.to_string());
                if let Some(a) = &amount_shown {
                    facts.push(("amount", a.clone()));
                }
                let Some(role) = w.role() else {
                    let _ = write!(out, ", so has no authority to take `{action}`");
                    if let Some(a) = &amount_shown {
                        let _ = write!(out, " ({a})");
                    }
                    return Evidence { summary: out, facts };
                };
                let path = fact(&facts, path);
                match self.limit(role, action) {
                    _ if !self.actions.contains_key(action) => {
                        let _ = write!(out, "; `{action}` is not in the action vocabulary, so no role may take it");
                    }
                    None => {
                        let _ = write!(out, "; that role may not take `{action}` at all (path: {path})");
                    }
                    Some(limit) => {
                        let shown_limit = limit.to_string();
                        let _ = write!(out, "; that role may take `{action}` {shown_limit}; ");
                        facts.push(("limit", shown_limit));
                        let _ = match (amount, &amount_shown) {
                            (Some(a), Some(shown)) => match within(limit, a) {
                                Some(true) => write!(out, "this was {shown}, within it"),
                                Some(false) => write!(out, "this was {shown}, beyond it"),
                                None => write!(
                                    out,
                                    "the amount recorded ({shown}) is not of the limit's kind, so only permission is judged"
                                ),
                            },
                            _ => write!(out, "no amount was recorded"),
                        };
                        let _ = write!(out, " (path: {path})");
                    }
                }
                out
            }
            Query::Outranks { senior, junior, on } => {
                let shown = on.to_string();
                let j = self.who(junior, on);
                let path = self.who_facts(junior, &j, &shown, SUBJECT, &mut facts);
                let s = self.who(senior, on);
                self.who_facts(senior, &s, &shown, REFERRED_TO, &mut facts);
                let direction = match (s.role(), j.role()) {
                    _ if senior == junior => "the same person".to_string(),
                    (Some(s), Some(j)) if self.ladder.above(s, j) => "up the escalation path".to_string(),
                    (Some(s), Some(j)) if s == j => "the same role: sideways".to_string(),
                    (Some(s), Some(j)) if self.ladder.above(j, s) => "down the escalation path".to_string(),
                    (Some(s), Some(_)) => format!("sideways: {} is not on that path", self.role_id(s)),
                    _ => "not to a senior role".to_string(),
                };
                let mut out = format!("on {shown} {}", j.short(junior));
                if path.is_some() {
                    let _ = write!(out, " (path: {})", fact(&facts, path));
                }
                let _ = write!(out, " referred to {}: {direction}", s.short(senior));
                facts.push(("direction", direction));
                out
            }
            Query::Qualified { staff, qualification, on } => {
                let shown = on.to_string();
                let w = self.who(staff, on);
                self.who_facts(staff, &w, &shown, SUBJECT, &mut facts);
                facts.push(("qualification", qualification.to_string()));
                let status = self.qualification_facts(staff, qualification, on);
                let summary = format!("{}; `{qualification}`: {status}", self.sentence(staff, &w, &shown));
                facts.push(("status", format!("{qualification}: {status}")));
                summary
            }
            Query::QualifiedFor { staff, area, on } => {
                let shown = on.to_string();
                let w = self.who(staff, on);
                self.who_facts(staff, &w, &shown, SUBJECT, &mut facts);
                let who = self.sentence(staff, &w, &shown);
                facts.push(("area", area.to_string()));
                match self.areas.get(area) {
                    None => format!("{who}; `{area}` is not a declared area"),
                    Some(needs) if needs.is_empty() => format!("{who}; advice in `{area}` needs no qualification"),
                    Some(needs) => {
                        facts.push(("requires", needs.join(", ")));
                        let each: Vec<(&String, String)> =
                            needs.iter().map(|q| (q, self.qualification_facts(staff, q, on))).collect();
                        let status: Vec<String> = each.iter().map(|(q, s)| format!("{q}: {s}")).collect();
                        facts.push(("status", status.join("; ")));
                        let shown: Vec<String> = each.iter().map(|(q, s)| format!("`{q}`: {s}")).collect();
                        format!("{who}; advice in `{area}` needs {}", shown.join("; "))
                    }
                }
            }
        };
        Evidence { summary, facts }
    }
}

/// The names of the facts about the member of staff a question is about.
const SUBJECT: [Option<&str>; 4] = [Some("staff"), Some("on"), Some("role"), Some("escalation_path")];

/// The names of the facts about the member of staff a referral went to (the day is the referral's).
const REFERRED_TO: [Option<&str>; 4] = [Some("referred_to"), None, Some("referred_to_role"), Some("referred_to_path")];

/// Who a question is about, as the role files have them on its day.
struct Who<'d> {
    /// Their name, when they are a member of staff.
    name: Option<&'d str>,
    /// The role they held, if any.
    held: Option<Held<'d>>,
}

impl Who<'_> {
    /// The role they held, when the role files define it.
    fn role(&self) -> Option<usize> {
        self.held.and_then(|(r, _)| r)
    }

    /// The short form for referrals: `amara.okafor, customer-advisor`.
    fn short(&self, staff: &str) -> String {
        match (self.name, self.held) {
            (None, _) => format!("{staff}, not a member of staff"),
            (Some(_), None) => format!("{staff}, no role"),
            (Some(_), Some((_, id))) => format!("{staff}, {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::read::read_file;
    use crate::source::SourceFile;

    const ORG: &str = r#"
[actions]
refund = { limit = "money", currency = "GBP" }
discount = { limit = "percent" }
apology = { limit = "none" }
[qualifications]
fca = { title = "FCA" }
[areas]
credit = { title = "Credit", requires = ["fca"] }
[[role]]
id = "advisor"
title = "Advisor"
escalates_to = "lead"
[role.may]
refund = "50.00 GBP"
discount = "10%"
apology = true
[[role]]
id = "lead"
title = "Lead"
escalates_to = "head"
[role.may]
refund = "500.00 GBP"
discount = "15%"
apology = true
[[role]]
id = "head"
title = "Head"
top = true
[role.may]
refund = "5000.00 GBP"
discount = "40%"
apology = true
[[role]]
id = "other"
title = "Other department"
escalates_to = "head"
[[staff]]
id = "ann"
name = "Ann"
employed = { from = 2020-01-01 }
roles = [
  { role = "advisor", from = 2020-01-01, until = 2022-12-31 },
  { role = "lead", from = 2023-01-01 },
]
qualifications = [{ id = "fca", issued = 2020-01-01, expires = 2022-12-31 }]
[[staff]]
id = "bo"
name = "Bo"
employed = { from = 2020-01-01 }
roles = [{ role = "advisor", from = 2020-01-01 }]
[[staff]]
id = "cy"
name = "Cy"
employed = { from = 2020-01-01 }
roles = [{ role = "other", from = 2020-01-01 }]
"#;

    fn dir() -> Directory {
        let mut org = Org::default();
        let mut diags = Vec::new();
        read_file(&SourceFile::new("org.toml", ORG), &mut org, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        Directory::new(&org)
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    fn gbp(s: &str) -> Option<Amount> {
        let c = crate::engine::types::Currency::parse("GBP")?;
        Some(Amount::Money(s.parse().ok()?, c))
    }

    #[test]
    fn the_role_on_the_day_decides_the_limit() {
        let d = dir();
        let may = |staff, amount, on| d.judge(&Query::May { staff, action: "refund", amount, on: day(on) });
        assert!(may("ann", gbp("50.00"), "2022-12-31"));
        assert!(!may("ann", gbp("50.01"), "2022-12-31"));
        assert!(may("ann", gbp("120.00"), "2023-01-01"));
        assert!(!may("ann", gbp("120.00"), "2019-12-31"), "before any assignment");
        assert!(!may("nobody", gbp("1.00"), "2023-01-01"));
        assert!(may("bo", None, "2023-01-01"), "no amount: permission only");
        assert_eq!(d.role_of("ann", day("2022-06-01")), Some("advisor"));
        assert_eq!(d.role_of("ann", day("2019-06-01")), None);
    }

    #[test]
    fn limits_of_other_kinds_and_actions_not_granted() {
        let d = dir();
        let q = |action, amount| Query::May { staff: "bo", action, amount, on: day("2024-01-01") };
        assert!(d.judge(&q("discount", Some(Amount::Number(10.into())))));
        assert!(!d.judge(&q("discount", Some(Amount::Number(11.into())))));
        // Money says nothing about a percentage limit: permission alone is judged.
        assert!(d.judge(&q("discount", gbp("1.00"))), "money against a percentage limit");
        let eur = crate::engine::types::Currency::parse("EUR").map(|c| Amount::Money(1.into(), c));
        assert!(!d.judge(&q("refund", eur)), "money in another currency than the limit's");
        assert!(!d.judge(&q("write_off", None)));
        assert!(d.explain(&q("write_off", None)).summary.contains("not in the action vocabulary"));
        assert!(d.judge(&q("apology", None)));
    }

    #[test]
    fn only_a_role_up_the_path_outranks() {
        let d = dir();
        let up = |s, j| d.judge(&Query::Outranks { senior: s, junior: j, on: day("2024-01-01") });
        assert!(up("ann", "bo"), "lead is above advisor");
        assert!(!up("bo", "ann"), "down");
        assert!(!up("cy", "bo"), "sideways");
        assert!(!up("bo", "bo"));
        assert!(!d.judge(&Query::Outranks { senior: "ann", junior: "bo", on: day("2021-01-01") }), "same role then");
        let ev = d.explain(&Query::Outranks { senior: "cy", junior: "bo", on: day("2024-01-01") });
        assert!(ev.summary.contains("sideways"), "{}", ev.summary);
        assert!(ev.facts.iter().any(|(k, v)| *k == "escalation_path" && v == "advisor → lead → head"));
    }

    #[test]
    fn cycles_leavers_and_amounts_of_another_kind() {
        let text = r#"
[actions]
refund = { limit = "money", currency = "GBP" }
replacement = { limit = "count" }
[[role]]
id = "a"
title = "A"
escalates_to = "b"
[role.may]
replacement = 1
[[role]]
id = "b"
title = "B"
escalates_to = "c"
[[role]]
id = "c"
title = "C"
escalates_to = "b"
[[staff]]
id = "al"
name = "Al"
employed = { from = 2020-01-01, until = 2020-12-31 }
roles = [{ role = "a", from = 2020-01-01 }]
"#;
        let mut org = Org::default();
        let mut diags = Vec::new();
        read_file(&SourceFile::new("cycle.toml", text), &mut org, &mut diags);
        let d = Directory::new(&org);
        // The cycle b → c → b ends where it would repeat.
        assert_eq!(d.path(0), "a → b → c");
        // No role on a day outside the employment, whatever the assignment says.
        assert_eq!(d.role_of("al", day("2020-06-01")), Some("a"));
        assert_eq!(d.role_of("al", day("2021-06-01")), None);
        // Money recorded for an action limited by count: judged on permission only, and said so.
        let q = Query::May { staff: "al", action: "replacement", amount: gbp("80.00"), on: day("2020-06-01") };
        assert!(d.judge(&q));
        assert!(d.explain(&q).summary.contains("only permission is judged"));
        // Someone unknown is qualified for nothing, even where nothing is required.
        let mut plain = dir();
        plain.areas.insert("open".into(), Vec::new());
        assert!(!plain.judge(&Query::QualifiedFor { staff: "nobody", area: "open", on: day("2024-01-01") }));
        assert!(plain.judge(&Query::QualifiedFor { staff: "bo", area: "open", on: day("2024-01-01") }));
    }

    #[test]
    fn qualifications_are_judged_on_the_day() {
        let d = dir();
        let q = |staff, on| d.judge(&Query::QualifiedFor { staff, area: "credit", on: day(on) });
        assert!(q("ann", "2022-12-31"), "the expiry day itself is covered");
        assert!(!q("ann", "2023-01-01"));
        assert!(!q("bo", "2021-01-01"));
        assert!(d.judge(&Query::Qualified { staff: "ann", qualification: "fca", on: day("2021-01-01") }));
        let ev = d.explain(&Query::QualifiedFor { staff: "ann", area: "credit", on: day("2023-01-01") });
        assert!(ev.summary.contains("expired on 2022-12-31"), "{}", ev.summary);
    }

    /// Every kind of explanation, in full: the sentence people read and the facts machines read,
    /// in their fixed order.
    #[test]
    fn explanations_read_in_full() {
        let mut org = Org::default();
        let mut diags = Vec::new();
        let ghost = "[[staff]]\nid = \"di\"\nname = \"Di\"\nemployed = { from = 2020-01-01 }\nroles = [{ role = \"ghost\", from = 2020-01-01 }]\n";
        read_file(&SourceFile::new("org.toml", format!("{ORG}{ghost}")), &mut org, &mut diags);
        let d = Directory::new(&org);
        let on = day("2024-01-01");
        let shown = |q: Query<'_>| {
            let ev = d.explain(&q);
            let facts: Vec<String> = ev.facts.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{}\n{}", ev.summary, facts.join("|"))
        };
        let may = |staff, action, amount| shown(Query::May { staff, action, amount, on });
        let cases = [
            may("bo", "refund", gbp("60.00")),
            may("bo", "refund", None),
            may("bo", "write_off", gbp("1.00")),
            may("cy", "refund", gbp("1.00")),
            may("di", "refund", gbp("1.00")),
            may("zed", "refund", None),
            shown(Query::May { staff: "ann", action: "refund", amount: gbp("1.00"), on: day("2019-01-01") }),
            shown(Query::Outranks { senior: "ann", junior: "bo", on }),
            shown(Query::Outranks { senior: "bo", junior: "ann", on }),
            shown(Query::Outranks { senior: "bo", junior: "bo", on }),
            shown(Query::Outranks { senior: "di", junior: "cy", on }),
            shown(Query::Outranks { senior: "zed", junior: "di", on }),
            shown(Query::Qualified { staff: "ann", qualification: "fca", on }),
            shown(Query::QualifiedFor { staff: "ann", area: "credit", on }),
            shown(Query::QualifiedFor { staff: "bo", area: "tax", on }),
        ];
        let expected = [
            "bo (Bo) was advisor (Advisor) on 2024-01-01; that role may take `refund` up to 50.00 GBP; this was 60.00 GBP, beyond it (path: advisor → lead → head)\nstaff=bo|on=2024-01-01|role=advisor|escalation_path=advisor → lead → head|action=refund|amount=60.00 GBP|limit=up to 50.00 GBP",
            "bo (Bo) was advisor (Advisor) on 2024-01-01; that role may take `refund` up to 50.00 GBP; no amount was recorded (path: advisor → lead → head)\nstaff=bo|on=2024-01-01|role=advisor|escalation_path=advisor → lead → head|action=refund|limit=up to 50.00 GBP",
            "bo (Bo) was advisor (Advisor) on 2024-01-01; `write_off` is not in the action vocabulary, so no role may take it\nstaff=bo|on=2024-01-01|role=advisor|escalation_path=advisor → lead → head|action=write_off|amount=1.00 GBP",
            "cy (Cy) was other (Other department) on 2024-01-01; that role may not take `refund` at all (path: other → head)\nstaff=cy|on=2024-01-01|role=other|escalation_path=other → head|action=refund|amount=1.00 GBP",
            "di (Di) held `ghost` on 2024-01-01, a role the role files do not define, so has no authority to take `refund` (1.00 GBP)\nstaff=di|on=2024-01-01|role=ghost|action=refund|amount=1.00 GBP",
            "`zed` is not a member of staff in the role files, so has no authority to take `refund`\nstaff=zed|on=2024-01-01|action=refund",
            "ann (Ann) held no role on 2019-01-01, so has no authority to take `refund` (1.00 GBP)\nstaff=ann|on=2019-01-01|action=refund|amount=1.00 GBP",
            "on 2024-01-01 bo, advisor (path: advisor → lead → head) referred to ann, lead: up the escalation path\nstaff=bo|on=2024-01-01|role=advisor|escalation_path=advisor → lead → head|referred_to=ann|referred_to_role=lead|referred_to_path=lead → head|direction=up the escalation path",
            "on 2024-01-01 ann, lead (path: lead → head) referred to bo, advisor: down the escalation path\nstaff=ann|on=2024-01-01|role=lead|escalation_path=lead → head|referred_to=bo|referred_to_role=advisor|referred_to_path=advisor → lead → head|direction=down the escalation path",
            "on 2024-01-01 bo, advisor (path: advisor → lead → head) referred to bo, advisor: the same person\nstaff=bo|on=2024-01-01|role=advisor|escalation_path=advisor → lead → head|referred_to=bo|referred_to_role=advisor|referred_to_path=advisor → lead → head|direction=the same person",
            "on 2024-01-01 cy, other (path: other → head) referred to di, ghost: not to a senior role\nstaff=cy|on=2024-01-01|role=other|escalation_path=other → head|referred_to=di|referred_to_role=ghost|direction=not to a senior role",
            "on 2024-01-01 di, ghost referred to zed, not a member of staff: not to a senior role\nstaff=di|on=2024-01-01|role=ghost|referred_to=zed|direction=not to a senior role",
            "ann (Ann) was lead (Lead) on 2024-01-01; `fca`: expired on 2022-12-31\nstaff=ann|on=2024-01-01|role=lead|escalation_path=lead → head|qualification=fca|status=fca: expired on 2022-12-31",
            "ann (Ann) was lead (Lead) on 2024-01-01; advice in `credit` needs `fca`: expired on 2022-12-31\nstaff=ann|on=2024-01-01|role=lead|escalation_path=lead → head|area=credit|requires=fca|status=fca: expired on 2022-12-31",
            "bo (Bo) was advisor (Advisor) on 2024-01-01; `tax` is not a declared area\nstaff=bo|on=2024-01-01|role=advisor|escalation_path=advisor → lead → head|area=tax",
        ];
        for (got, want) in cases.iter().zip(expected) {
            assert_eq!(got, want);
        }
        assert_eq!(cases.len(), expected.len());
    }

    /// A chain thousands of roles long, closing into a cycle part-way: who outranks whom and the
    /// path shown are what walking up from each role gives, and building the directory stays linear.
    #[test]
    fn long_chains_and_cycles_answer_as_the_walk_does() {
        let n = 2_000;
        for back in [None, Some(0), Some(1_500)] {
            let mut text = String::from("[actions]\nrefund = { limit = \"money\", currency = \"GBP\" }\n");
            for i in 0..n {
                let senior = match (i + 1 == n, back) {
                    (false, _) => format!("escalates_to = \"r{}\"", i + 1),
                    (true, None) => "top = true".to_string(),
                    (true, Some(b)) => format!("escalates_to = \"r{b}\""),
                };
                text.push_str(&format!("[[role]]\nid = \"r{i}\"\ntitle = \"R{i}\"\n{senior}\n"));
            }
            for (k, r) in [0, 1, 999, 1_500, n - 1].iter().enumerate() {
                text.push_str(&format!(
                    "[[staff]]\nid = \"s{k}\"\nname = \"S{k}\"\nemployed = {{ from = 2020-01-01 }}\nroles = [{{ role = \"r{r}\", from = 2020-01-01 }}]\n"
                ));
            }
            let mut org = Org::default();
            let mut diags = Vec::new();
            read_file(&SourceFile::new("chain.toml", text), &mut org, &mut diags);
            let d = Directory::new(&org);
            // The roles above each, by walking (the cycle ends where it would repeat).
            let seniors = |j: usize| -> Vec<usize> {
                let mut out = Vec::new();
                let mut seen = std::collections::HashSet::new();
                let mut cur = if j + 1 == n { back } else { Some(j + 1) };
                while let Some(s) = cur {
                    if s == j || !seen.insert(s) {
                        break;
                    }
                    out.push(s);
                    cur = if s + 1 == n { back } else { Some(s + 1) };
                }
                out
            };
            let held = [0, 1, 999, 1_500, n - 1];
            let above: Vec<Vec<usize>> = held.iter().map(|&r| seniors(r)).collect();
            for (a, &ra) in held.iter().enumerate() {
                let want: Vec<String> =
                    std::iter::once(ra).chain(above[a].iter().copied()).map(|r| format!("r{r}")).collect();
                assert_eq!(d.path(ra), want.join(" → "), "{back:?} from r{ra}");
                for (b, &rb) in held.iter().enumerate() {
                    let (senior, junior) = (format!("s{a}"), format!("s{b}"));
                    let q = Query::Outranks { senior: &senior, junior: &junior, on: day("2024-01-01") };
                    assert_eq!(d.judge(&q), a != b && above[b].contains(&ra), "{back:?}: r{ra} above r{rb}");
                }
            }
        }
    }
}
