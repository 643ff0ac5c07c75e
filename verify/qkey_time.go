package verify

import (
	"time"
)

// qkeyParseTime parses the ISO 8601 forms qkey-license-format lists:
//
//	YYYY-MM-DD                    (midnight)
//	YYYY-MM-DDTHH:MM:SS
//	YYYY-MM-DDTHH:MM:SS.ffffff    (1 to 9 digits)
//	...followed by Z or ±HH:MM    (optional)
//
// A time without an offset is UTC. Anything else (week dates, a space
// separator, HH:MM without seconds, a date with an offset) is
// CodeInvalidField, as is a date or time out of range (February 30,
// 24:00, second 60). The result is in UTC.
func qkeyParseTime(field, s string) (time.Time, *Error) {
	bad := func() (time.Time, *Error) {
		return time.Time{}, fail(CodeInvalidField, "%s %q is not an ISO 8601 date or date-time", field, truncate(s))
	}
	p := qkeyScanner{s: s}
	year, okY := p.digits(4)
	okD1 := p.lit('-')
	month, okM := p.digits(2)
	okD2 := p.lit('-')
	day, okDay := p.digits(2)
	if !(okY && okD1 && okM && okD2 && okDay) {
		return bad()
	}
	hour, minute, sec, nsec, loc := 0, 0, 0, 0, time.UTC
	if !p.done() {
		var ok bool
		if hour, minute, sec, nsec, loc, ok = p.clock(); !ok {
			return bad()
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	// time.Date normalizes out-of-range fields; a round trip shows them.
	if t.Year() != year || int(t.Month()) != month || t.Day() != day ||
		t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return bad()
	}
	t = t.UTC()
	if !licWritable(t) {
		return bad()
	}
	return t, nil
}

type qkeyScanner struct {
	s   string
	pos int
}

func (p *qkeyScanner) done() bool { return p.pos == len(p.s) }

func (p *qkeyScanner) lit(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *qkeyScanner) digits(n int) (int, bool) {
	if p.pos+n > len(p.s) {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		c := p.s[p.pos+i]
		if !licIsDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.pos += n
	return v, true
}

// clock scans "THH:MM:SS", optional fraction, optional offset, to the end.
func (p *qkeyScanner) clock() (hour, minute, sec, nsec int, loc *time.Location, ok bool) {
	loc = time.UTC
	okT := p.lit('T')
	hour, okH := p.digits(2)
	okC1 := p.lit(':')
	minute, okMin := p.digits(2)
	okC2 := p.lit(':')
	sec, okS := p.digits(2)
	if !(okT && okH && okC1 && okMin && okC2 && okS) {
		return
	}
	if p.lit('.') {
		n := 0
		for n < 9 && p.pos < len(p.s) && licIsDigit(p.s[p.pos]) {
			nsec = nsec*10 + int(p.s[p.pos]-'0')
			p.pos++
			n++
		}
		if n == 0 || (p.pos < len(p.s) && licIsDigit(p.s[p.pos])) {
			return
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}
	switch {
	case p.lit('Z'):
	case p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '-'):
		sign := 1
		if p.s[p.pos] == '-' {
			sign = -1
		}
		p.pos++
		oh, okOH := p.digits(2)
		okC := p.lit(':')
		om, okOM := p.digits(2)
		if !(okOH && okC && okOM) || oh > 23 || om > 59 {
			return
		}
		loc = time.FixedZone("", sign*(oh*3600+om*60))
	}
	return hour, minute, sec, nsec, loc, p.done()
}
