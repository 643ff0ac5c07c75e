package testvectors

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/licverify/licverify/verify"
	"github.com/stretchr/testify/require"
)

func codeOf(t *testing.T, v Test) verify.Code {
	var exp struct {
		Code verify.Code `json:"code"`
	}
	require.NoError(t, json.Unmarshal(v.Expected, &exp))
	return exp.Code
}

func generate(dir string) error {
	cmd := exec.Command("go", "run", "./gen", "-out", dir)
	cmd.Dir = Dir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &genError{err: err, out: string(out)}
	}
	return nil
}

type genError struct {
	err error
	out string
}

func (e *genError) Error() string { return e.err.Error() + ": " + e.out }
