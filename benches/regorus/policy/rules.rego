# The rules of rules.precept, one Rego rule per Precept rule with the same id, for the peer
# comparison with regorus. Each rule adds `[rule_id, record_id]` to `violations` for every record
# that breaks it; the records are `input.records` (the comparison gives either one record per
# evaluation or a whole batch, with the same policy).
#
# Faithful to Precept's semantics for the records the benchmark generates:
# - a field is missing when it is absent or null (`present`);
# - instants are RFC 3339 with an offset, compared as instants (nanoseconds since the epoch);
#   a duration of `2 days` is 48 hours, `8 weeks` is 56 days;
# - money is counted in whole pence, exactly: "12.34 GBP", "12.34", "12.3", "12" or a JSON number;
# - Precept's `a implies b`, `any`, `all`, `none` and `count` over a list become `not`, `some` and
#   comprehensions; a list that is missing has no members.
# Input errors (a malformed instant or amount) are Precept diagnostics and are not modelled here.
package precept.bench

import rego.v1

present(obj, key) if obj[key] != null

ns(t) := time.parse_rfc3339_ns(t)

second := 1000000000

# --- money, in pence ---

sign(s) := -1 if startswith(s, "-")
else := 1

pence(a) := n if {
	is_number(a)
	n := round(a * 100)
}

pence(a) := n if {
	is_string(a)
	t := trim_suffix(a, " GBP")
	not contains(t, ".")
	n := to_number(t) * 100
}

pence(a) := n if {
	is_string(a)
	t := trim_suffix(a, " GBP")
	[whole, frac] := split(t, ".")
	count(frac) > 0
	count(frac) <= 2
	# "1" in front keeps to_number from refusing a leading zero ("05" pence)
	cents := to_number(concat("", ["1", substring(concat("", [frac, "0"]), 0, 2)])) - 100
	n := sign(whole) * ((abs(to_number(whole)) * 100) + cents)
}

# `a.amount otherwise 0.00 GBP`
amount_or_zero(a) := p if {
	present(a, "amount")
	p := pence(a.amount)
} else := 0

has_action(r, kind) if {
	some a in r.actions
	a.type == kind
}

# --- policies/industry/retail-customer-service-code.precept ---

wait_limit(channel) := 5 * 60 if channel == "phone"
else := 10 * 60 if channel == "web_chat"
else := 15 * 60 if channel == "store"
else := 24 * 3600

violations contains ["answered-promptly", r.id] if {
	some r in input.records
	r.customer.kind == "external"
	r.channel != "self_service"
	present(r, "first_response_at")
	ns(r.first_response_at) - ns(r.opened_at) > wait_limit(r.channel) * second
}

violations contains ["unavailable-alternative-offered", r.id] if {
	some r in input.records
	r.product_available == false
	not has_action(r, "alternative")
}

violations contains ["complaint-resolved", r.id] if {
	some r in input.records
	r.kind == "complaint"
	present(r, "resolved_at")
	ns(r.resolved_at) > ns(r.opened_at) + ((8 * 7) * 86400) * second
}

deadlock_ref_given(r) if regex.match(`^DL-[0-9]{6}$`, r.ombudsman_ref)

violations contains ["unresolved-told-ombudsman", r.id] if {
	some r in input.records
	r.outcome == "unresolved"
	r.kind == "complaint"
	not deadlock_ref_given(r)
}

# --- policies/organisational/northbrook-service-charter.precept ---

# The charter's version: within the booked 15-minute slot.
kept_in_slot(r) if {
	present(r, "promised_at")
	present(r, "delivered_at")
	ns(r.delivered_at) <= ns(r.promised_at) + (15 * 60) * second
}

violations contains ["promise-kept", r.id] if {
	some r in input.records
	r.kind in {"callback", "appointment", "delivery"}
	not kept_in_slot(r)
}

violations contains ["unavailable-shortfall-reported", r.id] if {
	some r in input.records
	r.product_available == false
	not has_action(r, "shortfall_report")
}

approved_by_another(a) if {
	present(a, "approved_by")
	a.approved_by != a.by
}

violations contains ["refund-approval-over-limit", r.id] if {
	some r in input.records
	present(r, "actions")
	some a in r.actions
	a.type == "refund"
	amount_or_zero(a) > 5000
	not approved_by_another(a)
}

# --- policies/professional/institute-member-code.precept ---

needs_listed(r) if {
	is_array(r.needs)
	count(r.needs) > 0
}

violations contains ["needs-identified", r.id] if {
	some r in input.records
	r.status == "closed"
	not needs_listed(r)
}

confirmed_before_close(r) if {
	present(r, "needs_confirmed_at")
	present(r, "closed_at")
	ns(r.needs_confirmed_at) <= ns(r.closed_at)
}

violations contains ["needs-confirmed-before-close", r.id] if {
	some r in input.records
	r.status == "closed"
	not confirmed_before_close(r)
}

referral_reasoned(r, f) if {
	f.to != r.handled_by
	present(f, "reason")
}

violations contains ["referral-reasoned", r.id] if {
	some r in input.records
	present(r, "referrals")
	some f in r.referrals
	not referral_reasoned(r, f)
}

# --- policies/ethical/fair-trade-pledge.precept ---

violations contains ["fair-trade-certified", r.id] if {
	some r in input.records
	present(r, "items")
	some i in r.items
	i.fair_trade == true
	i.supplier_certified == false
}

refund_made(r) if {
	some a in r.actions
	a.type == "refund"
	present(a, "amount")
	pence(a.amount) > 0
}

violations contains ["refund-honoured", r.id] if {
	some r in input.records
	r.outcome == "refunded"
	not refund_made(r)
}

# --- benches/policy/extra.precept ---

violations contains ["bench-email-first-response", r.id] if {
	some r in input.records
	r.channel == "email"
	present(r, "first_response_at")
	ns(r.first_response_at) - ns(r.opened_at) > (2 * 86400) * second
}

violations contains ["bench-refund-small", r.id] if {
	some r in input.records
	r.kind == "refund_request"
	present(r, "actions")
	count([a | some a in r.actions; a.type == "refund"]) > 2
}

agent_named(r) if {
	regex.match(`^[a-z]+[.][a-z]+$`, r.handled_by)
	not contains(r.handled_by, " ")
}

violations contains ["bench-agent-named", r.id] if {
	some r in input.records
	not agent_named(r)
}

violations contains ["bench-ticket-format", r.id] if {
	some r in input.records
	not regex.match(`^[A-Z]{2,4}-[0-9]+$`, r.id)
}

closed_after_opening(r) if {
	present(r, "closed_at")
	ns(r.closed_at) >= ns(r.opened_at)
}

violations contains ["bench-closed-has-close-time", r.id] if {
	some r in input.records
	r.status == "closed"
	not closed_after_opening(r)
}

violations contains ["bench-goodwill-capped", r.id] if {
	some r in input.records
	present(r, "actions")
	some a in r.actions
	a.type == "goodwill"
	amount_or_zero(a) > 2500
}
