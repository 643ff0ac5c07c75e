package io.github.licverify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs the licverify module: one WebAssembly module, compiled to JVM classes when this library
 * was built, that gives the same answer, byte for byte, as native Go and every other licverify
 * runtime.
 *
 * <pre>{@code
 * try (Verifier v = Verifier.create()) {
 *     StatusProofResult r = v.verifyStatusProof(proofBytes,
 *             StatusProofOptions.builder(Keyring.read(keyringPath), Instant.now()).minEpoch(stored).build());
 *     if (r.valid()) {
 *         System.out.println(r.licenseId() + " " + r.status() + ", refresh after " + r.refreshAfter());
 *     } else {
 *         System.out.println("rejected: " + r.code() + ": " + r.message()); // e.g. bad_signature
 *     }
 * }
 * }</pre>
 *
 * <p>Every verification returns a result ({@code valid() == false} is an answer, not an
 * exception). {@link LicverifyException} is for a request the module refuses, a keyring that does
 * not load (with its code), a closed verifier, or the module failing; {@link
 * NullPointerException} and {@link IllegalArgumentException} for misuse found before the module
 * is called.
 *
 * <p>Thread-safe: each call borrows an instance of the module that no other thread is using, from
 * a pool of at most {@code maxInstances} (default: the number of processors); further callers
 * wait. An instance that crashes (a trap, an exit, an internal error) is discarded and the call
 * tried once more on a fresh one; a request that crashes a fresh instance too throws {@link
 * LicverifyException.Kind#MODULE_CRASH}. An instance whose memory grew past 64 MiB is dropped
 * rather than pooled, since WebAssembly memory never shrinks. Creating a verifier is cheap: its
 * first call loads the module's classes (once per JVM) and creates an instance, which starts the
 * module's Go runtime; keep one verifier for the life of the program.
 */
public final class Verifier implements AutoCloseable {
    /** The default bound on each instance's linear memory, in bytes: just under 2 GiB. */
    public static final long DEFAULT_MEMORY_LIMIT = (2L << 30) - 65536;

    /** An instance whose memory grew past this many bytes is dropped, not pooled. */
    static final long RECYCLE_MEMORY = 64L << 20;

    private final int maxPages;
    private final Semaphore slots;
    private final Deque<ModuleInstance> idle = new ArrayDeque<>();
    private boolean closed;
    private final AtomicInteger instancesCreated = new AtomicInteger();

    /** Tests set this to see every frame the typed methods send. */
    volatile Consumer<byte[]> sent;

    private Verifier(int maxInstances, long memoryLimit) {
        this.slots = new Semaphore(maxInstances, true);
        this.maxPages = (int) (memoryLimit / 65536);
    }

    /**
     * A verifier with the defaults: a pool of as many instances as processors, each allowed {@link
     * #DEFAULT_MEMORY_LIMIT} bytes.
     *
     * @return the verifier
     */
    public static Verifier create() {
        return builder().build();
    }

    /**
     * A builder to choose the pool's size and the memory limit.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Verifier}; not thread-safe. */
    public static final class Builder {
        private int maxInstances = Math.max(1, Runtime.getRuntime().availableProcessors());
        private long memoryLimit = DEFAULT_MEMORY_LIMIT;

        private Builder() {}

        /**
         * The most instances of the module, and so the most calls that run at once.
         *
         * @param n 1 or more
         * @return this builder
         * @throws IllegalArgumentException when n is less than 1
         */
        public Builder maxInstances(int n) {
            if (n < 1) throw new IllegalArgumentException("licverify: maxInstances must be 1 or more, got " + n);
            this.maxInstances = n;
            return this;
        }

        /**
         * The bound on each instance's linear memory, in bytes: 256 MiB is enough for documents
         * up to 1 MiB; a 64 MiB revocation set needs about 1 GiB (wasm/ABI.md "Notes for a new
         * host").
         *
         * @param bytes from 64 MiB to {@link #DEFAULT_MEMORY_LIMIT}
         * @return this builder
         * @throws IllegalArgumentException when out of that range
         */
        public Builder memoryLimit(long bytes) {
            if (bytes < (64L << 20) || bytes > DEFAULT_MEMORY_LIMIT) {
                throw new IllegalArgumentException("licverify: memoryLimit must be from 64 MiB to " + DEFAULT_MEMORY_LIMIT + " bytes, got " + bytes);
            }
            this.memoryLimit = bytes;
            return this;
        }

        /** @return the verifier */
        public Verifier build() {
            return new Verifier(maxInstances, memoryLimit);
        }
    }

    /** Counts instances made: it rises each time a crashed one is replaced. */
    int instancesCreated() {
        return instancesCreated.get();
    }

    ModuleInstance newInstance() {
        ModuleInstance inst = new ModuleInstance(maxPages);
        instancesCreated.incrementAndGet();
        return inst;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private ModuleInstance get() throws LicverifyException {
        slots.acquireUninterruptibly();
        synchronized (this) {
            if (closed) {
                slots.release();
                throw new LicverifyException(LicverifyException.Kind.CLOSED, "licverify: the verifier is closed");
            }
            ModuleInstance inst = idle.pollFirst();
            if (inst != null) return inst;
        }
        try {
            return newInstance();
        } catch (RuntimeException | Error e) {
            slots.release();
            throw e;
        }
    }

    private void put(ModuleInstance inst, boolean healthy) {
        // An instance that failed may hold broken state: never reused. One that grew large is
        // dropped too, to give its memory back.
        boolean keep = healthy && !inst.broken() && inst.memoryBytes() <= RECYCLE_MEMORY;
        synchronized (this) {
            if (keep && !closed) idle.addFirst(inst);
        }
        slots.release();
    }

    /**
     * Sends a frame to a pooled instance and returns the response, replacing the instance and
     * trying once more when it crashes, cannot allocate the request, or reports an internal
     * error, so that a fault left by an earlier call never surfaces.
     */
    byte[] exchange(byte[] frame) throws LicverifyException {
        if (frame.length > Frame.MAX_REQUEST) return oversized(frame.length);
        for (int attempt = 0; ; attempt++) {
            ModuleInstance inst = get();
            byte[] resp;
            try {
                resp = inst.call(frame);
            } catch (ModuleInstance.Broken | ModuleInstance.AllocFailed e) {
                put(inst, false);
                if (attempt == 0) continue;
                String what = e instanceof ModuleInstance.AllocFailed ? "licverify: " + e.getMessage() + " within its memory limit" : e.getMessage();
                throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH, what, null, e);
            } catch (RuntimeException | Error e) {
                put(inst, false);
                throw e;
            }
            if (ModuleInstance.startsWith(resp, ModuleInstance.INTERNAL)) {
                put(inst, false);
                if (attempt == 0) continue;
                throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH, "licverify: " + new String(resp, StandardCharsets.UTF_8));
            }
            put(inst, true);
            return resp;
        }
    }

    /** native Go's answer to a request over 72 MiB, which cannot be allocated in the module. */
    static byte[] oversized(long size) {
        return ("{\"error\":\"licverify: bad request: request is " + size + " bytes, limit is " + Frame.MAX_REQUEST + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Releases the idle instances; calls in flight finish on their instances, later calls throw
     * {@link LicverifyException.Kind#CLOSED}. Loaded revocation sets keep working until closed
     * themselves. Closing twice does nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            idle.clear();
        }
    }

    /**
     * Sends a raw request frame (wasm/ABI.md: "LVR2", the header length, the JSON header, the
     * parts; build it with {@link Frame}) as it is, and returns the module's response unchanged:
     * a result, {@code {"error":"licverify: bad request: ..."}} or {@code {"error":"licverify:
     * keyring: ...","code":...}}. For test runners and tools.
     *
     * @param frame the request frame
     * @return the response's UTF-8 JSON bytes, exactly as the module answered
     * @throws LicverifyException only of kind CLOSED or MODULE_CRASH: the module's own errors are
     *     returned as they are
     */
    public byte[] call(byte[] frame) throws LicverifyException {
        return exchange(Objects.requireNonNull(frame, "frame"));
    }

    Json.Obj send(Request req) throws LicverifyException {
        byte[] frame;
        try {
            frame = req.frame();
        } catch (IllegalArgumentException e) {
            throw new LicverifyException(LicverifyException.Kind.BAD_REQUEST, e.getMessage(), null, e);
        }
        Consumer<byte[]> hook = sent;
        if (hook != null) hook.accept(frame);
        return parse(exchange(frame));
    }

    /**
     * A response's result object; an error response throws. Package-private: {@link
     * LoadedRevocationSet} reads its responses the same way.
     */
    static Json.Obj parse(byte[] resp) throws LicverifyException {
        Json.Obj out;
        try {
            out = Json.parseUtf8(resp).obj();
        } catch (RuntimeException e) {
            String head = new String(resp, 0, Math.min(resp.length, 200), StandardCharsets.UTF_8);
            throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH,
                    "licverify: the module answered something that is not a JSON object: " + head, null, e);
        }
        Json.Node valid = out.get("valid");
        if (valid != null && valid.value instanceof Boolean) return out;
        String error = Result.str(out, "error");
        String code = Result.str(out, "code");
        if (error != null && error.startsWith("licverify: keyring: ") && code != null) {
            throw new LicverifyException(LicverifyException.Kind.KEYRING, error, code, null);
        }
        if (error != null && error.startsWith("licverify: bad request: ")) {
            throw new LicverifyException(LicverifyException.Kind.BAD_REQUEST, error);
        }
        throw new LicverifyException(LicverifyException.Kind.MODULE_CRASH,
                "licverify: unexpected response: " + new String(resp, StandardCharsets.UTF_8));
    }

    /**
     * The RFC 8785 canonical form of a JSON document, after the strict I-JSON checks every signed
     * document gets (codes ok, malformed_json, duplicate_key, input_too_large).
     *
     * @param document the document's bytes
     * @return the result
     * @throws LicverifyException CLOSED or MODULE_CRASH
     */
    public CanonicalizeResult canonicalize(byte[] document) throws LicverifyException {
        return canonicalize(document, null);
    }

    /**
     * {@link #canonicalize(byte[])} with a lower size limit.
     *
     * @param document the document's bytes
     * @param limit the largest document accepted, 1 to 1 MiB, or null for the default (1 MiB)
     * @return the result
     * @throws LicverifyException BAD_REQUEST for a limit out of bounds; CLOSED; MODULE_CRASH
     */
    public CanonicalizeResult canonicalize(byte[] document, Long limit) throws LicverifyException {
        Request r = new Request("canonicalize").part("document", Objects.requireNonNull(document, "document")).integer("limit", limit);
        Json.Obj o = send(r);
        return new CanonicalizeResult(o, source(o));
    }

    /**
     * Hashes fingerprint components (the JSON object of a device's identifiers) as every runtime
     * does: {@code binding_hash} and {@code machine_id} (docs/formats.md "Fingerprint
     * components").
     *
     * @param components the components' JSON bytes
     * @return the result
     * @throws LicverifyException CLOSED or MODULE_CRASH
     */
    public FingerprintResult fingerprintHash(byte[] components) throws LicverifyException {
        Json.Obj o = send(new Request("fingerprint").part("components", Objects.requireNonNull(components, "components")));
        return new FingerprintResult(o, source(o));
    }

    /**
     * {@link #fingerprintHash(byte[])} of components given as names and values, sent as a JSON
     * object (the order does not matter: the hash is over the RFC 8785 form).
     *
     * @param components the components, such as machine_id, mac, hostname, cpu_model,
     *     total_memory, platform, arch
     * @return the result
     * @throws LicverifyException CLOSED or MODULE_CRASH
     */
    public FingerprintResult fingerprintHash(Map<String, String> components) throws LicverifyException {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(components).entrySet()) {
            if (b.length() > 1) b.append(',');
            b.append(JsonText.quote(e.getKey())).append(':').append(JsonText.quote(Objects.requireNonNull(e.getValue(), e.getKey())));
        }
        return fingerprintHash(JsonText.utf8(b.append('}').toString()));
    }

    /**
     * Verifies a status proof offline: the proof object, the API's {@code {"proof": ...}}
     * wrapper, or the compact base64 form (docs/formats.md "Status proofs"). Pass the stored
     * anti-rollback epoch as {@code minEpoch} and store {@link StatusProofResult#storeEpoch()}
     * after a valid result ({@link EpochStore}).
     *
     * @param proof the proof's bytes, exactly as received
     * @param options the keyring, now and the rest
     * @return the result: {@code valid()} false with a code for a proof that does not verify
     * @throws LicverifyException BAD_REQUEST, KEYRING (with its code), CLOSED, MODULE_CRASH
     */
    public StatusProofResult verifyStatusProof(byte[] proof, StatusProofOptions options) throws LicverifyException {
        Json.Obj o = send(options.request(Objects.requireNonNull(proof, "proof")));
        return new StatusProofResult(o, source(o));
    }

    /**
     * Verifies a revocation set, applies its deltas in order (at most 4,096), and looks the
     * options' lookup ids up in the result (at most 65,536).
     *
     * @param set the set's bytes
     * @param options the keyring, now, deltas, lookups and the rest
     * @return the result
     * @throws LicverifyException BAD_REQUEST, KEYRING (with its code), CLOSED, MODULE_CRASH
     */
    public RevocationSetResult verifyRevocationSet(byte[] set, RevocationSetOptions options) throws LicverifyException {
        Json.Obj o = send(options.request("revocation_set", Objects.requireNonNull(set, "set")));
        return new RevocationSetResult(o, source(o));
    }

    /**
     * Verifies a revocation set as {@link #verifyRevocationSet} does and, when it is valid, keeps
     * it in a module instance of its own for O(1) lookups. Close it when done.
     *
     * <pre>{@code
     * try (LoadedRevocationSet rs = verifier.loadRevocationSet(data, RevocationSetOptions.builder(keys, now).build())) {
     *     if (!rs.result().valid()) throw new IllegalStateException(rs.result().code());
     *     rs.lookup(List.of("LIC-1"), now).lookups().get(0).status(); // revoked | suspended | not_revoked
     * }
     * }</pre>
     *
     * @param set the set's bytes
     * @param options the keyring, now, deltas, lookups and the rest
     * @return the loaded set; {@link LoadedRevocationSet#result()} says whether it verified
     * @throws LicverifyException BAD_REQUEST, KEYRING (with its code), CLOSED, MODULE_CRASH
     */
    public LoadedRevocationSet loadRevocationSet(byte[] set, RevocationSetOptions options) throws LicverifyException {
        Request req = options.request("revocation_load", Objects.requireNonNull(set, "set"));
        return new LoadedRevocationSet(this, req);
    }

    /**
     * Evaluates a Licensing Engine license.key with the previous license.state.json: {@code
     * decision} (run / warn / block), every reason, and the new state to write atomically.
     *
     * @param license the license.key's bytes
     * @param options the keyring, now, product id, previous state and the rest
     * @return the result
     * @throws LicverifyException BAD_REQUEST, KEYRING (with its code), CLOSED, MODULE_CRASH
     */
    public LicenseResult evaluateLicense(byte[] license, LicenseOptions options) throws LicverifyException {
        Json.Obj o = send(options.request(Objects.requireNonNull(license, "license")));
        return new LicenseResult(o, source(o));
    }

    /**
     * Decrypts and verifies a QuantumMeta .qkey license: pass the file's bytes as they are,
     * encrypted or not. An encrypted file costs PBKDF2 with 100,000 iterations.
     *
     * @param qkey the file's bytes
     * @param options the keyring, now, password and the rest
     * @return the result; {@link QKeyResult#has(String)} asks for a feature
     * @throws LicverifyException BAD_REQUEST, KEYRING (with its code), CLOSED, MODULE_CRASH
     */
    public QKeyResult verifyQKey(byte[] qkey, QKeyOptions options) throws LicverifyException {
        Json.Obj o = send(options.request(Objects.requireNonNull(qkey, "qkey")));
        return new QKeyResult(o, source(o));
    }

    /**
     * What holds now for what is cached, and what to fetch when (docs/formats.md "The lifecycle
     * ops", {@code plan}; docs/lifecycle.md). Every cached document is verified again. Pure:
     * nothing is remembered between calls; the host keeps the cache, the clock and the failure
     * counts, and passes them each time.
     *
     * <pre>{@code
     * PlanResult p = verifier.plan(PlanOptions.builder(keys, Instant.now())
     *         .proof(cachedProof).set(cachedSet).deltas(cachedDeltas).minEpoch(stored).syncedAt(syncedAt).build());
     * if (p.storeEpoch() != null) epochs.raiseTo(name, p.storeEpoch());
     * if (!p.valid()) System.out.println("blocked: " + p.code()); // proof_missing, revoked, proof_expired, ...
     * // fetch a proof at p.refreshProof().at(), a set (or a delta since p.syncSet().sinceEpoch()) at p.syncSet().at()
     * }</pre>
     *
     * @param options the keyring, now, the cached documents, the failures so far and the policy
     * @return the result: {@code valid()} false with a code when the cache does not allow the
     *     license now
     * @throws LicverifyException BAD_REQUEST (such as deltas without a set), KEYRING (with its
     *     code), CLOSED, MODULE_CRASH
     */
    public PlanResult plan(PlanOptions options) throws LicverifyException {
        Json.Obj o = send(Objects.requireNonNull(options, "options").request());
        return new PlanResult(o, source(o));
    }

    /**
     * Whether a fetched document replaces the cached one (docs/formats.md "The lifecycle ops",
     * {@code accept}): the fetched document is verified, and ordered against the cache given as
     * {@link #plan} takes it. Pure.
     *
     * <pre>{@code
     * AcceptResult a = verifier.accept(body, AcceptOptions.PROOF,
     *         AcceptOptions.builder(keys, Instant.now()).proof(cachedProof).minEpoch(stored).build());
     * if (a.accept()) {
     *     writeAtomically("proof.json", body);       // a.persist() says how: proof, set or delta
     *     epochs.raiseTo(name, a.storeEpoch());      // after the document, never before
     * }
     * }</pre>
     *
     * @param fetched the document the transport returned, exactly as received
     * @param kind {@link AcceptOptions#PROOF} or {@link AcceptOptions#REVOCATION} (a delta when
     *     it has {@code since_epoch}, else a full set); anything else is a bad request
     * @param options the keyring, now and the cache
     * @return the result: {@code accept()} whether to keep the document, {@code code()} {@code
     *     not_newer} for one older than the cached one
     * @throws LicverifyException BAD_REQUEST, KEYRING (with its code), CLOSED, MODULE_CRASH
     */
    public AcceptResult accept(byte[] fetched, String kind, AcceptOptions options) throws LicverifyException {
        Request req = Objects.requireNonNull(options, "options")
                .request(Objects.requireNonNull(fetched, "fetched"), Objects.requireNonNull(kind, "kind"));
        Json.Obj o = send(req);
        return new AcceptResult(o, source(o), kind);
    }

    /** The whole response text a parsed result came from. */
    static String source(Json.Obj o) {
        return o.members.values().iterator().next().source;
    }
}
