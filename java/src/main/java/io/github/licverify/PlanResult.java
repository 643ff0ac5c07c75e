package io.github.licverify;

import java.time.Instant;

/**
 * The answer of {@link Verifier#plan(PlanOptions)} (docs/formats.md "The lifecycle ops", {@code
 * plan}): the verdict on what is cached, the results it is drawn from, the epoch to store, and
 * what to fetch when. The verdict ({@link #valid()}, {@link #code()}) is, first that applies:
 * {@code proof_missing} when no proof is cached; the proof's code when it is not {@code ok};
 * {@code revoked} or {@code suspended} when a usable cached chain lists the proof's license id;
 * else {@code ok}.
 */
public final class PlanResult extends Result {
    private final StatusProofResult proof;
    private final RevocationSetResult set;
    private final Long storeEpoch;
    private final Due refreshProof;
    private final Due syncSet;
    private final Instant nextAt;

    PlanResult(Json.Obj o, String json) {
        super(o, json);
        Json.Node n = o.get("proof");
        proof = n != null && n.value instanceof Json.Obj ? new StatusProofResult(n.obj(), n.raw()) : null;
        n = o.get("set");
        set = n != null && n.value instanceof Json.Obj ? new RevocationSetResult(n.obj(), n.raw()) : null;
        storeEpoch = num(o, "store_epoch");
        refreshProof = Due.of(o.get("refresh_proof"));
        syncSet = Due.of(o.get("sync_set"));
        nextAt = time(o, "next_at");
    }

    /**
     * The cached proof's result, exactly the {@code status_proof} answer for it ({@link
     * StatusProofResult#json()} is that member's text); checked without {@code min_epoch} when
     * the cached chain verified up to the stored epoch.
     *
     * @return the result, or null when no proof was given
     */
    public StatusProofResult proof() {
        return proof;
    }

    /**
     * The cached chain's result, exactly the {@code revocation_set} answer for the set and its
     * deltas, with the lookup of the proof's license id when the proof is authentic.
     *
     * @return the result, or null when no set was given
     */
    public RevocationSetResult set() {
        return set;
    }

    /**
     * The higher {@code store_epoch} of the two results: raise the stored anti-rollback epoch to
     * it ({@link EpochStore#raiseTo}).
     *
     * @return the epoch, or null when neither result has one
     */
    public Long storeEpoch() {
        return storeEpoch;
    }

    /**
     * When to fetch a status proof, and why: reason {@code missing}, {@code rejected}, {@code
     * behind}, {@code refresh_point} or {@code backoff}.
     *
     * @return the schedule (null only from a module that did not answer one)
     */
    public Due refreshProof() {
        return refreshProof;
    }

    /**
     * When to sync the revocation set, and why: reason {@code missing}, {@code deltas}, {@code
     * rejected} (a full set), {@code behind}, {@code expired} (a delta: {@link Due#sinceEpoch()}
     * is set), {@code interval} or {@code backoff}.
     *
     * @return the schedule (null only from a module that did not answer one)
     */
    public Due syncSet() {
        return syncSet;
    }

    /**
     * The earlier of the two {@code at}s: when to call {@code plan} again at the latest.
     *
     * @return the time, or null only from a module that did not answer one
     */
    public Instant nextAt() {
        return nextAt;
    }

    /**
     * A fetch that is due: {@code refresh_proof} or {@code sync_set} of a {@link PlanResult}.
     * Immutable.
     */
    public static final class Due {
        private final Instant at;
        private final String reason;
        private final Long sinceEpoch;

        private Due(Json.Obj o) {
            at = time(o, "at");
            reason = str(o, "reason");
            sinceEpoch = num(o, "since_epoch");
        }

        static Due of(Json.Node n) {
            return n != null && n.value instanceof Json.Obj ? new Due(n.obj()) : null;
        }

        /**
         * When to fetch: never before the plan's {@code now}, equal to it when the fetch is due at
         * once.
         *
         * @return the time
         */
        public Instant at() {
            return at;
        }

        /**
         * Why then (docs/formats.md "The lifecycle ops"), such as {@code refresh_point}, {@code
         * interval} or {@code backoff}.
         *
         * @return the reason
         */
        public String reason() {
            return reason;
        }

        /**
         * For a set sync that asks for a delta: the epoch to ask deltas since (the chain's end).
         *
         * @return the epoch, or null for a proof or a full set
         */
        public Long sinceEpoch() {
            return sinceEpoch;
        }

        @Override
        public String toString() {
            return "Due[" + reason + " at " + at + (sinceEpoch == null ? "" : " since_epoch " + sinceEpoch) + "]";
        }
    }
}
