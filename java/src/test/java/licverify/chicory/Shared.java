package licverify.chicory;

import java.nio.file.Path;

/** The module compiled to JVM bytecode once per JVM, shared by every test class. */
final class Shared {
    private Shared() {}

    private static Licverify.Compiled compiled;

    /** When the module was first needed: the harness time counts from here. */
    static long startNanos;

    static synchronized Licverify.Compiled compiled() {
        if (compiled == null) {
            startNanos = System.nanoTime();
            String cache = System.getProperty("licverify.cache");
            compiled = new Licverify.Compiled(Repo.wasm(), cache == null || cache.isEmpty() ? null : Path.of(cache));
        }
        return compiled;
    }
}
