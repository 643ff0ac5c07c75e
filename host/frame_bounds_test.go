package host

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licverify/licverify/internal/api"
	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

// worstFrame is a request frame of up to api.MaxRequest bytes built to
// make the module hold as much as it can before it answers.
type worstFrame struct {
	name  string
	frame func(t *testing.T) []byte
}

// fillParts appends empty parts named name to frame until it is as close
// to api.MaxRequest as whole parts get.
func fillParts(frame []byte, name string) []byte {
	part := binary.LittleEndian.AppendUint32(append([]byte{byte(len(name))}, name...), 0)
	n := (api.MaxRequest - len(frame)) / len(part)
	out := make([]byte, len(frame), len(frame)+n*len(part))
	copy(out, frame)
	for range n {
		out = append(out, part...)
	}
	return out
}

func worstFrames() []worstFrame {
	ring := []byte(`[{"alg":"ed25519","kid":"k","public_key":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}]`)
	setHead := func() []byte {
		return mustEncode(api.NewRequest("revocation_set").Set("now", "2026-01-01T00:00:00Z").Part("keys", ring).Part("set", []byte("{}")))
	}
	return []worstFrame{
		// The frame: a set followed by millions of empty deltas,
		// each a part of the one repeated member.
		{"empty deltas", func(*testing.T) []byte { return fillParts(setHead(), "deltas") }},
		// The most parts a frame holds: one-byte names, no data.
		{"one-byte parts", func(*testing.T) []byte {
			return fillParts(mustEncode(api.NewRequest("canonicalize").Part("document", []byte("{}"))), "x")
		}},
		// A 4 MiB header of the most members it holds, none of them the
		// op's.
		{"header of many members", func(*testing.T) []byte {
			var h strings.Builder
			h.WriteString(`{"op":"revocation_set"`)
			for i := 0; ; i++ {
				m := `,"m` + strconv.FormatInt(int64(i), 36) + `":0`
				if h.Len()+len(m)+1 > api.MaxHeader {
					break
				}
				h.WriteString(m)
			}
			h.WriteString("}")
			return api.Frame([]byte(h.String()), api.Part{Name: "keys", Data: ring}, api.Part{Name: "set", Data: []byte("{}")})
		}},
		// The most ids a lookup may hold, in the largest header.
		{"header of the most lookup ids", func(*testing.T) []byte {
			id := strings.Repeat("i", (api.MaxHeader-200)/api.MaxLookups-3)
			ids := make([]string, api.MaxLookups)
			for i := range ids {
				ids[i] = id
			}
			r := api.NewRequest("revocation_set").Set("now", "2026-01-01T00:00:00Z").Set("lookup", ids).Part("keys", ring).Part("set", []byte("{}"))
			return mustEncode(r)
		}},
	}
}

// TestWorstFrames: whatever a frame holds, up to the request limit, the
// module refuses or answers it within the documented budget (about 3.2
// times the document plus 10 MiB of its own; docs/formats.md, "Cost"),
// and quickly. A frame of millions of empty parts once took a minute
// and over a gigabyte of module memory, or exhausted it.
func TestWorstFrames(t *testing.T) {
	if testing.Short() {
		t.Skip("72 MiB frames")
	}
	ctx := context.Background()
	for _, wf := range worstFrames() {
		t.Run(wf.name, func(t *testing.T) {
			frame := wf.frame(t)
			require.LessOrEqual(t, len(frame), api.MaxRequest)
			v := newVerifier(t, Options{MaxInstances: 1})
			start := time.Now()
			resp, err := v.Call(ctx, frame)
			took := time.Since(start)
			require.NoError(t, err)
			mem := v.MemoryBytes()
			t.Logf("%d bytes: %s in %v, %d MiB of module memory", len(frame), firstLine(string(resp)), took.Round(time.Millisecond), mem>>20)
			require.True(t, bytes.HasPrefix(resp, []byte(`{"error":"licverify: bad request: `)) || bytes.HasPrefix(resp, []byte(`{"valid":false`)), "%s", resp)
			require.LessOrEqual(t, mem, uint64(len(frame))*16/5+10<<20, "module memory beyond the budget")
			require.Less(t, took, 20*time.Second)
		})
	}
}

// TestTypedManyDeltas: the typed API with millions of empty deltas (a
// frame at the request limit) gets the module's bad request, as a
// *RequestError, rather than an instance that runs out of memory.
func TestTypedManyDeltas(t *testing.T) {
	if testing.Short() {
		t.Skip("a 72 MiB frame")
	}
	ring, set, now := signedSet(t, "a")
	keys, err := verify.ParseKeyring(ring)
	require.NoError(t, err)
	deltas := make([][]byte, (api.MaxRequest-len(set)-len(ring)-200)/11)
	v := newVerifier(t, Options{MaxInstances: 1})
	start := time.Now()
	_, err = v.RevocationSetWith(context.Background(), set, keys, RevocationOptions{
		RevocationOptions: verify.RevocationOptions{Now: now}, Deltas: deltas})
	t.Logf("%d deltas: %v in %v, %d MiB of module memory", len(deltas), err, time.Since(start).Round(time.Millisecond), v.MemoryBytes()>>20)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	require.Contains(t, re.Message, fmt.Sprintf("more than %d parts", api.MaxParts))
}
