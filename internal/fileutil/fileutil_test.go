package fileutil

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCause(t *testing.T) {
	err := Cause(&os.PathError{Op: "open", Path: "/x/epochs.json.123.tmp", Err: syscall.ENOSPC})
	require.Equal(t, syscall.ENOSPC, err)
	require.NotContains(t, err.Error(), "tmp")
}
