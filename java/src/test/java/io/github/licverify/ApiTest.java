package io.github.licverify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The typed API beyond single vectors: threads, loaded sets, errors, the op table's coverage. */
class ApiTest {
    private static Frames frames;
    private static Json.Obj nativeResponses;

    @BeforeAll
    static void load() throws Exception {
        frames = new Frames(Repo.readJson(Repo.opsTable()));
        nativeResponses = Repo.readJson(Repo.nativeResponses()).obj();
    }

    private static Json.Obj vector(String file, String id) throws Exception {
        for (Json.Node t : Repo.readJson(Repo.root().resolve("testvectors/" + file)).obj().get("tests").list()) {
            if (t.obj().get("id").str().equals(id)) return t.obj();
        }
        throw new AssertionError("no vector " + id);
    }

    private static byte[] bytes(Json.Obj request, String name) {
        return request.get(name).str().getBytes(StandardCharsets.UTF_8);
    }

    private static Instant now(Json.Obj request) {
        return Instant.parse(request.get("now").str());
    }

    private static String nativeResponse(String id) {
        return nativeResponses.get(id).str();
    }

    @Test
    void concurrentCallsAnswerAsGo() throws Exception {
        Json.Obj proofReq = vector("statusproof.json", "statusproof/valid").get("request").obj();
        Json.Obj setVector = vector("revocation.json", "revocation/valid");
        byte[] setFrame = Frames.frame(frames.split(setVector.get("request"), null));
        byte[] proof = bytes(proofReq, "proof");
        StatusProofOptions opts = StatusProofOptions.builder(Keyring.of(bytes(proofReq, "keys")), now(proofReq)).build();
        String wantProof = nativeResponse("statusproof/valid");
        byte[] wantSet = nativeResponse("revocation/valid").getBytes(StandardCharsets.UTF_8);

        try (Verifier v = Verifier.builder().maxInstances(3).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        if ((i + thread) % 2 == 0) {
                            assertEquals(wantProof, v.verifyStatusProof(proof, opts).json());
                        } else {
                            assertArrayEquals(wantSet, v.call(setFrame));
                        }
                    }
                    return 10;
                }));
            }
            int calls = 0;
            for (Future<Integer> f : done) calls += f.get();
            pool.shutdown();
            assertEquals(80, calls);
            assertTrue(v.instancesCreated() >= 1 && v.instancesCreated() <= 3,
                    "8 threads share at most maxInstances instances, made " + v.instancesCreated());
        }
    }

    @Test
    void loadedSetLooksUpAppliesDeltasSurvivesACrashAndCloses() throws Exception {
        Json.Obj vector = vector("revocation.json", "revocation/delta-chain");
        Json.Obj req = vector.get("request").obj();
        Json.Obj expected = vector.get("expected").obj();
        Keyring keys = Keyring.of(bytes(req, "keys"));
        Instant now = now(req);
        List<byte[]> deltas = new ArrayList<>();
        for (Json.Node d : req.get("deltas").list()) deltas.add(d.str().getBytes(StandardCharsets.UTF_8));
        List<String> ids = new ArrayList<>();
        for (Json.Node d : req.get("lookup").list()) ids.add(d.str());

        Verifier v = Lib.verifier();
        LoadedRevocationSet set = v.loadRevocationSet(bytes(req, "set"), RevocationSetOptions.builder(keys, now).build());
        try {
            assertTrue(set.valid(), set.result().json());
            RevocationSetResult applied = set.applyDeltas(deltas, RevocationSetOptions.builder(keys, now).build());
            assertEquals("ok", applied.code(), applied.json());
            assertEquals(expected.get("epoch").num().longValue(), applied.epoch());
            LookupsResult looked = set.lookup(ids, now);
            assertTrue(Json.same(expected.get("lookups"), Json.parse(looked.json()).obj().get("lookups")),
                    "the loaded set answers revocation_set's lookups: " + looked.json());
            assertEquals(ids, looked.lookups().stream().map(LookupResult::licenseId).collect(Collectors.toList()));

            // its instance crashes: the set is loaded again, deltas and all, on the next use
            int before = v.instancesCreated();
            set.instance().markBroken();
            LookupsResult again = set.lookup(ids, now);
            assertEquals(before + 1, v.instancesCreated(), "a new instance was made for the set");
            assertEquals(looked.json(), again.json());

            // an empty id is the module's to refuse
            LicverifyException e = assertThrows(LicverifyException.class, () -> set.lookup(List.of(""), now));
            assertEquals(LicverifyException.Kind.BAD_REQUEST, e.kind());
            assertThrows(IllegalArgumentException.class,
                    () -> set.applyDeltas(deltas, RevocationSetOptions.builder(keys, now).lookup(List.of("x")).build()));
        } finally {
            set.close();
        }
        LicverifyException closed = assertThrows(LicverifyException.class, () -> set.lookup(ids, now));
        assertEquals(LicverifyException.Kind.CLOSED, closed.kind());
        set.close(); // twice: nothing

        // a set that does not verify is a result, and holds nothing
        Json.Obj bad = vector("revocation.json", "revocation/key-unknown").get("request").obj();
        try (LoadedRevocationSet rs = v.loadRevocationSet(bytes(bad, "set"), RevocationSetOptions.builder(Keyring.of(bytes(bad, "keys")), now(bad)).build())) {
            assertFalse(rs.valid());
            assertEquals("unknown_key", rs.result().code());
            assertEquals(LicverifyException.Kind.CLOSED, assertThrows(LicverifyException.class, () -> rs.lookup(ids, now)).kind());
        }
    }

    @Test
    void errorsCarryTheirKindAndCode() throws Exception {
        Verifier v = Lib.verifier();
        Json.Obj weak = vector("statusproof.json", "statusproof/key-weak-in-ring").get("request").obj();
        LicverifyException e = assertThrows(LicverifyException.class, () -> v.verifyStatusProof(bytes(weak, "proof"),
                StatusProofOptions.builder(Keyring.of(bytes(weak, "keys")), now(weak)).build()));
        assertEquals(LicverifyException.Kind.KEYRING, e.kind());
        assertEquals("weak_key", e.code());
        assertTrue(e.getMessage().startsWith("licverify: keyring: "), e.getMessage());

        Json.Obj ok = vector("statusproof.json", "statusproof/valid").get("request").obj();
        LicverifyException bad = assertThrows(LicverifyException.class, () -> v.verifyStatusProof(bytes(ok, "proof"),
                StatusProofOptions.builder(Keyring.of(bytes(ok, "keys")), now(ok)).limit(0).build()));
        assertEquals(LicverifyException.Kind.BAD_REQUEST, bad.kind());
        assertNull(bad.code());

        // a frame over 72 MiB is answered as native Go answers it, without the module
        byte[] big = new byte[Frame.MAX_REQUEST + 1];
        assertEquals("{\"error\":\"licverify: bad request: request is 75497473 bytes, limit is 75497472\"}",
                new String(v.call(big), StandardCharsets.UTF_8));

        Verifier closed = Verifier.builder().maxInstances(1).build();
        assertTrue(closed.canonicalize("[1]".getBytes(StandardCharsets.UTF_8)).valid());
        closed.close();
        LicverifyException c = assertThrows(LicverifyException.class, () -> closed.canonicalize("[1]".getBytes(StandardCharsets.UTF_8)));
        assertEquals(LicverifyException.Kind.CLOSED, c.kind());
        assertThrows(IllegalArgumentException.class, () -> Verifier.builder().maxInstances(0));
        assertThrows(NullPointerException.class, () -> v.canonicalize(null));
    }

    /**
     * A request that ends its instance (here a 70 MiB document under a 64 MiB memory limit: the Go
     * runtime runs out of memory and traps) is tried once more on a fresh instance, then reported
     * as MODULE_CRASH with the runtime's reason; the verifier goes on answering.
     */
    @Test
    void aRequestThatCrashesTwiceIsAModuleCrash() throws Exception {
        try (Verifier v = Verifier.builder().maxInstances(1).memoryLimit(64L << 20).build()) {
            LicverifyException e = assertThrows(LicverifyException.class, () -> v.canonicalize(new byte[70 << 20]));
            assertEquals(LicverifyException.Kind.MODULE_CRASH, e.kind());
            assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
            assertEquals(2, v.instancesCreated(), "the call was tried on a fresh instance once");
            assertTrue(v.canonicalize("[1]".getBytes(StandardCharsets.UTF_8)).valid());
            assertEquals(3, v.instancesCreated(), "crashed instances are never pooled");
        }
    }

    @Test
    void resultsAreTyped() throws Exception {
        Verifier v = Lib.verifier();
        CanonicalizeResult c = v.canonicalize("{\"b\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"a\":2,\"b\":1}", c.canonical());
        CanonicalizeResult dup = v.canonicalize("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertFalse(dup.valid());
        assertEquals("duplicate_key", dup.code());
        assertNull(dup.canonical());

        // components as a map or as their JSON bytes: one hash
        FingerprintResult fm = v.fingerprintHash(Map.of("hostname", "h<1>", "arch", "x64"));
        FingerprintResult fb = v.fingerprintHash("{\"hostname\":\"h<1>\",\"arch\":\"x64\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(fb.bindingHash(), fm.bindingHash());
        assertTrue(fm.bindingHash().matches("sha256:[0-9a-f]{64}"), fm.bindingHash());
        assertEquals(fm.bindingHash().substring(7, 39), fm.machineId());

        Json.Obj q = vector("qkey.json", "qkey/plain/signed").get("request").obj();
        QKeyResult qr = v.verifyQKey(java.util.Base64.getDecoder().decode(q.get("qkey_b64").str()),
                QKeyOptions.builder(Keyring.of(bytes(q, "keys")), now(q)).build());
        assertTrue(qr.valid(), qr.json());
        assertTrue(qr.has("PRO") && qr.has("core"));
        assertFalse(qr.has("nope"));
        assertThrows(UnsupportedOperationException.class, () -> qr.features().add("x"));

        Json.Obj s = vector("statusproof.json", "statusproof/valid").get("request").obj();
        StatusProofResult sr = v.verifyStatusProof(bytes(s, "proof"), StatusProofOptions.builder(Keyring.of(bytes(s, "keys")), now(s)).build());
        Json.Obj raw = Json.parse(sr.json()).obj();
        assertEquals(Instant.parse(raw.get("valid_until").str()), sr.validUntil());
        assertEquals(raw.get("epoch").num().longValue(), sr.epoch());
        assertEquals(raw.get("license_id").str(), sr.licenseId());

        // the state a license evaluation writes is read back by the next
        Json.Obj l = vector("license.json", "license/seed/resigned").get("request").obj();
        LicenseOptions.Builder lb = LicenseOptions.builder(Keyring.of(bytes(l, "keys")), now(l), l.get("product_id").str())
                .fingerprintHash(l.get("fingerprint_hash").str());
        LicenseResult first = v.evaluateLicense(bytes(l, "license"), lb.build());
        assertEquals("run", first.decision(), first.json());
        assertNotNull(first.state());
        assertEquals(Json.parse(first.json()).obj().get("state").raw(), first.state());
        LicenseResult second = v.evaluateLicense(bytes(l, "license"), lb.state(first.stateBytes()).build());
        assertEquals("run", second.decision(), second.json());
        assertNotNull(first.policy());
    }

    @Test
    void timesAreSentAsGoWritesThem() {
        assertEquals("2026-01-01T00:00:00Z", Times.format(Instant.parse("2026-01-01T00:00:00Z")));
        assertEquals("2026-01-01T00:00:00.5Z", Times.format(Instant.parse("2026-01-01T00:00:00.500Z")));
        assertEquals("0001-02-03T04:05:06.000000001Z", Times.format(Instant.parse("0001-02-03T04:05:06.000000001Z")));
        assertEquals("\"a\\u003cb\\u003e\\u0026\\u2028\\ud800\\n\\u0001\"", JsonText.quote("a<b>&\u2028\ud800\n\u0001"));
        assertEquals("\"\ud83d\ude00\"", JsonText.quote("\ud83d\ude00"), "a surrogate pair is one character, sent as it is");
    }

    /**
     * The one table of ops (internal/api/ops.json) and this binding: every op has a typed method
     * and every member an option (or is the document, the keyring, now, or the handle the set
     * manages), so a member added to the table fails here until the binding has it.
     */
    @Test
    void everyOpAndMemberOfTheTableIsReachable() throws Exception {
        Map<String, Class<?>> builders = Map.of(
                "status_proof", StatusProofOptions.Builder.class,
                "revocation_set", RevocationSetOptions.Builder.class,
                "revocation_load", RevocationSetOptions.Builder.class,
                "revocation_apply", RevocationSetOptions.Builder.class,
                "license", LicenseOptions.Builder.class,
                "qkey", QKeyOptions.Builder.class,
                "plan", PlanOptions.Builder.class,
                "accept", AcceptOptions.Builder.class);
        Map<String, String> renamed = Map.of("package", "packageName");
        Set<String> handledElsewhere = Set.of("keys", "now", "handle", "product_id", "kind"); // kind: accept's argument
        Json.Obj ops = Repo.readJson(Repo.opsTable()).obj().get("ops").obj();
        List<String> missing = new ArrayList<>();
        for (String op : ops.members.keySet()) {
            Json.Obj spec = ops.get(op).obj();
            String document = spec.has("document") ? spec.get("document").str() : null;
            switch (op) {
                case "canonicalize":
                    assertNotNull(Verifier.class.getMethod("canonicalize", byte[].class, Long.class));
                    continue;
                case "fingerprint":
                    assertNotNull(Verifier.class.getMethod("fingerprintHash", byte[].class));
                    continue;
                case "revocation_lookup":
                    assertNotNull(LoadedRevocationSet.class.getMethod("lookup", List.class, Instant.class));
                    continue;
                case "revocation_free":
                    assertNotNull(LoadedRevocationSet.class.getMethod("close"));
                    continue;
                default:
            }
            Class<?> b = builders.get(op);
            if (b == null) {
                missing.add(op + " (no typed method)");
                continue;
            }
            Set<String> methods = Arrays.stream(b.getMethods()).map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
            for (String member : spec.get("members").obj().members.keySet()) {
                if (member.equals(document) || handledElsewhere.contains(member)) continue;
                if (op.equals("revocation_apply") && member.equals("deltas")) continue; // applyDeltas' argument
                String name = renamed.getOrDefault(member, camel(member));
                if (!methods.contains(name)) missing.add(op + "." + member + " (" + b.getSimpleName() + "." + name + ")");
            }
        }
        assertEquals(Collections.emptyList(), missing, "members of ops.json the Java API cannot send");
        assertEquals(ops.members.keySet(), Ops.KINDS.keySet(), "the bundled ops.json is internal/api/ops.json's");
    }

    private static String camel(String member) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : member.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    /** Result.CODES is docs/formats.md's table of result codes, in its order. */
    @Test
    void codesAreTheDocumentedOnes() throws Exception {
        String doc = Files.readString(Repo.root().resolve("docs/formats.md"));
        int start = doc.indexOf("### Result codes");
        assertTrue(start >= 0, "docs/formats.md has no Result codes section");
        String section = doc.substring(start, doc.indexOf("\n#", start + 5) > 0 ? doc.indexOf("\n#", start + 5) : doc.length());
        List<String> documented = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(section);
        while (m.find()) documented.add(m.group(1));
        assertEquals(documented, Result.CODES);
    }

    @Test
    void framesAreLaidOutAsAbiMdSays() {
        byte[] f = Frame.builder("fingerprint").part("components", "{}".getBytes(StandardCharsets.UTF_8)).header("z", "1").header("a", "\"x\"").build();
        String head = "{\"op\":\"fingerprint\",\"a\":\"x\",\"z\":1}";
        assertEquals("LVR2", new String(f, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(head.length(), f[4]);
        assertEquals(head, new String(f, 8, head.length(), StandardCharsets.UTF_8));
        assertEquals(10, f[8 + head.length()]);
        assertThrows(IllegalArgumentException.class, () -> Frame.builder("x").part("", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Frame.builder("x").part("é", new byte[0]));
    }
}
