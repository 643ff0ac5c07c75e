package api

import (
	"github.com/licverify/licverify/internal/jsontext"
	"github.com/licverify/licverify/verify"
)

func init() {
	register("qkey", func(r *request) (encoded, error) {
		res, err := qkey(r)
		return respond(err, func(w *jsontext.Writer) { appendQKey(w, res) })
	})
}

// qkey is verify.QKey: the file is a part, its bytes as they are (an
// encrypted file is not text).
func qkey(r *request) (*verify.QKeyResult, error) {
	ring, err := r.keys()
	if err != nil {
		return nil, err
	}
	file := r.part("qkey")
	if file == nil {
		file = []byte{}
	}
	res, err := verify.QKey(file, ring, verify.QKeyOptions{
		Now: r.time("now"), Password: r.str("password"), Package: r.str("package"),
		MachineID: r.str("machine_id"), AllowUnsigned: r.flag("allow_unsigned"), Limit: int(r.int("limit")),
	})
	if err != nil {
		return nil, misuseError(err)
	}
	return res, nil
}
