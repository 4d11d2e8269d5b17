//! Business calendars: the date logic behind "within N business days" rules.
//!
//! A [`Calendar`] says which weekdays are worked, which dates are holidays, in which time zone,
//! and at what local time the working day ends (the cutoff). The checker uses it to validate a
//! policy's calendar file and the engine uses it to turn "within N business days" into a
//! deadline instant. This step is pure: no I/O, no clock, no global state.
//!
//! Dates are handled internally as day numbers counted from 1970-01-01 (Thursday), so that
//! counting business days between two dates is whole-week arithmetic plus a binary search in the
//! sorted holiday list, never a day-by-day walk.
//!
//! The file is long because of its unit tests (`mod tests` at the end, which compare the arithmetic
//! with a day-by-day count); the code itself is under 600 lines.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// Day number of 1970-01-05, the first Monday on or after the epoch; whole weeks are counted
/// from here.
const FIRST_MONDAY: i64 = 4;

/// How far (in days) a search for a working day may reach before giving up. Far beyond the
/// range of [`Date`] (about ±4.4 million days), so that the search only fails where a date
/// could not be represented anyway, and small enough that no arithmetic on it overflows.
const SEARCH_LIMIT: i64 = 1 << 40;

/// Weekday names accepted in calendars, Monday first (matching
/// [`jiff::civil::Weekday::to_monday_zero_offset`]).
const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "monday"),
    ("tue", "tuesday"),
    ("wed", "wednesday"),
    ("thu", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
];

/// Keys allowed in a calendar TOML file; anything else is reported so that a typo such as
/// `holiday = [...]` is not silently ignored.
const TOML_KEYS: [&str; 4] = ["zone", "working_days", "cutoff", "holidays"];

/// A business calendar: working weekdays, holidays, a time zone and an optional daily cutoff.
///
/// Exists so that every "within N business days" rule measures time the same way, in the
/// organisation's own local time, with weekends and holidays skipped.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The zone in which dates and the cutoff are read.
    tz: TimeZone,
    /// Working weekdays as a bit set; bit `i` is the weekday with Monday-zero offset `i`.
    // INVARIANT: non-zero (checked by `Calendar::new`), so a next working day always exists.
    working: u8,
    /// Number of bits set in `working` (1..=7).
    per_week: i64,
    /// Local end of the working day; `None` means the whole day counts.
    cutoff: Option<Time>,
    /// Holidays as day numbers.
    // INVARIANT: sorted, no duplicates, and only dates on working weekdays (a holiday on a day
    // that is not worked anyway must not be subtracted twice in `cumulative`).
    holidays: Vec<i64>,
}

/// Why a calendar could not be built.
///
/// Exists so that callers (the checker in particular) can turn each problem into its own
/// diagnostic instead of matching on message text.
#[derive(Debug, Clone, PartialEq)]
pub enum CalendarError {
    /// The set of working weekdays is empty, so no deadline could ever be reached.
    NoWorkingDays,
    /// The time zone is not in the bundled IANA database.
    UnknownZone(String),
    /// The cutoff is not a 24-hour `HH:MM` time.
    BadCutoff(String),
    /// A working day is not a weekday name.
    BadWeekday(String),
    /// A holiday is not a calendar date.
    BadHoliday(String),
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::NoWorkingDays => write!(f, "calendar has no working days"),
            CalendarError::UnknownZone(zone) => write!(f, "unknown time zone `{zone}`"),
            CalendarError::BadCutoff(cutoff) => {
                write!(f, "invalid cutoff `{cutoff}`, expected a 24-hour time like `17:00`")
            }
            CalendarError::BadWeekday(day) => {
                write!(f, "unknown weekday `{day}`, expected one of `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`")
            }
            CalendarError::BadHoliday(holiday) => {
                write!(f, "invalid holiday `{holiday}`, expected a date like `2024-12-25`")
            }
        }
    }
}

impl std::error::Error for CalendarError {}

impl Calendar {
    /// Builds a calendar from its parts, validating each of them.
    ///
    /// `zone` is an IANA name such as `"Europe/London"` (or `"UTC"`); `working` holds weekday
    /// names, short (`"mon"`) or full (`"monday"`), in any case; `cutoff` is an optional `"HH:MM"`
    /// local end of the working day; `holidays` are dates that are not worked (order and
    /// duplicates do not matter).
    ///
    /// # Errors
    ///
    /// [`CalendarError::UnknownZone`], [`CalendarError::BadWeekday`] or
    /// [`CalendarError::BadCutoff`] for a value that cannot be read, and
    /// [`CalendarError::NoWorkingDays`] when no weekday is worked.
    ///
    /// ```
    /// use precept::calendar::Calendar;
    /// use jiff::civil::date;
    ///
    /// let cal = Calendar::new(
    ///     "Europe/London",
    ///     &["mon", "tue", "wed", "thu", "fri"],
    ///     Some("17:00"),
    ///     &[date(2024, 12, 25), date(2024, 12, 26)],
    /// )?;
    /// assert!(!cal.is_working_day(date(2024, 12, 25)));
    /// # Ok::<(), precept::calendar::CalendarError>(())
    /// ```
    pub fn new(
        zone: &str,
        working: &[&str],
        cutoff: Option<&str>,
        holidays: &[Date],
    ) -> Result<Calendar, CalendarError> {
        let tz = TimeZone::get(zone).map_err(|_| CalendarError::UnknownZone(zone.to_owned()))?;
        let mut mask = 0u8;
        for name in working {
            mask |= 1 << parse_weekday(name)?;
        }
        if mask == 0 {
            return Err(CalendarError::NoWorkingDays);
        }
        let cutoff = cutoff.map(parse_cutoff).transpose()?;
        let mut days: Vec<i64> =
            holidays.iter().map(|&d| day_number(d)).filter(|&n| mask & weekday_bit(n) != 0).collect();
        days.sort_unstable();
        days.dedup();
        Ok(Calendar { tz, working: mask, per_week: i64::from(mask.count_ones()), cutoff, holidays: days })
    }

    /// Reads a calendar file, so that a policy can name its calendar instead of spelling it out.
    ///
    /// The format is TOML:
    ///
    /// ```toml
    /// zone = "Europe/London"
    /// working_days = ["mon", "tue", "wed", "thu", "fri"]
    /// cutoff = "17:00"                    # optional
    /// holidays = [2024-12-25, "2024-12-26"] # optional; TOML dates or date strings
    /// ```
    ///
    /// # Errors
    ///
    /// A one-line lowercase message naming every problem found (joined with `; `): invalid
    /// TOML, a missing or mistyped key, an unknown key, or any [`CalendarError`].
    ///
    /// ```
    /// use precept::calendar::Calendar;
    ///
    /// let cal = Calendar::from_toml(r#"
    ///     zone = "UTC"
    ///     working_days = ["mon", "tue", "wed", "thu", "fri"]
    ///     holidays = [2024-12-25]
    /// "#)?;
    /// assert_eq!(cal.zone().iana_name(), Some("UTC"));
    ///
    /// let err = Calendar::from_toml(r#"zone = "UTC""#).unwrap_err();
    /// assert_eq!(err, "missing `working_days` in calendar");
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Calendar, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        let mut problems = Vec::new();

        for key in table.keys() {
            if !TOML_KEYS.contains(&key.as_str()) {
                problems.push(format!(
                    "unknown key `{key}` in calendar, expected one of `zone`, `working_days`, `cutoff`, `holidays`"
                ));
            }
        }

        let zone = match table.get("zone") {
            Some(toml::Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                problems.push(format!("`zone` must be a string, found {}", other.type_str()));
                None
            }
            None => {
                problems.push("missing `zone` in calendar".to_owned());
                None
            }
        };

        let working = match table.get("working_days") {
            Some(toml::Value::Array(items)) => {
                let mut names = Vec::new();
                for item in items {
                    match item {
                        toml::Value::String(s) => names.push(s.as_str()),
                        other => {
                            problems.push(format!("`working_days` must hold weekday names, found {}", other.type_str()))
                        }
                    }
                }
                Some(names)
            }
            Some(other) => {
                problems.push(format!("`working_days` must be an array of weekday names, found {}", other.type_str()));
                None
            }
            None => {
                problems.push("missing `working_days` in calendar".to_owned());
                None
            }
        };

        let cutoff = match table.get("cutoff") {
            Some(toml::Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                problems.push(format!("`cutoff` must be a string like \"17:00\", found {}", other.type_str()));
                None
            }
            None => None,
        };

        let mut holidays = Vec::new();
        match table.get("holidays") {
            Some(toml::Value::Array(items)) => {
                for item in items {
                    match toml_date(item) {
                        Ok(d) => holidays.push(d),
                        Err(e) => problems.push(e),
                    }
                }
            }
            Some(other) => problems.push(format!("`holidays` must be an array of dates, found {}", other.type_str())),
            None => {}
        }

        // Check the values that could be read even when another key is broken, so that one
        // run reports everything wrong with the file.
        if let Some(names) = &working {
            for name in names {
                if let Err(e) = parse_weekday(name) {
                    problems.push(e.to_string());
                }
            }
        }
        if let Some(c) = cutoff {
            if let Err(e) = parse_cutoff(c) {
                problems.push(e.to_string());
            }
        }
        if let Some(z) = zone {
            if TimeZone::get(z).is_err() {
                problems.push(CalendarError::UnknownZone(z.to_owned()).to_string());
            }
        }

        match (zone, working) {
            (Some(zone), Some(working)) if problems.is_empty() => {
                Calendar::new(zone, &working, cutoff, &holidays).map_err(|e| e.to_string())
            }
            _ => Err(problems.join("; ")),
        }
    }

    /// The time zone in which this calendar reads dates, so that callers can show deadlines
    /// in the same local time the rule was measured in.
    pub fn zone(&self) -> &TimeZone {
        &self.tz
    }

    /// Whether `d` is worked: a working weekday that is not a holiday.
    ///
    /// ```
    /// use precept::calendar::Calendar;
    /// use jiff::civil::date;
    ///
    /// let cal = Calendar::new("UTC", &["mon", "tue", "wed", "thu", "fri"], None, &[date(2024, 12, 25)])?;
    /// assert!(cal.is_working_day(date(2024, 12, 24)));
    /// assert!(!cal.is_working_day(date(2024, 12, 25))); // holiday
    /// assert!(!cal.is_working_day(date(2024, 12, 28))); // Saturday
    /// # Ok::<(), precept::calendar::CalendarError>(())
    /// ```
    pub fn is_working_day(&self, d: Date) -> bool {
        self.is_working(day_number(d))
    }

    /// The business day on which something arriving at `ts` counts as received, so that an
    /// item sent on Saturday or after hours starts its clock on the next working day.
    ///
    /// This is the local date of `ts` when that date is worked and `ts` is at or before the end
    /// of its working day (the cutoff, or midnight when there is none); otherwise the next
    /// working day. Saturates at [`Date::MAX`] if that day cannot be represented.
    ///
    /// ```
    /// use precept::calendar::Calendar;
    /// use jiff::civil::date;
    ///
    /// let cal = Calendar::new("Europe/London", &["mon", "tue", "wed", "thu", "fri"], Some("17:00"), &[])?;
    /// let friday_evening = date(2024, 12, 6).at(18, 0, 0, 0).in_tz("Europe/London").unwrap().timestamp();
    /// assert_eq!(cal.receipt_day(friday_evening), date(2024, 12, 9));
    /// # Ok::<(), precept::calendar::CalendarError>(())
    /// ```
    pub fn receipt_day(&self, ts: Timestamp) -> Date {
        date_from_number(self.receipt(ts)).unwrap_or(Date::MAX)
    }

    /// The deadline for "within `n` business days of `ts`": the end of the `n`-th working day
    /// after [`Calendar::receipt_day`] (`n = 0`: the end of the receipt day itself; negative
    /// `n` counts back from it).
    ///
    /// The end of a day is the cutoff in local time, or the last instant before the next local
    /// day starts when there is no cutoff. `None` only when the deadline is outside the range
    /// of representable instants. Runs in `O(log holidays)` steps whatever `n` is.
    ///
    /// ```
    /// use precept::calendar::Calendar;
    /// use jiff::civil::date;
    ///
    /// let cal = Calendar::new(
    ///     "Europe/London",
    ///     &["mon", "tue", "wed", "thu", "fri"],
    ///     Some("17:00"),
    ///     &[date(2024, 12, 25), date(2024, 12, 26)],
    /// )?;
    /// let sent = date(2024, 12, 24).at(10, 0, 0, 0).in_tz("Europe/London").unwrap().timestamp();
    /// let due = cal.add_business_days(sent, 1).unwrap();
    /// assert_eq!(due.to_string(), "2024-12-27T17:00:00Z");
    /// # Ok::<(), precept::calendar::CalendarError>(())
    /// ```
    pub fn add_business_days(&self, ts: Timestamp, n: i64) -> Option<Timestamp> {
        let target = self.cumulative(self.receipt(ts) + 1).checked_add(n)?;
        // The n-th working day after the receipt day is the last day before the count of
        // working days reaches `target`.
        let day = self.first_reaching(target)? - 1;
        self.end_of(day)
    }

    /// The `n`-th working day strictly after the date `d` (`n = 0`: `d` itself; negative `n`: the
    /// `-n`-th working day strictly before it): "3 business days after the day it was opened".
    ///
    /// Unlike [`Calendar::add_business_days`], nothing moves the start: `d` is never counted,
    /// whether it is worked or not, and there is no cutoff (a date has no time of day). `None` only
    /// outside the range of [`Date`]. Runs in `O(log holidays)` steps whatever `n` is.
    ///
    /// ```
    /// use precept::calendar::Calendar;
    /// use jiff::civil::date;
    ///
    /// let cal = Calendar::new("UTC", &["mon", "tue", "wed", "thu", "fri"], Some("17:00"), &[])?;
    /// // Saturday 7 December 2024: Monday is the first business day after it, Wednesday the third.
    /// assert_eq!(cal.business_days_after(date(2024, 12, 7), 3), Some(date(2024, 12, 11)));
    /// // Friday: Monday, Tuesday, Wednesday.
    /// assert_eq!(cal.business_days_after(date(2024, 12, 6), 3), Some(date(2024, 12, 11)));
    /// # Ok::<(), precept::calendar::CalendarError>(())
    /// ```
    pub fn business_days_after(&self, d: Date, n: i64) -> Option<Date> {
        let start = day_number(d);
        let target = match n {
            0 => return Some(d),
            // The working days up to and including `d`, and `n` more.
            n if n > 0 => self.cumulative(start + 1).checked_add(n)?,
            // The working days before `d`, less `-n - 1`: the day that brings the count to it is
            // the `-n`-th working day back.
            n => self.cumulative(start).checked_add(n)?.checked_add(1)?,
        };
        date_from_number(self.first_reaching(target)? - 1)
    }

    /// How many business days passed from `a` to `b`, so that a rule can compare it with its
    /// limit: the number of working days `d` with `receipt_day(a) < d <= receipt_day(b)`, or
    /// minus the number with `receipt_day(b) < d <= receipt_day(a)` when `b` is before `a`.
    ///
    /// For `x >= a`: `x <= add_business_days(a, n)` exactly when
    /// `business_days_between(a, x) <= n`. Runs in `O(log holidays)`.
    ///
    /// ```
    /// use precept::calendar::Calendar;
    /// use jiff::civil::date;
    ///
    /// let cal = Calendar::new("UTC", &["mon", "tue", "wed", "thu", "fri"], None, &[])?;
    /// let fri = date(2024, 12, 6).at(12, 0, 0, 0).in_tz("UTC").unwrap().timestamp();
    /// let tue = date(2024, 12, 10).at(9, 0, 0, 0).in_tz("UTC").unwrap().timestamp();
    /// assert_eq!(cal.business_days_between(fri, tue), 2);
    /// assert_eq!(cal.business_days_between(tue, fri), -2);
    /// # Ok::<(), precept::calendar::CalendarError>(())
    /// ```
    pub fn business_days_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        self.cumulative(self.receipt(b) + 1) - self.cumulative(self.receipt(a) + 1)
    }

    /// The working days from `from` to `until`, both included (0 when `until` comes first). Runs in
    /// `O(log holidays)` steps however long the range.
    ///
    /// ```
    /// use precept::calendar::Calendar;
    /// use jiff::civil::date;
    ///
    /// let cal = Calendar::new("Europe/London", &["mon", "tue", "wed", "thu", "fri"], None, &[date(2024, 12, 25)])?;
    /// assert_eq!(cal.working_days_in(date(2024, 12, 23), date(2024, 12, 29)), 4);
    /// assert_eq!(cal.working_days_in(date(2024, 12, 29), date(2024, 12, 23)), 0);
    /// # Ok::<(), precept::calendar::CalendarError>(())
    /// ```
    pub fn working_days_in(&self, from: Date, until: Date) -> i64 {
        (self.cumulative(day_number(until) + 1) - self.cumulative(day_number(from))).max(0)
    }

    /// The working days that lie wholly between two instants (the local days strictly after the
    /// day of `a` and strictly before the day of `b`): how many business days a pause from `a` to
    /// `b` takes out of a deadline.
    pub fn whole_working_days_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        let (da, db) = (day_number(self.tz.to_datetime(a).date()), day_number(self.tz.to_datetime(b).date()));
        (self.cumulative(db) - self.cumulative(da + 1)).max(0)
    }

    /// The instant local day `d` starts in the calendar's zone (a midnight in a DST gap moves
    /// forward): `precept sql` writes it into its calendar table, so that SQL finds the local day
    /// of an instant as this calendar does. `None` outside the representable range.
    pub fn day_start(&self, d: Date) -> Option<Timestamp> {
        self.instant(d.to_datetime(Time::midnight()))
    }

    /// The instant day `d` ends as a working day: its cutoff in local time, or the last nanosecond
    /// before the next local day starts (see [`Calendar::add_business_days`]). `precept sql`'s
    /// calendar table holds it, so that deadlines in SQL end where the engine's do.
    pub fn day_end(&self, d: Date) -> Option<Timestamp> {
        self.end_of(day_number(d))
    }

    /// Whether the day with number `n` is worked.
    fn is_working(&self, n: i64) -> bool {
        self.working & weekday_bit(n) != 0 && self.holidays.binary_search(&n).is_err()
    }

    /// The number of working days strictly before day `n`, counted from an arbitrary fixed
    /// origin: only differences are meaningful. Non-decreasing, and it grows by exactly one
    /// across each working day.
    fn cumulative(&self, n: i64) -> i64 {
        let k = n - FIRST_MONDAY;
        let weeks = k.div_euclid(7);
        // `rem_euclid(7)` is in 0..7, so the shift cannot overflow a u8.
        let into_week = k.rem_euclid(7);
        let partial = self.working & ((1u8 << into_week) - 1);
        let holidays_before = self.holidays.partition_point(|&h| h < n);
        // `holidays_before` is at most the length of a Vec, far below i64::MAX.
        let holidays_before = i64::try_from(holidays_before).unwrap_or(i64::MAX);
        weeks * self.per_week + i64::from(partial.count_ones()) - holidays_before
    }

    /// The first day `d` with `cumulative(d) >= target`, found by binary search, or `None` if
    /// it lies beyond [`SEARCH_LIMIT`].
    ///
    /// The search starts near the answer rather than across the whole range (41 halvings, each
    /// a count of holidays: 2.5% of a findings-heavy run): without holidays, `per_week`
    /// working days a week reach `target` about `target / per_week` weeks from the origin, and
    /// holidays only move it later; steps doubling from there bracket it in a few counts.
    fn first_reaching(&self, target: i64) -> Option<i64> {
        let (min, max) = (-SEARCH_LIMIT, SEARCH_LIMIT);
        if self.cumulative(min) >= target || self.cumulative(max) < target {
            return None;
        }
        let weeks = target.div_euclid(self.per_week.max(1));
        let guess = FIRST_MONDAY.saturating_add(weeks.saturating_mul(7)).clamp(min, max);
        let (mut lo, mut hi) = (guess, guess);
        let mut step = 8i64;
        if self.cumulative(guess) >= target {
            // Back until a day short of the target (`min` is one).
            loop {
                lo = hi.saturating_sub(step).max(min);
                if lo == min || self.cumulative(lo) < target {
                    break;
                }
                hi = lo;
                step = step.saturating_mul(2);
            }
        } else {
            // On until a day that reaches it (`max` is one).
            loop {
                hi = lo.saturating_add(step).min(max);
                if hi == max || self.cumulative(hi) >= target {
                    break;
                }
                lo = hi;
                step = step.saturating_mul(2);
            }
        }
        // INVARIANT: cumulative(lo) < target <= cumulative(hi).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.cumulative(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// The next working day after day `n`. Always exists because at least one weekday is
    /// worked and holidays are finite; the fallback is unreachable within [`SEARCH_LIMIT`].
    fn next_working_after(&self, n: i64) -> i64 {
        let target = self.cumulative(n + 1) + 1;
        self.first_reaching(target).map_or(SEARCH_LIMIT, |d| d - 1)
    }

    /// The instant at which working day `n` ends: the cutoff in local time (a cutoff that
    /// falls in a DST gap moves forward, an ambiguous one takes the earlier instant), or with
    /// no cutoff the last nanosecond before the next local day starts. `None` when outside the
    /// representable range.
    fn end_of(&self, n: i64) -> Option<Timestamp> {
        let date = date_from_number(n)?;
        match self.cutoff {
            Some(cutoff) => self.instant(date.to_datetime(cutoff)),
            None => match date_from_number(n + 1) {
                Some(next) => {
                    self.instant(next.to_datetime(Time::midnight()))?.checked_sub(SignedDuration::from_nanos(1)).ok()
                }
                None => self.instant(date.to_datetime(Time::MAX)),
            },
        }
    }

    /// The instant of a local date and time, with the usual ("compatible") reading of DST
    /// gaps and overlaps.
    fn instant(&self, dt: DateTime) -> Option<Timestamp> {
        self.tz.to_ambiguous_timestamp(dt).compatible().ok()
    }

    /// The receipt day of `ts` as a day number: the first working day whose end is at or
    /// after `ts`.
    ///
    /// Defined through the same [`Calendar::end_of`] that gives deadlines, rather than by
    /// comparing local clock times with the cutoff, so that the two agree exactly even when
    /// the cutoff falls in a DST gap or overlap.
    fn receipt(&self, ts: Timestamp) -> i64 {
        let local = day_number(self.tz.to_datetime(ts).date());
        // A day's end is normally after every instant of that day, so only the previous day
        // could end after `ts` in a zone whose clocks jump across midnight; checking it keeps
        // "first working day whose end is at or after `ts`" exact.
        let previous = local - 1;
        if self.is_working(previous) && self.end_of(previous).is_some_and(|end| ts <= end) {
            return previous;
        }
        // A missing end means it lies past the last representable instant, hence after `ts`.
        if self.is_working(local) && self.end_of(local).is_none_or(|end| ts <= end) {
            return local;
        }
        self.next_working_after(local)
    }
}

/// Reads a weekday name into its Monday-zero offset.
fn parse_weekday(name: &str) -> Result<u8, CalendarError> {
    let lower = name.trim().to_ascii_lowercase();
    (0u8..)
        .zip(WEEKDAYS)
        .find(|(_, (short, long))| lower == *short || lower == *long)
        .map(|(i, _)| i)
        .ok_or_else(|| CalendarError::BadWeekday(name.to_owned()))
}

/// Reads a strict 24-hour `HH:MM` cutoff.
fn parse_cutoff(text: &str) -> Result<Time, CalendarError> {
    let bad = || CalendarError::BadCutoff(text.to_owned());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return Err(bad());
    }
    let hour: i8 = h.parse().map_err(|_| bad())?;
    let minute: i8 = m.parse().map_err(|_| bad())?;
    Time::new(hour, minute, 0, 0).map_err(|_| bad())
}

/// Reads one entry of `holidays` in a calendar file: a TOML local date or a `YYYY-MM-DD`
/// string.
fn toml_date(value: &toml::Value) -> Result<Date, String> {
    match value {
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => Date::new(
                i16::try_from(d.year).unwrap_or(i16::MAX),
                i8::try_from(d.month).unwrap_or(i8::MAX),
                i8::try_from(d.day).unwrap_or(i8::MAX),
            )
            .map_err(|_| CalendarError::BadHoliday(dt.to_string()).to_string()),
            _ => Err(CalendarError::BadHoliday(dt.to_string()).to_string()),
        },
        toml::Value::String(s) => {
            let well_formed = s.len() == 10
                && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
            if well_formed {
                if let Ok(d) = s.parse::<Date>() {
                    return Ok(d);
                }
            }
            Err(CalendarError::BadHoliday(s.clone()).to_string())
        }
        other => Err(format!("`holidays` must hold dates, found {}", other.type_str())),
    }
}

/// Turns a TOML syntax error into one lowercase line with its line number.
fn toml_error(text: &str, err: &toml::de::Error) -> String {
    let message: Vec<&str> = err.message().lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let message = message.join("; ");
    let line = err.span().and_then(|span| text.get(..span.start)).map(|before| before.matches('\n').count() + 1);
    match line {
        Some(line) => format!("invalid calendar file at line {line}: {message}"),
        None => format!("invalid calendar file: {message}"),
    }
}

/// The day number of `d`: days since 1970-01-01 (negative before it).
fn day_number(d: Date) -> i64 {
    // Howard Hinnant's days_from_civil, on a year that starts in March.
    let (y, m, day) = (i64::from(d.year()), i64::from(d.month()), i64::from(d.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date with day number `n`, or `None` outside [`Date::MIN`]..=[`Date::MAX`].
fn date_from_number(n: i64) -> Option<Date> {
    // Howard Hinnant's civil_from_days.
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// The bit for the weekday of day number `n` in a working-day mask.
fn weekday_bit(n: i64) -> u8 {
    // 1970-01-01 was a Thursday (Monday-zero offset 3); the offset is in 0..7.
    1u8 << (n + 3).rem_euclid(7)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;
    use jiff::civil::date;

    const WEEK: [&str; 5] = ["mon", "tue", "wed", "thu", "fri"];

    /// England and Wales, 17:00 cutoff, with the 2024 Easter and Christmas bank holidays.
    fn england() -> Calendar {
        Calendar::new(
            "Europe/London",
            &WEEK,
            Some("17:00"),
            &[date(2024, 3, 29), date(2024, 4, 1), date(2024, 12, 25), date(2024, 12, 26)],
        )
        .unwrap()
    }

    fn london(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
        date(y, mo, d).at(h, mi, 0, 0).in_tz("Europe/London").unwrap().timestamp()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Checks `x <= add(a, n) <=> between(a, x) <= n` on a grid of instants.
    fn check_invariant(cal: &Calendar, start: Timestamp, weeks: i64) {
        let end = start + SignedDuration::from_hours(24 * 7 * weeks);
        let mut a = start;
        let mut checked = 0u64;
        while a < end {
            for n in 0..=3 {
                let deadline = cal.add_business_days(a, n).unwrap();
                assert!(deadline >= a, "deadline {deadline} before {a} (n = {n})");
                let one_ns = SignedDuration::from_nanos(1);
                let mut probes = vec![deadline, deadline - one_ns, deadline + one_ns];
                let mut x = a;
                for _ in 0..60 {
                    probes.push(x);
                    x += SignedDuration::from_mins(97);
                }
                for x in probes.into_iter().filter(|&x| x >= a) {
                    assert_eq!(
                        x <= deadline,
                        cal.business_days_between(a, x) <= n,
                        "a = {a}, x = {x}, n = {n}, deadline = {deadline}"
                    );
                    checked += 1;
                }
            }
            a += SignedDuration::from_mins(37);
        }
        assert!(checked > 10_000);
    }

    #[test]
    fn deadline_and_count_agree_across_easter_and_spring_dst() {
        // 31 March 2024 (Easter Sunday) is the spring DST change, between two bank holidays.
        check_invariant(&england(), ts("2024-03-18T00:00:00Z"), 4);
    }

    #[test]
    fn deadline_and_count_agree_across_autumn_dst_and_christmas() {
        let cal = england();
        check_invariant(&cal, ts("2024-10-21T00:00:00Z"), 2);
        check_invariant(&cal, ts("2024-12-16T00:00:00Z"), 3);
    }

    #[test]
    fn deadline_and_count_agree_without_cutoff() {
        let cal = Calendar::new("Europe/London", &WEEK, None, &[date(2024, 4, 1)]).unwrap();
        check_invariant(&cal, ts("2024-03-18T00:00:00Z"), 3);
        check_invariant(&cal, ts("2024-10-21T00:00:00Z"), 2);
    }

    #[test]
    fn deadline_and_count_agree_with_cutoff_in_dst_gap_and_overlap() {
        // 01:30 does not exist in London on 2024-03-31 and happens twice on 2024-10-27;
        // weekends are worked here so that those days matter.
        let all = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let cal = Calendar::new("Europe/London", &all, Some("01:30"), &[]).unwrap();
        check_invariant(&cal, ts("2024-03-25T00:00:00Z"), 2);
        check_invariant(&cal, ts("2024-10-21T00:00:00Z"), 2);
    }

    #[test]
    fn count_matches_a_day_by_day_walk() {
        let cal = Calendar::new(
            "UTC",
            &["mon", "wed", "thu", "sat"],
            None,
            &[date(2024, 1, 1), date(2024, 1, 3), date(2024, 1, 6), date(2024, 1, 7), date(2024, 2, 29)],
        )
        .unwrap();
        let base = date(2023, 12, 20);
        for i in 0..90i64 {
            for j in 0..90i64 {
                let (d1, d2) = (base + jiff::Span::new().days(i), base + jiff::Span::new().days(j));
                let sign = if i <= j { 1 } else { -1 };
                // Just after midnight: the receipt day is the next working day on or after d.
                let at = |d: Date| d.at(0, 0, 0, 1).in_tz("UTC").unwrap().timestamp();
                let r = |d: Date| {
                    let mut d = d;
                    while !cal.is_working_day(d) {
                        d = d.tomorrow().unwrap();
                    }
                    d
                };
                assert_eq!(cal.receipt_day(at(d1)), r(d1));
                // Walk between receipt days, as the definition says.
                let (rl, rh) = if i <= j { (r(d1), r(d2)) } else { (r(d2), r(d1)) };
                let mut expected = 0;
                let mut d = rl;
                while d < rh {
                    d = d.tomorrow().unwrap();
                    if cal.is_working_day(d) {
                        expected += 1;
                    }
                }
                assert_eq!(cal.business_days_between(at(d1), at(d2)), sign * expected);
            }
        }
    }

    #[test]
    fn counting_from_a_date_matches_a_day_by_day_walk() {
        let cal = Calendar::new(
            "UTC",
            &["mon", "wed", "thu", "sat"],
            Some("17:00"),
            &[date(2024, 1, 1), date(2024, 1, 3), date(2024, 1, 6), date(2024, 1, 7), date(2024, 2, 29)],
        )
        .unwrap();
        let base = date(2023, 12, 20);
        for i in 0..80i64 {
            let d = base + jiff::Span::new().days(i);
            assert_eq!(cal.business_days_after(d, 0), Some(d));
            for n in 1..=6i64 {
                // Forward: the day itself never counts, worked or not.
                let (mut w, mut left) = (d, n);
                while left > 0 {
                    w = w.tomorrow().unwrap();
                    if cal.is_working_day(w) {
                        left -= 1;
                    }
                }
                assert_eq!(cal.business_days_after(d, n), Some(w), "{d} + {n}");
                // Backward, the same walk the other way.
                let (mut w, mut left) = (d, n);
                while left > 0 {
                    w = w.yesterday().unwrap();
                    if cal.is_working_day(w) {
                        left -= 1;
                    }
                }
                assert_eq!(cal.business_days_after(d, -n), Some(w), "{d} - {n}");
            }
        }
        assert_eq!(cal.business_days_after(Date::MAX, 1), None);
        assert_eq!(cal.business_days_after(date(2024, 1, 1), i64::MAX), None);
    }

    #[test]
    fn day_numbers_round_trip_and_match_jiff_weekdays() {
        for d in [Date::MIN, date(1969, 12, 31), date(1970, 1, 1), date(2000, 2, 29), date(2024, 12, 25), Date::MAX] {
            let n = day_number(d);
            assert_eq!(date_from_number(n), Some(d));
            assert_eq!(1u8 << d.weekday().to_monday_zero_offset(), weekday_bit(n));
        }
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(date_from_number(day_number(Date::MAX) + 1), None);
        assert_eq!(date_from_number(day_number(Date::MIN) - 1), None);
    }

    #[test]
    fn exactly_at_the_deadline_is_in_time_and_a_minute_later_is_not() {
        let cal = england();
        let sent = london(2024, 12, 2, 10, 0); // Monday
        let due = cal.add_business_days(sent, 2).unwrap();
        assert_eq!(due, london(2024, 12, 4, 17, 0));
        assert_eq!(cal.business_days_between(sent, due), 2);
        assert_eq!(cal.business_days_between(sent, due + SignedDuration::from_mins(1)), 3);
    }

    #[test]
    fn friday_afternoon_item_runs_over_the_weekend() {
        let cal = england();
        let sent = london(2024, 12, 6, 15, 0);
        assert_eq!(cal.receipt_day(sent), date(2024, 12, 6));
        assert_eq!(cal.add_business_days(sent, 1).unwrap(), london(2024, 12, 9, 17, 0));
        assert_eq!(cal.business_days_between(sent, london(2024, 12, 9, 12, 0)), 1);
    }

    #[test]
    fn item_after_cutoff_is_received_next_working_day() {
        let cal = england();
        let at_cutoff = london(2024, 12, 2, 17, 0);
        let after = london(2024, 12, 2, 17, 30);
        assert_eq!(cal.receipt_day(at_cutoff), date(2024, 12, 2));
        assert_eq!(cal.receipt_day(after), date(2024, 12, 3));
        assert_eq!(cal.add_business_days(after, 0).unwrap(), london(2024, 12, 3, 17, 0));
        assert_eq!(cal.add_business_days(after, 1).unwrap(), london(2024, 12, 4, 17, 0));
        // Friday after the cutoff is received on Monday.
        assert_eq!(cal.receipt_day(london(2024, 12, 6, 17, 1)), date(2024, 12, 9));
    }

    #[test]
    fn item_on_a_holiday_is_received_next_working_day() {
        let cal = england();
        let sent = london(2024, 12, 25, 10, 0);
        assert_eq!(cal.receipt_day(sent), date(2024, 12, 27));
        assert_eq!(cal.add_business_days(sent, 0).unwrap(), london(2024, 12, 27, 17, 0));
        assert!(!cal.is_working_day(date(2024, 12, 25)));
        assert!(cal.is_working_day(date(2024, 12, 27)));
    }

    #[test]
    fn deadline_skips_listed_holidays() {
        let cal = england();
        let due = cal.add_business_days(london(2024, 12, 24, 10, 0), 1).unwrap();
        assert_eq!(due, ts("2024-12-27T17:00:00Z"));
        assert_eq!(cal.business_days_between(london(2024, 12, 24, 10, 0), london(2024, 12, 30, 9, 0)), 2);
    }

    #[test]
    fn saturday_arrival_starts_on_monday() {
        let cal = england();
        let sent = london(2024, 12, 7, 9, 0);
        assert_eq!(cal.receipt_day(sent), date(2024, 12, 9));
        assert_eq!(cal.add_business_days(sent, 1).unwrap(), london(2024, 12, 10, 17, 0));
        assert_eq!(cal.business_days_between(sent, london(2024, 12, 9, 16, 0)), 0);
    }

    #[test]
    fn deadlines_follow_local_time_across_dst_changes() {
        let cal = england();
        // Autumn: Friday 16:00 BST (15:00Z), due Monday 17:00 GMT (17:00Z).
        let due = cal.add_business_days(london(2024, 10, 25, 16, 0), 1).unwrap();
        assert_eq!(due, ts("2024-10-28T17:00:00Z"));
        // Spring: Thursday before Easter, over Good Friday, the DST change and Easter Monday,
        // due Tuesday 17:00 BST (16:00Z).
        let due = cal.add_business_days(london(2024, 3, 28, 12, 0), 1).unwrap();
        assert_eq!(due, ts("2024-04-02T16:00:00Z"));
    }

    #[test]
    fn no_cutoff_means_the_whole_local_day() {
        let cal = Calendar::new("Europe/London", &WEEK, None, &[]).unwrap();
        let due = cal.add_business_days(london(2024, 12, 2, 23, 30), 0).unwrap();
        assert_eq!(due, ts("2024-12-02T23:59:59.999999999Z"));
        let due = cal.add_business_days(london(2024, 7, 1, 9, 0), 0).unwrap();
        assert_eq!(due, ts("2024-07-01T22:59:59.999999999Z"));
    }

    #[test]
    fn negative_counts_and_reversed_intervals() {
        let cal = england();
        let wed = london(2024, 12, 4, 10, 0);
        assert_eq!(cal.add_business_days(wed, -1).unwrap(), london(2024, 12, 3, 17, 0));
        assert_eq!(cal.add_business_days(wed, -3).unwrap(), london(2024, 11, 29, 17, 0));
        assert_eq!(cal.business_days_between(wed, london(2024, 11, 29, 10, 0)), -3);
    }

    proptest::proptest! {
        /// `first_reaching` finds what a search across the whole range finds, whatever the
        /// working week, the holidays (none, a few, runs of them) and the target.
        #[test]
        fn the_search_from_a_guess_finds_what_the_whole_range_finds(
            mask in 1u8..128,
            holidays in proptest::collection::vec(-3000i64..3000, 0..40),
            run in 0i64..400,
            target in proptest::prop_oneof![-4000i64..4000, proptest::num::i64::ANY],
        ) {
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let days: Vec<&str> = names.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, n)| *n).collect();
            let mut dates: Vec<Date> = holidays.iter().filter_map(|&n| date_from_number(n)).collect();
            // A run of consecutive holidays, as long as a year.
            dates.extend((0..run).filter_map(|k| date_from_number(1000 + k)));
            let cal = Calendar::new("UTC", &days, None, &dates).unwrap();
            // The model: halving the whole range, as the search did before it started near the answer.
            let model = |target: i64| {
                let (mut lo, mut hi) = (-SEARCH_LIMIT, SEARCH_LIMIT);
                if cal.cumulative(lo) >= target || cal.cumulative(hi) < target {
                    return None;
                }
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if cal.cumulative(mid) >= target { hi = mid } else { lo = mid }
                }
                Some(hi)
            };
            let near = cal.cumulative(0);
            for t in [target, near + target.rem_euclid(5000), near - target.rem_euclid(5000)] {
                proptest::prop_assert_eq!(cal.first_reaching(t), model(t), "target {}", t);
            }
        }
    }

    #[test]
    fn many_holidays_and_huge_counts_terminate() {
        // Mondays only, and every Monday of 2024-2026 is a holiday.
        let mut holidays = Vec::new();
        let mut d = date(2024, 1, 1);
        while d < date(2027, 1, 1) {
            holidays.push(d);
            d += jiff::Span::new().days(7);
        }
        let cal = Calendar::new("UTC", &["Monday"], None, &holidays).unwrap();
        let sent = ts("2024-01-01T09:00:00Z");
        assert_eq!(cal.receipt_day(sent), date(2027, 1, 4));
        assert_eq!(cal.add_business_days(sent, 1).unwrap(), ts("2027-01-11T23:59:59.999999999Z"));
        assert_eq!(cal.add_business_days(sent, 10_000_000), None);
        assert_eq!(cal.add_business_days(sent, i64::MAX), None);
        assert_eq!(cal.add_business_days(sent, i64::MIN), None);
        assert_eq!(cal.business_days_between(sent, ts("2027-01-18T12:00:00Z")), 2);
        // A Wednesday is received on the following Monday.
        assert_eq!(cal.business_days_between(sent, ts("2027-01-20T00:00:00Z")), 3);
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let cal = england();
        for t in [Timestamp::MIN, Timestamp::MAX] {
            let _ = cal.receipt_day(t);
            let _ = cal.add_business_days(t, 5);
            let _ = cal.business_days_between(Timestamp::MIN, t);
        }
    }

    #[test]
    fn weekday_names_are_flexible() {
        let cal = Calendar::new("UTC", &["MON", "Tuesday", " wed ", "thu", "fri", "mon"], None, &[]).unwrap();
        assert!(cal.is_working_day(date(2024, 12, 2)));
        assert!(cal.is_working_day(date(2024, 12, 3)));
        assert!(!cal.is_working_day(date(2024, 12, 7)));
    }

    #[test]
    fn construction_errors() {
        assert_eq!(Calendar::new("UTC", &[], None, &[]).unwrap_err(), CalendarError::NoWorkingDays);
        assert_eq!(
            Calendar::new("Mars/Olympus_Mons", &WEEK, None, &[]).unwrap_err(),
            CalendarError::UnknownZone("Mars/Olympus_Mons".into())
        );
        for bad in ["25:00", "9:00", "17:60", "17", "17:00:00", "ab:cd", "", "+1:00"] {
            assert_eq!(Calendar::new("UTC", &WEEK, Some(bad), &[]).unwrap_err(), CalendarError::BadCutoff(bad.into()));
        }
        assert_eq!(
            Calendar::new("UTC", &["mon", "funday"], None, &[]).unwrap_err(),
            CalendarError::BadWeekday("funday".into())
        );
        assert!(Calendar::new("UTC", &WEEK, Some("00:00"), &[]).is_ok());
        assert!(Calendar::new("UTC", &WEEK, Some("23:59"), &[]).is_ok());
    }

    #[test]
    fn error_messages_follow_house_style() {
        let messages = [
            CalendarError::NoWorkingDays.to_string(),
            CalendarError::UnknownZone("Europe/Londn".into()).to_string(),
            CalendarError::BadCutoff("5pm".into()).to_string(),
            CalendarError::BadWeekday("funday".into()).to_string(),
            CalendarError::BadHoliday("2024-13-01".into()).to_string(),
        ];
        assert_eq!(messages[1], "unknown time zone `Europe/Londn`");
        for m in &messages {
            assert!(!m.ends_with('.') && !m.contains('\n'), "{m}");
            assert!(m.starts_with(|c: char| c.is_ascii_lowercase()), "{m}");
        }
    }

    #[test]
    fn from_toml_reads_a_calendar_file() {
        let cal = Calendar::from_toml(
            r#"
            zone = "Europe/London"
            working_days = ["mon", "tue", "wed", "thu", "fri"]
            cutoff = "17:00"
            holidays = [2024-12-25, "2024-12-26"]
            "#,
        )
        .unwrap();
        assert_eq!(cal.zone().iana_name(), Some("Europe/London"));
        assert!(!cal.is_working_day(date(2024, 12, 25)));
        assert!(!cal.is_working_day(date(2024, 12, 26)));
        assert_eq!(cal.add_business_days(london(2024, 12, 24, 10, 0), 1).unwrap(), ts("2024-12-27T17:00:00Z"));
        let minimal = Calendar::from_toml("zone = \"UTC\"\nworking_days = [\"sun\"]\n").unwrap();
        assert!(minimal.is_working_day(date(2024, 12, 1)));
    }

    #[test]
    fn from_toml_reports_every_problem_on_one_line() {
        let err = |text: &str| Calendar::from_toml(text).unwrap_err();

        let syntax = err("zone = \"UTC\"\nworking_days = [\"mon\"\n");
        assert!(syntax.starts_with("invalid calendar file at line 2: "), "{syntax}");

        assert_eq!(err("working_days = [\"mon\"]"), "missing `zone` in calendar");
        assert_eq!(
            err("zone = 1\nworking_days = \"mon\""),
            "`zone` must be a string, found integer; \
             `working_days` must be an array of weekday names, found string"
        );
        assert_eq!(
            err("zone = \"UTC\"\nworking_days = [\"mon\"]\nholiday = [2024-12-25]"),
            "unknown key `holiday` in calendar, expected one of `zone`, `working_days`, `cutoff`, `holidays`"
        );
        assert_eq!(
            err("zone = \"Mars/Base\"\nworking_days = [\"mon\", \"funday\"]\ncutoff = \"5pm\"\nholidays = [\"2024-13-01\", 2024-12-25T10:00:00, 7]"),
            "invalid holiday `2024-13-01`, expected a date like `2024-12-25`; \
             invalid holiday `2024-12-25T10:00:00`, expected a date like `2024-12-25`; \
             `holidays` must hold dates, found integer; \
             unknown weekday `funday`, expected one of `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`; \
             invalid cutoff `5pm`, expected a 24-hour time like `17:00`; \
             unknown time zone `Mars/Base`"
        );
        assert_eq!(err("zone = \"UTC\"\nworking_days = []"), "calendar has no working days");
        assert_eq!(
            err("zone = \"UTC\"\nworking_days = [\"mon\"]\ncutoff = 1700"),
            "`cutoff` must be a string like \"17:00\", found integer"
        );
        for text in
            ["zone = \"UTC\"\nworking_days = [\"mon\"\n", "zone = \"UTC\"\nworking_days = 3\nholidays = 4", "= 1"]
        {
            let e = err(text);
            assert!(!e.contains('\n') && !e.ends_with('.'), "{e}");
        }
    }
}
