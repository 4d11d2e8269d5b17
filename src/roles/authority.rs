//! The answers to rules' questions about staff and roles, from the role files: who held which role
//! on a day, what that role may do and up to what, who is senior to whom, who was qualified.
//!
//! Built once per run and shared by every thread. Role files that did not lint clean still give
//! answers: an escalation cycle ends a path where it would repeat, an unknown role has no scope,
//! and of two overlapping assignments the one that started later counts.

// Looked up for every question a record asks about staff and roles, on every worker thread:
// foldhash, not SipHash (whose hashing was 2% of a findings-heavy run's instructions).
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
        let mut ids = vec![self.role_id(role)];
        ids.extend(self.ladder.path(role).map(|r| self.role_id(r)));
        ids.join(" → ")
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

    /// Who `staff` was on `on`: a sentence (`amara.okafor (Amara Okafor) was customer-advisor
    /// (Customer Advisor) on 2025-03-05`), a short form for referrals (`amara.okafor, customer-advisor`),
    /// and their role when it is defined. Adds the facts under their names.
    fn who(&self, staff: &str, on: Date, facts: &mut Vec<(&'static str, String)>) -> (String, String, Option<usize>) {
        facts.push(("staff", staff.to_string()));
        facts.push(("on", on.to_string()));
        let Some(s) = self.staff(staff) else {
            return (
                format!("`{staff}` is not a member of staff in the role files"),
                format!("{staff}, not a member of staff"),
                None,
            );
        };
        match self.held(staff, on) {
            None => (format!("{staff} ({}) held no role on {on}", s.name), format!("{staff}, no role"), None),
            Some((None, id)) => {
                facts.push(("role", id.to_string()));
                (
                    format!("{staff} ({}) held `{id}` on {on}, a role the role files do not define", s.name),
                    format!("{staff}, {id}"),
                    None,
                )
            }
            Some((Some(r), id)) => {
                facts.push(("role", id.to_string()));
                facts.push(("escalation_path", self.path(r)));
                let title = self.roles.get(r).map_or("", |x| x.title.as_str());
                (format!("{staff} ({}) was {id} ({title}) on {on}", s.name), format!("{staff}, {id}"), Some(r))
            }
        }
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

    fn explain(&self, q: &Query<'_>) -> Evidence {
        let mut facts = Vec::new();
        let summary = match *q {
            Query::May { staff, action, amount, on } => {
                let (who, _, role) = self.who(staff, on, &mut facts);
                facts.push(("action", action.to_string()));
                if let Some(a) = amount {
                    facts.push(("amount", a.to_string()));
                }
                let amount_text = amount.map(|a| format!(" ({a})")).unwrap_or_default();
                let Some(role) = role else {
                    return Evidence {
                        summary: format!("{who}, so has no authority to take `{action}`{amount_text}"),
                        facts,
                    };
                };
                match self.limit(role, action) {
                    _ if !self.actions.contains_key(action) => {
                        format!("{who}; `{action}` is not in the action vocabulary, so no role may take it")
                    }
                    None => format!("{who}; that role may not take `{action}` at all (path: {})", self.path(role)),
                    Some(limit) => {
                        facts.push(("limit", limit.to_string()));
                        let verdict = match amount {
                            Some(a) => match within(limit, a) {
                                Some(true) => format!("this was {a}, within it"),
                                Some(false) => format!("this was {a}, beyond it"),
                                None => format!("the amount recorded ({a}) is not of the limit's kind, so only permission is judged"),
                            },
                            None => "no amount was recorded".to_string(),
                        };
                        format!("{who}; that role may take `{action}` {limit}; {verdict} (path: {})", self.path(role))
                    }
                }
            }
            Query::Outranks { senior, junior, on } => {
                let (_, j, jr) = self.who(junior, on, &mut facts);
                let mut senior_facts = Vec::new();
                let (_, s, sr) = self.who(senior, on, &mut senior_facts);
                facts.extend(senior_facts.into_iter().filter_map(|(k, v)| match k {
                    "staff" => Some(("referred_to", v)),
                    "role" => Some(("referred_to_role", v)),
                    "escalation_path" => Some(("referred_to_path", v)),
                    _ => None,
                }));
                let direction = match (sr, jr) {
                    _ if senior == junior => "the same person".to_string(),
                    (Some(s), Some(j)) if self.ladder.above(s, j) => "up the escalation path".to_string(),
                    (Some(s), Some(j)) if s == j => "the same role: sideways".to_string(),
                    (Some(s), Some(j)) if self.ladder.above(j, s) => "down the escalation path".to_string(),
                    (Some(s), Some(_)) => format!("sideways: {} is not on that path", self.role_id(s)),
                    _ => "not to a senior role".to_string(),
                };
                facts.push(("direction", direction.clone()));
                let path = jr.map(|r| format!(" (path: {})", self.path(r))).unwrap_or_default();
                format!("on {on} {j}{path} referred to {s}: {direction}")
            }
            Query::Qualified { staff, qualification, on } => {
                let (who, _, _) = self.who(staff, on, &mut facts);
                facts.push(("qualification", qualification.to_string()));
                let status = self.qualification_facts(staff, qualification, on);
                facts.push(("status", format!("{qualification}: {status}")));
                format!("{who}; `{qualification}`: {status}")
            }
            Query::QualifiedFor { staff, area, on } => {
                let (who, _, _) = self.who(staff, on, &mut facts);
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
