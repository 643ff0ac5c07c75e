package timefmt

import (
	"math"
	"testing"
	"time"
)

// check compares both layouts, through RFC3339 and through AppendRFC3339
// onto a non-empty slice, with time.Format.
func check(t *testing.T, tm time.Time) {
	t.Helper()
	for _, nano := range []bool{false, true} {
		layout := time.RFC3339
		if nano {
			layout = time.RFC3339Nano
		}
		want := tm.Format(layout)
		if got := RFC3339(tm, nano); got != want {
			t.Fatalf("RFC3339(%#v, %v) = %q, time.Format %q", tm, nano, got, want)
		}
		if got := string(AppendRFC3339([]byte("x"), tm, nano)); got != "x"+want {
			t.Fatalf("AppendRFC3339(\"x\", %#v, %v) = %q, want %q", tm, nano, got, "x"+want)
		}
	}
}

func TestRFC3339(t *testing.T) {
	zones := []*time.Location{
		time.UTC,
		time.FixedZone("", 0), // offset 0 outside UTC is "Z" too
		time.FixedZone("", 3600),
		time.FixedZone("", -3600),
		time.FixedZone("", 5*3600+30*60),
		time.FixedZone("", -(9*3600 + 30*60)),
		time.FixedZone("", 59),       // under a minute: "+00:00"
		time.FixedZone("", -59),      // the same, the other way
		time.FixedZone("", -61),      // "-00:01"
		time.FixedZone("", 3600+45),  // seconds dropped
		time.FixedZone("", 14*3600),  // the largest real offset
		time.FixedZone("", -12*3600), // the smallest
		time.FixedZone("", 100*3600), // more than two digits of hours
		time.FixedZone("", -(1000*3600 + 59*60)),
	}
	for _, name := range []string{"America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Amsterdam"} {
		if loc, err := time.LoadLocation(name); err == nil {
			zones = append(zones, loc) // historical offsets with seconds (LMT) included
		}
	}
	dates := []time.Time{
		{}, // year 1
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Unix(0, 999999999),
		time.Unix(0, 100000000),
		time.Unix(0, 120000000),
		time.Unix(0, 123456789),
		time.Unix(0, 10),
		time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 23, 59, 59, 500, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(-9999, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(-10000, 6, 15, 0, 0, 0, 0, time.UTC),
		time.Date(-123456789, 6, 15, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(292277026596, 12, 4, 15, 30, 7, 0, time.UTC),
		time.Unix(math.MaxInt64, 999999999),
		time.Unix(math.MinInt64, 0),
		time.Unix(1<<62, 0),
		time.Unix(-1<<62, 0),
	}
	for _, d := range dates {
		for _, z := range zones {
			check(t, d.In(z))
		}
	}
	check(t, time.Now())
	check(t, time.Now().Local())
}

// FuzzRFC3339: for any instant, nanosecond and fixed offset, both layouts
// are byte-identical to time.Format.
func FuzzRFC3339(f *testing.F) {
	f.Add(int64(0), int64(0), 0)
	f.Add(int64(1740830400), int64(123456789), 3600)
	f.Add(int64(-62135596800), int64(1), -59)       // year 1, under a minute west
	f.Add(int64(-62167219201), int64(100), 19800)   // year -1
	f.Add(int64(253402300800), int64(999999999), 1) // year 10000
	f.Add(int64(math.MaxInt64), int64(-1), math.MinInt32)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		check(t, time.Unix(sec, nsec).In(time.FixedZone("", offset)))
	})
}
