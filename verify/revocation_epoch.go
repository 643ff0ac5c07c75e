package verify

// CheckEpoch is the anti-rollback guard (formats.md §2). stored is the
// highest epoch the host has ever accepted for a namespace (0 when none)
// and presented is the epoch of a document whose signature has verified.
// It returns the epoch to store: presented when it is not older than
// stored, and stored unchanged with an [*Error] of CodeEpochRollback when
// it is. Storage belongs to the host: a file written atomically, browser
// storage or the OS keychain. A negative epoch is misuse ([ErrMisuse]).
func CheckEpoch(stored, presented int64) (int64, error) {
	if stored < 0 || presented < 0 {
		return stored, misuse("epoch: stored %d and presented %d must not be negative", stored, presented)
	}
	if presented < stored {
		return stored, fail(CodeEpochRollback, "epoch %d is older than the stored epoch %d", presented, stored)
	}
	return presented, nil
}
