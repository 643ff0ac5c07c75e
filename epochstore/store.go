// Package epochstore keeps the anti-rollback epochs of a licverify host:
// for each namespace, the highest epoch the host has accepted.
//
// Status proofs and revocation sets carry an epoch. When a verification
// result has a StoreEpoch (store_epoch in JSON; it is also given with the
// codes revoked and expired), the host raises its stored epoch to it, and
// passes the stored epoch back as MinEpoch (min_epoch) next time, so that
// an older document — a rolled-back one — is refused with epoch_rollback.
// See docs/formats.md, "Status proofs", and verify.CheckEpoch:
//
//	store := epochstore.File(filepath.Join(stateDir, "epochs.json"))
//	min, err := store.Get("issuer-a")
//	if err != nil {
//		return err // never verify with 0 instead: that disables the guard
//	}
//	res, err := verify.StatusProof(proof, ring, verify.StatusProofOptions{Now: now, MinEpoch: min})
//	if err != nil {
//		return err
//	}
//	if res.ProofClaims != nil && res.StoreEpoch != nil {
//		if _, err := store.Raise("issuer-a", *res.StoreEpoch); err != nil {
//			return err
//		}
//	}
//
// A namespace separates epochs that advance independently: use one per
// issuer or keyring (epochs of different issuers are not comparable).
//
// Two stores are provided, both of which mirror the npm package's
// createEpochStore (js/lib/node-host.js, js/lib/epochs.js):
//
//   - [File]: a JSON file written atomically, in the same format as the
//     npm package's Node store and locked the same way (a lock file
//     beside it), so Go, Node and Python processes can share it.
//   - [Keychain]: the OS credential store — the macOS Keychain, the
//     Windows Credential Manager (protected with DPAPI), or a Secret
//     Service (GNOME Keyring, KWallet) on Linux and the BSDs — through
//     github.com/zalando/go-keyring.
//
// A store that cannot be read is an error, never "no epoch": treating a
// damaged or unreachable store as 0 would let anyone roll the host back by
// damaging the store. Damage is reported with an error wrapping
// [ErrDamaged]; the store is left as it is.
package epochstore

import (
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"
)

// MaxEpoch is the largest epoch, 2^53: documents carry epochs from 0 to
// 2^53 (docs/formats.md), integers that a JSON number read as an IEEE
// double holds exactly.
const MaxEpoch int64 = 1 << 53

// Store keeps, per namespace, the highest epoch a host has accepted.
// Implementations are safe for concurrent use by goroutines.
type Store interface {
	// Get returns the epoch stored for namespace, 0 when none is stored
	// yet. A store that cannot be read, or that holds a value that is not
	// an epoch, is an error (wrapping [ErrDamaged] for the latter), never
	// 0. An empty namespace, or one that is not UTF-8, is misuse
	// ([ErrMisuse]).
	Get(namespace string) (int64, error)

	// Raise stores max(stored, epoch) for namespace and returns the
	// epoch stored afterwards: epoch when it is newer than what was
	// stored, otherwise the stored epoch, unchanged. Raise never lowers
	// an epoch, and writes nothing when epoch is not newer. An epoch
	// outside 0..[MaxEpoch] is misuse ([ErrMisuse]), as for Get's
	// namespace; a damaged store is an error and is not overwritten.
	Raise(namespace string, epoch int64) (int64, error)
}

// ErrMisuse is wrapped by errors caused by the caller rather than by the
// store: an empty or non-UTF-8 namespace, an epoch outside 0..MaxEpoch,
// an empty file path or keychain service name.
var ErrMisuse = errors.New("epochstore: misuse")

// ErrDamaged is wrapped by errors reporting a store that holds something
// other than epochs: a file that is not a JSON object of integers from 0
// to MaxEpoch, or a keychain item that is not such an integer in decimal.
var ErrDamaged = errors.New("epochstore: damaged")

func misuse(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMisuse}, args...)...)
}

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDamaged}, args...)...)
}

// begin starts every Get and Raise: it checks the namespace, then the
// epoch, then takes the store's lock (which reports a store made without
// its path or service).
func begin(lock func() (func(), error), namespace string, epoch int64) (func(), error) {
	if err := checkNamespace(namespace); err != nil {
		return nil, err
	}
	if err := checkEpoch(epoch); err != nil {
		return nil, err
	}
	return lock()
}

func checkNamespace(namespace string) error {
	if namespace == "" {
		return misuse("an epoch namespace must be a non-empty string")
	}
	if !utf8.ValidString(namespace) {
		// JSON and D-Bus would store it under another name (invalid
		// bytes become U+FFFD), so that it could never be read back.
		return misuse("epoch namespace %q is not UTF-8", namespace)
	}
	return nil
}

func checkEpoch(epoch int64) error {
	if epoch < 0 || epoch > MaxEpoch {
		return misuse("an epoch must be an integer from 0 to 2^53, got %d", epoch)
	}
	return nil
}

// clip shortens a stored value shown in an error message to at most 40
// bytes, cutting at a character boundary.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 37
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// A lockSet hands out one mutex per key, for every store value in the
// process that names the same file or keychain service.
type lockSet struct{ m sync.Map }

func (l *lockSet) lock(key string) func() {
	mu, _ := l.m.LoadOrStore(key, new(sync.Mutex))
	m := mu.(*sync.Mutex)
	m.Lock()
	return m.Unlock
}

// The stores satisfy Store.
var (
	_ Store = (*FileStore)(nil)
	_ Store = (*KeychainStore)(nil)
)
