package io.github.licverify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The options of {@link Verifier#accept(byte[], String, AcceptOptions)} (docs/formats.md "The
 * lifecycle ops", {@code accept}): what the host has cached, as {@link PlanOptions} gives it, less
 * the schedule. Immutable; made by {@link #builder(Keyring, Instant)}. Bounds are the module's to
 * check: a value out of them is a {@link LicverifyException.Kind#BAD_REQUEST}.
 */
public final class AcceptOptions {
    /** The kind of a fetched status proof. */
    public static final String PROOF = "proof";

    /** The kind of a fetched revocation document: a delta when it has {@code since_epoch}, else a full set. */
    public static final String REVOCATION = "revocation";

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
    final Long maxDeltas;

    private AcceptOptions(Builder b) {
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
        maxDeltas = b.maxDeltas;
    }

    /**
     * Options with the two required members.
     *
     * @param keys the keyring, from your configuration: one keyring verifies proofs and sets
     * @param now the time to verify at, from a clock you trust
     * @return a builder
     */
    public static Builder builder(Keyring keys, Instant now) {
        return new Builder(keys, now);
    }

    Request request(byte[] fetched, String kind) {
        return new Request("accept").part("fetched", fetched).string("kind", kind).part("keys", keys.shared()).time("now", now)
                .part("proof", proof).part("set", set).parts("deltas", deltas).string("license_id", licenseId)
                .part("fingerprint", fingerprint).integer("min_epoch", minEpoch).integer("max_ttl_seconds", maxTtlSeconds)
                .integer("skew_seconds", skewSeconds).integer("max_deltas", maxDeltas);
    }

    /** Builds {@link AcceptOptions}; not thread-safe. */
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
        private Long maxDeltas;

        private Builder(Keyring keys, Instant now) {
            this.keys = Objects.requireNonNull(keys, "keys");
            this.now = Objects.requireNonNull(now, "now");
        }

        /**
         * The cached status proof, the one a fetched proof must be newer than.
         *
         * @param proof the proof's bytes as cached (copied)
         * @return this builder
         */
        public Builder proof(byte[] proof) {
            this.proof = Objects.requireNonNull(proof, "proof").clone();
            return this;
        }

        /**
         * The cached base revocation set, the chain a fetched set or delta must be newer than (a
         * delta extends it).
         *
         * @param set the set's bytes as cached (copied)
         * @return this builder
         */
        public Builder set(byte[] set) {
            this.set = Objects.requireNonNull(set, "set").clone();
            return this;
        }

        /**
         * The deltas cached after the set, in order (at most 4,096).
         *
         * @param deltas each delta's bytes (copied), added after those given before
         * @return this builder
         */
        public Builder deltas(List<byte[]> deltas) {
            for (byte[] d : deltas) this.deltas.add(Objects.requireNonNull(d, "delta").clone());
            return this;
        }

        /**
         * Requires a fetched proof to be for this license.
         *
         * @param licenseId a non-empty license id
         * @return this builder
         */
        public Builder licenseId(String licenseId) {
            this.licenseId = Objects.requireNonNull(licenseId, "licenseId");
            return this;
        }

        /**
         * Requires a bound fetched proof to be bound to this device.
         *
         * @param components the fingerprint components' JSON bytes (copied)
         * @return this builder
         */
        public Builder fingerprint(byte[] components) {
            this.fingerprint = Objects.requireNonNull(components, "components").clone();
            return this;
        }

        /**
         * The stored anti-rollback epoch ({@link EpochStore#get(String)}).
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
         * The tolerance for "issued in the future", in seconds (default 300; 0 means none).
         *
         * @param seconds 0 or more
         * @return this builder
         */
        public Builder skewSeconds(long seconds) {
            this.skewSeconds = seconds;
            return this;
        }

        /**
         * A chain of this many deltas takes no further delta (default 256).
         *
         * @param n 1 to 4096
         * @return this builder
         */
        public Builder maxDeltas(long n) {
            this.maxDeltas = n;
            return this;
        }

        /** @return the options */
        public AcceptOptions build() {
            return new AcceptOptions(this);
        }
    }
}
