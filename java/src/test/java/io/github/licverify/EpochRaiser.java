package io.github.licverify;

import java.nio.file.Path;

/**
 * A child of {@link EpochStoreTest}'s process test, as epochstore/testdata/raise.py and raise.mjs
 * are for the other languages: {@code EpochRaiser FILE K N ROUNDS}. Once its standard input ends
 * (the start, given to every child at once), it raises "own-K" through 1..ROUNDS and "shared"
 * through i*N+K+1 for i in 0..ROUNDS-1, one raise after another.
 */
public final class EpochRaiser {
    private EpochRaiser() {}

    /**
     * Runs the raises.
     *
     * @param args FILE K N ROUNDS
     * @throws Exception when a raise fails
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int k = Integer.parseInt(args[1]), n = Integer.parseInt(args[2]), rounds = Integer.parseInt(args[3]);
        System.in.readAllBytes();
        EpochStore store = new EpochStore(file);
        for (int i = 0; i < rounds; i++) {
            store.raiseTo("own-" + k, i + 1);
            store.raiseTo("shared", (long) i * n + k + 1);
        }
    }
}
