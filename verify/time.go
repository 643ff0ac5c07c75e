package verify

import "time"

// ParseTime reads an RFC 3339 date-time (RFC 3339 §5.6) strictly, the one
// grammar of every date-time member of every format and of the hosts' now:
//
//	YYYY-MM-DD "T" hh:mm:ss [ "." 1-9 digits ] ( "Z" / ("+" / "-") hh:mm )
//
// Upper-case "T" and "Z" only; hour 00-23, minute 00-59, second 00-59 (no
// leap second), offset hour 00-23 and minute 00-59; days checked against
// the month. The instant's UTC form must lie in years 0000-9999, the years
// an RFC 3339 result can write, so that every time read can be written
// back. Anything else is an error with CodeInvalidField; nothing is
// shifted or truncated. (license.key's UTC-only form and .qkey's ISO 8601
// forms are subsets and supersets of their own, documented with them.)
func ParseTime(s string) (time.Time, error) {
	t, ok := parseTime(s)
	if !ok {
		return time.Time{}, fail(CodeInvalidField, "%q is not an RFC 3339 date-time", truncate(s))
	}
	return t, nil
}

func parseTime(s string) (time.Time, bool) {
	n := len(s)
	if n < 20 {
		return time.Time{}, false
	}
	num := func(at, width int) (int, bool) {
		v := 0
		for i := at; i < at+width; i++ {
			if i >= n || s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			v = v*10 + int(s[i]-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if i < n && s[i] == '.' {
		i++
		start := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		digits := i - start
		if digits == 0 || digits > 9 {
			return time.Time{}, false
		}
		frac, _ := num(start, digits)
		for k := digits; k < 9; k++ {
			frac *= 10
		}
		nsec = frac
	}
	offset := 0
	switch {
	case i == n-1 && s[i] == 'Z':
	case i == n-6 && (s[i] == '+' || s[i] == '-') && s[i+3] == ':':
		oh, okH := num(i+1, 2)
		om, okM := num(i+4, 2)
		if !okH || !okM || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if s[i] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	// The wall time minus the offset is the UTC instant.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC).Add(-time.Duration(offset) * time.Second)
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}, false
	}
	if offset != 0 {
		t = t.In(time.FixedZone("", offset))
	}
	return t, true
}
