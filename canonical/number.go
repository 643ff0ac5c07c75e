package canonical

import (
	"math"
	"strconv"
)

// appendNumber appends v as ECMAScript's Number::toString writes it
// (radix 10), which is the number form of RFC 8785 §3.2.2.3. ok is false,
// and nothing is appended, for NaN and ±Inf, which JSON cannot hold.
//
// The digits are strconv's shortest that read back as v: the ones
// ECMAScript asks for (the fewest, and of those the nearest to v), which
// the ES6 number test file and FuzzNumber check. The layout is
// ECMAScript's: plain digits below 1e21, "0.000001" down to 1e-6,
// otherwise one digit, the rest of the digits after a point if any, and
// an exponent with its sign and no leading zero ("1e+21", "1.5e-7").
// -0 is written "0".
//
// The package does this itself rather than calling jcs.NumberToJSON:
// importing jcs links its package-level regexp, and with it regexp and
// regexp/syntax, into the wasm module. jcs stays the reference in the
// tests: FuzzNumber and FuzzTransform hold the two equal.
func appendNumber(dst []byte, v float64) (_ []byte, ok bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dst, false
	}
	if v == 0 { // 0 and -0
		return append(dst, '0'), true
	}
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}

	var digits [17]byte
	k, n := shortestDigits(&digits, v)
	d := digits[:k]

	switch {
	case k <= n && n <= 21:
		// An integer below 1e21: the digits, then n-k zeros.
		dst = append(dst, d...)
		for j := k; j < n; j++ {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		// A fraction of at least 1: the point inside the digits.
		dst = append(dst, d[:n]...)
		dst = append(dst, '.')
		dst = append(dst, d[n:]...)
	case -6 < n && n <= 0:
		// Down to 1e-6: "0.", -n zeros, the digits.
		dst = append(dst, '0', '.')
		for j := n; j < 0; j++ {
			dst = append(dst, '0')
		}
		dst = append(dst, d...)
	default:
		// Exponent form: "d[.ddd]e±x".
		dst = append(dst, d[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, d[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 < 0 {
			dst = append(dst, '-')
			dst = strconv.AppendInt(dst, int64(1-n), 10)
		} else {
			dst = append(dst, '+')
			dst = strconv.AppendInt(dst, int64(n-1), 10)
		}
	}
	return dst, true
}

// shortestDigits writes into digits the shortest decimal digits that read
// back as v > 0 (strconv's, at most 17, no trailing zeros) and returns
// their count k and the decimal point's place n: v = 0.d × 10^n.
func shortestDigits(digits *[17]byte, v float64) (k, n int) {
	var buf [32]byte
	sci := strconv.AppendFloat(buf[:0], v, 'e', -1, 64)
	i := 0
	for ; sci[i] != 'e'; i++ {
		if sci[i] != '.' {
			digits[k] = sci[i]
			k++
		}
	}
	exp := 0
	for _, c := range sci[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if sci[i+1] == '-' {
		exp = -exp
	}
	return k, exp + 1
}
