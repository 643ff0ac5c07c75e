package api

import (
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
)

func init() {
	register("license", func(r *request) (encoded, error) {
		res, err := license(r)
		return respond(err, func(w *jsontext.Writer) { appendLicense(w, res) })
	})
}

// license is verify.License: the license.key and license.state.json are
// parts, their exact bytes.
func license(r *request) (*verify.LicenseResult, error) {
	opts := verify.LicenseOptions{
		Now:             r.time("now"),
		ProductID:       r.str("product_id"),
		FingerprintHash: r.str("fingerprint_hash"),
		State:           r.part("state"),
		ReleaseDate:     r.time("release_date"),
		ServerTime:      r.time("server_time"),
	}
	if r.has("state") && opts.State == nil {
		opts.State = []byte{} // present but empty: a state that does not parse
	}
	ring, err := r.keys()
	if err != nil {
		return nil, err
	}
	res, err := verify.License(r.part("license"), ring, opts)
	if err != nil {
		return nil, misuseError(err)
	}
	return res, nil
}
