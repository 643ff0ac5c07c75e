package host

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/licverify/licverify/canonical"
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
	require.True(t, bytes.HasPrefix(b, []byte("LVR2")), "frame does not start with LVR2")
	b = b[4:]
	require.GreaterOrEqual(t, len(b), 4)
	hn := binary.LittleEndian.Uint32(b)
	b = b[4:]
	require.LessOrEqual(t, uint64(hn), uint64(len(b)))
	f := parsedFrame{header: map[string]json.RawMessage{}, parts: map[string][][]byte{}}
	require.NoError(t, json.Unmarshal(b[:hn], &f.header))
	require.NoError(t, json.Unmarshal(f.header["op"], &f.op))
	delete(f.header, "op")
	b = b[hn:]
	for len(b) > 0 {
		nn := int(b[0])
		require.True(t, nn > 0 && 1+nn+4 <= len(b), "bad part name length")
		name := string(b[1 : 1+nn])
		b = b[1+nn:]
		dn := binary.LittleEndian.Uint32(b)
		b = b[4:]
		require.LessOrEqual(t, uint64(dn), uint64(len(b)), "part %s overruns the frame", name)
		f.parts[name] = append(f.parts[name], b[:dn:dn])
		b = b[dn:]
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
// module refuses as it is written.
func sameJSONValue(a, b json.RawMessage) bool {
	ca, errA := canonical.Transform(a, 0)
	cb, errB := canonical.Transform(b, 0)
	if errA != nil || errB != nil {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	return bytes.Equal(ca, cb)
}
