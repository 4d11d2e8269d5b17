//! A run's counts: findings by severity, level and standing ([`Tally`]), what the run read and the
//! problems it met ([`Outcome`]), and the [`Summary`] every report ends with.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Catalogue, Finding, Standing};
use crate::ast::{CodeLevel, Severity};
use crate::diagnostics::Diag;

/// What a check run found, apart from the findings themselves (which go to the sink as they are
/// found, so a run never holds them all): what [`Engine::check_each`](crate::Engine::check_each)
/// returns.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let csv = "id,waited\nT-1,20m\nT-2,3h\nT-3,soon\n";
/// let outcome = engine.check_each([precept::Records::bytes("tickets.csv", csv)], &mut |_| {});
/// assert_eq!((outcome.files, outcome.records, outcome.findings()), (1, 3, 1));
/// assert_eq!(outcome.diagnostics[0].code, "precept::input::invalid-value");
/// assert!(outcome.pending.is_empty() && outcome.left_out.is_empty());
/// ```
#[derive(Debug, Default)]
pub struct Outcome {
    /// Problems with the input files, in a stable order.
    pub diagnostics: Vec<Diag>,
    /// Record files read.
    pub files: usize,
    /// Records checked.
    pub records: usize,
    /// The findings, counted.
    pub tally: Tally,
    /// Obligations still open at the end of the data (or the evaluation time) but not yet due, by
    /// rule id: not findings.
    pub pending: Vec<(String, usize)>,
    /// Records left out of a group or case rule's groups because a value they needed could not be
    /// read, by rule id.
    pub left_out: Vec<(String, usize)>,
    /// The evaluation time the run judged the data at (`--as-of`); `None`: none was given, and case
    /// rules judged open obligations at the end of the data.
    pub evaluation: Option<crate::engine::as_of::EvaluationTime>,
    /// Every waiver loaded for the run, in the order of its files, with the findings each covered.
    pub waivers: Vec<super::WaiverEntry>,
}

/// Findings counted by severity, level and standing.
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
/// let tally = engine.check([tickets]).summary.tally;
/// assert_eq!((tally.by_severity, tally.active), ([1, 1, 0], [1, 1, 0]));
/// assert_eq!(tally.by_level.get(&CodeLevel::Organisational), Some(&2));
/// assert_eq!((tally.waived, tally.baselined, tally.undetermined), (0, 0, 0));
/// // The group finding is about no one record.
/// assert_eq!(tally.records_with_findings, 1);
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Findings by severity: error, warning, info.
    pub by_severity: [usize; 3],
    /// Findings by code level.
    pub by_level: BTreeMap<CodeLevel, usize>,
    /// Active findings (neither waived nor in the baseline) by severity: what `--fail-on` looks at.
    pub active: [usize; 3],
    /// Findings a waiver covers.
    pub waived: usize,
    /// Findings in the baseline given.
    pub baselined: usize,
    /// Cannot-determine outcomes (not findings, not in any count above): a rule whose outcome
    /// depends on a value that could not be read.
    pub undetermined: usize,
    /// Records with at least one finding (at any standing).
    pub records_with_findings: usize,
    /// Records with no finding but at least one cannot-determine outcome.
    pub records_undetermined: usize,
}

impl Tally {
    /// Total findings (at any standing; cannot-determine outcomes are not findings).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\nT-3,soon\n")]);
    /// assert_eq!((run.findings.len(), run.summary.tally.findings()), (2, 1));
    /// ```
    pub fn findings(&self) -> usize {
        self.by_severity.iter().sum()
    }

    /// True when at least one active finding is at `level` or more severe (`--fail-on`).
    ///
    /// ```
    /// use precept::Severity;
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
    /// // Two tickets answered late (errors), in different teams (no team has two long waits).
    /// let tickets = precept::Records::bytes("tickets.csv", "id,team,waited\nT-1,Returns,3h\nT-2,Sales,3h\n");
    /// let tally = engine.check([tickets]).summary.tally;
    /// assert!(tally.fails_at(Severity::Error));
    /// let tickets = precept::Records::bytes("tickets.csv", "id,team,waited\nT-1,Returns,40m\nT-2,Returns,50m\n");
    /// let tally = engine.check([tickets]).summary.tally;
    /// // A warning (two long waits in one team), no error.
    /// assert!(!tally.fails_at(Severity::Error) && tally.fails_at(Severity::Warning));
    /// ```
    pub fn fails_at(&self, level: Severity) -> bool {
        self.active.iter().take(slot(level) + 1).any(|&n| n > 0)
    }

    /// Count a finding (at any standing), or a cannot-determine outcome.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\nT-3,soon\n")]);
    /// let mut tally = precept::findings::Tally::default();
    /// for f in &run.findings {
    ///     tally.count(f);
    /// }
    /// assert_eq!((tally.by_severity, tally.active, tally.undetermined), ([1, 0, 0], [1, 0, 0], 1));
    /// ```
    pub fn count(&mut self, f: &Finding) {
        if f.standing.is_undetermined() {
            self.undetermined += 1;
            return;
        }
        let i = slot(f.severity());
        self.by_severity[i] += 1;
        *self.by_level.entry(f.level()).or_insert(0) += 1;
        self.stand(i, &f.standing);
    }

    /// A finding counted as active turned out to be waived or baselined.
    ///
    /// ```
    /// use precept::{Severity, Standing};
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let mut tally = precept::findings::Tally::default();
    /// tally.count(&run.findings[0]);
    /// tally.recount(Severity::Error, &Standing::Baselined);
    /// assert_eq!((tally.active, tally.baselined, tally.findings()), ([0, 0, 0], 1, 1));
    /// ```
    pub fn recount(&mut self, severity: Severity, standing: &Standing) {
        let i = slot(severity);
        if !matches!(standing, Standing::Active | Standing::Undetermined(_)) {
            self.active[i] = self.active[i].saturating_sub(1);
            self.stand(i, standing);
        }
    }

    /// Findings counted as active turned out to be waived or baselined: `moved` counts them (by
    /// severity in `by_severity`, by standing in `waived` and `baselined`).
    ///
    /// ```
    /// use precept::findings::Tally;
    /// let mut run = Tally { by_severity: [2, 0, 0], active: [2, 0, 0], ..Tally::default() };
    /// let moved = Tally { by_severity: [1, 0, 0], baselined: 1, ..Tally::default() };
    /// run.moved_from_active(&moved);
    /// assert_eq!((run.active, run.baselined, run.by_severity), ([1, 0, 0], 1, [2, 0, 0]));
    /// ```
    pub fn moved_from_active(&mut self, moved: &Tally) {
        for (active, n) in self.active.iter_mut().zip(moved.by_severity) {
            *active = active.saturating_sub(n);
        }
        self.waived += moved.waived;
        self.baselined += moved.baselined;
    }

    fn stand(&mut self, i: usize, standing: &Standing) {
        match standing {
            Standing::Active => self.active[i] += 1,
            Standing::Waived(_) => self.waived += 1,
            Standing::Baselined => self.baselined += 1,
            Standing::Undetermined(_) => self.undetermined += 1,
        }
    }

    /// Count one record's outcomes: `any_finding` when at least one of them is a finding, else
    /// they are all cannot-determine outcomes.
    ///
    /// ```
    /// let mut tally = precept::findings::Tally::default();
    /// tally.record_seen(true);
    /// tally.record_seen(false);
    /// assert_eq!((tally.records_with_findings, tally.records_undetermined), (1, 1));
    /// ```
    pub fn record_seen(&mut self, any_finding: bool) {
        if any_finding {
            self.records_with_findings += 1;
        } else {
            self.records_undetermined += 1;
        }
    }
}

impl Outcome {
    /// Total findings.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let outcome = engine.check_each([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")], &mut |_| {});
    /// assert_eq!(outcome.findings(), 1);
    /// ```
    pub fn findings(&self) -> usize {
        self.tally.findings()
    }

    /// True when at least one finding has error severity (at any standing).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let check = |csv: &str| engine.check_each([precept::Records::bytes("tickets.csv", csv)], &mut |_| {});
    /// assert!(check("id,waited\nT-2,3h\n").has_error_findings());
    /// assert!(!check("id,waited\nT-1,20m\n").has_error_findings());
    /// ```
    pub fn has_error_findings(&self) -> bool {
        self.tally.by_severity[0] > 0
    }

    /// True when at least one active finding is at `level` or more severe (`--fail-on`).
    ///
    /// ```
    /// use precept::Severity;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let outcome = engine.check_each([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")], &mut |_| {});
    /// assert!(outcome.fails_at(Severity::Error));
    /// ```
    pub fn fails_at(&self, level: Severity) -> bool {
        self.tally.fails_at(level)
    }

    /// Count a finding (at any standing).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let mut outcome = precept::findings::Outcome::default();
    /// outcome.count(&run.findings[0]);
    /// assert_eq!(outcome.findings(), 1);
    /// ```
    pub fn count(&mut self, f: &Finding) {
        self.tally.count(f);
    }

    /// A finding counted as active turned out to be waived or baselined.
    ///
    /// ```
    /// use precept::{Severity, Standing};
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let mut outcome = precept::findings::Outcome::default();
    /// outcome.count(&run.findings[0]);
    /// outcome.recount(Severity::Error, &Standing::Baselined);
    /// assert!(!outcome.fails_at(Severity::Info));
    /// ```
    pub fn recount(&mut self, severity: Severity, standing: &Standing) {
        self.tally.recount(severity, standing);
    }
}

fn slot(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// What every report ends with: the counts of the run and what it ran.
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
/// let summary = engine.check([tickets]).summary;
/// assert_eq!((summary.files, summary.records, summary.rules, summary.codes), (1, 3, 2, 2));
/// assert_eq!(summary.findings(), 2);
/// assert_eq!(summary.catalogue.codes[1].name, "House rules");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Record files read.
    pub files: usize,
    /// Records checked.
    pub records: usize,
    /// Rules applied.
    pub rules: usize,
    /// Codes of practice loaded.
    pub codes: usize,
    /// The findings, counted.
    pub tally: Tally,
    /// Obligations open at the end of the data (or the evaluation time) but not yet due, by rule id.
    pub pending: Vec<(String, usize)>,
    /// Records left out of group and case rules (a value they needed could not be read), by rule id.
    pub left_out: Vec<(String, usize)>,
    /// The evaluation time (`--as-of`) the data was judged at; `None` when none was given (case
    /// rules then judge open obligations at the end of the data).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let tickets = || [precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")];
    /// assert_eq!(engine.check(tickets()).summary.evaluation, None);
    /// let as_of = precept::Options { as_of: Some("2026-06-30T17:00:00+01:00".parse().unwrap()), ..Default::default() };
    /// let run = engine.with_options(as_of).check(tickets());
    /// assert_eq!(run.summary.evaluation.map(|e| e.to_string()).as_deref(), Some("2026-06-30T17:00:00+01:00"));
    /// ```
    pub evaluation: Option<crate::engine::as_of::EvaluationTime>,
    /// The policies' rules and codes, as reports list them.
    pub catalogue: Arc<Catalogue>,
    /// Every waiver loaded for the run, with the findings each covered (see [`Outcome::waivers`]).
    pub waivers: Vec<super::WaiverEntry>,
}

impl Summary {
    /// The counts of an outcome, over the rules of `catalogue` (as
    /// [`Engine::summary`](crate::Engine::summary) makes it).
    ///
    /// ```
    /// use std::sync::Arc;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let outcome = engine.check_each([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")], &mut |_| {});
    /// let summary = precept::Summary::of(Arc::new(engine.catalogue()), &outcome);
    /// assert_eq!(summary, engine.summary(&outcome));
    /// assert_eq!((summary.records, summary.rules), (1, 1));
    /// ```
    pub fn of(catalogue: Arc<Catalogue>, outcome: &Outcome) -> Summary {
        Summary {
            files: outcome.files,
            records: outcome.records,
            rules: catalogue.running.len(),
            codes: catalogue.codes.len(),
            tally: outcome.tally.clone(),
            pending: outcome.pending.clone(),
            left_out: outcome.left_out.clone(),
            evaluation: outcome.evaluation.clone(),
            catalogue,
            waivers: outcome.waivers.clone(),
        }
    }

    /// Total findings.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,2h\nT-2,3h\n")]);
    /// assert_eq!(run.summary.findings(), 2);
    /// ```
    pub fn findings(&self) -> usize {
        self.tally.findings()
    }

    /// Records with no finding and no rule that cannot be determined.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let csv = "id,waited\nT-1,20m\nT-2,3h\nT-3,soon\nT-4,5m\n";
    /// let run = engine.check([precept::Records::bytes("tickets.csv", csv)]);
    /// assert_eq!((run.summary.records, run.summary.clean_records()), (4, 2));
    /// ```
    pub fn clean_records(&self) -> usize {
        self.records.saturating_sub(self.tally.records_with_findings + self.tally.records_undetermined)
    }
}
