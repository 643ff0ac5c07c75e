package canonical

import (
	"cmp"
	mathbits "math/bits"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads string tokens in place, by their offset in a document
// that check has validated, so that member names are compared, hashed and
// sorted without being decoded into strings. A document of millions of
// members (a forged revocation set) then costs a few bytes per member
// instead of a string and a map entry each.

// runeAt decodes the code point at doc[i], inside a string token that
// check has validated, and returns it with the index after it.
func runeAt(doc []byte, i int) (rune, int) {
	c := doc[i]
	if c >= utf8.RuneSelf {
		r, n := utf8.DecodeRune(doc[i:])
		return r, i + n
	}
	if c != '\\' {
		return rune(c), i + 1
	}
	switch c = doc[i+1]; c {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
		hi, _ := hex4(doc, i+2)
		if !utf16.IsSurrogate(hi) {
			return hi, i + 6
		}
		lo, _ := hex4(doc, i+8)
		return utf16.DecodeRune(hi, lo), i + 12
	default: // '"', '\\', '/'
		return rune(c), i + 2
	}
}

// cmpNames orders the string tokens at offsets a and b of doc by the
// UTF-16 code units of their values (RFC 8785 §3.2.3): -1, 0 or +1. Equal
// values in different spellings ("a" and "\u0061") compare equal.
func cmpNames(doc []byte, a, b int) int {
	c, _ := cmpNamesBoth(doc, a, b)
	return c
}

// cmpNamesBoth is cmpNames, and the order of the same names by code point
// (cmpCodePoints), in one walk: the two differ only where the first
// differing characters are one above U+FFFF and one in U+E000…U+FFFF.
func cmpNamesBoth(doc []byte, a, b int) (utf16Order, codePoint int) {
	i, j := a+1, b+1
	for {
		ca, cb := doc[i], doc[j]
		if ca == cb && ca != '"' && ca != '\\' {
			i++
			j++
			continue
		}
		// The usual difference: two plain ASCII characters, or the end of
		// one name.
		if ca != cb && ca < utf8.RuneSelf && cb < utf8.RuneSelf && ca != '\\' && cb != '\\' {
			switch {
			case ca == '"':
				return -1, -1
			case cb == '"':
				return 1, 1
			case ca < cb:
				return -1, -1
			}
			return 1, 1
		}
		// The bytes before i and j are equal and hold no escape, so a
		// difference inside a multi-byte character is decided from its
		// first byte, which both share.
		for doc[i]&0xC0 == 0x80 {
			i--
			j--
		}
		endA, endB := doc[i] == '"', doc[j] == '"'
		switch {
		case endA && endB:
			return 0, 0
		case endA:
			return -1, -1
		case endB:
			return 1, 1
		}
		var ra, rb rune
		ra, i = runeAt(doc, i)
		rb, j = runeAt(doc, j)
		if ra != rb {
			utf16Order, codePoint = 1, 1
			if utf16Key(ra) < utf16Key(rb) {
				utf16Order = -1
			}
			if ra < rb {
				codePoint = -1
			}
			return utf16Order, codePoint
		}
	}
}

// nameIs reports whether the string token at offset at has the value v.
func nameIs(doc []byte, at int, v string) bool {
	i := at + 1
	// The usual case: a different first character, or the same text.
	if c := doc[i]; c != '\\' && (v == "" || c != v[0]) {
		return v == "" && c == '"'
	}
	// Raw bytes equal to v are v only if v holds no byte an escape
	// starts or a string ends with.
	if len(doc) > i+len(v) && string(doc[i:i+len(v)]) == v && doc[i+len(v)] == '"' &&
		strings.IndexAny(v, `"\`) < 0 {
		return true
	}
	var buf [utf8.UTFMax]byte
	for doc[i] != '"' {
		var r rune
		r, i = runeAt(doc, i)
		n := utf8.EncodeRune(buf[:], r)
		if len(v) < n || string(buf[:n]) != v[:n] {
			return false
		}
		v = v[n:]
	}
	return v == ""
}

// decodeToken appends the value of the string token at at to dst, as
// UTF-8.
func decodeToken(dst, doc []byte, at int) []byte {
	for i := at + 1; doc[i] != '"'; {
		var r rune
		r, i = runeAt(doc, i)
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// appendToken writes the string token at at in RFC 8785 §3.2.2.2 form
// and returns the offset after the token. Bytes that are not escapes are
// already canonical, since check refused raw control characters.
func appendToken(out, doc []byte, at int) ([]byte, int) {
	j := at + 1
	for plain[doc[j]] || doc[j] >= utf8.RuneSelf {
		j++
	}
	out = append(out, doc[at:j]...)
	for doc[j] != '"' {
		if doc[j] != '\\' {
			out = append(out, doc[j])
			j++
			continue
		}
		var r rune
		r, j = runeAt(doc, j)
		out = appendRune(out, r)
	}
	return append(out, '"'), j + 1
}

// skipToken returns the offset after the string token at at, which check
// has validated.
func skipToken(doc []byte, at int) int {
	i := at + 1
	for {
		for plain[doc[i]] || doc[i] >= utf8.RuneSelf {
			i++
		}
		if doc[i] == '"' {
			return i + 1
		}
		i += 2 // an escape's backslash and the byte after it
	}
}

// sortMembers sorts the members of an object, each its name's sortKey
// above the offset of its name token, by their names in the order of
// cmpNames (UTF-16 code units, RFC 8785 §3.2.3; or code points,
// cmpCodePoints), equal names by offset. sortKey orders both alike. It returns the offset of the
// first name in document order that repeats an earlier one, or -1.
func sortMembers(doc []byte, m []uint64, cmpNames func(doc []byte, a, b int) int) (dup int) {
	// One sort of integers orders all but the names that share a key.
	radixSort(m, 56)
	dup = -1
	for i := 0; i < len(m); {
		j := i + 1
		for j < len(m) && m[j]>>32 == m[i]>>32 {
			j++
		}
		if j-i > 1 {
			run := m[i:j]
			slices.SortFunc(run, func(a, b uint64) int {
				if c := cmpNames(doc, int(uint32(a)), int(uint32(b))); c != 0 {
					return c
				}
				return cmp.Compare(uint32(a), uint32(b))
			})
			for k := 1; k < len(run); k++ {
				at := int(uint32(run[k]))
				if (dup < 0 || at < dup) && cmpNames(doc, int(uint32(run[k-1])), at) == 0 {
					dup = at
				}
			}
		}
		i = j
	}
	return dup
}

// radixSort sorts m by the byte of each element at shift and the bytes
// below it down to bit 32 (the sort key, sortKey), then equal keys by the
// rest (the offset): an in-place most-significant-digit radix sort
// (American flag sort). A comparison sort of the millions of members of a
// forged set took three times as long in WebAssembly; this reads each
// element once per key byte, and a key byte takes few values.
func radixSort(m []uint64, shift uint) {
	if len(m) <= 32 {
		// Insertion sort: the whole element orders by key, then offset.
		for i := 1; i < len(m); i++ {
			for j := i; j > 0 && m[j] < m[j-1]; j-- {
				m[j], m[j-1] = m[j-1], m[j]
			}
		}
		return
	}
	var count, next [256]int
	for i := 0; i < len(m); i += chunk {
		countDigits(m[i:min(i+chunk, len(m))], shift, &count)
	}
	sum := 0
	for b, c := range count {
		next[b] = sum
		sum += c
	}
	start := next
	for b := range 256 {
		end := start[b] + count[b]
		for next[b] < end {
			place(m, shift, &next, b, end)
		}
	}
	for b, c := range count {
		if c < 2 {
			continue
		}
		if bucket := m[start[b] : start[b]+c]; shift > 32 {
			radixSort(bucket, shift-8)
		} else {
			// One key: order by offset.
			slices.Sort(bucket)
		}
	}
}

// countDigits adds to count the elements of m by their byte at shift.
func countDigits(m []uint64, shift uint, count *[256]int) {
	for _, x := range m {
		count[byte(x>>shift)]++
	}
}

// place fills bucket b of m, up to chunk elements at a time, from next[b]
// up to end: each element found there is carried to its bucket, and
// what it displaces to its own, until one belongs in b.
func place(m []uint64, shift uint, next *[256]int, b, end int) {
	for k := 0; k < chunk && next[b] < end; k++ {
		x := m[next[b]]
		for d := byte(x >> shift); int(d) != b; d = byte(x >> shift) {
			m[next[d]], x = x, m[next[d]]
			next[d]++
		}
		m[next[b]] = x
		next[b]++
	}
}

// sortKey is a number that orders like the first four UTF-16 code units
// of the string token at at, where it can: each code unit below U+0080 is
// a byte of its value plus one, the end of the string is 0, and any other
// code unit is 0xFF and ends the key, as all of them sort above U+007F.
// Names whose keys differ are in the order of their keys; names with equal
// keys must be compared.
func sortKey(doc []byte, at int) uint64 {
	// The usual case: four plain ASCII characters, or fewer and the end.
	var k uint64
	for n, i := 0, at+1; n < 4; n++ {
		c := doc[i]
		if c == '"' {
			return k << (8 * uint(4-n))
		}
		if c >= utf8.RuneSelf || c == '\\' {
			break
		}
		k = k<<8 | uint64(c) + 1
		i++
		if n == 3 {
			return k
		}
	}
	k = 0
	i := at + 1
	for n := 0; n < 4; n++ {
		k <<= 8
		if doc[i] == '"' {
			continue
		}
		var r rune
		r, i = runeAt(doc, i)
		if r >= 0x80 {
			k |= 0xFF
			k <<= 8 * uint(3-n)
			return k
		}
		k |= uint64(r) + 1
	}
	return k
}

// firstDuplicate returns the offset of the first name, in document order
// and before offset lim, that repeats an earlier name of its object among
// the objects out of canonical order, or -1. It runs after the scan has
// stopped at lim (the end of doc, or where it failed), so every byte
// before lim has been validated, and a name counts only if its token ends
// before lim.
func (s *scanner) firstDuplicate(lim int) int {
	if s.unsorted == nil || lim < 0 {
		return -1
	}
	doc := s.doc[:min(lim, len(s.doc))]
	dup := -1
	var m []uint64
	for w, bits := range s.unsorted {
		for ; bits != 0; bits &= bits - 1 {
			open := w*64 + mathbits.TrailingZeros64(bits)
			if open >= len(doc) {
				return dup
			}
			m = prefixMembers(m[:0], doc, open)
			if d := sortMembers(s.doc, m, cmpNames); d >= 0 && (dup < 0 || d < dup) {
				dup = d
			}
		}
	}
	return dup
}

// prefixMembers appends the members of the object opened at open whose
// name tokens are complete in doc, a prefix of validated JSON, in the form
// sortMembers takes. Every read is bounded by the end of doc.
func prefixMembers(m []uint64, doc []byte, open int) []uint64 {
	i := open + 1
	skip := func(set string) {
		for i < len(doc) && strings.IndexByte(set, doc[i]) >= 0 {
			i++
		}
	}
	for {
		skip(" \t\n\r,")
		if i >= len(doc) || doc[i] != '"' {
			return m
		}
		end, ok := prefixValue(doc, i)
		if !ok {
			return m
		}
		m = append(m, sortKey(doc, i)<<32|uint64(i))
		i = end
		skip(" \t\n\r:")
		if i >= len(doc) {
			return m
		}
		if i, ok = prefixValue(doc, i); !ok {
			return m
		}
	}
}

// prefixValue returns the offset after the value at i, and false if the
// value does not end within doc: a prefix of validated JSON here, or all
// of it for the encoder, where every value ends.
func prefixValue(doc []byte, i int) (int, bool) {
	depth := 0
	for i < len(doc) {
		switch doc[i] {
		case '"':
			for i++; i < len(doc) && doc[i] != '"'; i++ {
				if doc[i] == '\\' {
					i++
				}
			}
			if i >= len(doc) {
				return i, false
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i, true
			}
		default:
			if depth == 0 {
				// A number or a literal: it ends at a delimiter.
				for i < len(doc) && strings.IndexByte(",}] \t\n\r", doc[i]) < 0 {
					i++
				}
				return i, i < len(doc)
			}
		}
		i++
		if depth == 0 {
			return i, true
		}
	}
	return i, false
}

// appendRune writes one decoded code point of a string value in
// RFC 8785 §3.2.2.2 form.
func appendRune(out []byte, r rune) []byte {
	switch r {
	case '"':
		return append(out, '\\', '"')
	case '\\':
		return append(out, '\\', '\\')
	case '\b':
		return append(out, '\\', 'b')
	case '\f':
		return append(out, '\\', 'f')
	case '\n':
		return append(out, '\\', 'n')
	case '\r':
		return append(out, '\\', 'r')
	case '\t':
		return append(out, '\\', 't')
	}
	if r < 0x20 {
		return append(out, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
	}
	return utf8.AppendRune(out, r)
}

// utf16Key maps a code point to its UTF-16 code units as one number that
// orders like them: below U+10000 the code point, otherwise the surrogate
// pair, which sorts below U+E000…U+FFFF.
func utf16Key(r rune) int {
	if r < 0x10000 {
		return int(r) << 16
	}
	hi, lo := utf16.EncodeRune(r)
	return int(hi)<<16 | int(lo)
}

const hexDigits = "0123456789abcdef"
