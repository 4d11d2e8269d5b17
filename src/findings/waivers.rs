//! The waivers a run loaded, as reports list them: every one, whether it covered a finding or
//! not, so a reader sees what is in force (and what has expired or waives nothing) without the
//! waivers file.

/// One waiver of the run: what it covers, who approved it, until when, and what it did.
///
/// Values that name a record, a member of staff or a team are shown hashed when the rule's schema
/// redacts the field they match (as findings show them); the justification and approver come from
/// the waivers file, never from a record, and are shown as written.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let engine = engine
///     .with_options(precept::Options { as_of: Some(jiff::civil::date(2026, 7, 1).into()), ..Default::default() })
///     .with_waivers(
///         "waivers.toml",
///         "[[waiver]]\nrule = \"answered-quickly\"\nrecord = \"T-9\"\njustification = \"OPS-118\"\n\
///          approver = \"Head of Compliance\"\nexpires = 2026-12-31\n",
///     );
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
/// let w = &run.summary.waivers[0];
/// assert_eq!((w.rule.as_str(), w.record.as_deref(), w.findings, w.expired), ("answered-quickly", Some("T-9"), 0, false));
/// assert_eq!(w.place, "waivers.toml:1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverEntry {
    /// The rule id it waives.
    pub rule: String,
    /// Only this record, group or case.
    pub record: Option<String>,
    /// Only records about this member of staff.
    pub staff: Option<String>,
    /// Only records about this team.
    pub team: Option<String>,
    /// Only record files matching this glob, as written.
    pub files: Option<String>,
    /// Why.
    pub justification: String,
    /// Who approved it.
    pub approver: String,
    /// The last day it waives (`2026-12-31`).
    pub expires: String,
    /// Where it is (`waivers.toml:12`).
    pub place: String,
    /// Findings it covered in this run (for an expired waiver: the findings it would cover, which
    /// it no longer waives).
    pub findings: usize,
    /// It expired before the run's day: it waives nothing, and is itself a finding.
    pub expired: bool,
}

impl WaiverEntry {
    /// What it covers, in words: `record T-9, team Returns`, or `every finding of the rule`.
    ///
    /// ```
    /// # let w = precept::findings::WaiverEntry {
    /// #     rule: "r".into(), record: None, staff: None, team: Some("Returns".into()),
    /// #     files: Some("legacy/**".into()), justification: String::new(), approver: String::new(),
    /// #     expires: "2026-12-31".into(), place: "waivers.toml:1".into(), findings: 0, expired: false,
    /// # };
    /// assert_eq!(w.scope(), "team Returns, files legacy/**");
    /// ```
    pub fn scope(&self) -> String {
        let parts: Vec<String> =
            [("record", &self.record), ("staff", &self.staff), ("team", &self.team), ("files", &self.files)]
                .into_iter()
                .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name} {v}")))
                .collect();
        if parts.is_empty() {
            "every finding of the rule".to_string()
        } else {
            parts.join(", ")
        }
    }
}
