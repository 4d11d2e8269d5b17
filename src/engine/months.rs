//! Calendar months and years: `x + N months`, `x - N years` and `months_between(a, b)`.
//!
//! A month is not a fixed length of time, so these are calendar arithmetic, not durations:
//!
//! - **End of month**: adding months moves the month and keeps the day of the month; when that
//!   month is too short the result is its last day (31 January + 1 month is 28 February, or
//!   29 February in a leap year; 29 February + 1 year is 28 February). The step is taken once
//!   from the start, never month by month, so 31 January + 2 months is 31 March.
//! - **Years** are twelve months: `N years` is `12 × N months`, with the same rule.
//! - **Datetimes** move on the calendar of the offset they were written with: the local date moves
//!   by the months and the wall-clock time and offset stay as written, as `day(x)` reads a datetime
//!   on the date it has at its own offset.
//! - **Counting**: `months_between(a, b)` steps from `a`: when `b` is not earlier it is the most
//!   months `m >= 0` with `day(a) + m months <= day(b)`, and when `b` is earlier it is the most
//!   months back, `-m`, with `day(a) - m months >= day(b)`. So it agrees with addition:
//!   `months_between(a, b) >= 1` holds exactly when `day(b) >= day(a) + 1 month`. It is not
//!   antisymmetric at month ends: from 28 February back to 31 January is no whole month (28
//!   February - 1 month is 28 January, past 31 January), though forward it is one.

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::{Span, Timestamp};

/// Months in the whole range jiff holds (years -9999 to 9999), so anything larger has no answer.
const MAX_MONTHS: i64 = 20_000 * 12;

/// `date + months`, the end-of-month rule applied; `None` outside the dates Precept holds.
pub fn add_months(date: Date, months: i64) -> Option<Date> {
    if months.abs() > MAX_MONTHS {
        return None;
    }
    date.checked_add(Span::new().try_months(months).ok()?).ok()
}

/// `instant + months` for a datetime written at offset `off` (seconds east of UTC): its local date
/// moves, its wall-clock time and offset stay.
pub fn add_months_at(ts: Timestamp, off: i32, months: i64) -> Option<Timestamp> {
    let offset = Offset::from_seconds(off).ok()?;
    let local = offset.to_datetime(ts);
    let date = add_months(local.date(), months)?;
    offset.to_timestamp(date.to_datetime(local.time())).ok()
}

/// The whole calendar months from `start` to `end` (see the module's rule), negative when `end` is
/// earlier; `None` never in practice (both dates are held, so every step is).
pub fn months_between(start: Date, end: Date) -> Option<i64> {
    let index = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month());
    // The month numbers' difference is right or one too far: the day of the month decides.
    let mut m = index(end) - index(start);
    if m > 0 && add_months(start, m)? > end {
        m -= 1;
    } else if m < 0 && add_months(start, m)? < end {
        m += 1;
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn end_of_month_is_clamped_once_from_the_start() {
        assert_eq!(add_months(date(2023, 1, 31), 1), Some(date(2023, 2, 28)));
        assert_eq!(add_months(date(2024, 1, 31), 1), Some(date(2024, 2, 29)));
        assert_eq!(add_months(date(2024, 1, 31), 2), Some(date(2024, 3, 31)));
        assert_eq!(add_months(date(2024, 2, 29), 12), Some(date(2025, 2, 28)));
        assert_eq!(add_months(date(2024, 2, 29), 48), Some(date(2028, 2, 29)));
        assert_eq!(add_months(date(2024, 3, 31), -1), Some(date(2024, 2, 29)));
        assert_eq!(add_months(date(9999, 12, 1), 1), None);
        assert_eq!(add_months(date(2024, 1, 1), i64::MAX), None);
    }

    #[test]
    fn datetimes_keep_their_wall_clock_and_offset() {
        let ts: Timestamp = "2024-01-31T23:30:00+01:00".parse().unwrap();
        let want: Timestamp = "2024-02-29T23:30:00+01:00".parse().unwrap();
        assert_eq!(add_months_at(ts, 3600, 1), Some(want));
    }

    #[test]
    fn whole_months_agree_with_addition() {
        assert_eq!(months_between(date(2024, 1, 31), date(2024, 2, 29)), Some(1));
        assert_eq!(months_between(date(2024, 1, 31), date(2024, 2, 28)), Some(0));
        assert_eq!(months_between(date(2024, 1, 15), date(2024, 2, 14)), Some(0));
        assert_eq!(months_between(date(2024, 1, 15), date(2024, 2, 15)), Some(1));
        assert_eq!(months_between(date(2024, 2, 15), date(2024, 1, 15)), Some(-1));
        assert_eq!(months_between(date(2024, 2, 15), date(2024, 1, 16)), Some(0));
        assert_eq!(months_between(date(2024, 2, 29), date(2025, 2, 28)), Some(12));
        assert_eq!(months_between(date(2024, 5, 5), date(2024, 5, 30)), Some(0));
    }
}
