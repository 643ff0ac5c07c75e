package verify

import (
	"time"
)

// licenseMaxDays bounds every day count of a license (trial_days and the
// policy), so that adding one to any time the formats can express stays a
// time the formats can express.
const licenseMaxDays = 36500

// licenseMaxUnix is 9999-12-31T23:59:59Z, the last second RFC 3339's
// four-digit year can write. Computed times are clamped to it so that a
// state written by the engine can always be read back.
const licenseMaxUnix = 253402300799

const licDaySeconds = 86400

// licParseUTC parses the "RFC3339 UTC string" of license-engine-schema-v1:
// YYYY-MM-DDTHH:MM:SS, optional fractional seconds (1 to 9 digits), and
// "Z" or "+00:00", RFC 3339's two spellings of UTC (§4.3); the second is
// what Python's datetime.isoformat() writes for an aware UTC time. Any
// other offset is refused, "-00:00" too: §4.3 keeps it for a time whose
// local offset is unknown, where Z and +00:00 make UTC its reference. A
// lower-case "t" or "z" and a space separator are refused as well.
func licParseUTC(field, s string) (time.Time, *Error) {
	bad := func() (time.Time, *Error) {
		return time.Time{}, fail(CodeInvalidField, "%s %q is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.frac] and Z or +00:00)", field, truncate(s))
	}
	n := len(s)
	switch {
	case n >= 6 && s[n-6:] == "+00:00":
		n -= 6
	case n >= 1 && s[n-1] == 'Z':
		n--
	default:
		return bad()
	}
	// n is now the length before the zone: 19, or 21 to 29 with a fraction.
	if n < 19 || n > 29 || n == 20 {
		return bad()
	}
	for i := 0; i < 19; i++ {
		want := byte(0)
		switch i {
		case 4, 7:
			want = '-'
		case 10:
			want = 'T'
		case 13, 16:
			want = ':'
		}
		if want != 0 && s[i] != want || want == 0 && !licIsDigit(s[i]) {
			return bad()
		}
	}
	if n > 19 {
		if s[19] != '.' {
			return bad()
		}
		for i := 20; i < n; i++ {
			if !licIsDigit(s[i]) {
				return bad()
			}
		}
	}
	// The layout check above leaves only range errors (month 13, Feb 30,
	// second 60) for the one RFC 3339 parser to find.
	t, ok := parseTime(s)
	if !ok {
		return bad()
	}
	return t.UTC(), nil
}

func licIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// licFloorDays returns the whole days from from to to, rounded down (toward
// minus infinity), computed on Unix seconds so that no span overflows.
func licFloorDays(from, to time.Time) int64 {
	s := to.Unix() - from.Unix()
	if to.Nanosecond() < from.Nanosecond() {
		s-- // the true span is s-1 plus a fraction
	}
	d := s / licDaySeconds
	if s%licDaySeconds != 0 && s < 0 {
		d--
	}
	return d
}

// licAddDays returns t plus days whole days (UTC has no daylight saving, so a
// day is 86 400 s), clamped to the last time RFC 3339 can write.
func licAddDays(t time.Time, days int64) time.Time {
	u := t.Unix() + days*licDaySeconds
	if u > licenseMaxUnix {
		return time.Unix(licenseMaxUnix, 0).UTC()
	}
	return time.Unix(u, int64(t.Nanosecond())).UTC()
}

// licMaxTime returns the later of a and b.
func licMaxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// licWritable reports whether t's UTC year has four digits, so that
// RFC 3339 can write it and the engine can read it back.
func licWritable(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}
