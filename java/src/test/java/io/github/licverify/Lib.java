package io.github.licverify;

/** The library's verifier, made once per test JVM and shared by the test classes. */
final class Lib {
    private Lib() {}

    private static Verifier verifier;

    /** When the library was first used: the run's time counts from here. */
    static long startNanos;

    static synchronized Verifier verifier() {
        if (verifier == null) {
            startNanos = System.nanoTime();
            verifier = Verifier.builder().maxInstances(2).build();
        }
        return verifier;
    }
}
