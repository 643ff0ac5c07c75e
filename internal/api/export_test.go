package api

import (
	"fmt"

	"github.com/licverify/licverify/verify"
)

// LoadedSets returns how many sets are loaded, for tests outside the package.
func LoadedSets() int {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	return len(loaded)
}

// values are the ops' handlers before their results are encoded.
var values = map[string]func(*request) (any, error){
	"canonicalize":      func(r *request) (any, error) { return canonicalize(r) },
	"fingerprint":       func(r *request) (any, error) { return fingerprint(r) },
	"license":           func(r *request) (any, error) { return license(r) },
	"qkey":              func(r *request) (any, error) { return qkey(r) },
	"status_proof":      func(r *request) (any, error) { return statusProof(r) },
	"revocation_set":    func(r *request) (any, error) { return revocationSet(r) },
	"revocation_load":   func(r *request) (any, error) { return revocationLoad(r) },
	"revocation_lookup": func(r *request) (any, error) { return revocationLookup(r) },
	"revocation_apply":  func(r *request) (any, error) { return revocationApply(r) },
	"revocation_free":   func(r *request) (any, error) { return revocationFree(r) },
	"plan":              func(r *request) (any, error) { return plan(r) },
	"accept": func(r *request) (any, error) {
		a, err := accept(r)
		return a.value(), err
	},
}

// acceptValue is an accept answer as one value for encoding/json: the
// module writes its result member from one of two typed fields, which
// encoding/json cannot name alike.
type acceptValue struct {
	verify.Result
	Accept     bool   `json:"accept"`
	Persist    string `json:"persist,omitempty"`
	StoreEpoch *int64 `json:"store_epoch,omitempty"`
	Doc        any    `json:"result,omitempty"`
}

func (a acceptResponse) value() acceptValue {
	v := acceptValue{Result: a.Result, Accept: a.Accept, Persist: a.Persist, StoreEpoch: a.StoreEpoch}
	switch {
	case a.proof != nil:
		v.Doc = a.proof
	case a.set != nil:
		v.Doc = revocationResponse{RevocationSetResult: a.set}
	}
	return v
}

func (v acceptValue) response() acceptResponse {
	a := acceptResponse{Result: v.Result, Accept: v.Accept, Persist: v.Persist, StoreEpoch: v.StoreEpoch}
	switch d := v.Doc.(type) {
	case *verify.StatusProofResult:
		a.proof = d
	case revocationResponse:
		a.set = d.RevocationSetResult
	}
	return a
}

// Answer answers frame as Handle does, and also returns the result value
// the answer encodes, for a comparison with encoding/json. The value is
// computed first, on the same state: a set it loads is freed and its
// handle number handed out again.
func Answer(frame []byte) (json []byte, value any, err error) {
	r, err := parseRequest(frame)
	if err != nil {
		return nil, nil, err
	}
	loadedMu.Lock()
	saved := lastHandle
	loadedMu.Unlock()
	value, err = values[r.op](r)
	if err != nil {
		return nil, nil, err
	}
	if l, ok := value.(*revocationLoadResponse); ok {
		l.undo()
	}
	loadedMu.Lock()
	lastHandle = saved
	loadedMu.Unlock()
	a, err := handlers[r.op](r)
	if err != nil || a.err != nil {
		return nil, nil, fmt.Errorf("the value was made, the answer failed: %v %v", err, a.err)
	}
	if a.undo != nil {
		a.undo()
	}
	return a.json, value, nil
}
