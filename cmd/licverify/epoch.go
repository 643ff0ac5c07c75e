package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"

	"github.com/licverify/licverify/epochstore"
	"github.com/licverify/licverify/internal/api"
)

// epochFlags are the anti-rollback flags of proof and revocation:
// --min-epoch, and --epoch-store with its --epoch-namespace.
type epochFlags struct {
	min       epochFlag
	store     nameFlag
	namespace nameFlag
}

func (g *epochFlags) register(f *flags, what string) {
	f.Var(&g.min, "min-epoch", "the stored anti-rollback `EPOCH`, an integer from 0 to 2^53: "+what+" of an older epoch is epoch_rollback")
	f.Var(&g.store, "epoch-store", "keep the anti-rollback epoch in this JSON `FILE` (created when missing): verify with the larger of it and --min-epoch, then raise it to the result's store_epoch")
	f.Var(&g.namespace, "epoch-namespace", "the `NAME` the epoch is kept under in --epoch-store, one per issuer (default: the keyring file's absolute path)")
}

// guard is an epoch store opened for one verification.
type guard struct {
	store     *epochstore.FileStore
	namespace string
}

// apply sets min_epoch in req: the larger of --min-epoch and the epoch
// stored in --epoch-store. It returns the store to raise afterwards, or
// nil without --epoch-store. A store that cannot be read is an error:
// verifying with 0 instead would switch the guard off.
func (g *epochFlags) apply(req *api.Request, keysFile string) (*guard, error) {
	min, set := g.min.n, g.min.set
	if g.store.value == "" {
		if g.namespace.value != "" {
			return nil, usagef("--epoch-namespace needs --epoch-store")
		}
		if set {
			req.Set("min_epoch", min)
		}
		return nil, nil
	}
	ns := g.namespace.value
	if ns == "" {
		if keysFile == "-" {
			return nil, usagef("--epoch-store with --keys - needs --epoch-namespace: a keyring read from stdin has no path to name the epoch by")
		}
		abs, err := filepath.Abs(keysFile)
		if err != nil {
			return nil, usagef("--epoch-store: the keyring's absolute path: %v", err)
		}
		ns = abs
	}
	gd := &guard{store: epochstore.File(g.store.value), namespace: ns}
	stored, err := gd.store.Get(ns)
	if err != nil {
		return nil, usagef("%v (not verifying without the stored epoch: a lower one would accept a rolled-back document)", err)
	}
	req.Set("min_epoch", max(min, stored))
	return gd, nil
}

// raise stores the result's store_epoch, when it has one: a valid result,
// and the rejections that carry it (revoked, expired, set_expired).
func (gd *guard) raise(r result) error {
	if gd == nil {
		return nil
	}
	raw, ok := r["store_epoch"]
	if !ok || string(raw) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return usagef("the module answered store_epoch %s, not a number", raw)
	}
	epoch, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return usagef("the module answered store_epoch %s, not an integer", raw)
	}
	if _, err := gd.store.Raise(gd.namespace, epoch); err != nil {
		return usagef("%v", err)
	}
	return nil
}
