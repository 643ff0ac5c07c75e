package io.github.licverify;

import java.time.Instant;
import java.util.Objects;

/**
 * The options of {@link Verifier#verifyStatusProof(byte[], StatusProofOptions)} (wasm/ABI.md
 * "status_proof"). Immutable; made by {@link #builder(Keyring, Instant)}. Bounds are the
 * module's to check: a value out of them is a {@link LicverifyException.Kind#BAD_REQUEST}.
 */
public final class StatusProofOptions {
    final Keyring keys;
    final Instant now;
    final String licenseId;
    final byte[] fingerprint;
    final Long minEpoch;
    final Long maxTtlSeconds;
    final Long skewSeconds;
    final Long limit;

    private StatusProofOptions(Builder b) {
        keys = b.keys;
        now = b.now;
        licenseId = b.licenseId;
        fingerprint = b.fingerprint;
        minEpoch = b.minEpoch;
        maxTtlSeconds = b.maxTtlSeconds;
        skewSeconds = b.skewSeconds;
        limit = b.limit;
    }

    /**
     * Options with the two required members.
     *
     * @param keys the keyring, from your configuration
     * @param now the time to verify at, from a clock you trust
     * @return a builder
     */
    public static Builder builder(Keyring keys, Instant now) {
        return new Builder(keys, now);
    }

    Request request(byte[] proof) {
        return new Request("status_proof").part("proof", proof).part("keys", keys.shared()).time("now", now)
                .string("license_id", licenseId).part("fingerprint", fingerprint).integer("min_epoch", minEpoch)
                .integer("max_ttl_seconds", maxTtlSeconds).integer("skew_seconds", skewSeconds).integer("limit", limit);
    }

    /** Builds {@link StatusProofOptions}; not thread-safe. */
    public static final class Builder {
        private final Keyring keys;
        private final Instant now;
        private String licenseId;
        private byte[] fingerprint;
        private Long minEpoch;
        private Long maxTtlSeconds;
        private Long skewSeconds;
        private Long limit;

        private Builder(Keyring keys, Instant now) {
            this.keys = Objects.requireNonNull(keys, "keys");
            this.now = Objects.requireNonNull(now, "now");
        }

        /**
         * Requires the proof to be for this license.
         *
         * @param licenseId a non-empty license id
         * @return this builder
         */
        public Builder licenseId(String licenseId) {
            this.licenseId = Objects.requireNonNull(licenseId, "licenseId");
            return this;
        }

        /**
         * Requires a bound proof to be bound to this device: the fingerprint components, a JSON
         * object's bytes (as for {@link Verifier#fingerprintHash(byte[])}).
         *
         * @param components the components' JSON bytes (copied)
         * @return this builder
         */
        public Builder fingerprint(byte[] components) {
            this.fingerprint = Objects.requireNonNull(components, "components").clone();
            return this;
        }

        /**
         * The stored anti-rollback epoch ({@link EpochStore#get(String)}): a proof below it is
         * {@code epoch_rollback}.
         *
         * @param minEpoch 0 to 2^53
         * @return this builder
         */
        public Builder minEpoch(long minEpoch) {
            this.minEpoch = minEpoch;
            return this;
        }

        /**
         * The longest TTL accepted, in seconds (default 604800, 7 days).
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
         * The largest proof accepted, in bytes: 1 up to the default 1 MiB.
         *
         * @param bytes the limit
         * @return this builder
         */
        public Builder limit(long bytes) {
            this.limit = bytes;
            return this;
        }

        /** @return the options */
        public StatusProofOptions build() {
            return new StatusProofOptions(this);
        }
    }
}
