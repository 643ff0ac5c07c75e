package main

import (
	"strings"
)

// The lifecycle topic exercises the two pure ops of formats.md "The
// lifecycle ops": plan (the verdict on what is cached, the epoch to store,
// and when to fetch each document, and why) and accept (whether a fetched
// document replaces the cached one). Every expected time is worked out
// here from the rule the vector exercises.
func init() {
	register(topic{
		name: "lifecycle",
		notes: map[string]string{
			"Verdict":      "plan's verdict: proof_missing, the proof's own result, the set's revoked or suspended, else ok",
			"Covered":      "a proof below the stored epoch with a verified chain that reaches it: the chain answers for revocations up to there",
			"StoreEpoch":   "the epoch to store: the higher of the two results' store epochs",
			"RefreshProof": "when to fetch a proof and why: missing, rejected, behind, refresh_point",
			"SyncSet":      "when to sync the set and why: missing, rejected, deltas, behind, expired, interval; since_epoch when a delta will do",
			"Backoff":      "after failed fetches: failed_at + min(backoff × 2^(n−1), backoff_max)",
			"ClockBack":    "a time the host recorded lies after now (the clock was wrong then or is now): read as absent",
			"Stale":        "a set past its valid_until: its revocations stay in force, a sync is due now",
			"AcceptProof":  "accept of a fetched status proof",
			"AcceptSet":    "accept of a fetched full revocation set",
			"AcceptDelta":  "accept of a fetched revocation delta (a revocation answer with since_epoch)",
			"Refused":      "the fetched document is not taken; the cache is kept",
			"BadRequest":   "a request the module must refuse",
		},
		tests: lifecycleTests,
	})
}

const (
	lcNow       = "2026-03-01T12:00:00Z"
	lcChecked   = "2026-03-01T00:00:00Z"
	lcValidTo   = "2026-03-02T00:00:00Z" // 24 h after lcChecked
	lcRefresh75 = "2026-03-01T18:00:00Z" // lcChecked + 75 % of 24 h
	lcSyncedAt  = "2026-03-01T11:58:00Z"
	lcNextSync  = "2026-03-01T12:03:00Z" // lcSyncedAt + 300 s
	lcOther     = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
)

// The sets below revoke rvRevoked2, rvAdded and rvNewSusp, never the test
// license (spLicense, which is rvRevoked1) unless a vector says so.

// lcRing holds the status-proof issuer's and the revocation issuer's
// current keys: one keyring verifies both kinds.
func lcRing() string {
	return keyring(ringKey{kid: spKID, name: "status-issuer"}, ringKey{kid: rvKID, name: "revocation-issuer"})
}

// lcProof is a proof for the test license checked at lcChecked, 24 h
// long, at epoch 42; set overrides members.
func lcProof(set map[string]any) map[string]any {
	p := spWith(map[string]any{"checked_at": lcChecked, "valid_until": lcValidTo})
	for k, v := range set {
		if v == nil {
			delete(p, k)
			continue
		}
		p[k] = v
	}
	return spSigned(p)
}

// lcDoc is a revocation document: a full set without since, a delta
// with it.
type lcDoc struct {
	doc                map[string]any
	revoked, suspended int // counts of the set the chain reaches with it
}

func lcSet(epoch int, issued, until string, revoked []any, suspended []any) lcDoc {
	d := map[string]any{"epoch": epoch, "revoked_ids": revoked, "issued_at": issued, "valid_until": until, "issuer_kid": rvKID}
	if suspended != nil {
		d["suspended"] = suspended
	}
	return lcDoc{doc: rvSigned(d), revoked: len(revoked), suspended: len(suspended)}
}

func lcDelta(epoch, since int, issued, until string, added []any, revoked, suspended int) lcDoc {
	d := map[string]any{"epoch": epoch, "since_epoch": since, "added": added, "removed": []any{},
		"issued_at": issued, "valid_until": until, "issuer_kid": rvKID}
	return lcDoc{doc: rvSigned(d), revoked: revoked, suspended: suspended}
}

func (d lcDoc) text() string { return text(d.doc) }

// result is the revocation_set answer for a chain ending at d with code.
func (d lcDoc) result(code string, stale, store bool) map[string]any {
	return rvClaims(d.doc, code, rvKID, d.revoked, d.suspended, stale, store)
}

// ok is the revocation_set answer of a valid chain ending at d.
func (d lcDoc) ok() map[string]any { return d.result("ok", false, true) }

// withLookup adds the lookup of the test license to a valid set answer.
func withLookup(e map[string]any, status, until string) map[string]any {
	return withLookups(e, lookup(spLicense, status, until))
}

func fetch(at, reason string, since any) map[string]any {
	f := map[string]any{"at": at, "reason": reason}
	if since != nil {
		f["since_epoch"] = since
	}
	return f
}

// planExp is a plan answer. proof and set are nil when absent; store is
// nil when neither result has a store epoch.
func planExp(code string, proof, set map[string]any, store any, refresh, sync map[string]any) map[string]any {
	e := map[string]any{"valid": code == "ok", "code": code, "refresh_proof": refresh, "sync_set": sync}
	if proof != nil {
		e["proof"] = proof
	}
	if set != nil {
		e["set"] = set
	}
	if store != nil {
		e["store_epoch"] = store
	}
	// next_at: the earlier of the two; RFC 3339 UTC strings of one
	// format compare as times.
	next := refresh["at"].(string)
	if s := sync["at"].(string); s < next {
		next = s
	}
	e["next_at"] = next
	return e
}

// acceptExp is an accept answer: the verdict code, whether taken, what to
// persist, and the fetched document's result.
func acceptExp(code string, persist string, store any, result map[string]any) map[string]any {
	e := map[string]any{"valid": code == "ok", "code": code, "accept": persist != "", "result": result}
	if persist != "" {
		e["persist"] = persist
	}
	if store != nil {
		e["store_epoch"] = store
	}
	return e
}

// lcCache is a request's cached documents and options.
type lcCache struct {
	proof  map[string]any // nil: none
	set    *lcDoc
	deltas []lcDoc
	extra  map[string]any
}

func (c lcCache) request(op string) map[string]any {
	r := map[string]any{"op": op, "keys": lcRing(), "now": lcNow}
	if c.proof != nil {
		r["proof"] = text(c.proof)
	}
	if c.set != nil {
		r["set"] = c.set.text()
	}
	if len(c.deltas) > 0 {
		ds := make([]string, len(c.deltas))
		for i, d := range c.deltas {
			ds[i] = d.text()
		}
		r["deltas"] = ds
	}
	for k, v := range c.extra {
		r[k] = v
	}
	return r
}

func lifecycleTests() []test {
	var tests []test
	plan := func(id, flags, comment string, c lcCache, exp map[string]any) {
		tests = append(tests, test{ID: "lifecycle/plan-" + id, Comment: comment, Flags: strings.Fields(flags),
			Request: c.request("plan"), Expected: exp})
	}
	accept := func(id, flags, comment, kind string, fetched string, c lcCache, exp map[string]any) {
		r := c.request("accept")
		r["kind"] = kind
		r["fetched"] = fetched
		tests = append(tests, test{ID: "lifecycle/accept-" + id, Comment: comment, Flags: strings.Fields(flags),
			Request: r, Expected: exp})
	}
	withExtra := func(m ...map[string]any) map[string]any {
		out := map[string]any{}
		for _, x := range m {
			for k, v := range x {
				out[k] = v
			}
		}
		return out
	}
	synced := map[string]any{"synced_at": lcSyncedAt}

	proof := lcProof(nil)
	proofOK := spClaims(proof, "ok", true)
	refreshPoint := fetch(lcRefresh75, "refresh_point", nil)
	// The set at epoch 42 revokes another license; it was issued 5 min
	// before now and is valid for an hour.
	s42 := lcSet(42, "2026-03-01T11:55:00Z", "2026-03-01T12:55:00Z", []any{rvRevoked2}, nil)
	interval42 := fetch(lcNextSync, "interval", 42)
	base := lcCache{proof: proof, set: &s42, extra: synced}

	// The verdict.
	plan("ok", "Verdict StoreEpoch RefreshProof SyncSet", "a valid proof and a fresh set that does not list the license: ok, refresh at 75 %, sync 300 s after synced_at",
		base, planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, interval42))
	plan("empty-cache", "Verdict RefreshProof SyncSet", "nothing cached: proof_missing; both fetches due now, a full set",
		lcCache{}, planExp("proof_missing", nil, nil, nil, fetch(lcNow, "missing", nil), fetch(lcNow, "missing", nil)))
	plan("no-proof", "Verdict RefreshProof", "a set but no proof: proof_missing, and the set is answered without a lookup",
		lcCache{set: &s42, extra: synced}, planExp("proof_missing", nil, s42.ok(), 42, fetch(lcNow, "missing", nil), interval42))
	plan("no-set", "Verdict SyncSet", "a proof but no set: the proof's verdict; a full set is due now",
		lcCache{proof: proof}, planExp("ok", proofOK, nil, 42, refreshPoint, fetch(lcNow, "missing", nil)))
	{
		p := lcProof(map[string]any{"checked_at": "2026-02-28T00:00:00Z", "valid_until": "2026-03-01T00:00:00Z"})
		plan("proof-expired", "Verdict RefreshProof StoreEpoch", "the cached proof is past its valid_until: proof_expired, fetch now (rejected); the set's epoch is stored",
			lcCache{proof: p, set: &s42, extra: synced},
			planExp("proof_expired", spClaims(p, "proof_expired", false), withLookup(s42.ok(), "not_revoked", ""), 42, fetch(lcNow, "rejected", nil), interval42))
	}
	{
		s43 := lcSet(43, "2026-03-01T11:56:00Z", "2026-03-01T12:56:00Z", []any{rvRevoked2, rvAdded}, nil)
		plan("proof-below-stored-covered", "Verdict RefreshProof StoreEpoch Covered", "the stored epoch is 43 (a set moved it: another license was revoked) and the proof names 42: the set, verified at 43, answers for revocations up to the stored epoch and does not list the license, so the proof stays valid and is refreshed at its point",
			lcCache{proof: proof, set: &s43, extra: withExtra(synced, map[string]any{"min_epoch": 43})},
			planExp("ok", proofOK, withLookup(s43.ok(), "not_revoked", ""), 43,
				refreshPoint, fetch(lcNextSync, "interval", 43)))
		plan("proof-epoch-rollback", "Verdict RefreshProof StoreEpoch", "the stored epoch is 43 and the proof names 42, with no set to answer for the epochs between: epoch_rollback, fetch now (rejected)",
			lcCache{proof: proof, extra: map[string]any{"min_epoch": 43}},
			planExp("epoch_rollback", spClaims(proof, "epoch_rollback", false), nil, nil,
				fetch(lcNow, "rejected", nil), fetch(lcNow, "missing", nil)))
		s43rv := lcSet(43, "2026-03-01T11:56:00Z", "2026-03-01T12:56:00Z", []any{rvRevoked2, spLicense}, nil)
		plan("proof-below-stored-revoked-by-set", "Verdict Covered", "the stored epoch is 43 and the set at 43 revokes the license that the proof at 42 says is valid: revoked, by the chain's lookup",
			lcCache{proof: proof, set: &s43rv, extra: withExtra(synced, map[string]any{"min_epoch": 43})},
			planExp("revoked", proofOK, withLookup(s43rv.ok(), "revoked", ""), 43,
				refreshPoint, fetch(lcNextSync, "interval", 43)))
		prv := lcProof(map[string]any{"status": "revoked"})
		plan("proof-revoked-behind", "RefreshProof Covered", "the proof at 42 says revoked and the set reached 43 without listing the license (restored since): the proof is behind, fetch it now; the verdict stays revoked until a proof says otherwise",
			lcCache{proof: prv, set: &s43, extra: synced},
			planExp("revoked", spClaims(prv, "revoked", true), withLookup(s43.ok(), "not_revoked", ""), 43,
				fetch(lcNow, "behind", nil), fetch(lcNextSync, "interval", 43)))
		plan("both-rolled-back", "Verdict RefreshProof SyncSet StoreEpoch", "the stored epoch 50 is above both: both refused, no epoch to store; the set is authentic, so a delta since 42 is due now",
			lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"min_epoch": 50})},
			planExp("epoch_rollback", spClaims(proof, "epoch_rollback", false), s42.result("epoch_rollback", false, false), nil,
				fetch(lcNow, "rejected", nil), fetch(lcNow, "behind", 42)))
		p43 := lcProof(map[string]any{"revocation_epoch": 43})
		plan("set-behind-stored", "Verdict SyncSet StoreEpoch", "a proof at 43 raised the stored epoch past the set at 42: the set is refused (epoch_rollback) and not used, but it is authentic, so a delta since 42 is due now",
			lcCache{proof: p43, set: &s42, extra: withExtra(synced, map[string]any{"min_epoch": 43})},
			planExp("ok", spClaims(p43, "ok", true), s42.result("epoch_rollback", false, false), 43,
				refreshPoint, fetch(lcNow, "behind", 42)))
		forgedBehind := lcDoc{doc: spTampered(s42.doc, "epoch", 41)}
		plan("forged-set-behind-stored", "SyncSet", "a forged set is rejected, whatever its epoch: a full set",
			lcCache{proof: p43, set: &forgedBehind, extra: withExtra(synced, map[string]any{"min_epoch": 43})},
			planExp("ok", spClaims(p43, "ok", true), spReject("bad_signature"), 43, refreshPoint, fetch(lcNow, "rejected", nil)))
		plan("proof-valid-older-than-set", "RefreshProof StoreEpoch", "the stored epoch is 42 and the set reached 43: a valid proof at 42 needs nothing sooner, the set's lookup keeps its revocation status current; refresh at its point; store 43",
			lcCache{proof: proof, set: &s43, extra: synced},
			planExp("ok", proofOK, withLookup(s43.ok(), "not_revoked", ""), 43, refreshPoint, fetch(lcNextSync, "interval", 43)))
	}
	plan("license-mismatch", "Verdict RefreshProof", "the proof is for another license than the host's: license_mismatch, fetch now",
		lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"license_id": lcOther})},
		planExp("license_mismatch", spClaims(proof, "license_mismatch", false), withLookup(s42.ok(), "not_revoked", ""), 42,
			fetch(lcNow, "rejected", nil), interval42))
	{
		bad := spTampered(proof, "status", "grace_period")
		plan("proof-bad-signature", "Verdict RefreshProof SyncSet", "a tampered proof: bad_signature, no claims, so no lookup and no epoch from it",
			lcCache{proof: bad, set: &s42, extra: synced},
			planExp("bad_signature", spReject("bad_signature"), s42.ok(), 42, fetch(lcNow, "rejected", nil), interval42))
	}
	{
		p := lcProof(map[string]any{"status": "revoked"})
		plan("proof-revoked", "Verdict RefreshProof", "a genuine revoked proof: revoked; it is refreshed at its refresh point like a valid one",
			lcCache{proof: p, set: &s42, extra: synced},
			planExp("revoked", spClaims(p, "revoked", true), withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, interval42))
		e := lcProof(map[string]any{"status": "expired"})
		plan("proof-license-expired", "Verdict RefreshProof", "a genuine proof of an expired license: expired; refreshed at its refresh point",
			lcCache{proof: e, set: &s42, extra: synced},
			planExp("expired", spClaims(e, "expired", true), withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, interval42))
		g := lcProof(map[string]any{"status": "grace_period"})
		plan("proof-grace", "Verdict", "a proof in its grace period is ok",
			lcCache{proof: g, set: &s42, extra: synced},
			planExp("ok", spClaims(g, "ok", true), withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, interval42))
	}
	{
		s := lcSet(42, "2026-03-01T11:55:00Z", "2026-03-01T12:55:00Z", []any{rvRevoked2, spLicense}, nil)
		plan("revoked-by-set", "Verdict", "a valid proof, and the fresh set lists the license: revoked",
			lcCache{proof: proof, set: &s, extra: synced},
			planExp("revoked", proofOK, withLookup(s.ok(), "revoked", ""), 42, refreshPoint, interval42))
		until := "2026-03-05T00:00:00Z"
		susp := lcSet(42, "2026-03-01T11:55:00Z", "2026-03-01T12:55:00Z", []any{rvRevoked2},
			[]any{map[string]any{"license_id": spLicense, "until": until}})
		plan("suspended-by-set", "Verdict", "the set suspends the license until after now: suspended",
			lcCache{proof: proof, set: &susp, extra: synced},
			planExp("suspended", proofOK, withLookup(susp.ok(), "suspended", until), 42, refreshPoint, interval42))
		over := lcSet(42, "2026-03-01T11:55:00Z", "2026-03-01T12:55:00Z", []any{rvRevoked2},
			[]any{map[string]any{"license_id": spLicense, "until": "2026-03-01T06:00:00Z"}})
		plan("suspension-over", "Verdict", "the suspension ended before now: ok",
			lcCache{proof: proof, set: &over, extra: synced},
			planExp("ok", proofOK, withLookup(over.ok(), "not_revoked", ""), 42, refreshPoint, interval42))
		// Stale: valid until 11:30, before now.
		stale := lcSet(42, "2026-03-01T10:30:00Z", "2026-03-01T11:30:00Z", []any{rvRevoked2, spLicense}, nil)
		plan("stale-set-revokes", "Verdict Stale SyncSet StoreEpoch", "the set expired but lists the license: still revoked; the set answer is set_expired (with its epoch to store), a delta since 42 is due now",
			lcCache{proof: proof, set: &stale, extra: synced},
			planExp("revoked", proofOK, stale.result("set_expired", false, true), 42, refreshPoint, fetch(lcNow, "expired", 42)))
		clean := lcSet(42, "2026-03-01T10:30:00Z", "2026-03-01T11:30:00Z", []any{rvRevoked2}, nil)
		plan("stale-set-clean", "Verdict Stale SyncSet", "the set expired and does not list the license: ok, a sync is due now",
			lcCache{proof: proof, set: &clean, extra: synced},
			planExp("ok", proofOK, clean.result("set_expired", false, true), 42, refreshPoint, fetch(lcNow, "expired", 42)))
		forged := lcDoc{doc: spTampered(s42.doc, "revoked_ids", []any{rvRevoked2, spLicense})}
		plan("bad-set-not-used", "Verdict SyncSet", "a set that fails its signature is not used, even to revoke: ok, a full set due now",
			lcCache{proof: proof, set: &forged, extra: synced},
			planExp("ok", proofOK, spReject("bad_signature"), 42, refreshPoint, fetch(lcNow, "rejected", nil)))
	}

	// The proof's refresh point.
	plan("refresh-percent-60", "RefreshProof", "refresh_percent 60: 60 % of 24 h after checked_at is 14:24",
		lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"refresh_percent": 60})},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, fetch("2026-03-01T14:24:00Z", "refresh_point", nil), interval42))
	plan("refresh-percent-100", "RefreshProof", "refresh_percent 100: at valid_until",
		lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"refresh_percent": 100})},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, fetch(lcValidTo, "refresh_point", nil), interval42))
	plan("refresh-percent-1", "RefreshProof", "refresh_percent 1: 14 min 24 s after checked_at, passed: due now",
		lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"refresh_percent": 1})},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, fetch(lcNow, "refresh_point", nil), interval42))
	{
		p := lcProof(map[string]any{"checked_at": "2026-02-28T16:00:00Z", "valid_until": "2026-03-01T16:00:00Z"})
		plan("refresh-point-passed", "RefreshProof", "checked 20 h ago with 24 h of life: the 75 % point (10:00) has passed, due now",
			lcCache{proof: p, set: &s42, extra: synced},
			planExp("ok", spClaims(p, "ok", true), withLookup(s42.ok(), "not_revoked", ""), 42, fetch(lcNow, "refresh_point", nil), interval42))
	}

	// The set's sync.
	{
		p44 := lcProof(map[string]any{"revocation_epoch": 44})
		plan("set-behind-proof", "SyncSet StoreEpoch", "the proof names epoch 44 and the chain is at 42: a delta since 42 now; store 44",
			lcCache{proof: p44, set: &s42, extra: synced},
			planExp("ok", spClaims(p44, "ok", true), withLookup(s42.ok(), "not_revoked", ""), 44, refreshPoint, fetch(lcNow, "behind", 42)))
	}
	plan("never-synced", "SyncSet", "no synced_at: the interval sync is due now",
		lcCache{proof: proof, set: &s42},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, fetch(lcNow, "interval", 42)))
	plan("sync-interval-600", "SyncSet", "sync_interval_seconds 600: 10 min after synced_at",
		lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"sync_interval_seconds": 600})},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, fetch("2026-03-01T12:08:00Z", "interval", 42)))
	plan("synced-after-now", "SyncSet ClockBack", "synced_at is an hour after now (the clock was wrong then or is now): read as absent, so the sync is due now",
		lcCache{proof: proof, set: &s42, extra: map[string]any{"synced_at": "2026-03-01T13:00:00Z"}},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, fetch(lcNow, "interval", 42)))
	d43 := lcDelta(43, 42, "2026-03-01T11:58:00Z", "2026-03-01T12:58:00Z", []any{rvAdded}, 2, 0)
	d44 := lcDelta(44, 43, "2026-03-01T11:59:00Z", "2026-03-01T12:59:00Z", []any{rvNewSusp}, 3, 0)
	plan("chain", "SyncSet StoreEpoch", "a set and two deltas: the set answer is the chain's end at 44, a delta since 44 is due at the interval",
		lcCache{proof: proof, set: &s42, deltas: []lcDoc{d43, d44}, extra: synced},
		planExp("ok", proofOK, withLookup(d44.ok(), "not_revoked", ""), 44, refreshPoint, fetch(lcNextSync, "interval", 44)))
	plan("deltas-at-max", "SyncSet", "max_deltas 2 and two deltas cached: a full set is due now",
		lcCache{proof: proof, set: &s42, deltas: []lcDoc{d43, d44}, extra: withExtra(synced, map[string]any{"max_deltas": 2, "min_epoch": 44})},
		planExp("ok", proofOK, withLookup(d44.ok(), "not_revoked", ""), 44,
			refreshPoint, fetch(lcNow, "deltas", nil)))
	{
		p44 := lcProof(map[string]any{"revocation_epoch": 44})
		plan("deltas-below-max", "SyncSet", "max_deltas 3 and two deltas cached: a delta will still do",
			lcCache{proof: p44, set: &s42, deltas: []lcDoc{d43, d44}, extra: withExtra(synced, map[string]any{"max_deltas": 3})},
			planExp("ok", spClaims(p44, "ok", true), withLookup(d44.ok(), "not_revoked", ""), 44, refreshPoint, fetch(lcNextSync, "interval", 44)))
	}
	{
		unchained := lcDelta(44, 43, "2026-03-01T11:59:00Z", "2026-03-01T12:59:00Z", []any{rvNewSusp}, 0, 0)
		plan("chain-broken", "SyncSet", "a cached delta that does not chain: the chain is refused (delta_base_mismatch) and not used; a full set now",
			lcCache{proof: proof, set: &s42, deltas: []lcDoc{unchained}, extra: synced},
			planExp("ok", proofOK, spReject("delta_base_mismatch"), 42, refreshPoint, fetch(lcNow, "rejected", nil)))
	}

	// Backoff.
	missing := lcCache{set: &s42, extra: synced}
	for _, b := range []struct {
		id, comment      string
		extra            map[string]any
		at, reason       string
		proof            map[string]any
		refresh          map[string]any
		setBackoff, code string
	}{
		{id: "backoff-1", comment: "one failure 10 s ago: retry 30 s after it",
			extra: map[string]any{"proof_failures": 1, "proof_failed_at": "2026-03-01T11:59:50Z"}, at: "2026-03-01T12:00:20Z"},
		{id: "backoff-2", comment: "two failures, the last 30 s ago: retry 60 s after it",
			extra: map[string]any{"proof_failures": 2, "proof_failed_at": "2026-03-01T11:59:30Z"}, at: "2026-03-01T12:00:30Z"},
		{id: "backoff-3", comment: "three failures, the last a minute ago: retry 120 s after it",
			extra: map[string]any{"proof_failures": 3, "proof_failed_at": "2026-03-01T11:59:00Z"}, at: "2026-03-01T12:01:00Z"},
		{id: "backoff-cap", comment: "a million failures: the delay is capped at 3600 s",
			extra: map[string]any{"proof_failures": 1000000, "proof_failed_at": "2026-03-01T11:30:00Z"}, at: "2026-03-01T12:30:00Z"},
		{id: "backoff-custom-cap", comment: "backoff 10 s, cap 100 s, five failures: 160 s capped to 100 s",
			extra: map[string]any{"proof_failures": 5, "proof_failed_at": "2026-03-01T11:59:00Z", "backoff_seconds": 10, "backoff_max_seconds": 100},
			at:    "2026-03-01T12:00:40Z"},
		{id: "backoff-over", comment: "one failure an hour ago: its 30 s are over, the proof is due now as missing",
			extra: map[string]any{"proof_failures": 1, "proof_failed_at": "2026-03-01T11:00:00Z"}, at: lcNow, reason: "missing"},
		{id: "backoff-no-time", comment: "failures without proof_failed_at delay nothing",
			extra: map[string]any{"proof_failures": 3}, at: lcNow, reason: "missing"},
		{id: "backoff-failed-after-now", comment: "the last failure is recorded an hour after now (the clock was wrong then or is now): read as absent, so the failures delay nothing: due now as missing (read as now instead, it would hold the fetch off on every check until the clock caught up)",
			extra: map[string]any{"proof_failures": 1, "proof_failed_at": "2026-03-01T13:00:00Z"}, at: lcNow, reason: "missing"},
	} {
		reason := b.reason
		if reason == "" {
			reason = "backoff"
		}
		flags := "Backoff RefreshProof"
		if strings.Contains(b.id, "after-now") {
			flags += " ClockBack"
		}
		c := missing
		c.extra = withExtra(synced, b.extra)
		plan("proof-"+b.id, flags, "no proof cached, "+b.comment, c,
			planExp("proof_missing", nil, s42.ok(), 42, fetch(b.at, reason, nil), interval42))
	}
	plan("proof-backoff-before-refresh-point", "Backoff RefreshProof", "one failure at 11:00: the retry (11:00:30) is before the refresh point, which stands",
		lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"proof_failures": 1, "proof_failed_at": "2026-03-01T11:00:00Z"})},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, interval42))
	plan("set-backoff-full", "Backoff SyncSet", "no set, three failures, the last a minute ago: a full set 120 s after it",
		lcCache{proof: proof, extra: map[string]any{"set_failures": 3, "set_failed_at": "2026-03-01T11:59:00Z"}},
		planExp("ok", proofOK, nil, 42, refreshPoint, fetch("2026-03-01T12:01:00Z", "backoff", nil)))
	{
		stale := lcSet(42, "2026-03-01T10:30:00Z", "2026-03-01T11:30:00Z", []any{rvRevoked2}, nil)
		plan("set-backoff-delta", "Backoff SyncSet Stale", "an expired set, two failures, the last 30 s ago: a delta since 42, 60 s after it",
			lcCache{proof: proof, set: &stale, extra: withExtra(synced, map[string]any{"set_failures": 2, "set_failed_at": "2026-03-01T11:59:30Z"})},
			planExp("ok", proofOK, stale.result("set_expired", false, true), 42, refreshPoint, fetch("2026-03-01T12:00:30Z", "backoff", 42)))
		plan("set-backoff-after-now", "Backoff SyncSet ClockBack", "set_failed_at after now (the clock was wrong then or is now): read as absent, the expired set's delta is due now",
			lcCache{proof: proof, set: &stale, extra: withExtra(synced, map[string]any{"set_failures": 1, "set_failed_at": "2026-03-02T00:00:00Z"})},
			planExp("ok", proofOK, stale.result("set_expired", false, true), 42, refreshPoint, fetch(lcNow, "expired", 42)))
	}
	plan("set-backoff-before-interval", "Backoff SyncSet", "one failure at 11:00: its retry is before the interval's sync, which stands",
		lcCache{proof: proof, set: &s42, extra: withExtra(synced, map[string]any{"set_failures": 1, "set_failed_at": "2026-03-01T11:00:00Z"})},
		planExp("ok", proofOK, withLookup(s42.ok(), "not_revoked", ""), 42, refreshPoint, interval42))

	// Bad requests.
	bad := map[string]any{"error": "bad_request"}
	for _, b := range []struct {
		id    string
		extra map[string]any
	}{
		{"refresh-percent-0", map[string]any{"refresh_percent": 0}},
		{"refresh-percent-101", map[string]any{"refresh_percent": 101}},
		{"max-deltas-0", map[string]any{"max_deltas": 0}},
		{"max-deltas-4097", map[string]any{"max_deltas": 4097}},
		{"failures-above-max", map[string]any{"proof_failures": 1000001}},
		{"backoff-0", map[string]any{"backoff_seconds": 0}},
		{"sync-interval-above-max", map[string]any{"sync_interval_seconds": 2147483649}},
	} {
		plan(b.id, "BadRequest", "a policy out of range", lcCache{proof: proof, set: &s42, extra: b.extra}, bad)
	}
	plan("deltas-without-set", "BadRequest", "deltas with no set to apply them to", lcCache{proof: proof, deltas: []lcDoc{d43}}, bad)

	// Accept: proofs.
	newer := lcProof(map[string]any{"checked_at": "2026-03-01T06:00:00Z", "valid_until": "2026-03-02T06:00:00Z"})
	newerOK := spClaims(newer, "ok", true)
	accept("proof-no-cache", "AcceptProof", "a valid proof and none cached: taken", "proof", text(proof),
		lcCache{}, acceptExp("ok", "proof", 42, proofOK))
	accept("proof-newer", "AcceptProof", "checked six hours after the cached one: taken", "proof", text(newer),
		lcCache{proof: proof}, acceptExp("ok", "proof", 42, newerOK))
	accept("proof-equal", "AcceptProof", "the cached proof fetched again (same checked_at): taken", "proof", text(proof),
		lcCache{proof: proof}, acceptExp("ok", "proof", 42, proofOK))
	accept("proof-older", "AcceptProof Refused", "checked before the cached one: not_newer, although it verifies", "proof", text(proof),
		lcCache{proof: newer}, acceptExp("not_newer", "", nil, proofOK))
	{
		revoked := lcProof(map[string]any{"status": "revoked", "checked_at": "2026-03-01T06:00:00Z", "valid_until": "2026-03-02T06:00:00Z"})
		accept("proof-revoked", "AcceptProof", "a genuine revoked proof replaces an older valid one: taken, with the verdict revoked", "proof", text(revoked),
			lcCache{proof: proof}, acceptExp("revoked", "proof", 42, spClaims(revoked, "revoked", true)))
		accept("proof-older-over-revoked", "AcceptProof Refused", "an older valid proof replayed over a newer revoked one: not_newer", "proof", text(proof),
			lcCache{proof: revoked}, acceptExp("not_newer", "", nil, proofOK))
		expired := lcProof(map[string]any{"status": "expired", "checked_at": "2026-03-01T06:00:00Z", "valid_until": "2026-03-02T06:00:00Z"})
		accept("proof-license-expired", "AcceptProof", "a genuine proof of an expired license: taken, with the verdict expired", "proof", text(expired),
			lcCache{proof: proof}, acceptExp("expired", "proof", 42, spClaims(expired, "expired", true)))
	}
	{
		other := lcProof(map[string]any{"license_id": lcOther, "checked_at": "2026-03-01T06:00:00Z", "valid_until": "2026-03-02T06:00:00Z"})
		accept("proof-other-license", "AcceptProof Refused", "a genuine proof for another license than license_id: license_mismatch", "proof", text(other),
			lcCache{extra: map[string]any{"license_id": spLicense}}, acceptExp("license_mismatch", "", nil, spClaims(other, "license_mismatch", false)))
		accept("proof-other-license-than-cached", "AcceptProof Refused", "no license_id: the cached proof's license is required, so another license's proof is license_mismatch", "proof", text(other),
			lcCache{proof: proof}, acceptExp("license_mismatch", "", nil, spClaims(other, "license_mismatch", false)))
	}
	accept("proof-bad-signature", "AcceptProof Refused", "a tampered proof: bad_signature", "proof", text(spTampered(newer, "status", "grace_period")),
		lcCache{proof: proof}, acceptExp("bad_signature", "", nil, spReject("bad_signature")))
	accept("proof-epoch-rollback", "AcceptProof Refused", "a proof at epoch 42 with 43 stored: epoch_rollback", "proof", text(newer),
		lcCache{proof: proof, extra: map[string]any{"min_epoch": 43}}, acceptExp("epoch_rollback", "", nil, spClaims(newer, "epoch_rollback", false)))
	{
		old := lcProof(map[string]any{"checked_at": "2026-02-28T00:00:00Z", "valid_until": "2026-03-01T00:00:00Z"})
		accept("proof-expired", "AcceptProof Refused", "a proof past its valid_until: proof_expired", "proof", text(old),
			lcCache{}, acceptExp("proof_expired", "", nil, spClaims(old, "proof_expired", false)))
		accept("proof-over-forged", "AcceptProof", "the cached proof is forged: it orders nothing, and an older genuine proof is taken", "proof", text(proof),
			lcCache{proof: spTampered(newer, "status", "grace_period")}, acceptExp("ok", "proof", 42, proofOK))
	}

	// Accept: full sets.
	s44 := lcSet(44, "2026-03-01T11:59:30Z", "2026-03-01T12:59:30Z", []any{rvRevoked2, rvAdded, rvNewSusp}, nil)
	s42later := lcSet(42, "2026-03-01T11:57:00Z", "2026-03-01T12:57:00Z", []any{rvRevoked2}, nil)
	accept("set-no-cache", "AcceptSet", "a valid full set and none cached: taken", "revocation", s42.text(),
		lcCache{}, acceptExp("ok", "set", 42, s42.ok()))
	accept("set-higher", "AcceptSet", "a full set at 44 over the cached 42: taken", "revocation", s44.text(),
		lcCache{set: &s42}, acceptExp("ok", "set", 44, s44.ok()))
	accept("set-equal", "AcceptSet", "the cached set fetched again: taken", "revocation", s42.text(),
		lcCache{set: &s42}, acceptExp("ok", "set", 42, s42.ok()))
	accept("set-equal-older", "AcceptSet Refused", "the same epoch, issued before the cached set: not_newer", "revocation", s42.text(),
		lcCache{set: &s42later}, acceptExp("not_newer", "", nil, s42.ok()))
	accept("set-equal-newer", "AcceptSet", "the same epoch, issued after the cached set: taken", "revocation", s42later.text(),
		lcCache{set: &s42}, acceptExp("ok", "set", 42, s42later.ok()))
	accept("set-lower", "AcceptSet Refused", "a full set at 42 below the cached 44: epoch_rollback, although it verifies with the stored epoch 0", "revocation", s42.text(),
		lcCache{set: &s44}, acceptExp("epoch_rollback", "", nil, s42.ok()))
	accept("set-below-chain", "AcceptSet Refused", "a full set at 42 below the cached chain's end at 44: epoch_rollback", "revocation", s42.text(),
		lcCache{set: &s42, deltas: []lcDoc{d43, d44}}, acceptExp("epoch_rollback", "", nil, s42.ok()))
	accept("set-below-stored", "AcceptSet Refused", "a full set at 42 with 44 stored: the verifier's epoch_rollback", "revocation", s42.text(),
		lcCache{extra: map[string]any{"min_epoch": 44}}, acceptExp("epoch_rollback", "", nil, s42.result("epoch_rollback", false, false)))
	accept("set-at-chain-end", "AcceptSet", "a full set at 44 issued after the chain's last delta: taken, replacing the base and its deltas", "revocation", s44.text(),
		lcCache{set: &s42, deltas: []lcDoc{d43, d44}}, acceptExp("ok", "set", 44, s44.ok()))
	{
		stale := lcSet(43, "2026-03-01T10:30:00Z", "2026-03-01T11:30:00Z", []any{rvRevoked2}, nil)
		accept("set-expired", "AcceptSet Refused Stale", "a full set past its valid_until: set_expired", "revocation", stale.text(),
			lcCache{set: &s42}, acceptExp("set_expired", "", nil, stale.result("set_expired", false, true)))
		oldStale := lcSet(40, "2026-03-01T10:30:00Z", "2026-03-01T11:30:00Z", []any{rvRevoked2}, nil)
		accept("set-over-stale", "AcceptSet Stale", "a fresh set over a cached stale one: taken", "revocation", s42.text(),
			lcCache{set: &oldStale}, acceptExp("ok", "set", 42, s42.ok()))
	}
	accept("set-bad-signature", "AcceptSet Refused", "a tampered full set: bad_signature", "revocation", text(spTampered(s44.doc, "revoked_ids", []any{})),
		lcCache{set: &s42}, acceptExp("bad_signature", "", nil, spReject("bad_signature")))

	// Accept: deltas.
	accept("delta-chained", "AcceptDelta", "a delta since the cached set's epoch: taken, appended", "revocation", d43.text(),
		lcCache{set: &s42}, acceptExp("ok", "delta", 43, d43.ok()))
	accept("delta-after-delta", "AcceptDelta", "a delta since the cached chain's end: taken", "revocation", d44.text(),
		lcCache{set: &s42, deltas: []lcDoc{d43}}, acceptExp("ok", "delta", 44, d44.ok()))
	accept("delta-lifts-chain-behind-stored", "AcceptDelta", "the stored epoch is 43 (a proof moved it) and the cached set is at 42: a delta to 43 lifts it, taken", "revocation", d43.text(),
		lcCache{set: &s42, extra: map[string]any{"min_epoch": 43}}, acceptExp("ok", "delta", 43, d43.ok()))
	accept("delta-below-stored", "AcceptDelta Refused", "the stored epoch is 44 and the delta reaches 43: epoch_rollback on the chain's end", "revocation", d43.text(),
		lcCache{set: &s42, extra: map[string]any{"min_epoch": 44}}, acceptExp("epoch_rollback", "", nil, d43.result("epoch_rollback", false, false)))
	accept("delta-unchained", "AcceptDelta Refused", "a delta since 43 over a set at 42: delta_base_mismatch", "revocation", d44.text(),
		lcCache{set: &s42}, acceptExp("delta_base_mismatch", "", nil, spReject("delta_base_mismatch")))
	accept("delta-no-set", "AcceptDelta Refused", "a delta with no set cached: delta_base_mismatch, a full set is due", "revocation", d43.text(),
		lcCache{}, acceptExp("delta_base_mismatch", "", nil, spReject("delta_base_mismatch")))
	{
		forged := lcDoc{doc: spTampered(s42.doc, "revoked_ids", []any{})}
		accept("delta-over-forged-set", "AcceptDelta Refused", "the cached set does not verify: delta_base_mismatch", "revocation", d43.text(),
			lcCache{set: &forged}, acceptExp("delta_base_mismatch", "", nil, spReject("delta_base_mismatch")))
		stale := lcSet(42, "2026-03-01T10:30:00Z", "2026-03-01T11:30:00Z", []any{rvRevoked2}, nil)
		accept("delta-lifts-stale-set", "AcceptDelta Stale", "a fresh delta over an expired set: taken", "revocation", d43.text(),
			lcCache{set: &stale}, acceptExp("ok", "delta", 43, d43.ok()))
	}
	accept("delta-at-max", "AcceptDelta Refused", "max_deltas 1 and one delta cached: the next delta is input_too_large (a full set is due), though it verifies", "revocation", d44.text(),
		lcCache{set: &s42, deltas: []lcDoc{d43}, extra: map[string]any{"max_deltas": 1}}, acceptExp("input_too_large", "", nil, d44.ok()))
	{
		expired := lcDelta(43, 42, "2026-03-01T10:58:00Z", "2026-03-01T11:58:00Z", []any{rvAdded}, 2, 0)
		accept("delta-expired", "AcceptDelta Refused Stale", "a delta past its valid_until: set_expired", "revocation", expired.text(),
			lcCache{set: &s42}, acceptExp("set_expired", "", nil, expired.result("set_expired", false, true)))
	}
	accept("delta-bad-signature", "AcceptDelta Refused", "a tampered delta: bad_signature", "revocation", text(spTampered(d43.doc, "added", []any{spLicense})),
		lcCache{set: &s42}, acceptExp("bad_signature", "", nil, spReject("bad_signature")))

	// Accept: bad requests.
	accept("kind-unknown", "BadRequest", "kind is proof or revocation", "set", s42.text(), lcCache{}, bad)
	accept("kind-empty", "BadRequest", "kind is required and not empty", "", s42.text(), lcCache{}, bad)
	accept("max-deltas-above-max", "BadRequest", "max_deltas above 4096", "revocation", d43.text(),
		lcCache{set: &s42, extra: map[string]any{"max_deltas": 4097}}, bad)
	return tests
}
