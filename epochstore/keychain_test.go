package epochstore_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/licverify/licverify/epochstore"
)

// These tests run against go-keyring's in-memory mock, which replaces the
// OS credential store for the whole test process; TestKeychainSecretService
// (Linux) runs the same checks against a real Secret Service in a child
// process.

func TestKeychainMockSemantics(t *testing.T) {
	keyring.MockInit()
	checkKeychain(t, "licverify-epochstore-mock")
}

func TestKeychainMockConcurrent(t *testing.T) {
	keyring.MockInit()
	checkConcurrent(t, "issuer", epochstore.Keychain("svc"), epochstore.Keychain("svc"))
}

func TestKeychainNoService(t *testing.T) {
	keyring.MockInit()
	s := epochstore.Keychain("")
	_, err := s.Get("issuer")
	require.ErrorIs(t, err, epochstore.ErrMisuse)
	_, err = s.Raise("issuer", 1)
	require.ErrorIs(t, err, epochstore.ErrMisuse)
}

// A credential store that fails is an error, never 0.
func TestKeychainUnavailable(t *testing.T) {
	broken := errors.New("no secret service")
	keyring.MockInitWithError(broken)
	t.Cleanup(keyring.MockInit)
	s := epochstore.Keychain("svc")
	got, err := s.Get("issuer")
	require.ErrorIs(t, err, broken)
	require.Contains(t, err.Error(), `"issuer"`)
	require.Contains(t, err.Error(), `"svc"`)
	require.Zero(t, got)
	_, err = s.Raise("issuer", 1)
	require.ErrorIs(t, err, broken)
}

// checkKeychain checks a Keychain store against whatever credential store
// go-keyring is using, under service (which must hold nothing yet).
func checkKeychain(t *testing.T, service string) {
	t.Helper()
	s := epochstore.Keychain(service)
	require.Equal(t, service, s.Service())
	checkSemantics(t, s)

	// Items: service, the namespace as the user, the epoch in decimal.
	text, err := keyring.Get(service, "a")
	require.NoError(t, err)
	require.Equal(t, "7", text)
	text, err = keyring.Get(service, "c")
	require.NoError(t, err)
	require.Equal(t, "9007199254740992", text)

	// Another store value for the service sees the same items; another
	// service does not.
	got, err := epochstore.Keychain(service).Get("a")
	require.NoError(t, err)
	require.EqualValues(t, 7, got)
	got, err = epochstore.Keychain(service + "-other").Get("a")
	require.NoError(t, err)
	require.Zero(t, got)

	// An item that holds something other than an epoch is damage: an
	// error, and Raise leaves it alone.
	for _, bad := range []string{"", "x1", "-1", "+1", "007", " 7", "7\n", "1.0", "1e3", "9007199254740993", "99999999999999999999"} {
		require.NoError(t, keyring.Set(service, "damaged", bad))
		_, err := s.Get("damaged")
		require.ErrorIs(t, err, epochstore.ErrDamaged, "%q", bad)
		require.Contains(t, err.Error(), `"damaged"`)
		_, err = s.Raise("damaged", 1)
		require.ErrorIs(t, err, epochstore.ErrDamaged, "%q", bad)
		text, err := keyring.Get(service, "damaged")
		require.NoError(t, err)
		require.Equal(t, bad, text)
	}
	// Written in decimal by hand is fine.
	require.NoError(t, keyring.Set(service, "damaged", "0"))
	got, err = s.Raise("damaged", 5)
	require.NoError(t, err)
	require.EqualValues(t, 5, got)
}
