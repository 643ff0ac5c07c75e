package canonical

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCmpDecimal(t *testing.T) {
	for _, tc := range []struct {
		num, ref string
		want     int
	}{
		{"0", "1", -1}, {"0.0e5", "1", -1}, {"1", "1", 0}, {"1.0", "1", 0}, {"10e-1", "1", 0},
		{"0.1e1", "1", 0}, {"1.0000001", "1", 1}, {"0.99", "1", -1}, {"-2", "1", 1},
		{"12e1", "120", 0}, {"12e1", "121", -1}, {"1e99999999999999999999", "1", 1}, {"1e-99999999999999999999", "1", -1},
	} {
		assert.Equal(t, tc.want, cmpDecimal(tc.num, tc.ref), "%s vs %s", tc.num, tc.ref)
	}
}
