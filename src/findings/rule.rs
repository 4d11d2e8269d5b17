//! What a finding carries about the rule it breaks, so that a report needs only findings and the
//! run's [`Summary`](super::Summary), never the compiled program.
//!
//! One [`RuleInfo`] is built per compiled rule when a run starts and shared by every finding of that
//! rule (an `Arc` clone per finding, no copies of titles or help texts).

use std::sync::Arc;

use crate::ast::{CodeLevel, Severity};
use crate::engine::Program;
use crate::source::{SourceFile, Span};

/// A rule's metadata, as reports show it. Every finding of a rule shares one (`Finding::rule`).
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry  version "2024"
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       cite "s.4.1"  help "Answer every ticket within the hour."
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational  extends "Industry code"
/// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
/// #       relaxes "the night shift is one person"
/// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
/// # );
/// let catalogue = engine.catalogue();
/// let industry = &catalogue.rules[0];
/// assert_eq!((industry.id.as_str(), industry.code.as_str()), ("answered-quickly", "Industry code"));
/// assert_eq!((industry.cite.as_deref(), industry.level), (Some("s.4.1"), precept::CodeLevel::Industry));
/// assert_eq!(industry.help.as_deref(), Some("Answer every ticket within the hour."));
/// assert_eq!((industry.file.name.as_ref(), industry.line, industry.column), ("house.precept", 4, 10));
/// // A finding carries its rule's metadata: here, the house rules' override.
/// let run = engine.check([tickets]);
/// let rule = run.findings[0].rule.as_ref().expect("a rule's finding");
/// assert_eq!(rule.title, "Tickets are answered within two hours");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule's id (versions of a rule, and an override and the rule it replaces, share it).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The name of the code of practice it belongs to.
    pub code: String,
    /// That code's position among the run's codes (reports group rules by code in this order).
    pub code_index: usize,
    /// That code's level.
    pub level: CodeLevel,
    /// The severity of its findings.
    pub severity: Severity,
    /// The clause it implements, as written after `cite`.
    pub cite: Option<String>,
    /// What to do about a finding, as written: a help with holes (`{record.customer}`) shows them
    /// here, and each finding carries it filled in ([`Finding::help`](super::Finding::help)).
    pub help: Option<String>,
    /// The first and last day this version is in force, when it is not always in force.
    pub in_force: Option<(Option<jiff::civil::Date>, Option<jiff::civil::Date>)>,
    /// The policy file the rule is in.
    pub file: SourceFile,
    /// The rule's id in that file.
    pub id_span: Span,
    /// 1-based line and column of the id in the policy file.
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// When this rule overrides an inherited one: the parent code, and the reason it relaxes it.
    pub overrides: Option<Overrides>,
    /// The `staff by` field of the rule's schema is redacted: a report that shows the member of
    /// staff a finding is about shows them hashed (the finding keeps the value, for waivers).
    pub staff_redacted: bool,
    /// The `team by` field of the rule's schema is redacted, as for `staff_redacted`.
    pub team_redacted: bool,
}

/// An override of an inherited rule, as reports name it.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry  version "2024"
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       cite "s.4.1"  help "Answer every ticket within the hour."
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational  extends "Industry code"
/// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
/// #       relaxes "the night shift is one person"
/// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
/// # );
/// let catalogue = engine.catalogue();
/// let overrides = catalogue.rules[1].overrides.as_ref().expect("the house rule overrides the industry's");
/// assert_eq!(overrides.code, "Industry code");
/// assert_eq!(overrides.relaxes.as_deref(), Some("the night shift is one person"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrides {
    /// The code of practice whose rule is overridden.
    pub code: String,
    /// `relaxes "why"`: the stated reason the override is more lenient.
    pub relaxes: Option<String>,
}

/// A code of practice, as reports name it.
///
/// ```
/// use precept::CodeLevel;
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry  version "2024"
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       cite "s.4.1"  help "Answer every ticket within the hour."
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational  extends "Industry code"
/// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
/// #       relaxes "the night shift is one person"
/// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
/// # );
/// let codes = engine.catalogue().codes;
/// let shown: Vec<_> = codes.iter().map(|c| (c.name.as_str(), c.level, c.version.as_deref())).collect();
/// assert_eq!(
///     shown,
///     [("Industry code", CodeLevel::Industry, Some("2024")), ("House rules", CodeLevel::Organisational, None)]
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: CodeLevel,
    /// Its `version`, when it states one.
    pub version: Option<String>,
    /// The clauses it lists itself (`clause "..."`), in the code's order: the clause traceability
    /// matrix shows each, and one no rule cites as a gap. Empty when it lists none.
    pub clauses: Vec<ClauseEntry>,
    /// The code it extends, by position in [`Catalogue::codes`] (always an earlier one): its rules
    /// may cite that code's clauses too.
    pub extends: Option<usize>,
}

/// A running rule traced to a clause, for the clause traceability matrix ([`Catalogue::traced`]).
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "Industry code" { level industry  clause "s.4.1"  clause "s.4.2" "Escalate"
/// #     rule answered-quickly { for ticket cite "s.4.1"
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let catalogue = engine.catalogue();
/// let traced = catalogue.traced();
/// assert_eq!((traced[0].code, traced[0].clause, traced[0].rule.id.as_str()), (0, Some("s.4.1"), "answered-quickly"));
/// assert!(!traced[0].in_place);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Traced<'a> {
    /// The code the clause traces to, by position in [`Catalogue::codes`]: the nearest of the
    /// rule's code and the codes it extends that lists the clause, else the rule's own code.
    pub code: usize,
    /// The clause; `None` for a rule that cites none.
    pub clause: Option<&'a str>,
    /// The rule.
    pub rule: &'a RuleInfo,
    /// The rule implements the clause in place of the inherited rule that cites it, which it
    /// overrides on every day; its own `cite` is another clause.
    pub in_place: bool,
}

/// A clause a code lists, as reports name it.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "Industry code" { level industry
/// #     clause "s.4.1" "Answer within the hour"
/// #     clause "s.4.2"
/// #     rule answered-quickly { for ticket cite "s.4.1"
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let catalogue = engine.catalogue();
/// let listed: Vec<(&str, Option<&str>)> =
///     catalogue.codes[0].clauses.iter().map(|c| (c.id.as_str(), c.title.as_deref())).collect();
/// assert_eq!(listed, [("s.4.1", Some("Answer within the hour")), ("s.4.2", None)]);
/// // No rule cites s.4.2: it is a gap.
/// let gaps: Vec<&str> = catalogue.uncited_clauses().iter().map(|(_, c)| c.id.as_str()).collect();
/// assert_eq!(gaps, ["s.4.2"]);
/// assert_eq!(catalogue.listed_clauses(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseEntry {
    /// Its id, as the code numbers it and rules `cite` it.
    pub id: String,
    /// Its short title, when the code gives one.
    pub title: Option<String>,
}

/// Everything a report needs to know about a run's policies: each rule's metadata (by position in
/// the program), which rules run, the codes, and the rules skipped for want of role files.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry  version "2024"
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       cite "s.4.1"  help "Answer every ticket within the hour."
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational  extends "Industry code"
/// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
/// #       relaxes "the night shift is one person"
/// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
/// # );
/// let catalogue = engine.catalogue();
/// assert_eq!(catalogue.rules.len(), 3);
/// // The house rules' override replaces the industry rule on every day: two rules run.
/// assert_eq!(catalogue.running, [1, 2]);
/// assert!(catalogue.skipped.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// One entry per compiled rule, in the program's order.
    pub rules: Vec<Arc<RuleInfo>>,
    /// Positions in `rules` of the rules that run (an inherited rule that an override replaces on
    /// every day does not), ascending.
    pub running: Vec<usize>,
    /// Each code of practice, in the program's order.
    pub codes: Vec<CodeEntry>,
    /// Ids of rules not run because they ask about roles and no role files were given.
    pub skipped: Vec<String>,
    /// The policy tests (`*.test.toml`) that expect findings of each rule, by rule id: the tests
    /// that cover a rule, for reports that trace clauses to tests. `None` when the tests were
    /// not read (the library never reads them; the command line does for reports that show them).
    pub tests: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

impl Catalogue {
    /// The metadata of `program`'s rules. `roles_given` says whether role files were given: if
    /// not, rules over records that ask about roles are listed as skipped. (For the engine; the
    /// program is not part of the public API: see `Engine::catalogue`.)
    #[doc(hidden)]
    pub fn of(program: &Program, roles_given: bool) -> Catalogue {
        let rules = program
            .rules
            .iter()
            .map(|r| {
                let code = program.codes.get(r.code);
                let (line, column) = r.file.line_col(r.id_span.start);
                Arc::new(RuleInfo {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    code: code.map(|c| c.name.clone()).unwrap_or_default(),
                    code_index: r.code,
                    level: code.map_or(CodeLevel::Organisational, |c| c.level),
                    severity: r.severity,
                    cite: r.cite.clone(),
                    help: r.help.clone(),
                    in_force: r.in_force,
                    file: r.file.clone(),
                    id_span: r.id_span,
                    line,
                    column,
                    overrides: r.overrides.as_ref().map(|o| Overrides {
                        code: program.codes.get(o.code).map(|c| c.name.clone()).unwrap_or_default(),
                        relaxes: o.relaxes.clone(),
                    }),
                    staff_redacted: redacted_slot(program, r.schema, |s| s.staff_field),
                    team_redacted: redacted_slot(program, r.schema, |s| s.team_field),
                })
            })
            .collect();
        let skipped = if roles_given {
            Vec::new()
        } else {
            let mut ids: Vec<String> = Vec::new();
            for r in &program.rules {
                if r.uses_roles && !ids.contains(&r.id) {
                    ids.push(r.id.clone());
                }
            }
            ids
        };
        Catalogue {
            rules,
            running: program.running().into_iter().collect(),
            codes: program
                .codes
                .iter()
                .map(|c| CodeEntry {
                    name: c.name.clone(),
                    level: c.level,
                    version: c.version.clone(),
                    clauses: c
                        .clauses
                        .iter()
                        .map(|k| ClauseEntry { id: k.id.clone(), title: k.title.clone() })
                        .collect(),
                    extends: c.parent,
                })
                .collect(),
            skipped,
            tests: None,
        }
    }

    /// The metadata of the rule at position `index` in the program.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  team: text  waited: duration }
    /// #   code "Industry code" { level industry  version "2024"
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       cite "s.4.1"  help "Answer every ticket within the hour."
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// #   code "House rules" { level organisational  extends "Industry code"
    /// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
    /// #       relaxes "the night shift is one person"
    /// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
    /// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
    /// #       group by record.team  require count(record.waited > 30m) <= 1
    /// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
    /// # "#)]).unwrap();
    /// # let tickets = precept::Records::bytes(
    /// #     "tickets.csv",
    /// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
    /// # );
    /// let catalogue = engine.catalogue();
    /// assert_eq!(catalogue.rule(2).map(|r| r.id.as_str()), Some("few-long-waits"));
    /// assert!(catalogue.rule(3).is_none());
    /// ```
    pub fn rule(&self, index: usize) -> Option<&Arc<RuleInfo>> {
        self.rules.get(index)
    }

    /// The rules that run, in the program's order (versions of one rule each listed).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  team: text  waited: duration }
    /// #   code "Industry code" { level industry  version "2024"
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       cite "s.4.1"  help "Answer every ticket within the hour."
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// #   code "House rules" { level organisational  extends "Industry code"
    /// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
    /// #       relaxes "the night shift is one person"
    /// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
    /// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
    /// #       group by record.team  require count(record.waited > 30m) <= 1
    /// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
    /// # "#)]).unwrap();
    /// # let tickets = precept::Records::bytes(
    /// #     "tickets.csv",
    /// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
    /// # );
    /// let catalogue = engine.catalogue();
    /// let running: Vec<(&str, &str)> = catalogue.running().map(|r| (r.id.as_str(), r.code.as_str())).collect();
    /// assert_eq!(running, [("answered-quickly", "House rules"), ("few-long-waits", "House rules")]);
    /// ```
    pub fn running(&self) -> impl Iterator<Item = &Arc<RuleInfo>> {
        self.running.iter().filter_map(|&i| self.rules.get(i))
    }

    /// The code a rule of code `code` citing clause `cite` traces to: the nearest of that code
    /// and the codes it extends that lists the clause (an override cites the clause of the code
    /// whose rule it replaces), else `code` itself.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "Industry code" { level industry  clause "s.4.1"
    /// #     rule answered-quickly { for ticket cite "s.4.1"
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// #   code "House rules" { level organisational  extends "Industry code"
    /// #     rule answered-quickly { for ticket cite "s.4.1"
    /// #       require record.waited <= 30m  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let catalogue = engine.catalogue();
    /// assert_eq!(catalogue.clause_home(1, "s.4.1"), 0);
    /// assert_eq!(catalogue.clause_home(1, "h.1"), 1);
    /// // The override cites the industry code's clause: it is no gap.
    /// assert!(catalogue.uncited_clauses().is_empty());
    /// ```
    pub fn clause_home(&self, code: usize, cite: &str) -> usize {
        let mut at = Some(code);
        // INVARIANT: a code extends an earlier one, so the walk ends; bounded all the same.
        for _ in 0..=self.codes.len() {
            let Some(i) = at else { break };
            let Some(entry) = self.codes.get(i) else { break };
            if entry.clauses.iter().any(|c| c.id == cite) {
                return i;
            }
            at = entry.extends.filter(|&p| p < i);
        }
        code
    }

    /// Which running rule implements which clause: each running rule at its own `cite` (`None`
    /// when it cites none), and each running override also at the clause the inherited rule it
    /// replaces on every day cites (the industry clause a company's stricter rule implements), each
    /// with the code the clause traces to ([`Catalogue::clause_home`]).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "Industry code" { level industry  clause "s.4.1"
    /// #     rule answered-quickly { for ticket cite "s.4.1"
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// #   code "House rules" { level organisational  extends "Industry code"  clause "H 1"
    /// #     rule answered-quickly { for ticket cite "H 1"
    /// #       require record.waited <= 30m  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let catalogue = engine.catalogue();
    /// let traced: Vec<(usize, Option<&str>, &str)> =
    ///     catalogue.traced().iter().map(|t| (t.code, t.clause, t.rule.code.as_str())).collect();
    /// assert_eq!(traced, [(1, Some("H 1"), "House rules"), (0, Some("s.4.1"), "House rules")]);
    /// assert!(catalogue.traced()[1].in_place);
    /// ```
    pub fn traced(&self) -> Vec<Traced<'_>> {
        let mut out = Vec::new();
        let running: std::collections::HashSet<usize> = self.running.iter().copied().collect();
        for r in self.running() {
            let code = r.cite.as_deref().map_or(r.code_index, |c| self.clause_home(r.code_index, c));
            out.push(Traced { code, clause: r.cite.as_deref(), rule: r, in_place: false });
            if r.overrides.is_none() {
                continue;
            }
            // The inherited versions this override keeps from running (on every day): rules of
            // the same id, of a code it extends, that do not run.
            for (i, q) in self.rules.iter().enumerate() {
                if running.contains(&i) || q.id != r.id || !self.extends(r.code_index, q.code_index) {
                    continue;
                }
                let Some(cite) = q.cite.as_deref() else { continue };
                let home = self.clause_home(q.code_index, cite);
                if !out.iter().any(|t: &Traced| t.code == home && t.clause == Some(cite) && t.rule.id == r.id) {
                    out.push(Traced { code: home, clause: Some(cite), rule: r, in_place: true });
                }
            }
        }
        out
    }

    /// Whether code `child` extends code `parent`, directly or through others.
    fn extends(&self, child: usize, parent: usize) -> bool {
        let mut at = self.codes.get(child).and_then(|c| c.extends);
        for _ in 0..self.codes.len() {
            match at {
                Some(p) if p == parent => return true,
                Some(p) => at = self.codes.get(p).and_then(|c| c.extends).filter(|&q| q < p),
                None => return false,
            }
        }
        false
    }

    /// The clauses codes list that no running rule implements ([`Catalogue::traced`]), in the
    /// codes' order and each code's order, with the code's position: the gaps of a clause
    /// traceability report.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "Industry code" { level industry  clause "s.4.1"  clause "s.4.2" "Escalate"
    /// #     rule answered-quickly { for ticket cite "s.4.1"
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let catalogue = engine.catalogue();
    /// let gaps: Vec<(usize, &str)> = catalogue.uncited_clauses().iter().map(|(k, c)| (*k, c.id.as_str())).collect();
    /// assert_eq!(gaps, [(0, "s.4.2")]);
    /// ```
    pub fn uncited_clauses(&self) -> Vec<(usize, &ClauseEntry)> {
        let traced = self.traced();
        let cited: std::collections::HashSet<(usize, &str)> =
            traced.iter().filter_map(|t| t.clause.map(|c| (t.code, c))).collect();
        self.codes
            .iter()
            .enumerate()
            .flat_map(|(i, code)| code.clauses.iter().map(move |c| (i, c)))
            .filter(|(i, c)| !cited.contains(&(*i, c.id.as_str())))
            .collect()
    }

    /// How many clauses the codes list, all together.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "Industry code" { level industry  clause "s.4.1"  clause "s.4.2" "Escalate"
    /// #     rule answered-quickly { for ticket cite "s.4.1"
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// assert_eq!(engine.catalogue().listed_clauses(), 2);
    /// ```
    pub fn listed_clauses(&self) -> usize {
        self.codes.iter().map(|c| c.clauses.len()).sum()
    }

    /// Every override that states why it relaxes the rule it replaces, in the program's order:
    /// reports show these whatever was found, so a relaxed code never passes unnoticed. Each is the
    /// overriding rule, the code whose rule it relaxes, and why.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  team: text  waited: duration }
    /// #   code "Industry code" { level industry  version "2024"
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       cite "s.4.1"  help "Answer every ticket within the hour."
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// #   code "House rules" { level organisational  extends "Industry code"
    /// #     rule answered-quickly { title "Tickets are answered within two hours" for ticket
    /// #       relaxes "the night shift is one person"
    /// #       require record.waited <= 2h  message "ticket {record.id} waited {record.waited}" }
    /// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
    /// #       group by record.team  require count(record.waited > 30m) <= 1
    /// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
    /// # "#)]).unwrap();
    /// # let tickets = precept::Records::bytes(
    /// #     "tickets.csv",
    /// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n",
    /// # );
    /// let catalogue = engine.catalogue();
    /// let relaxed: Vec<(&str, &str, &str)> =
    ///     catalogue.relaxations().map(|(r, code, why)| (r.code.as_str(), code, why)).collect();
    /// assert_eq!(relaxed, [("House rules", "Industry code", "the night shift is one person")]);
    /// ```
    pub fn relaxations(&self) -> impl Iterator<Item = (&RuleInfo, &str, &str)> {
        self.rules.iter().filter_map(|r| {
            let o = r.overrides.as_ref()?;
            Some((r.as_ref(), o.code.as_str(), o.relaxes.as_deref()?))
        })
    }
}

/// Whether the field `pick` names in the schema of index `schema` is redacted.
fn redacted_slot(
    program: &Program,
    schema: usize,
    pick: impl Fn(&crate::engine::program::SchemaInfo) -> Option<usize>,
) -> bool {
    program
        .schemas
        .get(schema)
        .and_then(pick)
        .is_some_and(|slot| crate::engine::redact::slot_redacted(program, schema, slot))
}
