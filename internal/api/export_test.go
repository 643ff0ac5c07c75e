package api

// LoadedSets returns how many sets are loaded, for tests outside the package.
func LoadedSets() int {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	return len(loaded)
}
