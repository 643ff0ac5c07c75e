package host

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/licverify/licverify/canonical"
	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// parsedFrame is a request frame taken apart as wasm/ABI.md describes it:
// the op, the other header members as JSON text, and the parts by name in
// frame order. Tests read what a typed method sent, and the vectors'
// frames, with it.
type parsedFrame struct {
	op     string
	header map[string]json.RawMessage
	parts  map[string][][]byte
}

func parseFrame(t testing.TB, b []byte) parsedFrame {
	t.Helper()
	header, parts, err := api.SplitFrame(b)
	require.NoError(t, err)
	f := parsedFrame{header: map[string]json.RawMessage{}, parts: map[string][][]byte{}}
	require.NoError(t, json.Unmarshal(header, &f.header))
	require.NoError(t, json.Unmarshal(f.header["op"], &f.op))
	delete(f.header, "op")
	for _, p := range parts {
		f.parts[p.Name] = append(f.parts[p.Name], p.Data)
	}
	return f
}

// sameRequest reports whether two frames ask the module the same thing:
// the same op, the same header members with equal JSON values, and the
// same parts with equal bytes (parts of one name in the same order).
func sameRequest(a, b parsedFrame) bool {
	if a.op != b.op || len(a.header) != len(b.header) || len(a.parts) != len(b.parts) {
		return false
	}
	for name, av := range a.header {
		bv, ok := b.header[name]
		if !ok || !sameJSONValue(av, bv) {
			return false
		}
	}
	for name, ap := range a.parts {
		bp := b.parts[name]
		if len(ap) != len(bp) {
			return false
		}
		for i := range ap {
			if !bytes.Equal(ap[i], bp[i]) {
				return false
			}
		}
	}
	return true
}

// sameJSONValue compares two JSON texts as I-JSON values (RFC 8785 forms,
// so that escapes and layout do not matter), or byte for byte when either
// is not I-JSON (a lone surrogate, an integer beyond 2^53), which the
// module refuses as it is written. Two RFC 3339 times are the same value
// when they are the same instant: a typed option holds a time.Time, which
// the host writes in UTC with Z, whatever offset the vector spelled.
func sameJSONValue(a, b json.RawMessage) bool {
	ca, errA := canonical.Transform(a, 0)
	cb, errB := canonical.Transform(b, 0)
	if errA != nil || errB != nil {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	if bytes.Equal(ca, cb) {
		return true
	}
	var sa, sb string
	if json.Unmarshal(ca, &sa) != nil || json.Unmarshal(cb, &sb) != nil {
		return false
	}
	ta, errA := verify.ParseTime(sa)
	tb, errB := verify.ParseTime(sb)
	return errA == nil && errB == nil && ta.Equal(tb)
}
