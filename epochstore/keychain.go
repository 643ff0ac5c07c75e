package epochstore

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/zalando/go-keyring"
)

// KeychainStore is a [Store] kept in the OS credential store. Make one
// with [Keychain].
type KeychainStore struct {
	service string
}

// Keychain returns a store that keeps epochs in the OS credential store
// through github.com/zalando/go-keyring: one item per namespace, whose
// service is service and whose user (account) is the namespace, holding
// the epoch as decimal text ("42": ASCII digits, no sign, spaces or
// leading zeros). service names the application, e.g.
// "com.example.app.licverify"; it should not contain ':' (Windows names
// an item service + ":" + user, so "a:b"/"c" and "a"/"b:c" would meet).
//
// Where the items are kept:
//
//   - macOS: the default (login) keychain, through /usr/bin/security;
//     the system may ask the user to allow access.
//   - Windows: the Credential Manager, as generic credentials, which
//     Windows protects with DPAPI.
//   - Linux and the BSDs (FreeBSD and DragonFly when built with cgo): the
//     Secret Service on the D-Bus session bus (GNOME Keyring, KWallet,
//     KeePassXC), in its "login" collection, or its default one when there
//     is no "login". A locked collection is unlocked through the service's
//     prompt, which blocks the call until the user answers; where no prompt
//     can be shown the call fails. Without a session bus or a Secret
//     Service, Get and Raise return go-keyring's or D-Bus's error.
//   - Anywhere else (wasm, for one): every call fails with go-keyring's
//     ErrUnsupportedPlatform.
//
// An item that is absent holds no epoch: Get returns 0. An item that does
// not hold an epoch is an error wrapping [ErrDamaged], and Raise leaves it
// as it is; any other failure of the credential store is an error too,
// never 0. Errors name the service and the namespace.
//
// Within one process every store for the same service shares one lock, so
// concurrent calls from goroutines are safe and no raise is lost. Credential
// stores offer no lock across processes: two processes raising the same
// namespace at the same moment can each read it before the other writes,
// and the later write wins, so the item may end with the smaller of the two
// new epochs, though never below the epoch both read.
//
// Keychain does no I/O: an empty service is reported by Get and Raise as
// misuse.
func Keychain(service string) *KeychainStore {
	return &KeychainStore{service: service}
}

// Service returns the service name the store was made with.
func (s *KeychainStore) Service() string { return s.service }

var keychainLocks lockSet

func (s *KeychainStore) lock() (func(), error) {
	if s.service == "" {
		return nil, misuse("epochstore.Keychain needs a service name")
	}
	return keychainLocks.lock(s.service), nil
}

// Get returns the epoch stored for namespace, or 0 when there is no item
// for it. See [Store.Get] and [Keychain].
func (s *KeychainStore) Get(namespace string) (int64, error) {
	// 0 is always a valid epoch: only the namespace is checked.
	unlock, err := begin(s.lock, namespace, 0)
	if err != nil {
		return 0, err
	}
	defer unlock()
	return s.get(namespace)
}

// Raise stores max(stored, epoch) for namespace and returns the epoch
// stored afterwards. See [Store.Raise] and [Keychain].
func (s *KeychainStore) Raise(namespace string, epoch int64) (int64, error) {
	unlock, err := begin(s.lock, namespace, epoch)
	if err != nil {
		return 0, err
	}
	defer unlock()
	stored, err := s.get(namespace)
	if err != nil {
		return 0, err
	}
	if epoch <= stored {
		return stored, nil
	}
	if err := keyring.Set(s.service, namespace, strconv.FormatInt(epoch, 10)); err != nil {
		return 0, fmt.Errorf("epochstore: writing keychain item %q of service %q: %w", namespace, s.service, err)
	}
	return epoch, nil
}

func (s *KeychainStore) get(namespace string) (int64, error) {
	text, err := keyring.Get(s.service, namespace)
	if errors.Is(err, keyring.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("epochstore: reading keychain item %q of service %q: %w", namespace, s.service, err)
	}
	epoch, ok := parseDecimal(text)
	if !ok {
		return 0, damaged("keychain item %q of service %q holds %q, not an integer from 0 to 2^53 in decimal",
			namespace, s.service, clip(text))
	}
	return epoch, nil
}

// parseDecimal reads an epoch written by strconv.FormatInt: "0", or
// digits without a leading zero, up to MaxEpoch.
func parseDecimal(text string) (int64, bool) {
	if text == "" || len(text) > 16 || (text[0] == '0' && len(text) > 1) {
		return 0, false
	}
	for i := 0; i < len(text); i++ {
		if text[i] < '0' || text[i] > '9' {
			return 0, false
		}
	}
	epoch, err := strconv.ParseInt(text, 10, 64)
	return epoch, err == nil && epoch <= MaxEpoch
}
