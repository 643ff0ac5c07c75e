package io.github.licverify;

import java.time.Instant;
import java.util.Objects;

/**
 * The options of {@link Verifier#verifyQKey(byte[], QKeyOptions)} (wasm/ABI.md "qkey").
 * Immutable; made by {@link #builder(Keyring, Instant)}.
 */
public final class QKeyOptions {
    final Keyring keys;
    final Instant now;
    final String password;
    final String pkg;
    final String machineId;
    final boolean allowUnsigned;
    final Long limit;

    private QKeyOptions(Builder b) {
        keys = b.keys;
        now = b.now;
        password = b.password;
        pkg = b.pkg;
        machineId = b.machineId;
        allowUnsigned = b.allowUnsigned;
        limit = b.limit;
    }

    /**
     * Options with the two required members.
     *
     * @param keys the keyring, from your configuration
     * @param now the time to verify at
     * @return a builder
     */
    public static Builder builder(Keyring keys, Instant now) {
        return new Builder(keys, now);
    }

    Request request(byte[] qkey) {
        return new Request("qkey").part("qkey", qkey).part("keys", keys.shared()).time("now", now)
                .string("password", password).string("package", pkg).string("machine_id", machineId)
                .flag("allow_unsigned", allowUnsigned).integer("limit", limit);
    }

    /** Builds {@link QKeyOptions}; not thread-safe. */
    public static final class Builder {
        private final Keyring keys;
        private final Instant now;
        private String password;
        private String pkg;
        private String machineId;
        private boolean allowUnsigned;
        private Long limit;

        private Builder(Keyring keys, Instant now) {
            this.keys = Objects.requireNonNull(keys, "keys");
            this.now = Objects.requireNonNull(now, "now");
        }

        /**
         * The password of an encrypted .qkey (PBKDF2, 100,000 iterations: slow by design).
         *
         * @param password the password
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * Requires the license to be for this package.
         *
         * @param name the package name
         * @return this builder
         */
        public Builder packageName(String name) {
            this.pkg = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Requires the license to be bound to this machine id (32 hex digits).
         *
         * @param machineId the id
         * @return this builder
         */
        public Builder machineId(String machineId) {
            this.machineId = Objects.requireNonNull(machineId, "machineId");
            return this;
        }

        /**
         * Accepts an unsigned license (then {@code signed} is false).
         *
         * @param allow whether to (default false)
         * @return this builder
         */
        public Builder allowUnsigned(boolean allow) {
            this.allowUnsigned = allow;
            return this;
        }

        /**
         * The largest file accepted, in bytes: 1 up to the default 1 MiB.
         *
         * @param bytes the limit
         * @return this builder
         */
        public Builder limit(long bytes) {
            this.limit = bytes;
            return this;
        }

        /** @return the options */
        public QKeyOptions build() {
            return new QKeyOptions(this);
        }
    }
}
