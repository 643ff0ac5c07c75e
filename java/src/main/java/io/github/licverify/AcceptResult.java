package io.github.licverify;

/**
 * The answer of {@link Verifier#accept(byte[], String, AcceptOptions)} (docs/formats.md "The
 * lifecycle ops", {@code accept}): whether the fetched document replaces the cached one, how to
 * store it, the epoch to store after it, and the verdict on it ({@link #valid()}, {@link
 * #code()}: the fetched document's own, or {@code not_newer} when it verifies but is older than
 * the cached one). A taken proof may be a genuine revoked or expired one: {@link #accept()} true,
 * {@link #valid()} false.
 */
public final class AcceptResult extends Result {
    private final boolean accept;
    private final String persist;
    private final Long storeEpoch;
    private final Result result;

    AcceptResult(Json.Obj o, String json, String kind) {
        super(o, json);
        accept = Boolean.TRUE.equals(bool(o, "accept"));
        persist = str(o, "persist");
        storeEpoch = num(o, "store_epoch");
        Json.Node n = o.get("result");
        if (n == null || !(n.value instanceof Json.Obj)) {
            result = null;
        } else if (AcceptOptions.PROOF.equals(kind)) {
            result = new StatusProofResult(n.obj(), n.raw());
        } else {
            result = new RevocationSetResult(n.obj(), n.raw());
        }
    }

    /**
     * Whether to keep the fetched document: persist it as {@link #persist()} says, then raise the
     * stored epoch to {@link #storeEpoch()} (in that order: a crash between the two leaves a cache
     * that still verifies).
     *
     * @return true when the document is taken
     */
    public boolean accept() {
        return accept;
    }

    /**
     * How to store a taken document: {@code "proof"} (replace the cached proof), {@code "set"}
     * (replace the base set and drop the deltas) or {@code "delta"} (append it to the deltas).
     *
     * @return the way, or null when not taken
     */
    public String persist() {
        return persist;
    }

    /**
     * The epoch to raise the stored anti-rollback epoch to once the document is persisted
     * ({@link EpochStore#raiseTo}).
     *
     * @return the epoch, or null when not taken
     */
    public Long storeEpoch() {
        return storeEpoch;
    }

    /**
     * The fetched document's own verification, its exact JSON in {@link Result#json()}: a {@link
     * StatusProofResult} for kind {@code proof}; a {@link RevocationSetResult} for kind {@code
     * revocation} (for a delta: the cached chain with the delta applied).
     *
     * @return the result, or null when the module answered none
     */
    public Result result() {
        return result;
    }
}
