package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/licverify/licverify/epochstore"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
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
	f.Var(&g.namespace, "epoch-namespace", "the `NAME` the epoch is kept under in --epoch-store, one per issuer (default: one per public key of the keyring, "+keyNamespacePrefix+"<base64 key>: verify with the largest stored for any of them, then raise them all, so that the epoch follows the keys wherever the keyring file lies)")
}

// keyNamespacePrefix starts the default namespaces: one per public key,
// spelled as the native keyring spells it.
const keyNamespacePrefix = "ed25519:"

// guard is an epoch store opened for one verification: the namespaces to
// raise afterwards.
type guard struct {
	store      *epochstore.FileStore
	namespaces []string
}

// apply sets min_epoch in req: the larger of --min-epoch and the epoch
// stored in --epoch-store. It returns the store to raise afterwards, or
// nil without --epoch-store. A store that cannot be read is an error:
// verifying with 0 instead would switch the guard off.
//
// Without --epoch-namespace the namespaces are the keyring's public keys
// (keys, read from keysFile), never the file's path: a keyring moved,
// renamed or read from stdin keeps its epoch, and so does one that gains
// a key. Stores written when the default was the keyring's absolute path
// are carried over: when none of the keys has an epoch yet and the path
// has one, the keys are raised to it first.
func (g *epochFlags) apply(req *api.Request, keysFile string, keys []byte) (*guard, error) {
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
	gd := &guard{store: epochstore.File(g.store.value), namespaces: []string{g.namespace.value}}
	if g.namespace.value == "" {
		ring, err := verify.ParseKeyring(keys)
		if err != nil {
			return nil, keyringLoadError(keysFile, err)
		}
		gd.namespaces = keyNamespaces(ring)
	}
	var stored int64
	for _, ns := range gd.namespaces {
		e, err := gd.store.Get(ns)
		if err != nil {
			return nil, storeError(err)
		}
		stored = max(stored, e)
	}
	if g.namespace.value == "" && stored == 0 && keysFile != "-" {
		abs, err := filepath.Abs(keysFile)
		if err != nil {
			return nil, usagef("--epoch-store: the keyring's absolute path, under which earlier releases kept its epoch: %v", err)
		}
		old, err := gd.store.Get(abs)
		if err != nil {
			return nil, storeError(err)
		}
		if old > 0 {
			if err := gd.raiseAll(old); err != nil {
				return nil, err
			}
			stored = old
		}
	}
	req.Set("min_epoch", max(min, stored))
	return gd, nil
}

func storeError(err error) error {
	return usagef("%v (not verifying without the stored epoch: a lower one would accept a rolled-back document)", err)
}

// keyNamespaces returns the default namespaces of ring: one per distinct
// public key, sorted.
func keyNamespaces(ring *verify.Keyring) []string {
	var ns []string
	for _, k := range ring.Keys() {
		ns = append(ns, keyNamespacePrefix+base64.StdEncoding.EncodeToString(k.PublicKey))
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

// keyringLoadError is the error for a keyring that does not load, worded
// as call words the module's answer for one.
func keyringLoadError(file string, err error) error {
	if errors.Is(err, verify.ErrMisuse) {
		if _, rest, ok := strings.Cut(err.Error(), "misuse: keyring "); ok {
			return usagef("keyring %s does not load: keyring %s", file, rest)
		}
	}
	r := verify.Rejected(err)
	return usagef("keyring %s does not load: %s (%s)", file, r.Message, r.Code)
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
	return gd.raiseAll(epoch)
}

// raiseAll raises every namespace of the guard to epoch. Each raise stands
// alone: should one fail, those before it are kept, which is safe, since
// verification reads the largest.
func (gd *guard) raiseAll(epoch int64) error {
	for _, ns := range gd.namespaces {
		if _, err := gd.store.Raise(ns, epoch); err != nil {
			return usagef("%v", err)
		}
	}
	return nil
}
