package api

import (
	"encoding/base64"
	"encoding/json"

	"github.com/licverify/licverify/verify"
)

func init() { register("qkey", qkey) }

// qkey is verify.QKey: {keys, now, qkey, password?, package?, machine_id?,
// allow_unsigned?, limit?}. qkey is the file's bytes in standard base64
// (padded), since an encrypted file is not text.
func qkey(raw json.RawMessage) (any, error) {
	var req struct {
		Op            string  `json:"op"`
		Keys          *string `json:"keys"`
		Now           *string `json:"now"`
		QKey          *string `json:"qkey"`
		Password      string  `json:"password"`
		Package       string  `json:"package"`
		MachineID     string  `json:"machine_id"`
		AllowUnsigned bool    `json:"allow_unsigned"`
		Limit         int     `json:"limit"`
	}
	if err := decode(raw, &req); err != nil {
		return nil, err
	}
	now, err := parseNow(req.Now)
	if err != nil {
		return nil, err
	}
	if req.QKey == nil {
		return nil, badRequest("qkey is required")
	}
	file, err := base64.StdEncoding.Strict().DecodeString(*req.QKey)
	if err != nil {
		return nil, badRequest("qkey is not standard base64: %v", err)
	}
	ring, refused, err := parseKeys(req.Keys)
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return refused, nil
	}
	res, err := verify.QKey(file, ring, verify.QKeyOptions{
		Now: now, Password: req.Password, Package: req.Package, MachineID: req.MachineID,
		AllowUnsigned: req.AllowUnsigned, Limit: req.Limit,
	})
	if err != nil {
		return nil, badRequest("%v", err) // only misuse reaches here
	}
	return res, nil
}
