package io.github.licverify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The options of {@link Verifier#plan(PlanOptions)} (docs/formats.md "The lifecycle ops",
 * {@code plan}): what the host has cached, the failed fetches so far, and its policy. Immutable;
 * made by {@link #builder(Keyring, Instant)}. A member left unset is absent from the request: no
 * document of that kind cached, or the module's default. Bounds are the module's to check: a
 * value out of them is a {@link LicverifyException.Kind#BAD_REQUEST}.
 */
public final class PlanOptions {
    final Keyring keys;
    final Instant now;
    final byte[] proof;
    final byte[] set;
    final List<byte[]> deltas;
    final String licenseId;
    final byte[] fingerprint;
    final Long minEpoch;
    final Long maxTtlSeconds;
    final Long skewSeconds;
    final Instant syncedAt;
    final Long proofFailures;
    final Instant proofFailedAt;
    final Long setFailures;
    final Instant setFailedAt;
    final Long refreshPercent;
    final Long syncIntervalSeconds;
    final Long backoffSeconds;
    final Long backoffMaxSeconds;
    final Long maxDeltas;

    private PlanOptions(Builder b) {
        keys = b.keys;
        now = b.now;
        proof = b.proof;
        set = b.set;
        deltas = List.copyOf(b.deltas);
        licenseId = b.licenseId;
        fingerprint = b.fingerprint;
        minEpoch = b.minEpoch;
        maxTtlSeconds = b.maxTtlSeconds;
        skewSeconds = b.skewSeconds;
        syncedAt = b.syncedAt;
        proofFailures = b.proofFailures;
        proofFailedAt = b.proofFailedAt;
        setFailures = b.setFailures;
        setFailedAt = b.setFailedAt;
        refreshPercent = b.refreshPercent;
        syncIntervalSeconds = b.syncIntervalSeconds;
        backoffSeconds = b.backoffSeconds;
        backoffMaxSeconds = b.backoffMaxSeconds;
        maxDeltas = b.maxDeltas;
    }

    /**
     * Options with the two required members.
     *
     * @param keys the keyring, from your configuration: one keyring verifies proofs and sets
     * @param now the time to plan at, from a clock you trust
     * @return a builder
     */
    public static Builder builder(Keyring keys, Instant now) {
        return new Builder(keys, now);
    }

    Request request() {
        return new Request("plan").part("keys", keys.shared()).time("now", now).part("proof", proof).part("set", set)
                .parts("deltas", deltas).string("license_id", licenseId).part("fingerprint", fingerprint)
                .integer("min_epoch", minEpoch).integer("max_ttl_seconds", maxTtlSeconds).integer("skew_seconds", skewSeconds)
                .time("synced_at", syncedAt).integer("proof_failures", proofFailures).time("proof_failed_at", proofFailedAt)
                .integer("set_failures", setFailures).time("set_failed_at", setFailedAt)
                .integer("refresh_percent", refreshPercent).integer("sync_interval_seconds", syncIntervalSeconds)
                .integer("backoff_seconds", backoffSeconds).integer("backoff_max_seconds", backoffMaxSeconds)
                .integer("max_deltas", maxDeltas);
    }

    /** Builds {@link PlanOptions}; not thread-safe. */
    public static final class Builder {
        private final Keyring keys;
        private final Instant now;
        private byte[] proof;
        private byte[] set;
        private final List<byte[]> deltas = new ArrayList<>();
        private String licenseId;
        private byte[] fingerprint;
        private Long minEpoch;
        private Long maxTtlSeconds;
        private Long skewSeconds;
        private Instant syncedAt;
        private Long proofFailures;
        private Instant proofFailedAt;
        private Long setFailures;
        private Instant setFailedAt;
        private Long refreshPercent;
        private Long syncIntervalSeconds;
        private Long backoffSeconds;
        private Long backoffMaxSeconds;
        private Long maxDeltas;

        private Builder(Keyring keys, Instant now) {
            this.keys = Objects.requireNonNull(keys, "keys");
            this.now = Objects.requireNonNull(now, "now");
        }

        /**
         * The cached status proof, in any of its three forms (the object, the API's {@code
         * {"proof": ...}} wrapper, the compact base64 form); verified again at this call.
         *
         * @param proof the proof's bytes as cached (copied); empty bytes are a document too ({@code malformed_json})
         * @return this builder
         */
        public Builder proof(byte[] proof) {
            this.proof = Objects.requireNonNull(proof, "proof").clone();
            return this;
        }

        /**
         * The cached base revocation set; verified again at this call.
         *
         * @param set the set's bytes as cached (copied)
         * @return this builder
         */
        public Builder set(byte[] set) {
            this.set = Objects.requireNonNull(set, "set").clone();
            return this;
        }

        /**
         * The deltas cached after the set, in order (at most 4,096); deltas without a set are a
         * bad request.
         *
         * @param deltas each delta's bytes (copied), added after those given before
         * @return this builder
         */
        public Builder deltas(List<byte[]> deltas) {
            for (byte[] d : deltas) this.deltas.add(Objects.requireNonNull(d, "delta").clone());
            return this;
        }

        /**
         * Requires the proof to be for this license, as {@link StatusProofOptions.Builder#licenseId}.
         *
         * @param licenseId a non-empty license id
         * @return this builder
         */
        public Builder licenseId(String licenseId) {
            this.licenseId = Objects.requireNonNull(licenseId, "licenseId");
            return this;
        }

        /**
         * Requires a bound proof to be bound to this device, as {@link
         * StatusProofOptions.Builder#fingerprint}.
         *
         * @param components the fingerprint components' JSON bytes (copied)
         * @return this builder
         */
        public Builder fingerprint(byte[] components) {
            this.fingerprint = Objects.requireNonNull(components, "components").clone();
            return this;
        }

        /**
         * The stored anti-rollback epoch ({@link EpochStore#get(String)}), for the proof and the
         * chain alike.
         *
         * @param minEpoch 0 to 2^53
         * @return this builder
         */
        public Builder minEpoch(long minEpoch) {
            this.minEpoch = minEpoch;
            return this;
        }

        /**
         * The longest proof TTL accepted, in seconds (default 604800, 7 days).
         *
         * @param seconds more than 0
         * @return this builder
         */
        public Builder maxTtlSeconds(long seconds) {
            this.maxTtlSeconds = seconds;
            return this;
        }

        /**
         * The tolerance for "issued in the future", in seconds, for the proof and the chain
         * (default 300; 0 means none).
         *
         * @param seconds 0 or more
         * @return this builder
         */
        public Builder skewSeconds(long seconds) {
            this.skewSeconds = seconds;
            return this;
        }

        /**
         * When the set (or its last delta) was last taken; unset means never. A time after
         * {@code now} (the clock was set back) is read as {@code now}.
         *
         * @param t the time
         * @return this builder
         */
        public Builder syncedAt(Instant t) {
            this.syncedAt = Objects.requireNonNull(t, "syncedAt");
            return this;
        }

        /**
         * Consecutive failed fetches of a proof (a transport error or a refused document).
         *
         * @param n 0 to 1,000,000
         * @return this builder
         */
        public Builder proofFailures(long n) {
            this.proofFailures = n;
            return this;
        }

        /**
         * When the last failed proof fetch happened; failures without it delay nothing.
         *
         * @param t the time
         * @return this builder
         */
        public Builder proofFailedAt(Instant t) {
            this.proofFailedAt = Objects.requireNonNull(t, "proofFailedAt");
            return this;
        }

        /**
         * Consecutive failed fetches of a set or delta.
         *
         * @param n 0 to 1,000,000
         * @return this builder
         */
        public Builder setFailures(long n) {
            this.setFailures = n;
            return this;
        }

        /**
         * When the last failed set fetch happened; failures without it delay nothing.
         *
         * @param t the time
         * @return this builder
         */
        public Builder setFailedAt(Instant t) {
            this.setFailedAt = Objects.requireNonNull(t, "setFailedAt");
            return this;
        }

        /**
         * The refresh point, in percent of the proof's lifetime (default 75).
         *
         * @param percent 1 to 100
         * @return this builder
         */
        public Builder refreshPercent(long percent) {
            this.refreshPercent = percent;
            return this;
        }

        /**
         * How often to sync the set, in seconds after {@code syncedAt} (default 300).
         *
         * @param seconds 1 to 2^31
         * @return this builder
         */
        public Builder syncIntervalSeconds(long seconds) {
            this.syncIntervalSeconds = seconds;
            return this;
        }

        /**
         * The first retry delay after a failed fetch, in seconds, doubled at each further failure
         * (default 30).
         *
         * @param seconds 1 to 2^31
         * @return this builder
         */
        public Builder backoffSeconds(long seconds) {
            this.backoffSeconds = seconds;
            return this;
        }

        /**
         * The cap on the retry delay, in seconds (default 3600).
         *
         * @param seconds 1 to 2^31
         * @return this builder
         */
        public Builder backoffMaxSeconds(long seconds) {
            this.backoffMaxSeconds = seconds;
            return this;
        }

        /**
         * A chain of this many deltas is replaced by a full set (default 256).
         *
         * @param n 1 to 4096
         * @return this builder
         */
        public Builder maxDeltas(long n) {
            this.maxDeltas = n;
            return this;
        }

        /** @return the options */
        public PlanOptions build() {
            return new PlanOptions(this);
        }
    }
}
