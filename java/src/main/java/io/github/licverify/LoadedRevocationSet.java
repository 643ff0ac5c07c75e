package io.github.licverify;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A verified revocation set held by a module instance of its own under a handle (wasm/ABI.md
 * "Stateful revocation"), made by {@link Verifier#loadRevocationSet(byte[], RevocationSetOptions)}:
 * lookups are O(1) and never send or verify the set again. Thread-safe; calls on one set run one
 * at a time. Close it to release its instance.
 *
 * <p>It keeps the requests that built it (the load and every accepted delta): when its instance
 * crashes and is replaced, the set is verified, loaded and moved forward again from them on next
 * use, so lookups keep working. That costs the memory of the set's bytes until {@link #close()}.
 * Closing the verifier does not close its loaded sets.
 */
public final class LoadedRevocationSet implements AutoCloseable {
    private final Verifier verifier;
    private final RevocationSetResult result;
    private byte[] loadFrame;
    private final List<Request> applies = new ArrayList<>();
    private ModuleInstance instance;
    private long handle;
    private boolean closed;

    LoadedRevocationSet(Verifier verifier, Request load) throws LicverifyException {
        if (verifier.isClosed()) throw new LicverifyException(LicverifyException.Kind.CLOSED, "licverify: the verifier is closed");
        this.verifier = verifier;
        byte[] frame;
        try {
            frame = load.frame();
        } catch (IllegalArgumentException e) {
            throw new LicverifyException(LicverifyException.Kind.BAD_REQUEST, e.getMessage(), null, e);
        }
        Consumer<byte[]> hook = verifier.sent;
        if (hook != null) hook.accept(frame);
        this.loadFrame = frame;
        byte[] resp;
        synchronized (this) {
            resp = exchange(h -> frame, true);
        }
        Json.Obj raw = Verifier.parse(resp);
        this.result = new RevocationSetResult(raw, Verifier.source(raw));
        if (!result.valid()) {
            // nothing was kept: no instance, no requests to hold on to
            instance = null;
            loadFrame = null;
            closed = true;
            return;
        }
        Long h = Result.num(raw, "handle");
        if (h == null) {
            throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH, "licverify: revocation_load answered a valid set without a handle");
        }
        handle = h;
    }

    /**
     * The verification of the set and its deltas, as {@link Verifier#verifyRevocationSet} gives
     * it (with the module's {@code handle} member in its {@link Result#json()}).
     *
     * @return the load's result
     */
    public RevocationSetResult result() {
        return result;
    }

    /**
     * Whether the set verified and is held.
     *
     * @return {@code result().valid()}
     */
    public boolean valid() {
        return result.valid();
    }

    /** The set's current instance, for the tests. */
    synchronized ModuleInstance instance() {
        return instance;
    }

    private interface FrameOf {
        byte[] build(long handle);
    }

    private void checkOpen() throws LicverifyException {
        if (!result.valid()) {
            throw new LicverifyException(LicverifyException.Kind.CLOSED, "licverify: the revocation set was not loaded: " + result.code());
        }
        if (closed) throw new LicverifyException(LicverifyException.Kind.CLOSED, "licverify: the revocation set was closed");
    }

    /** A fresh instance holding the set again, built from the requests that built it. */
    private ModuleInstance reload() throws ModuleInstance.Broken, ModuleInstance.AllocFailed, LicverifyException {
        ModuleInstance inst = verifier.newInstance();
        Json.Obj loaded = Verifier.parse(checked(inst.call(loadFrame)));
        Long h = Result.num(loaded, "handle");
        if (!Boolean.TRUE.equals(Result.bool(loaded, "valid")) || h == null) {
            throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH,
                    "licverify: loading the revocation set again after a crash gave " + Result.str(loaded, "code"));
        }
        for (Request req : applies) {
            Json.Obj r = Verifier.parse(checked(inst.call(req.frame("handle", Long.toString(h)))));
            if (!Boolean.TRUE.equals(Result.bool(r, "valid"))) {
                throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH,
                        "licverify: applying a delta again after a crash gave " + Result.str(r, "code"));
            }
        }
        handle = h;
        return inst;
    }

    private static byte[] checked(byte[] resp) throws LicverifyException {
        if (ModuleInstance.startsWith(resp, ModuleInstance.INTERNAL)) {
            throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH, "licverify: " + new String(resp, StandardCharsets.UTF_8));
        }
        return resp;
    }

    /**
     * Sends build(handle) to the set's instance, replacing a crashed instance (and loading the
     * set into the new one) and trying once more, as the Verifier does for pooled instances.
     * Called holding this set's lock.
     */
    private byte[] exchange(FrameOf build, boolean loading) throws LicverifyException {
        for (int attempt = 0; ; attempt++) {
            try {
                ModuleInstance inst = instance;
                if (inst == null || inst.broken()) {
                    instance = null;
                    inst = loading ? verifier.newInstance() : reload();
                    instance = inst;
                }
                byte[] resp = inst.call(build.build(handle));
                if (ModuleInstance.startsWith(resp, ModuleInstance.INTERNAL)) {
                    inst.markBroken();
                    if (attempt == 0) continue;
                    throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH, "licverify: " + new String(resp, StandardCharsets.UTF_8));
                }
                return resp;
            } catch (ModuleInstance.Broken | ModuleInstance.AllocFailed e) {
                if (instance != null) instance.markBroken();
                if (attempt == 0) continue;
                throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH, e.getMessage(), null, e);
            }
        }
    }

    private Json.Obj send(Request req) throws LicverifyException {
        return Verifier.parse(exchange(h -> {
            byte[] frame = req.frame("handle", Long.toString(h));
            Consumer<byte[]> hook = verifier.sent;
            if (hook != null) hook.accept(frame);
            return frame;
        }, false));
    }

    /**
     * The status of license ids at {@code now} (at most 65,536 a call): revoked, suspended (with
     * its end) or not_revoked. A set that has expired since it was loaded answers {@code
     * set_expired} (no lookups) unless it was loaded with allowStale.
     *
     * @param ids the license ids, none empty
     * @param now the time to look up at
     * @return the result, one lookup per id in order
     * @throws LicverifyException BAD_REQUEST (an empty id, too many), CLOSED, MODULE_CRASH
     */
    public synchronized LookupsResult lookup(List<String> ids, Instant now) throws LicverifyException {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(now, "now");
        checkOpen();
        // ids is required: an empty list is sent as [] for the module to refuse
        Request req = new Request("revocation_lookup").time("now", now);
        req.header.add(new String[] {"ids", JsonText.strings(ids)});
        Json.Obj o = send(req);
        return new LookupsResult(o, Verifier.source(o));
    }

    /**
     * Moves the set forward with deltas, in order, in one request: each must follow on from the
     * epoch before it ({@code delta_base_mismatch} otherwise). Rollback ({@code minEpoch}) and
     * freshness ({@code allowStale}) are decided where the chain ends. On success the set is the
     * new one; on a rejection it stays as it was. At most 4,096 deltas a call.
     *
     * @param deltas the deltas' bytes (copied)
     * @param options the keyring, now and the rest; without deltas or lookups of its own
     * @return the new set's result
     * @throws LicverifyException BAD_REQUEST, KEYRING (with its code), CLOSED, MODULE_CRASH
     * @throws IllegalArgumentException when the options carry deltas or lookups
     */
    public synchronized RevocationSetResult applyDeltas(List<byte[]> deltas, RevocationSetOptions options) throws LicverifyException {
        List<byte[]> copies = new ArrayList<>();
        for (byte[] d : deltas) copies.add(Objects.requireNonNull(d, "delta").clone());
        Request req = options.apply(copies);
        checkOpen();
        Json.Obj raw = send(req);
        RevocationSetResult r = new RevocationSetResult(raw, Verifier.source(raw));
        if (r.valid()) applies.add(req); // to move a reloaded set forward again after a crash
        return r;
    }

    /** Releases the set and its instance; lookups throw CLOSED afterwards. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ModuleInstance inst = instance;
        instance = null;
        loadFrame = null;
        applies.clear();
        if (inst != null && !inst.broken()) {
            try {
                inst.call(new Request("revocation_free").frame("handle", Long.toString(handle)));
            } catch (ModuleInstance.Broken | ModuleInstance.AllocFailed e) {
                // the instance is dropped either way
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "LoadedRevocationSet[" + result.code() + " epoch=" + result.epoch() + (closed ? " closed" : " open") + "]";
    }
}
