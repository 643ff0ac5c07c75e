// Package timefmt writes the two time layouts the verifier's messages use,
// time.RFC3339 and time.RFC3339Nano, without time.Time.Format: calling
// Format links the time package's layout interpreter into the WebAssembly
// module, where these two layouts are all that is needed. The output is
// byte-identical to Format's for every time.Time (timefmt_test.go), which
// is to say it follows time's own fast path for these layouts
// (appendFormatRFC3339 in time/format_rfc3339.go), not RFC 3339 itself:
// years outside 0000-9999 are written with a sign or with more digits, and
// an offset's seconds are dropped.
package timefmt

import "time"

// RFC3339 is t.Format(time.RFC3339Nano) if nano, else t.Format(time.RFC3339).
func RFC3339(t time.Time, nano bool) string {
	return string(AppendRFC3339(make([]byte, 0, len(time.RFC3339Nano)), t, nano))
}

// AppendRFC3339 is t.AppendFormat(b, time.RFC3339Nano) if nano, else
// t.AppendFormat(b, time.RFC3339).
func AppendRFC3339(b []byte, t time.Time, nano bool) []byte {
	year, month, day := t.Date()
	b = appendInt(b, year, 4)
	b = append(b, '-')
	b = appendInt(b, int(month), 2)
	b = append(b, '-')
	b = appendInt(b, day, 2)
	b = append(b, 'T')
	hour, min, sec := t.Clock()
	b = appendInt(b, hour, 2)
	b = append(b, ':')
	b = appendInt(b, min, 2)
	b = append(b, ':')
	b = appendInt(b, sec, 2)
	if ns := t.Nanosecond(); nano && ns != 0 {
		// Nine digits less their trailing zeros: at least one is left.
		b = append(b, '.')
		b = appendInt(b, ns, 9)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	_, offset := t.Zone()
	if offset == 0 {
		return append(b, 'Z')
	}
	// Whole minutes, truncated toward zero, so that an offset of less than
	// a minute either way is "+00:00", as time writes it.
	zone := offset / 60
	if zone < 0 {
		b = append(b, '-')
		zone = -zone
	} else {
		b = append(b, '+')
	}
	b = appendInt(b, zone/60, 2)
	b = append(b, ':')
	return appendInt(b, zone%60, 2)
}

// appendInt is time's appendInt: x in decimal, a minus sign before a
// negative one, zero-padded to at least width digits.
func appendInt(b []byte, x, width int) []byte {
	u := uint(x)
	if x < 0 {
		b = append(b, '-')
		u = uint(-x)
	}
	n := 1
	for v := u; v >= 10; v /= 10 {
		n++
	}
	for ; n < width; n++ {
		b = append(b, '0')
	}
	start := len(b)
	for {
		b = append(b, byte('0'+u%10))
		u /= 10
		if u == 0 {
			break
		}
	}
	// The digits were appended lowest first.
	for i, j := start, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}
