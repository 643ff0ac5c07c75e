package io.github.licverify;

import java.time.Instant;
import java.util.Objects;

/**
 * The options of {@link Verifier#evaluateLicense(byte[], LicenseOptions)} (wasm/ABI.md
 * "license"). Immutable; made by {@link #builder(Keyring, Instant, String)}.
 */
public final class LicenseOptions {
    final Keyring keys;
    final Instant now;
    final String productId;
    final String fingerprintHash;
    final byte[] state;
    final Instant releaseDate;
    final Instant serverTime;

    private LicenseOptions(Builder b) {
        keys = b.keys;
        now = b.now;
        productId = b.productId;
        fingerprintHash = b.fingerprintHash;
        state = b.state;
        releaseDate = b.releaseDate;
        serverTime = b.serverTime;
    }

    /**
     * Options with the three required members.
     *
     * @param keys the keyring, from your configuration
     * @param now the time to evaluate at
     * @param productId your product's id: a license for another is {@code product_mismatch}
     * @return a builder
     */
    public static Builder builder(Keyring keys, Instant now, String productId) {
        return new Builder(keys, now, productId);
    }

    Request request(byte[] license) {
        return new Request("license").part("license", license).part("keys", keys.shared()).time("now", now)
                .string("product_id", productId).string("fingerprint_hash", fingerprintHash).part("state", state)
                .time("release_date", releaseDate).time("server_time", serverTime);
    }

    /** Builds {@link LicenseOptions}; not thread-safe. */
    public static final class Builder {
        private final Keyring keys;
        private final Instant now;
        private final String productId;
        private String fingerprintHash;
        private byte[] state;
        private Instant releaseDate;
        private Instant serverTime;

        private Builder(Keyring keys, Instant now, String productId) {
            this.keys = Objects.requireNonNull(keys, "keys");
            this.now = Objects.requireNonNull(now, "now");
            this.productId = Objects.requireNonNull(productId, "productId");
        }

        /**
         * This device's binding, {@code sha256:<hex>} ({@link FingerprintResult#bindingHash()}).
         *
         * @param hash the binding hash
         * @return this builder
         */
        public Builder fingerprintHash(String hash) {
            this.fingerprintHash = Objects.requireNonNull(hash, "hash");
            return this;
        }

        /**
         * The previous license.state.json ({@link LicenseResult#stateBytes()} of the last call).
         *
         * @param state its bytes (copied)
         * @return this builder
         */
        public Builder state(byte[] state) {
            this.state = Objects.requireNonNull(state, "state").clone();
            return this;
        }

        /**
         * The release date of this build: the result then says whether updates cover it.
         *
         * @param releaseDate the date
         * @return this builder
         */
        public Builder releaseDate(Instant releaseDate) {
            this.releaseDate = Objects.requireNonNull(releaseDate, "releaseDate");
            return this;
        }

        /**
         * The time the vendor's server reported in a successful online check just made: it
         * records the check and restarts the clock guard (the way back from clock_rollback).
         *
         * @param serverTime the server's time
         * @return this builder
         */
        public Builder serverTime(Instant serverTime) {
            this.serverTime = Objects.requireNonNull(serverTime, "serverTime");
            return this;
        }

        /** @return the options */
        public LicenseOptions build() {
            return new LicenseOptions(this);
        }
    }
}
