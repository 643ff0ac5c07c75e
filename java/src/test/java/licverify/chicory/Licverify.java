package licverify.chicory;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.function.Function;

/**
 * One licverify.wasm instance on Chicory, driven exactly as wasm/ABI.md "Starting an instance"
 * and "One call, step by step" say. Not thread-safe: ABI.md forbids concurrent or re-entrant
 * calls on one instance.
 */
final class Licverify {

    /** The module parsed and compiled to JVM bytecode once; each instance reuses the classes. */
    static final class Compiled {
        final WasmModule module;
        final Function<Instance, Machine> machines;
        final long compileMillis;
        /** True when the classes came from the cache in target/ instead of a compilation. */
        final boolean fromCache;

        Compiled(Path wasm, Path cacheDir) {
            long t0 = System.nanoTime();
            this.module = Parser.parse(wasm);
            MachineFactoryCompiler.Builder b = MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.WARN);
            DirCache cache = cacheDir == null ? null : new DirCache(cacheDir);
            if (cache != null) b.withCache(cache);
            this.machines = b.compile();
            this.fromCache = cache != null && cache.hit;
            this.compileMillis = (System.nanoTime() - t0) / 1_000_000;
        }
    }

    /**
     * The compiled classes kept on disk by the module's digest, so that a second run in the same
     * target/ skips the compilation (about half a minute). A clean checkout compiles.
     */
    static final class DirCache implements Cache {
        private final Path dir;
        boolean hit;

        DirCache(Path dir) {
            this.dir = dir;
        }

        private Path file(String key) {
            return dir.resolve(key.replaceAll("[^A-Za-z0-9._-]", "_") + ".jar");
        }

        @Override
        public byte[] get(String key) throws IOException {
            Path f = file(key);
            if (!Files.isRegularFile(f)) return null;
            hit = true;
            return Files.readAllBytes(f);
        }

        @Override
        public void putIfAbsent(String key, byte[] data) throws IOException {
            Path f = file(key);
            if (Files.exists(f)) return;
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "chicory", ".tmp");
            Files.write(tmp, data);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The instance failed (trap, proc_exit, or an internal error): discard it. */
    static final class Broken extends Exception {
        Broken(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final int ABI_VERSION = 2;

    final Instance instance;
    final WasiShim wasi;
    private final ExportFunction alloc;
    private final ExportFunction free;
    private final ExportFunction call;
    private boolean broken;

    /** Instantiates, runs {@code _initialize} once and checks {@code abi_version() == 2}. */
    Licverify(Compiled compiled) {
        this(compiled, 0);
    }

    /** @param maxPages when positive, the most 64 KiB pages the host lets the memory grow to */
    Licverify(Compiled compiled, int maxPages) {
        this.wasi = new WasiShim();
        ImportValues imports = ImportValues.builder().withFunctions(new ArrayList<ImportFunction>(wasi.functions())).build();
        Instance.Builder b = Instance.builder(compiled.module)
                .withImportValues(imports)
                .withMachineFactory(compiled.machines)
                .withMemoryFactory(ByteArrayMemory::new)
                .withStart(false); // a reactor: no _start; _initialize is ours to call, once
        if (maxPages > 0) {
            MemoryLimits declared = compiled.module.memorySection().get().getMemory(0).limits();
            b.withMemoryLimits(new MemoryLimits(declared.initialPages(), maxPages));
        }
        this.instance = b.build();
        instance.export("_initialize").apply();
        long version = instance.export("abi_version").apply()[0];
        if (version != ABI_VERSION) {
            throw new IllegalStateException("abi_version() is " + version + "; this host speaks only " + ABI_VERSION);
        }
        this.alloc = instance.export("alloc");
        this.free = instance.export("free");
        this.call = instance.export("call");
    }

    boolean broken() {
        return broken;
    }

    /** Runs one request frame and returns a copy of the response. */
    byte[] call(byte[] request) throws Broken {
        if (broken) throw new IllegalStateException("instance was discarded");
        try {
            int p = (int) alloc.apply(request.length)[0];
            if (p == 0) throw new AllocFailed(request.length); // 0 means failure: do not write
            instance.memory().write(p, request);
            long r = call.apply(p, request.length)[0];
            free.apply(p);
            int rp = (int) (r >>> 32);
            int rn = (int) (r & 0xffffffffL);
            byte[] response = instance.memory().readBytes(rp, rn);
            free.apply(rp);
            if (startsWith(response, INTERNAL)) {
                broken = true; // a panic recovered inside call: the instance may hold broken state
            }
            return response;
        } catch (AllocFailed e) {
            throw e; // the instance is fine; the request is too large
        } catch (WasiShim.ProcExit e) {
            broken = true;
            throw new Broken("proc_exit(" + e.code + "); fd 2: " + wasi.stderr(), e);
        } catch (RuntimeException e) {
            broken = true; // a trap, or anything else the runtime threw
            throw new Broken("trap: " + e + "; fd 2: " + wasi.stderr(), e);
        }
    }

    /** alloc answered 0: the request exceeds the module's limit (72 MiB). */
    static final class AllocFailed extends RuntimeException {
        AllocFailed(int size) {
            super("alloc(" + size + ") returned 0");
        }
    }

    static final byte[] INTERNAL = "{\"error\":\"internal: ".getBytes(StandardCharsets.UTF_8);

    static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int k = 0; k < prefix.length; k++) if (b[k] != prefix[k]) return false;
        return true;
    }

    /** Exports other than the request path, for the ABI tests. */
    long alloc(int size) {
        return alloc.apply(size)[0];
    }

    void free(int ptr) {
        free.apply(ptr);
    }

    long rawCall(int ptr, int len) {
        return call.apply(ptr, len)[0];
    }
}
