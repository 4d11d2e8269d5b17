//! Seeded service records for the benchmarks, in JSON Lines or as the helpdesk's CSV export.
//!
//! Shared by `benches/check.rs` and the peer benchmark under `benches/regorus/` (which includes this
//! file with `#[path = "../../support/generate.rs"] mod generate;`), so it depends on nothing but
//! std, `fastrand` and `jiff`, and both benchmarks read exactly the same records.
//!
//! Two mixes:
//! - [`Mix::Light`]: mostly compliant records with a realistic sprinkling of late, missing and wrong
//!   values (about 3% of records break a rule). Its bytes are those the benchmark has always
//!   generated, so figures measured before the heavy mix existed stay comparable.
//! - [`Mix::Heavy`]: the same records, then about half of them changed to break at least one
//!   per-record rule of the check policy set (`policies/` plus `benches/policy/`), as in an
//!   organisation adopting Precept on old data. Breaches are drawn from a second seeded stream, so
//!   the light stream is untouched and the two files differ only where a breach was put in: the
//!   difference between the two runs is the cost of the findings (see `benches/check.rs`).

// Each crate that includes this file uses only part of it.
#![allow(dead_code)]
// A benchmark's generator has nowhere to report a failed write but a panic with its cause.
#![allow(clippy::expect_used)]

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Which records: few breaches, or about half of the records breaking a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mix {
    /// About 3% of records break a rule (the benchmark's original records, byte for byte).
    Light,
    /// About half of the records break at least one per-record rule.
    Heavy,
}

impl Mix {
    /// Both mixes, light first.
    pub const ALL: [Mix; 2] = [Mix::Light, Mix::Heavy];

    /// The name used on the command line and in file names (`light`, `heavy`).
    pub fn name(self) -> &'static str {
        match self {
            Mix::Light => "light",
            Mix::Heavy => "heavy",
        }
    }

    /// The mix named `name` (`light` or `heavy`).
    pub fn parse(name: &str) -> Option<Mix> {
        match name {
            "light" => Some(Mix::Light),
            "heavy" => Some(Mix::Heavy),
            _ => None,
        }
    }

    /// The benchmark's file name for `n` records of this mix: `light-100000.jsonl`.
    pub fn file_name(self, n: usize, csv: bool) -> String {
        format!("{}-{n}.{}", self.name(), if csv { "csv" } else { "jsonl" })
    }
}

/// Writes `n` records of `mix` to `path`: the helpdesk CSV export (with its header) when `csv`,
/// else JSON Lines. The same arguments always give the same bytes.
pub fn generate(n: usize, path: &Path, csv: bool, mix: Mix) {
    let file = std::fs::File::create(path).expect("create the record file");
    let mut w = BufWriter::new(file);
    if csv {
        writeln!(w, "{CSV_HEADER}").expect("write the record file");
    }
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut breaches = fastrand::Rng::with_seed(0xb4ea_c4e5);
    let mut line = String::with_capacity(1024);
    for i in 0..n {
        let mut record = Record::draw(&mut rng, i, csv);
        if mix == Mix::Heavy {
            breach(&mut record, &mut breaches, csv);
        }
        line.clear();
        if csv {
            record.write_csv(&mut line);
        } else {
            record.write_json(&mut line);
        }
        writeln!(w, "{line}").expect("write the record file");
    }
    w.flush().expect("write the record file");
}

const CSV_HEADER: &str = "Ticket ID,Type,Channel,Customer Type,Customer ID,Department,Agent,Team,Status,Opened,Acknowledged,First Response,Promised For,Delivered,Resolved,Closed,Needs,Needs Confirmed,Outcome,Escalated,Ombudsman Ref,In Stock";

const KINDS: [&str; 7] = ["enquiry", "complaint", "refund_request", "order", "callback", "appointment", "delivery"];
const CHANNELS: [&str; 5] = ["phone", "email", "web_chat", "store", "self_service"];
/// Customer advisors of the bundled organisation (fixtures/org) throughout 2024, so the scope rules
/// look up real roles; their team leaders approve and take referrals.
const ADVISORS: [&str; 5] = ["amara.okafor", "ellie.murphy", "chloe.davies", "dev.patel", "ben.hughes"];
const ACTIONS: [&str; 6] = ["refund", "replacement", "alternative", "shortfall_report", "apology", "goodwill"];
const TEAMS: [&str; 12] = [
    "Returns",
    "Home Delivery",
    "Click and Collect",
    "Store Services",
    "Online Orders",
    "Repairs",
    "Installations",
    "Business Accounts",
    "Credit",
    "Loyalty",
    "Web Chat",
    "Telephone",
];
/// 2024-01-01T00:00:00Z: records open through 2024, when the 2024 wording of the codes is in force.
const BASE: i64 = 1_704_067_200;
const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// One record's values, drawn in the order the original generator drew them so the light mix
/// keeps its bytes; a breach changes some of them before the record is written.
struct Record {
    id: String,
    kind: &'static str,
    channel: &'static str,
    internal: bool,
    customer: u32,
    agent: String,
    team: &'static str,
    escalated: bool,
    closed: bool,
    opened: i64,
    /// In the CSV export, only complaints carry an acknowledgement.
    acknowledged: Option<i64>,
    first_response: i64,
    promised: i64,
    delivered: Option<i64>,
    resolved: i64,
    closed_at: Option<i64>,
    /// `false`: the record lists no needs (an empty list in JSON, an empty cell in CSV).
    needs: bool,
    needs_confirmed: i64,
    outcome: &'static str,
    ombudsman_ref: Option<String>,
    in_stock: bool,
    // JSON Lines only: the helpdesk CSV export has no actions, referrals or items.
    action: &'static str,
    amount: String,
    approved_by: Option<String>,
    alternative_offered: bool,
    shortfall_reported: bool,
    referral_to: &'static str,
    referral_reason: bool,
    fair_trade: bool,
    supplier_certified: bool,
}

impl Record {
    fn draw(rng: &mut fastrand::Rng, i: usize, csv: bool) -> Record {
        let kind = KINDS[rng.usize(..KINDS.len())];
        let channel = CHANNELS[rng.usize(..CHANNELS.len())];
        let internal = rng.u8(..10) == 0;
        let opened = BASE + rng.i64(0..360 * DAY);
        let late = rng.u8(..20) == 0;
        let acknowledged = opened + rng.i64(60..(if late { 5 } else { 1 }) * DAY);
        // About one record in fifty is late somewhere; the rest keep to every limit.
        let slow = rng.u8(..50) == 0;
        let first_response = opened + if slow { rng.i64(300..90_000) } else { rng.i64(30..280) };
        let promised = opened + DAY;
        let delivered = promised - if slow { rng.i64(-3600..0) } else { rng.i64(0..3600) };
        let resolved = opened + rng.i64(3600..50 * DAY);
        let closed = rng.bool();
        let needs_confirmed = resolved - rng.i64(-60..3600);
        // The helpdesk CSV export has no actions, so a CSV record cannot show a refund or an
        // alternative offered: keep those cases to the JSON Lines file.
        let in_stock = csv || rng.u8(..10) != 0;
        let action = ACTIONS[rng.usize(..ACTIONS.len())];
        let outcome = match action {
            "refund" if !csv => "refunded",
            "replacement" => "replaced",
            _ if rng.u8(..10) == 0 => "unresolved",
            _ => "resolved",
        };
        let agent = ADVISORS[rng.usize(..ADVISORS.len())];
        let team = TEAMS[rng.usize(..TEAMS.len())];
        let escalated = rng.u8(..40) == 0;
        let amount = if csv {
            String::new()
        } else {
            let pounds = if action == "goodwill" { rng.u32(1..25) } else { rng.u32(1..80) };
            format!("{pounds}.{:02} GBP", rng.u32(..100))
        };
        let customer = rng.u32(..100_000);
        let ombudsman_ref = (outcome == "unresolved").then(|| format!("DL-{:06}", rng.u32(..1_000_000)));
        let (fair_trade, supplier_certified) = if csv { (false, true) } else { (rng.bool(), rng.u8(..50) != 0) };
        Record {
            id: format!("TK-{i}"),
            kind,
            channel,
            internal,
            customer,
            agent: agent.to_string(),
            team,
            escalated,
            closed,
            opened,
            acknowledged: (!csv || kind == "complaint").then_some(acknowledged),
            first_response,
            promised,
            delivered: Some(delivered),
            resolved,
            closed_at: closed.then_some(resolved + 60),
            needs: true,
            needs_confirmed,
            outcome,
            ombudsman_ref,
            in_stock,
            action,
            amount,
            approved_by: Some("farah.khan".to_string()),
            alternative_offered: true,
            shortfall_reported: true,
            referral_to: "callum.reid",
            referral_reason: true,
            fair_trade,
            supplier_certified,
        }
    }

    fn write_csv(&self, line: &mut String) {
        let or_empty = |t: Option<i64>| t.map(ts).unwrap_or_default();
        write!(
            line,
            "{},{},{},{},C-{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            self.id,
            self.kind,
            self.channel,
            if self.internal { "internal" } else { "external" },
            self.customer,
            if self.internal { "Packaging" } else { "" },
            self.agent,
            self.team,
            if self.closed { "closed" } else { "open" },
            ts(self.opened),
            or_empty(self.acknowledged),
            ts(self.first_response),
            ts(self.promised),
            or_empty(self.delivered),
            ts(self.resolved),
            or_empty(self.closed_at),
            if self.needs { "delivery;refund" } else { "" },
            ts(self.needs_confirmed),
            self.outcome,
            self.escalated,
            self.ombudsman_ref.as_deref().unwrap_or_default(),
            self.in_stock,
        )
        .expect("format a record");
    }

    fn write_json(&self, line: &mut String) {
        let field = |name: &str, t: Option<i64>| t.map(|t| format!(r#","{name}":"{}""#, ts(t))).unwrap_or_default();
        write!(
            line,
            r#"{{"id":"{}","kind":"{}","channel":"{}","customer":{{"kind":"{}","id":"C-{}"{}}},"handled_by":"{}","team":"{}","escalated":{},"status":"{}","opened_at":"{}"{},"first_response_at":"{}","promised_at":"{}"{},"resolved_at":"{}"{},"needs":[{}],"needs_confirmed_at":"{}","outcome":"{}"{},"product_available":{},"actions":[{{"type":"{}","amount":"{}","by":"{}"{}}}{}{}],"referrals":[{{"to":"{}"{}}}],"items":[{{"fair_trade":{},"supplier_certified":{}}}],"notes":"free text the schema does not declare is skipped"}}"#,
            self.id,
            self.kind,
            self.channel,
            if self.internal { "internal" } else { "external" },
            self.customer,
            if self.internal { r#","department":"Packaging""# } else { "" },
            self.agent,
            self.team,
            self.escalated,
            if self.closed { "closed" } else { "open" },
            ts(self.opened),
            field("acknowledged_at", self.acknowledged),
            ts(self.first_response),
            ts(self.promised),
            field("delivered_at", self.delivered),
            ts(self.resolved),
            field("closed_at", self.closed_at),
            if self.needs { r#""delivery","refund""# } else { "" },
            ts(self.needs_confirmed),
            self.outcome,
            self.ombudsman_ref.as_ref().map(|r| format!(r#","ombudsman_ref":"{r}""#)).unwrap_or_default(),
            self.in_stock,
            self.action,
            self.amount,
            self.agent,
            self.approved_by.as_ref().map(|a| format!(r#","approved_by":"{a}""#)).unwrap_or_default(),
            if self.alternative_offered { format!(r#",{{"type":"alternative","by":"{}"}}"#, self.agent) } else { String::new() },
            if self.shortfall_reported { format!(r#",{{"type":"shortfall_report","by":"{}"}}"#, self.agent) } else { String::new() },
            self.referral_to,
            if self.referral_reason { r#","reason":"beyond scope""# } else { "" },
            self.fair_trade,
            self.supplier_certified,
        )
        .expect("format a record");
    }
}

/// An instant as the records write it: RFC 3339 in UTC (`2024-03-05T09:12:44Z`).
fn ts(t: i64) -> String {
    jiff::Timestamp::from_second(t).expect("an instant within jiff's range").to_string()
}

/// The kinds of breach the heavy mix puts in, each of a per-record rule of the check policy set
/// (named in the comment). Several touch more than one rule, as real bad data does.
#[derive(Clone, Copy, Debug)]
enum Breach {
    /// A complaint acknowledged a week or more after it was opened, or never (complaint-acknowledged).
    LateAcknowledgement,
    /// An external customer's first response past the channel's limit (answered-promptly; an email
    /// past two days also bench-email-first-response); an internal request answered after more
    /// than two business days (internal-request-answered).
    LateFirstResponse,
    /// A call-back, appointment or delivery after its 15-minute slot, or never (promise-kept).
    PromiseBroken,
    /// A complaint resolved after 8 weeks (complaint-resolved, and past 40 business days
    /// bench-resolution-business-days).
    LateResolution,
    /// A complaint closed unresolved with no or a malformed deadlock reference
    /// (unresolved-told-ombudsman).
    NoDeadlockReference,
    /// A closed record with no close time (bench-closed-has-close-time, needs-confirmed-before-close).
    ClosedWithoutCloseTime,
    /// A closed record whose customer confirmed their needs after the close
    /// (needs-confirmed-before-close).
    ConfirmedAfterClose,
    /// A closed record that lists no needs (needs-identified).
    NoNeeds,
    /// A ticket reference out of the `AB-123` pattern (bench-ticket-format).
    MalformedTicketId,
    /// A handler written with a space or capitals (bench-agent-named).
    MalformedAgentName,
    /// A product out of stock with no alternative offered or no shortfall reported (in CSV, which
    /// has no actions, both: unavailable-alternative-offered, unavailable-shortfall-reported).
    Unavailable,
    /// A goodwill payment over the 25.00 GBP cap (bench-goodwill-capped).
    GoodwillOverCap,
    /// A refund over 50.00 GBP not approved by a second colleague (refund-approval-over-limit).
    RefundUnapproved,
    /// The outcome `refunded` with no refund made (refund-honoured).
    RefundedWithoutRefund,
    /// Goods sold as fair trade from an uncertified supplier (fair-trade-certified).
    UncertifiedFairTrade,
    /// A referral with no reason recorded (referral-reasoned).
    ReferralWithoutReason,
}

/// How many records in 1,000 get a breach: with the light mix's own breaches (about 3% of
/// records), about half of the records break at least one rule.
const BREACHED_PER_MILLE: u32 = 485;

/// With probability [`BREACHED_PER_MILLE`], puts one breach into `record`, chosen among those its
/// kind, channel and format allow (some break more than one rule, as real bad data does: a closed
/// record with no close time also has no close to confirm its needs before). The draws come from
/// `rng` alone, so the light stream, and with it every value a breach leaves alone, is the same in
/// both mixes.
fn breach(record: &mut Record, rng: &mut fastrand::Rng, csv: bool) {
    if rng.u32(..1000) >= BREACHED_PER_MILLE {
        return;
    }
    let options = applicable(record, csv);
    let chosen = options[rng.usize(..options.len())];
    apply(record, chosen, rng);
}

/// The breaches that would show in `record`: those of complaints only for a complaint, and so on.
fn applicable(record: &Record, csv: bool) -> Vec<Breach> {
    use Breach::*;
    let mut options =
        vec![ClosedWithoutCloseTime, ConfirmedAfterClose, NoNeeds, MalformedTicketId, MalformedAgentName, Unavailable];
    if record.kind == "complaint" {
        options.extend([LateAcknowledgement, LateResolution, NoDeadlockReference]);
    }
    if record.internal || record.channel != "self_service" {
        options.push(LateFirstResponse);
    }
    if matches!(record.kind, "callback" | "appointment" | "delivery") {
        options.push(PromiseBroken);
    }
    if !csv {
        options.extend([
            GoodwillOverCap,
            RefundUnapproved,
            RefundedWithoutRefund,
            UncertifiedFairTrade,
            ReferralWithoutReason,
        ]);
    }
    options
}

fn apply(record: &mut Record, breach: Breach, rng: &mut fastrand::Rng) {
    match breach {
        Breach::LateAcknowledgement => {
            // A week is past one business day even over Christmas and a weekend.
            record.acknowledged =
                if rng.u8(..5) == 0 { None } else { Some(record.opened + rng.i64(7 * DAY..20 * DAY)) };
        }
        Breach::LateFirstResponse => {
            record.first_response = record.opened
                + if record.internal {
                    rng.i64(6 * DAY..15 * DAY)
                } else {
                    let limit = match record.channel {
                        "phone" => 5 * MINUTE,
                        "web_chat" => 10 * MINUTE,
                        "store" => 15 * MINUTE,
                        _ => DAY,
                    };
                    limit + rng.i64(MINUTE..4 * limit)
                };
        }
        Breach::PromiseBroken => {
            record.delivered =
                if rng.u8(..5) == 0 { None } else { Some(record.promised + rng.i64(16 * MINUTE..6 * HOUR)) };
        }
        Breach::LateResolution => {
            record.resolved = record.opened + rng.i64(57 * DAY..120 * DAY);
            record.needs_confirmed = record.resolved - rng.i64(0..HOUR);
            record.closed_at = record.closed.then_some(record.resolved + MINUTE);
        }
        Breach::NoDeadlockReference => {
            record.outcome = "unresolved";
            record.ombudsman_ref = match rng.u8(..3) {
                0 => None,
                1 => Some(format!("DL-{:04}", rng.u32(..10_000))),
                _ => Some(format!("deadlock {}", rng.u32(..1_000_000))),
            };
        }
        Breach::ClosedWithoutCloseTime => {
            record.closed = true;
            record.closed_at = None;
        }
        Breach::ConfirmedAfterClose => {
            record.closed = true;
            record.closed_at = Some(record.resolved + MINUTE);
            record.needs_confirmed = record.resolved + rng.i64(HOUR..5 * DAY);
        }
        Breach::NoNeeds => {
            record.closed = true;
            record.closed_at = Some(record.resolved + MINUTE);
            record.needs = false;
        }
        Breach::MalformedTicketId => {
            let number = record.id.trim_start_matches("TK-").to_string();
            record.id = match rng.u8(..5) {
                0 => format!("tk-{number}"),
                1 => format!("TK{number}"),
                2 => format!("TICKET-{number}"),
                3 => format!("TK-{number}A"),
                _ => format!("TK_{number}"),
            };
        }
        Breach::MalformedAgentName => {
            record.agent = if rng.bool() {
                record.agent.replace('.', " ")
            } else {
                let mut name = record.agent.clone();
                if let Some(first) = name.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                name
            };
        }
        Breach::Unavailable => {
            record.in_stock = false;
            match rng.u8(..3) {
                0 => record.alternative_offered = false,
                1 => record.shortfall_reported = false,
                _ => {
                    record.alternative_offered = false;
                    record.shortfall_reported = false;
                }
            }
        }
        Breach::GoodwillOverCap => {
            record.action = "goodwill";
            record.amount = format!("{}.{:02} GBP", rng.u32(26..150), rng.u32(..100));
        }
        Breach::RefundUnapproved => {
            record.action = "refund";
            record.amount = format!("{}.{:02} GBP", rng.u32(51..400), rng.u32(..100));
            record.approved_by = if rng.bool() { None } else { Some(record.agent.clone()) };
        }
        Breach::RefundedWithoutRefund => {
            record.outcome = "refunded";
            record.action = if rng.bool() { "apology" } else { "replacement" };
        }
        Breach::UncertifiedFairTrade => {
            record.fair_trade = true;
            record.supplier_certified = false;
        }
        Breach::ReferralWithoutReason => record.referral_reason = false,
    }
}
