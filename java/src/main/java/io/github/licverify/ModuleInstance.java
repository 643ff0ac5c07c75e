package io.github.licverify;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.github.licverify.internal.LicverifyModule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * One licverify.wasm instance on Chicory, driven exactly as wasm/ABI.md "Starting an instance"
 * and "One call, step by step" say, running the classes Chicory's compiler made from the module
 * at build time. Not thread-safe: ABI.md forbids concurrent or re-entrant calls on one instance.
 */
final class ModuleInstance {
    /** The module's ABI version this host speaks (wasm/ABI.md). */
    static final int ABI_VERSION = 2;

    /** The instance failed (trap, proc_exit, or an internal error): discard it. */
    static final class Broken extends Exception {
        private static final long serialVersionUID = 1L;

        Broken(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** alloc answered 0: the request exceeds the module's limit (72 MiB) or its memory. */
    static final class AllocFailed extends Exception {
        private static final long serialVersionUID = 1L;

        AllocFailed(int size) {
            super("alloc(" + size + ") returned 0");
        }
    }

    static final byte[] INTERNAL = "{\"error\":\"internal: ".getBytes(StandardCharsets.UTF_8);

    /** The module's meta (its code stripped: the code is the compiled classes), parsed once. */
    static WasmModule module() {
        return LicverifyModule.load();
    }

    final Instance instance;
    final WasiShim wasi;
    private final ExportFunction alloc;
    private final ExportFunction free;
    private final ExportFunction call;
    private boolean broken;

    /**
     * Instantiates, runs {@code _initialize} once and checks {@code abi_version() == 2}.
     *
     * @param maxPages when positive, the most 64 KiB pages the memory may grow to
     */
    ModuleInstance(int maxPages) {
        this.wasi = new WasiShim();
        WasmModule module = module();
        ImportValues imports = ImportValues.builder()
                .withFunctions(new ArrayList<ImportFunction>(wasi.functions()))
                .build();
        Instance.Builder b = Instance.builder(module)
                .withImportValues(imports)
                .withMachineFactory(LicverifyModule::create)
                .withMemoryFactory(ByteArrayMemory::new)
                .withStart(false); // a reactor: no _start; _initialize is ours to call, once
        if (maxPages > 0) {
            MemoryLimits declared = module.memorySection().get().getMemory(0).limits();
            b.withMemoryLimits(new MemoryLimits(declared.initialPages(), Math.min(maxPages, declared.maximumPages())));
        }
        this.instance = b.build();
        instance.export("_initialize").apply();
        long version = instance.export("abi_version").apply()[0];
        if (version != ABI_VERSION) {
            throw new IllegalStateException("licverify: abi_version() is " + version + "; this host speaks only " + ABI_VERSION);
        }
        this.alloc = instance.export("alloc");
        this.free = instance.export("free");
        this.call = instance.export("call");
    }

    boolean broken() {
        return broken;
    }

    void markBroken() {
        broken = true;
    }

    /** The size of the linear memory in bytes: it never shrinks. */
    long memoryBytes() {
        return (long) instance.memory().pages() * 65536L;
    }

    /** Runs one request frame and returns a copy of the response. */
    byte[] call(byte[] request) throws Broken, AllocFailed {
        if (broken) throw new IllegalStateException("licverify: instance was discarded");
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
            throw new Broken("licverify: the module exited: proc_exit(" + e.code + "); fd 2: " + wasi.stderr(), e);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            broken = true; // a trap, or anything else the runtime threw
            throw new Broken("licverify: the module trapped: " + e + "; fd 2: " + wasi.stderr(), e);
        }
    }

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
