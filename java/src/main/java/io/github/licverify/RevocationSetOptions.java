package io.github.licverify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The options of {@link Verifier#verifyRevocationSet(byte[], RevocationSetOptions)}, {@link
 * Verifier#loadRevocationSet(byte[], RevocationSetOptions)} and {@link
 * LoadedRevocationSet#applyDeltas(List, RevocationSetOptions)} (wasm/ABI.md "revocation_set").
 * Immutable; made by {@link #builder(Keyring, Instant)}.
 */
public final class RevocationSetOptions {
    final Keyring keys;
    final Instant now;
    final List<byte[]> deltas;
    final Long minEpoch;
    final boolean allowStale;
    final Long skewSeconds;
    final Long limit;
    final List<String> lookup;

    private RevocationSetOptions(Builder b) {
        keys = b.keys;
        now = b.now;
        deltas = List.copyOf(b.deltas);
        minEpoch = b.minEpoch;
        allowStale = b.allowStale;
        skewSeconds = b.skewSeconds;
        limit = b.limit;
        lookup = List.copyOf(b.lookup);
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

    Request request(String op, byte[] set) {
        return common(new Request(op).part("set", set)).parts("deltas", deltas).strings("lookup", lookup);
    }

    /** A revocation_apply of the deltas: the options less deltas and lookup, which it has not. */
    Request apply(List<byte[]> newDeltas) {
        if (!deltas.isEmpty() || !lookup.isEmpty()) {
            throw new IllegalArgumentException("licverify: applyDeltas takes its deltas as an argument and no lookup");
        }
        return common(new Request("revocation_apply")).parts("deltas", newDeltas);
    }

    private Request common(Request r) {
        return r.part("keys", keys.shared()).time("now", now).integer("min_epoch", minEpoch)
                .flag("allow_stale", allowStale).integer("skew_seconds", skewSeconds).integer("limit", limit);
    }

    /** Builds {@link RevocationSetOptions}; not thread-safe. */
    public static final class Builder {
        private final Keyring keys;
        private final Instant now;
        private final List<byte[]> deltas = new ArrayList<>();
        private Long minEpoch;
        private boolean allowStale;
        private Long skewSeconds;
        private Long limit;
        private final List<String> lookup = new ArrayList<>();

        private Builder(Keyring keys, Instant now) {
            this.keys = Objects.requireNonNull(keys, "keys");
            this.now = Objects.requireNonNull(now, "now");
        }

        /**
         * Deltas to apply to the set, in order (at most 4,096 a request).
         *
         * @param deltas each delta's bytes (copied)
         * @return this builder
         */
        public Builder deltas(List<byte[]> deltas) {
            for (byte[] d : deltas) this.deltas.add(Objects.requireNonNull(d, "delta").clone());
            return this;
        }

        /**
         * The stored anti-rollback epoch: decided where the chain ends.
         *
         * @param minEpoch 0 to 2^53
         * @return this builder
         */
        public Builder minEpoch(long minEpoch) {
            this.minEpoch = minEpoch;
            return this;
        }

        /**
         * Accepts a set past its valid_until (then {@code stale} is true).
         *
         * @param allowStale whether to accept a stale set (default false)
         * @return this builder
         */
        public Builder allowStale(boolean allowStale) {
            this.allowStale = allowStale;
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
         * The largest document accepted, in bytes: 1 up to the default 64 MiB.
         *
         * @param bytes the limit
         * @return this builder
         */
        public Builder limit(long bytes) {
            this.limit = bytes;
            return this;
        }

        /**
         * License ids to look up in the verified set (at most 65,536, none empty).
         *
         * @param ids the ids, answered in this order
         * @return this builder
         */
        public Builder lookup(List<String> ids) {
            for (String id : ids) this.lookup.add(Objects.requireNonNull(id, "id"));
            return this;
        }

        /** @return the options */
        public RevocationSetOptions build() {
            return new RevocationSetOptions(this);
        }
    }
}
