package io.github.licverify;

import java.util.List;

/** The answer of {@link LoadedRevocationSet#lookup(java.util.List, java.time.Instant)}. */
public final class LookupsResult extends Result {
    private final Long epoch;
    private final Boolean stale;
    private final List<LookupResult> lookups;

    LookupsResult(Json.Obj o, String json) {
        super(o, json);
        epoch = num(o, "epoch");
        stale = bool(o, "stale");
        lookups = lookups(o);
    }

    /** @return the set's epoch (after any deltas applied), or null */
    public Long epoch() {
        return epoch;
    }

    /** @return true when past valid_until, accepted because the set was loaded with allow_stale; or null */
    public Boolean stale() {
        return stale;
    }

    /** @return one entry per id asked for, in order (unmodifiable), or null (set_expired) */
    public List<LookupResult> lookups() {
        return lookups;
    }
}
