//go:build licverify_testhooks

package main

import "bytes"

// With the licverify_testhooks build tag (never in the shipped module), the
// request {"op":"__panic"} panics inside call, so that host tests can check
// what a host does when an export panics.
func init() {
	next := handle
	handle = func(req []byte) []byte {
		if bytes.Equal(req, []byte(`{"op":"__panic"}`)) {
			panic("test hook")
		}
		return next(req)
	}
}
