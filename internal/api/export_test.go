package api

// LoadedSets returns how many sets are loaded, for tests outside the package.
func LoadedSets() int {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	return len(loaded)
}

// HandleValue is handle: the result value of a request, before encoding.
func HandleValue(frame []byte) (any, error) { return handle(frame) }

// Marshal is the result encoder.
func Marshal(v any) ([]byte, error) { return marshal(v) }

// Release frees what a result holds (a loaded set's handle).
func Release(v any) {
	if u, ok := v.(undoer); ok {
		u.undo()
	}
}
