package io.github.licverify;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The minimal {@code wasi_snapshot_preview1} shim of wasm/ABI.md "WASI imports", written from
 * that table and the WASI preview1 signatures: no file system, no environment, no arguments, a
 * fixed wall clock, fd 1 and fd 2 captured (RATIONALE.md, "The JVM binding: the module compiled
 * at build time, a shim for WASI, a file for epochs"). One shim per instance: it holds that
 * instance's output.
 */
final class WasiShim {
    static final String MODULE = "wasi_snapshot_preview1";

    static final int ESUCCESS = 0;
    static final int EBADF = 8;
    static final int EINVAL = 28;

    /** WASI filetype {@code character_device}. */
    static final int FILETYPE_CHARACTER_DEVICE = 2;

    /**
     * A fixed fake wall clock, the one the Go host and the Python package give (ABI.md): far from
     * every vector's {@code now} (2022-01-01T00:00:00Z, in nanoseconds), so that a result that
     * slipped to the wall clock would show in the vectors.
     */
    static final long FAKE_WALL_CLOCK_NS = 1_640_995_200L * 1_000_000_000L;

    /** The Go runtime called proc_exit: the instance is over and must be discarded. */
    static final class ProcExit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final int code;

        ProcExit(int code) {
            super("proc_exit(" + code + ")", null, false, false);
            this.code = code;
        }
    }

    /** The most bytes kept of each of fd 1 and fd 2: the start of a crash report is what matters. */
    static final int CAPTURE_LIMIT = 64 * 1024;

    private final Capture stdout = new Capture();
    private final Capture stderr = new Capture();

    /** Output kept up to {@link #CAPTURE_LIMIT} bytes; the rest is counted as written and dropped. */
    private static final class Capture extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, Math.max(0, Math.min(len, CAPTURE_LIMIT - count)));
        }
    }
    private final SecureRandom random = new SecureRandom();
    private final long monotonicBase = System.nanoTime();

    /** The code proc_exit was called with, or null. */
    Integer exitCode;

    String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private static final ValType I32 = ValType.I32;
    private static final ValType I64 = ValType.I64;

    private static FunctionType sig(ValType[] params, ValType... results) {
        return FunctionType.of(params, results);
    }

    private static ValType[] p(ValType... params) {
        return params;
    }

    private static long[] ret(int errno) {
        return new long[] {errno};
    }

    private static HostFunction fn(String name, FunctionType type, WasmFunctionHandle h) {
        return new HostFunction(MODULE, name, type, h);
    }

    /**
     * The fifteen functions ABI.md's table lists, by name, in that table's order ("16 imports of
     * 15 functions": fd_write is imported twice).
     */
    static final List<String> NAMES = List.of(
            "args_sizes_get", "args_get",
            "environ_sizes_get", "environ_get",
            "clock_time_get",
            "random_get",
            "fd_write",
            "fd_close", "fd_fdstat_set_flags",
            "fd_fdstat_get",
            "fd_prestat_get", "fd_prestat_dir_name",
            "poll_oneoff",
            "sched_yield",
            "proc_exit");

    List<HostFunction> functions() {
        List<HostFunction> f = new ArrayList<>();

        // zero arguments, empty environment: both counts and both buffer sizes are 0
        WasmFunctionHandle zeroSizes = (inst, a) -> {
            Memory m = inst.memory();
            m.writeI32((int) a[0], 0);
            m.writeI32((int) a[1], 0);
            return ret(ESUCCESS);
        };
        WasmFunctionHandle nothingToWrite = (inst, a) -> ret(ESUCCESS);
        f.add(fn("args_sizes_get", sig(p(I32, I32), I32), zeroSizes));
        f.add(fn("args_get", sig(p(I32, I32), I32), nothingToWrite));
        f.add(fn("environ_sizes_get", sig(p(I32, I32), I32), zeroSizes));
        f.add(fn("environ_get", sig(p(I32, I32), I32), nothingToWrite));

        // clock_time_get(id, precision, *timestamp): realtime is a fixed fake wall clock,
        // every other clock a monotonic count of nanoseconds
        f.add(fn("clock_time_get", sig(p(I32, I64, I32), I32), (inst, a) -> {
            int id = (int) a[0];
            long t = id == 0 ? FAKE_WALL_CLOCK_NS : System.nanoTime() - monotonicBase + 1;
            inst.memory().writeLong((int) a[2], t);
            return ret(ESUCCESS);
        }));

        f.add(fn("random_get", sig(p(I32, I32), I32), (inst, a) -> {
            byte[] b = new byte[(int) a[1]];
            random.nextBytes(b);
            inst.memory().write((int) a[0], b);
            return ret(ESUCCESS);
        }));

        // fd_write(fd, *iovs, iovs_len, *nwritten): fd 1 and fd 2 are captured
        f.add(fn("fd_write", sig(p(I32, I32, I32, I32), I32), (inst, a) -> {
            int fd = (int) a[0];
            ByteArrayOutputStream out = fd == 1 ? stdout : fd == 2 ? stderr : null;
            if (out == null) return ret(EBADF);
            Memory m = inst.memory();
            int iovs = (int) a[1];
            int n = (int) a[2];
            long total = 0;
            for (int k = 0; k < n; k++) {
                int ptr = m.readInt(iovs + 8 * k);
                int len = m.readInt(iovs + 8 * k + 4);
                byte[] data = m.readBytes(ptr, len);
                out.write(data, 0, data.length);
                total += Integer.toUnsignedLong(len);
            }
            m.writeI32((int) a[3], (int) total);
            return ret(ESUCCESS);
        }));

        f.add(fn("fd_close", sig(p(I32), I32), (inst, a) -> ret(EBADF)));
        f.add(fn("fd_fdstat_set_flags", sig(p(I32, I32), I32), (inst, a) -> ret(EBADF)));

        // fd_fdstat_get(fd, *fdstat): fdstat is 24 bytes: u8 filetype, u16 flags at 2,
        // u64 rights_base at 8, u64 rights_inheriting at 16; ABI.md: filetype 2, zeros elsewhere
        f.add(fn("fd_fdstat_get", sig(p(I32, I32), I32), (inst, a) -> {
            int fd = (int) a[0];
            if (fd < 0 || fd > 2) return ret(EBADF);
            byte[] stat = new byte[24];
            stat[0] = FILETYPE_CHARACTER_DEVICE;
            inst.memory().write((int) a[1], stat);
            return ret(ESUCCESS);
        }));

        f.add(fn("fd_prestat_get", sig(p(I32, I32), I32), (inst, a) -> ret(EBADF)));
        f.add(fn("fd_prestat_dir_name", sig(p(I32, I32, I32), I32), (inst, a) -> ret(EBADF)));

        // poll_oneoff(*in, *out, nsubscriptions, *nevents): return at once with no event
        f.add(fn("poll_oneoff", sig(p(I32, I32, I32, I32), I32), (inst, a) -> {
            inst.memory().writeI32((int) a[3], 0);
            return ret(ESUCCESS);
        }));

        f.add(fn("sched_yield", sig(p(), I32), (inst, a) -> ret(ESUCCESS)));

        f.add(fn("proc_exit", sig(p(I32)), (inst, a) -> {
            exitCode = (int) a[0];
            throw new ProcExit((int) a[0]);
        }));
        return f;
    }
}
