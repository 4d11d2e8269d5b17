//! The evaluation time: the moment the data is judged at (`--as-of`, `as_of` in the settings,
//! [`crate::Options::as_of`]).
//!
//! An export is a snapshot: a complaint with no response in it was still open when it was taken.
//! Judging it needs that moment, and it must never be the clock of the machine that happens to run
//! the check, or the same inputs would give different reports on different days. So the time is
//! given ([`AsOf`]), resolved once per engine against the policies' zone ([`EvaluationTime`]), and
//! stated in every report.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

use crate::diagnostics::Diag;

/// The time the data is judged at, as given: a day, an instant, or a wall-clock time.
///
/// A **day** means the data is complete through that day: it is judged at the end of it, the
/// midnight that starts the next day, in the zone of the policies' calendars (UTC when they have
/// none). A **wall-clock time** without an offset is read in that zone too; both are refused
/// when the calendars are in different zones, since which one is meant cannot be told. Waivers
/// are judged on the day part ([`AsOf::date`]).
///
/// ```
/// use precept::api::AsOf;
///
/// let day: AsOf = "2026-06-30".parse().expect("a date");
/// assert_eq!(day, AsOf::Date(jiff::civil::date(2026, 6, 30)));
/// let instant: AsOf = "2026-06-30T17:00:00+01:00".parse().expect("an instant");
/// assert_eq!(instant.date(), jiff::civil::date(2026, 6, 30));
/// let local: AsOf = "2026-06-30T17:00".parse().expect("a wall-clock time");
/// assert!(matches!(local, AsOf::Local(_)));
/// assert!("30/06/2026".parse::<AsOf>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// A day: the data is complete through it.
    Date(Date),
    /// An instant, with the UTC offset it was written with (in seconds), which reports show it in.
    Instant(Timestamp, i32),
    /// A wall-clock time without an offset, read in the policies' zone.
    Local(DateTime),
}

impl AsOf {
    /// The day waivers are judged on: the day as given, or the day of the time at the offset it
    /// was written with.
    ///
    /// ```
    /// use precept::api::AsOf;
    /// let late: AsOf = "2026-06-30T23:30:00-05:00".parse().unwrap();
    /// // The day as written, not the day in UTC (which is already 1 July).
    /// assert_eq!(late.date(), jiff::civil::date(2026, 6, 30));
    /// ```
    pub fn date(&self) -> Date {
        match *self {
            AsOf::Date(d) => d,
            AsOf::Local(dt) => dt.date(),
            AsOf::Instant(ts, off) => {
                ts.to_zoned(TimeZone::fixed(Offset::from_seconds(off).unwrap_or(Offset::UTC))).date()
            }
        }
    }

    /// The instant this stands for, given the zone of the policies' calendars (`None` when they
    /// have no single zone: several, or none at all); `Err` says why it cannot be told.
    ///
    /// ```
    /// use precept::api::AsOf;
    /// let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    /// let day = AsOf::Date(jiff::civil::date(2026, 6, 30));
    /// let at = day.resolve(Some(("Europe/London", &london)), true).unwrap();
    /// // The end of 30 June in London: midnight starting 1 July, British summer time.
    /// assert_eq!(at.to_string(), "2026-07-01T00:00:00+01:00");
    /// assert_eq!(day.resolve(None, false).unwrap().to_string(), "2026-07-01T00:00:00+00:00");
    /// // A wall-clock time needs a zone.
    /// let local: AsOf = "2026-06-30T17:00".parse().unwrap();
    /// assert!(local.resolve(None, false).is_err());
    /// ```
    pub fn resolve(&self, zone: Option<(&str, &TimeZone)>, several: bool) -> Result<EvaluationTime, String> {
        let (at, offset, zone_name) = match *self {
            AsOf::Instant(ts, off) => (ts, off, None),
            AsOf::Date(d) => {
                let (name, tz) = match (zone, several) {
                    (Some(z), _) => z,
                    (None, false) => ("UTC", &TimeZone::UTC),
                    (None, true) => {
                        return Err(format!("the day `{d}` ends at different times in the policies' calendars' zones"))
                    }
                };
                let next = d.tomorrow().map_err(|_| format!("the day after `{d}` is out of range"))?;
                let z = next.to_zoned(tz.clone()).map_err(|_| format!("the end of `{d}` is out of range"))?;
                (z.timestamp(), z.offset().seconds(), Some(name.to_string()))
            }
            AsOf::Local(dt) => {
                let Some((name, tz)) = zone else {
                    return Err(if several {
                        format!("`{dt}` has no UTC offset, and the policies' calendars are in different zones")
                    } else {
                        format!("`{dt}` has no UTC offset, and the policies have no calendar to give it a zone")
                    });
                };
                // As zone-less record times are read: a time in a gap moves forward, a time in a
                // fold is the earlier of the two.
                let z = dt.to_zoned(tz.clone()).map_err(|_| format!("`{dt}` is out of range"))?;
                (z.timestamp(), z.offset().seconds(), Some(name.to_string()))
            }
        };
        Ok(EvaluationTime { as_of: *self, at, offset, zone: zone_name })
    }
}

impl std::str::FromStr for AsOf {
    type Err = String;

    /// `YYYY-MM-DD`; an RFC 3339 time with an offset (`2026-06-30T17:00:00+01:00`, `...Z`, or a
    /// zone in brackets); or a wall-clock time without one (`2026-06-30T17:00`, a space allowed
    /// for the `T`).
    ///
    /// ```
    /// use precept::api::AsOf;
    /// let utc: AsOf = "2026-06-30T16:00:00Z".parse().unwrap();
    /// let bst: AsOf = "2026-06-30T17:00:00+01:00".parse().unwrap();
    /// assert_eq!(utc.resolve(None, false).unwrap().at, bst.resolve(None, false).unwrap().at);
    /// ```
    fn from_str(text: &str) -> Result<AsOf, String> {
        let t = text.trim();
        let not = || format!("`{text}` is not a date or a datetime");
        if t.len() == 10 {
            return t.parse::<Date>().map(AsOf::Date).map_err(|_| not());
        }
        let pieces = jiff::fmt::temporal::Pieces::parse(t).map_err(|_| not())?;
        let Some(time) = pieces.time() else { return Err(not()) };
        let dt = pieces.date().to_datetime(time);
        let offset = match (pieces.offset(), pieces.time_zone_annotation()) {
            (Some(jiff::fmt::temporal::PiecesOffset::Zulu), _) => Some(Offset::UTC),
            (Some(jiff::fmt::temporal::PiecesOffset::Numeric(n)), _) => Some(n.offset()),
            (_, Some(ann)) => {
                let tz = ann.to_time_zone().map_err(|_| format!("`{text}` names a time zone that is not known"))?;
                Some(dt.to_zoned(tz).map_err(|_| not())?.offset())
            }
            _ => None,
        };
        match offset {
            Some(o) => {
                let ts = o.to_timestamp(dt).map_err(|_| not())?;
                Ok(AsOf::Instant(ts, o.seconds()))
            }
            None => Ok(AsOf::Local(dt)),
        }
    }
}

impl From<Date> for AsOf {
    /// A day.
    ///
    /// ```
    /// let as_of: precept::api::AsOf = jiff::civil::date(2026, 3, 1).into();
    /// assert_eq!(as_of.date(), jiff::civil::date(2026, 3, 1));
    /// ```
    fn from(d: Date) -> AsOf {
        AsOf::Date(d)
    }
}

impl From<Timestamp> for AsOf {
    /// An instant, shown in UTC.
    ///
    /// ```
    /// let ts: jiff::Timestamp = "2026-03-01T09:00:00Z".parse().unwrap();
    /// assert_eq!(precept::api::AsOf::from(ts), precept::api::AsOf::Instant(ts, 0));
    /// ```
    fn from(ts: Timestamp) -> AsOf {
        AsOf::Instant(ts, 0)
    }
}

impl std::fmt::Display for AsOf {
    /// As given: `2026-06-30`, `2026-06-30T17:00:00+01:00` or `2026-06-30T17:00:00`.
    ///
    /// ```
    /// let as_of: precept::api::AsOf = "2026-06-30T17:00+01:00".parse().unwrap();
    /// assert_eq!(as_of.to_string(), "2026-06-30T17:00:00+01:00");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            AsOf::Date(d) => write!(f, "{d}"),
            AsOf::Local(dt) => write!(f, "{}", dt.strftime("%Y-%m-%dT%H:%M:%S%.f")),
            AsOf::Instant(ts, off) => show(f, ts, off),
        }
    }
}

fn show(f: &mut std::fmt::Formatter<'_>, ts: Timestamp, off: i32) -> std::fmt::Result {
    match Offset::from_seconds(off) {
        Ok(o) => write!(f, "{}", ts.display_with_offset(o)),
        Err(_) => write!(f, "{ts}"),
    }
}

/// The evaluation time of a run: the instant open obligations are judged at and `now` stands for
/// in rules, with what was given and the zone a day or a wall-clock time was read in.
///
/// ```
/// use precept::api::AsOf;
/// let at = AsOf::Date(jiff::civil::date(2026, 6, 30)).resolve(None, false).unwrap();
/// assert_eq!(at.to_string(), "2026-07-01T00:00:00+00:00");
/// assert_eq!(at.described(), "2026-07-01T00:00:00+00:00 (the end of 2026-06-30 in UTC)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationTime {
    /// What was given.
    pub as_of: AsOf,
    /// The instant.
    pub at: Timestamp,
    /// The UTC offset (in seconds) it is shown at: as written, or the zone's at that instant.
    pub offset: i32,
    /// The zone a day or a wall-clock time was read in (`None` for an instant given with an offset).
    pub zone: Option<String>,
}

impl EvaluationTime {
    /// The instant with what it was read from, for people: `2026-07-01T00:00:00+01:00 (the end
    /// of 2026-06-30 in Europe/London)`.
    ///
    /// ```
    /// let given: precept::api::AsOf = "2026-06-30T17:00:00+01:00".parse().unwrap();
    /// let at = given.resolve(None, false).unwrap();
    /// assert_eq!(at.described(), "2026-06-30T17:00:00+01:00");
    /// ```
    pub fn described(&self) -> String {
        match (self.as_of, &self.zone) {
            (AsOf::Date(d), Some(z)) => format!("{self} (the end of {d} in {z})"),
            (AsOf::Local(dt), Some(z)) => format!("{self} ({} in {z})", AsOf::Local(dt)),
            _ => self.to_string(),
        }
    }
}

impl std::fmt::Display for EvaluationTime {
    /// The instant, at its offset (RFC 3339).
    ///
    /// ```
    /// let at = precept::api::AsOf::from("2026-03-01T09:00:00Z".parse::<jiff::Timestamp>().unwrap())
    ///     .resolve(None, false)
    ///     .unwrap();
    /// assert_eq!(at.to_string(), "2026-03-01T09:00:00+00:00");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        show(f, self.at, self.offset)
    }
}

/// The zone of the policies' calendars, when they all share one (`(name, zone)`), and whether
/// they are in several zones.
pub(crate) fn policy_zone(program: &crate::engine::Program) -> (Option<(String, TimeZone)>, bool) {
    let mut zones: Vec<(String, TimeZone)> = Vec::new();
    // Only the declared calendars: one standing for a zone named in a call (`day(x, "Zone")`)
    // says where one day is counted, not where the policies' business is.
    for c in program.calendars.iter().take(program.declared_calendars) {
        let tz = c.zone();
        let name = tz.iana_name().unwrap_or("UTC").to_string();
        if !zones.iter().any(|(n, _)| *n == name) {
            zones.push((name, tz.clone()));
        }
    }
    match zones.len() {
        1 => (zones.pop(), false),
        n => (None, n > 1),
    }
}

/// The evaluation time of `program`'s runs for `as_of`; `Err` is a `precept::usage::as-of`
/// diagnostic saying why it cannot be placed in time.
pub(crate) fn resolve(program: &crate::engine::Program, as_of: Option<AsOf>) -> Result<Option<EvaluationTime>, Diag> {
    let Some(given) = as_of else { return Ok(None) };
    let (zone, several) = policy_zone(program);
    given.resolve(zone.as_ref().map(|(n, z)| (n.as_str(), z)), several).map(Some).map_err(|why| {
        let help = match given {
            AsOf::Date(d) => {
                let next = d.tomorrow().unwrap_or(d);
                format!(
                    "give the end of the day as a datetime with its UTC offset instead, e.g. `{next}T00:00:00+01:00` (the end of {d} at +01:00) or `{next}T00:00:00Z` (in UTC)"
                )
            }
            _ => format!(
                "give it with its UTC offset, e.g. `{}+01:00`, or `Z` for UTC",
                given
            ),
        };
        Diag::error("precept::usage::as-of", format!("the as-of `{given}` cannot be placed in time: {why}")).help(help)
    })
}

/// `precept::usage::no-as-of`: rules of `program` use `now`, which only an as-of gives.
pub(crate) fn no_as_of(program: &crate::engine::Program) -> Option<Diag> {
    let rules = rules_using_now(program);
    let first = rules.first()?;
    let names: Vec<String> = rules.iter().map(|r| format!("`{}`", r.id)).collect();
    Some(
        Diag::error(
            "precept::usage::no-as-of",
            format!(
                "{} {} `now`, and no evaluation time was given: {}",
                if rules.len() == 1 { "1 rule".to_string() } else { format!("{} rules", rules.len()) },
                if rules.len() == 1 { "uses" } else { "use" },
                names.join(", ")
            ),
        )
        .at(&first.file, first.id_span, "uses `now`")
        .help("pass `--as-of` (a date such as `2026-06-30`, or a datetime such as `2026-06-30T17:00:00+01:00`) or set `as_of` in precept.toml; `now` is never the machine's clock"),
    )
}

/// The rules of `program` that use `now`, by id (each once), in program order.
pub(crate) fn rules_using_now(program: &crate::engine::Program) -> Vec<&crate::engine::program::CompiledRule> {
    let mut out: Vec<&crate::engine::program::CompiledRule> = Vec::new();
    for r in program.rules.iter().filter(|r| r.uses_now) {
        if !out.iter().any(|o| o.id == r.id) {
            out.push(r);
        }
    }
    out
}
