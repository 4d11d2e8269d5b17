//! Calendars: each declared calendar built from its policy text, its own file, or the file the
//! project's settings name instead.
//!
//! Separate because a calendar is checked on its own, before any code names it; the codes then
//! refer to it only by index.

use super::{Checker, Loader, UNKNOWN_CALENDAR};
use crate::ast::{self, CalendarBody};
use crate::calendar::Calendar;
use crate::diagnostics::Diag;
use crate::source::SourceFile;

impl Checker {
    pub(super) fn calendar(&mut self, file: &SourceFile, cal: &ast::CalendarDecl, loader: &dyn Loader) {
        if let Some((_, pf, ps)) = self.calendar_names.get(&cal.name.text) {
            let (pf, ps) = (pf.clone(), *ps);
            self.diags.push(
                Diag::error("precept::type::duplicate-name", format!("calendar `{}` is declared twice", cal.name.text))
                    .at(file, cal.name.span, "declared again here")
                    .note(&pf, ps, "first declared here")
                    .help("rename one of them; calendar names are shared by every policy file"),
            );
            return;
        }
        let built = match (loader.calendar(&cal.name.text), &cal.body) {
            (Some(src), _) => src.and_then(|src| Calendar::from_toml(&src.text).map_err(|e| format!("{}: {e}", src.name))).map_err(|e| {
                Diag::error("precept::type::invalid-calendar", format!("the settings' file for calendar `{}` cannot be used", cal.name.text))
                    .at(file, cal.name.span, e)
                    .help("the file named under `[calendars]` in the settings has `zone`, `working_days`, and optionally `cutoff` and `holidays`")
            }),
            (None, CalendarBody::File(path)) => match loader.load(file, &path.value) {
                Ok(src) => Calendar::from_toml(&src.text).map_err(|e| {
                    Diag::error("precept::type::invalid-calendar", format!("invalid calendar file `{}`", path.value))
                        .at(file, path.span, e)
                        .help("a calendar file has `zone`, `working_days`, and optionally `cutoff` and `holidays`")
                }),
                Err(e) => Err(Diag::error(
                    "precept::type::invalid-calendar",
                    format!("cannot read calendar file `{}`", path.value),
                )
                .at(file, path.span, e)
                .help("calendar files are found relative to the policy file, inside the policy folder")),
            },
            (None, CalendarBody::Inline { zone, working, cutoff, holidays }) => {
                self.inline_calendar(file, cal, zone.as_ref(), working, cutoff.as_ref(), holidays)
            }
        };
        match built {
            Ok(c) => {
                self.calendar_names.insert(cal.name.text.clone(), (self.calendars.len(), file.clone(), cal.name.span));
                self.calendars.push(c);
            }
            Err(d) => {
                // Known by name, so a code using it is not also told the calendar does not exist.
                self.calendar_names.insert(cal.name.text.clone(), (UNKNOWN_CALENDAR, file.clone(), cal.name.span));
                self.diags.push(d);
            }
        }
    }

    fn inline_calendar(
        &mut self,
        file: &SourceFile,
        cal: &ast::CalendarDecl,
        zone: Option<&ast::Str>,
        working: &[ast::Name],
        cutoff: Option<&ast::Name>,
        holidays: &[ast::Name],
    ) -> Result<Calendar, Diag> {
        let help = "a calendar has `zone \"Europe/London\"`, `working mon, tue, wed, thu, fri`, optionally `cutoff 17:00` and `holidays 2024-12-25, ...`";
        let Some(zone) = zone else {
            return Err(Diag::error(
                "precept::type::invalid-calendar",
                format!("calendar `{}` has no `zone`", cal.name.text),
            )
            .at(file, cal.name.span, "needs a time zone")
            .help(help));
        };
        let mut dates = Vec::new();
        for h in holidays {
            match h.text.parse::<jiff::civil::Date>() {
                Ok(d) => dates.push(d),
                Err(_) => {
                    return Err(Diag::error("precept::type::invalid-literal", format!("`{}` is not a date", h.text))
                        .at(file, h.span, "not a real date")
                        .help("write dates as `YYYY-MM-DD`"))
                }
            }
        }
        let days: Vec<&str> = working.iter().map(|w| w.text.as_str()).collect();
        Calendar::new(&zone.value, &days, cutoff.map(|c| c.text.as_str()), &dates).map_err(|e| {
            use crate::calendar::CalendarError as E;
            let span = match &e {
                E::UnknownZone(_) => zone.span,
                E::BadCutoff(_) => cutoff.map_or(cal.name.span, |c| c.span),
                E::BadWeekday(w) => {
                    working.iter().find(|x| x.text.trim() == w.trim()).map_or(cal.name.span, |x| x.span)
                }
                _ => cal.name.span,
            };
            Diag::error("precept::type::invalid-calendar", format!("invalid calendar `{}`: {e}", cal.name.text))
                .at(file, span, e.to_string())
                .help(help)
        })
    }
}
