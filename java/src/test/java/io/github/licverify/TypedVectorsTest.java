package io.github.licverify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every vector the typed API can express, through the typed API: its answer must equal native
 * Go's response to the raw vector, as bytes ({@link Result#jsonBytes()}) and as a string ({@link
 * Result#json()}); a bad request or a keyring error must throw {@link LicverifyException} with
 * native Go's error text (and, for a keyring, its code). The frame it sends must be the raw
 * vector's, byte for byte: header members sorted by name, parts in order of name, as Go lays
 * them out.
 *
 * <p>A vector is expressible when each of its members maps onto an option of the op's builder
 * without changing its text: a header member with JSON {@code null}, the wrong JSON type, a time
 * that {@link Instant} would respell, an integer beyond a {@code long} or spelt otherwise, an
 * empty lookup list, a member the op does not have, or a missing required member cannot be said
 * through the typed API and is counted as skipped.
 */
class TypedVectorsTest {
    private static final List<String> TYPED_OPS = List.of("canonicalize", "status_proof", "revocation_set", "license", "qkey", "plan", "accept");

    private static Frames frames;
    private static Json.Obj nativeResponses;
    private static Verifier verifier;
    private static final Map<String, int[]> byOp = new TreeMap<>(); // expressed, skipped
    private static int sameFrame;
    private static final List<String> skippedIds = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        frames = new Frames(Repo.readJson(Repo.opsTable()));
        nativeResponses = Repo.readJson(Repo.nativeResponses()).obj();
        verifier = Lib.verifier();
    }

    /** A vector member the typed API cannot say. */
    static final class Inexpressible extends Exception {
        private static final long serialVersionUID = 1L;

        Inexpressible(String why) {
            super(why, null, false, false);
        }
    }

    @TestFactory
    Stream<DynamicTest> typedEqualsRaw() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : Repo.vectorFiles()) {
            for (Json.Node t : Repo.readJson(file).obj().get("tests").list()) {
                Json.Obj test = t.obj();
                String op = test.get("request").obj().get("op").str();
                if (!TYPED_OPS.contains(op)) continue;
                String id = test.get("id").str();
                tests.add(DynamicTest.dynamicTest(id, () -> run(id, op, test)));
            }
        }
        return tests.stream();
    }

    /** The parsed header and the parts of the vector's raw frame. */
    private static final class Members {
        final Map<String, Json.Node> header = new LinkedHashMap<>();
        final Map<String, List<byte[]>> parts = new LinkedHashMap<>();

        byte[] part(String name) {
            List<byte[]> p = parts.remove(name);
            return p == null ? null : p.get(0);
        }

        Json.Node take(String name) {
            return header.remove(name);
        }
    }

    private static String str(Json.Node n, String name) throws Inexpressible {
        if (n == null) return null;
        if (!(n.value instanceof String)) throw new Inexpressible(name + " is not a string");
        return n.str();
    }

    private static Instant time(Json.Node n, String name) throws Inexpressible {
        String s = str(n, name);
        if (s == null) return null;
        Instant t = Times.parse(s);
        if (t == null || !Times.format(t).equals(s)) throw new Inexpressible(name + " " + s + " is not an Instant's text");
        return t;
    }

    private static Long integer(Json.Node n, String name) throws Inexpressible {
        if (n == null) return null;
        if (!(n.value instanceof BigDecimal)) throw new Inexpressible(name + " is not a number");
        try {
            long v = n.num().longValueExact();
            if (!Long.toString(v).equals(n.raw())) throw new Inexpressible(name + " is spelt " + n.raw());
            return v;
        } catch (ArithmeticException e) {
            throw new Inexpressible(name + " " + n.raw() + " is not a long");
        }
    }

    private static boolean flag(Json.Node n, String name) throws Inexpressible {
        if (n == null) return false;
        if (!(n.value instanceof Boolean)) throw new Inexpressible(name + " is not a bool");
        return (Boolean) n.value;
    }

    private static List<String> strings(Json.Node n, String name) throws Inexpressible {
        if (n == null) return List.of();
        if (!(n.value instanceof List) || n.list().isEmpty()) throw new Inexpressible(name + " is not a non-empty array");
        List<String> out = new ArrayList<>();
        for (Json.Node x : n.list()) out.add(str(x, name + "[]"));
        if (out.contains(null)) throw new Inexpressible(name + " holds a non-string");
        return out;
    }

    private static Keyring keys(Members m) throws Inexpressible {
        byte[] k = m.part("keys");
        if (k == null) throw new Inexpressible("no keys");
        return Keyring.of(k);
    }

    private static Instant now(Members m) throws Inexpressible {
        Instant t = time(m.take("now"), "now");
        if (t == null) throw new Inexpressible("no now");
        return t;
    }

    private static void done(Members m) throws Inexpressible {
        if (!m.header.isEmpty() || !m.parts.isEmpty()) {
            throw new Inexpressible("members the op's builder has not: " + m.header.keySet() + " " + m.parts.keySet());
        }
    }

    /** The typed call for the vector's request, its result; or throws its LicverifyException. */
    private static Result typed(String op, Members m) throws Inexpressible, LicverifyException {
        switch (op) {
            case "canonicalize": {
                byte[] doc = m.part("document");
                Long limit = integer(m.take("limit"), "limit");
                if (doc == null) throw new Inexpressible("no document");
                done(m);
                return verifier.canonicalize(doc, limit);
            }
            case "status_proof": {
                byte[] proof = m.part("proof");
                if (proof == null) throw new Inexpressible("no proof");
                StatusProofOptions.Builder b = StatusProofOptions.builder(keys(m), now(m));
                String lid = str(m.take("license_id"), "license_id");
                if (lid != null) b.licenseId(lid);
                byte[] fp = m.part("fingerprint");
                if (fp != null) b.fingerprint(fp);
                Long v;
                if ((v = integer(m.take("min_epoch"), "min_epoch")) != null) b.minEpoch(v);
                if ((v = integer(m.take("max_ttl_seconds"), "max_ttl_seconds")) != null) b.maxTtlSeconds(v);
                if ((v = integer(m.take("skew_seconds"), "skew_seconds")) != null) b.skewSeconds(v);
                if ((v = integer(m.take("limit"), "limit")) != null) b.limit(v);
                done(m);
                return verifier.verifyStatusProof(proof, b.build());
            }
            case "revocation_set": {
                byte[] set = m.part("set");
                if (set == null) throw new Inexpressible("no set");
                RevocationSetOptions.Builder b = RevocationSetOptions.builder(keys(m), now(m));
                List<byte[]> deltas = m.parts.remove("deltas");
                if (deltas != null) b.deltas(deltas);
                Long v;
                if ((v = integer(m.take("min_epoch"), "min_epoch")) != null) b.minEpoch(v);
                b.allowStale(flag(m.take("allow_stale"), "allow_stale"));
                if ((v = integer(m.take("skew_seconds"), "skew_seconds")) != null) b.skewSeconds(v);
                if ((v = integer(m.take("limit"), "limit")) != null) b.limit(v);
                b.lookup(strings(m.take("lookup"), "lookup"));
                done(m);
                return verifier.verifyRevocationSet(set, b.build());
            }
            case "license": {
                byte[] lic = m.part("license");
                if (lic == null) throw new Inexpressible("no license");
                Keyring k = keys(m);
                Instant now = now(m);
                String product = str(m.take("product_id"), "product_id");
                if (product == null) throw new Inexpressible("no product_id");
                LicenseOptions.Builder b = LicenseOptions.builder(k, now, product);
                String fh = str(m.take("fingerprint_hash"), "fingerprint_hash");
                if (fh != null) b.fingerprintHash(fh);
                byte[] state = m.part("state");
                if (state != null) b.state(state);
                Instant t;
                if ((t = time(m.take("release_date"), "release_date")) != null) b.releaseDate(t);
                if ((t = time(m.take("server_time"), "server_time")) != null) b.serverTime(t);
                done(m);
                return verifier.evaluateLicense(lic, b.build());
            }
            case "qkey": {
                byte[] q = m.part("qkey");
                if (q == null) throw new Inexpressible("no qkey");
                QKeyOptions.Builder b = QKeyOptions.builder(keys(m), now(m));
                String s;
                if ((s = str(m.take("password"), "password")) != null) b.password(s);
                if ((s = str(m.take("package"), "package")) != null) b.packageName(s);
                if ((s = str(m.take("machine_id"), "machine_id")) != null) b.machineId(s);
                b.allowUnsigned(flag(m.take("allow_unsigned"), "allow_unsigned"));
                Long v;
                if ((v = integer(m.take("limit"), "limit")) != null) b.limit(v);
                done(m);
                return verifier.verifyQKey(q, b.build());
            }
            case "plan": {
                PlanOptions.Builder b = PlanOptions.builder(keys(m), now(m));
                byte[] p;
                if ((p = m.part("proof")) != null) b.proof(p);
                if ((p = m.part("set")) != null) b.set(p);
                List<byte[]> deltas = m.parts.remove("deltas");
                if (deltas != null) b.deltas(deltas);
                String lid = str(m.take("license_id"), "license_id");
                if (lid != null) b.licenseId(lid);
                if ((p = m.part("fingerprint")) != null) b.fingerprint(p);
                Long v;
                if ((v = integer(m.take("min_epoch"), "min_epoch")) != null) b.minEpoch(v);
                if ((v = integer(m.take("max_ttl_seconds"), "max_ttl_seconds")) != null) b.maxTtlSeconds(v);
                if ((v = integer(m.take("skew_seconds"), "skew_seconds")) != null) b.skewSeconds(v);
                Instant t;
                if ((t = time(m.take("synced_at"), "synced_at")) != null) b.syncedAt(t);
                if ((v = integer(m.take("proof_failures"), "proof_failures")) != null) b.proofFailures(v);
                if ((t = time(m.take("proof_failed_at"), "proof_failed_at")) != null) b.proofFailedAt(t);
                if ((v = integer(m.take("set_failures"), "set_failures")) != null) b.setFailures(v);
                if ((t = time(m.take("set_failed_at"), "set_failed_at")) != null) b.setFailedAt(t);
                if ((v = integer(m.take("refresh_percent"), "refresh_percent")) != null) b.refreshPercent(v);
                if ((v = integer(m.take("sync_interval_seconds"), "sync_interval_seconds")) != null) b.syncIntervalSeconds(v);
                if ((v = integer(m.take("backoff_seconds"), "backoff_seconds")) != null) b.backoffSeconds(v);
                if ((v = integer(m.take("backoff_max_seconds"), "backoff_max_seconds")) != null) b.backoffMaxSeconds(v);
                if ((v = integer(m.take("max_deltas"), "max_deltas")) != null) b.maxDeltas(v);
                done(m);
                return verifier.plan(b.build());
            }
            case "accept": {
                byte[] fetched = m.part("fetched");
                if (fetched == null) throw new Inexpressible("no fetched");
                String kind = str(m.take("kind"), "kind");
                if (kind == null) throw new Inexpressible("no kind");
                AcceptOptions.Builder b = AcceptOptions.builder(keys(m), now(m));
                byte[] p;
                if ((p = m.part("proof")) != null) b.proof(p);
                if ((p = m.part("set")) != null) b.set(p);
                List<byte[]> deltas = m.parts.remove("deltas");
                if (deltas != null) b.deltas(deltas);
                String lid = str(m.take("license_id"), "license_id");
                if (lid != null) b.licenseId(lid);
                if ((p = m.part("fingerprint")) != null) b.fingerprint(p);
                Long v;
                if ((v = integer(m.take("min_epoch"), "min_epoch")) != null) b.minEpoch(v);
                if ((v = integer(m.take("max_ttl_seconds"), "max_ttl_seconds")) != null) b.maxTtlSeconds(v);
                if ((v = integer(m.take("skew_seconds"), "skew_seconds")) != null) b.skewSeconds(v);
                if ((v = integer(m.take("max_deltas"), "max_deltas")) != null) b.maxDeltas(v);
                done(m);
                return verifier.accept(fetched, kind, b.build());
            }
            default:
                throw new Inexpressible("op " + op);
        }
    }

    private static void run(String id, String op, Json.Obj test) throws Exception {
        Frames.Request raw = frames.split(test.get("request"), test.get("pad"));
        byte[] rawFrame = Frames.frame(raw);
        Members m = new Members();
        Json.Obj header = Json.parse(raw.header).obj();
        header.members.forEach((k, v) -> {
            if (!k.equals("op")) m.header.put(k, v);
        });
        for (Frames.Part p : raw.parts) m.parts.computeIfAbsent(p.name, k -> new ArrayList<>()).add(p.data);
        for (Map.Entry<String, List<byte[]>> e : m.parts.entrySet()) {
            if (e.getValue().size() > 1 && !e.getKey().equals("deltas")) {
                skip(op, id);
                return; // a part given twice: the typed API sends each once
            }
        }

        String want = nativeResponses.get(id).str();
        byte[] wantBytes = want.getBytes(StandardCharsets.UTF_8);
        List<byte[]> sent = new ArrayList<>();
        Result result = null;
        LicverifyException error = null;
        synchronized (TypedVectorsTest.class) {
            verifier.sent = sent::add;
            try {
                result = typed(op, m);
            } catch (Inexpressible e) {
                skip(op, id);
                return;
            } catch (LicverifyException e) {
                error = e;
            } finally {
                verifier.sent = null;
            }
        }
        byOp.computeIfAbsent(op, k -> new int[2])[0]++;
        // the typed API lays out the frame native Go lays out for the same request
        assertEquals(1, sent.size(), id + ": frames sent");
        assertArrayEquals(rawFrame, sent.get(0), id + ": the typed API's frame differs from the raw vector's");
        sameFrame++;

        Json.Obj wantObj = Json.parse(want).obj();
        if (wantObj.has("valid")) {
            if (error != null) fail(id + ": the typed API threw " + error.kind() + " " + error.getMessage() + "; native Go answered " + want);
            assertEquals(want, result.json(), id + ": as a string");
            assertArrayEquals(wantBytes, result.jsonBytes(), id + ": as bytes");
            assertEquals(wantObj.get("code").str(), result.code(), id + ": code");
            assertEquals(wantObj.get("valid").value, result.valid(), id + ": valid");
            if (result instanceof PlanResult) planAccessors(id, wantObj, (PlanResult) result);
            if (result instanceof AcceptResult) acceptAccessors(id, wantObj, (AcceptResult) result, test.get("request").obj().get("kind").str());
            return;
        }
        if (error == null) fail(id + ": the typed API answered " + result.json() + "; native Go refused it: " + want);
        assertEquals(wantObj.get("error").str(), error.getMessage(), id + ": the error text");
        if (wantObj.has("code")) {
            assertEquals(LicverifyException.Kind.KEYRING, error.kind(), id);
            assertEquals(wantObj.get("code").str(), error.code(), id + ": the keyring error's code");
        } else {
            assertEquals(LicverifyException.Kind.BAD_REQUEST, error.kind(), id);
        }
    }

    /** A nested result's JSON text in native Go's response, or null when the member is absent. */
    private static String rawMember(Json.Obj o, String name) {
        Json.Node n = o.get(name);
        return n == null ? null : n.raw();
    }

    private static Long longMember(Json.Obj o, String name) {
        Json.Node n = o.get(name);
        return n == null ? null : n.num().longValueExact();
    }

    private static Instant timeMember(Json.Obj o, String name) {
        Json.Node n = o.get(name);
        return n == null ? null : Instant.parse(n.str());
    }

    /** PlanResult's accessors read native Go's answer: each member, or null where it is absent. */
    private static void planAccessors(String id, Json.Obj want, PlanResult r) {
        assertEquals(rawMember(want, "proof"), r.proof() == null ? null : r.proof().json(), id + ": proof");
        assertEquals(rawMember(want, "set"), r.set() == null ? null : r.set().json(), id + ": set");
        assertEquals(longMember(want, "store_epoch"), r.storeEpoch(), id + ": store_epoch");
        assertEquals(timeMember(want, "next_at"), r.nextAt(), id + ": next_at");
        dueAccessors(id + ": refresh_proof", want.get("refresh_proof"), r.refreshProof());
        dueAccessors(id + ": sync_set", want.get("sync_set"), r.syncSet());
    }

    private static void dueAccessors(String what, Json.Node want, PlanResult.Due due) {
        if (want == null) {
            assertEquals(null, due, what);
            return;
        }
        Json.Obj o = want.obj();
        assertEquals(timeMember(o, "at"), due.at(), what + ".at");
        assertEquals(o.get("reason").str(), due.reason(), what + ".reason");
        assertEquals(longMember(o, "since_epoch"), due.sinceEpoch(), what + ".since_epoch");
    }

    /** AcceptResult's accessors read native Go's answer; result() is typed by the request's kind. */
    private static void acceptAccessors(String id, Json.Obj want, AcceptResult r, String kind) {
        assertEquals(want.get("accept").value, r.accept(), id + ": accept");
        Json.Node persist = want.get("persist");
        assertEquals(persist == null ? null : persist.str(), r.persist(), id + ": persist");
        assertEquals(longMember(want, "store_epoch"), r.storeEpoch(), id + ": store_epoch");
        assertEquals(rawMember(want, "result"), r.result() == null ? null : r.result().json(), id + ": result");
        if (r.result() != null) {
            assertEquals(kind.equals("proof") ? StatusProofResult.class : RevocationSetResult.class, r.result().getClass(), id + ": result's class");
        }
        if (r.result() instanceof StatusProofResult) {
            assertEquals(want.get("result").obj().has("license_id") ? want.get("result").obj().get("license_id").str() : null,
                    ((StatusProofResult) r.result()).licenseId(), id + ": result.license_id");
        } else if (r.result() != null) {
            assertEquals(longMember(want.get("result").obj(), "epoch"), ((RevocationSetResult) r.result()).epoch(), id + ": result.epoch");
        }
    }

    private static synchronized void skip(String op, String id) {
        byOp.computeIfAbsent(op, k -> new int[2])[1]++;
        skippedIds.add(id);
    }

    @AfterAll
    static void summary() {
        StringBuilder b = new StringBuilder();
        int expressed = 0;
        for (Map.Entry<String, int[]> e : byOp.entrySet()) {
            b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()[0]).append('/')
                    .append(e.getValue()[0] + e.getValue()[1]);
            expressed += e.getValue()[0];
        }
        System.out.println("typed: vectors expressed through the typed API: " + b + "; " + sameFrame + " of " + expressed
                + " sent the raw vector's frame byte for byte");
        System.out.println("typed: not expressible: " + skippedIds);
        // every typed op must have run on vectors, or this test proves nothing for it
        for (String op : TYPED_OPS) {
            assertTrue(byOp.containsKey(op) && byOp.get(op)[0] > 0, "no vector of " + op + " went through the typed API");
        }
    }
}
