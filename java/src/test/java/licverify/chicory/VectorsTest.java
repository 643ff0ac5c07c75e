package licverify.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every vector of testvectors/*.json through host/licverify.wasm on Chicory: the response must
 * be byte-identical to native Go's and match the vector's {@code expected} as ABI.md
 * "Running the test vectors" describes. One instance serves the whole run; it is replaced only
 * after a trap, an exit or an internal error, as ABI.md "Discard after any failure" says.
 */
class VectorsTest {
    static final String SCHEMA = "licverify-vectors-v2";
    static final String BAD_REQUEST = "licverify: bad request: ";
    static final String KEYRING = "licverify: keyring: ";

    private static Frames frames;
    private static Json.Obj nativeResponses;
    private static Licverify.Compiled compiled;
    private static Licverify current;
    private static int instancesCreated;

    private static long vectorNanos;
    private static int peakPages;
    private static int total;
    private static int identical;
    private static final List<String> different = new ArrayList<>();
    private static final Map<String, long[]> byTopic = new LinkedHashMap<>();
    private static String slowestId = "";
    private static long slowestNanos;

    @BeforeAll
    static void load() throws Exception {
        frames = new Frames(Repo.readJson(Repo.opsTable()));
        nativeResponses = Repo.readJson(Repo.nativeResponses()).obj();
        compiled = Shared.compiled();
    }

    private static Licverify instance() {
        if (current == null || current.broken()) {
            current = new Licverify(compiled);
            instancesCreated++;
        }
        return current;
    }

    @TestFactory
    Stream<DynamicTest> vectors() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (Path file : Repo.vectorFiles()) {
            Json.Obj doc = Repo.readJson(file).obj();
            assertEquals(SCHEMA, doc.get("schema").str(), file + ": schema");
            for (Json.Node t : doc.get("tests").list()) {
                Json.Obj test = t.obj();
                String id = test.get("id").str();
                assertTrue(ids.add(id), "vector id twice: " + id);
                tests.add(DynamicTest.dynamicTest(id, () -> run(id, test)));
            }
        }
        // native Go answered exactly these vectors: none missing, none extra
        assertEquals(ids, new LinkedHashSet<>(nativeResponses.members.keySet()),
                "the vector ids and nativeresponses' ids differ");
        return tests.stream();
    }

    private static void run(String id, Json.Obj test) throws Exception {
        total++;
        Frames.Request request = frames.split(test.get("request"), test.get("pad"));
        byte[] frame = Frames.frame(request);
        byte[] want = nativeResponses.get(id).str().getBytes(StandardCharsets.UTF_8);

        byte[] got;
        long t0 = System.nanoTime();
        try {
            Licverify lv = instance();
            got = lv.call(frame);
            peakPages = Math.max(peakPages, lv.instance.memory().pages());
        } catch (Licverify.Broken e) {
            different.add(id);
            fail(id + ": the instance failed: " + e.getMessage() + "\nheader: " + request.header, e);
            return;
        } finally {
            long dt = System.nanoTime() - t0;
            vectorNanos += dt;
            long[] topic = byTopic.computeIfAbsent(id.substring(0, Math.max(0, id.indexOf('/'))), k -> new long[2]);
            topic[0]++;
            topic[1] += dt;
            if (dt > slowestNanos) {
                slowestNanos = dt;
                slowestId = id;
            }
        }

        boolean same = Arrays.equals(want, got);
        if (same) identical++;
        else different.add(id);

        checkExpected(id, test.get("expected").obj(), got);
        if (!same) {
            fail(id + ": response differs from native Go's\n  header: " + request.header
                    + "\n  chicory: " + Repo.utf8(got) + "\n  native:  " + Repo.utf8(want));
        }
    }

    /**
     * ABI.md "Running the test vectors": the expected value is one of
     *
     * <ul>
     *   <li>a result: the response less message (which must be a non-empty string), and less the
     *       message of every result nested in it, compared as JSON values;
     *   <li>{"error": "bad_request"}: the response is {"error": ...} starting with
     *       "licverify: bad request: ";
     *   <li>{"error": "keyring", "code": C}: the response is exactly {"error": ..., "code": C}
     *       with the error starting "licverify: keyring: ".
     * </ul>
     */
    /**
     * Drops, in place, the message of every result nested in v (an object with a "valid" member,
     * as the lifecycle ops answer): it is for people, as the response's own is.
     */
    static void dropNestedMessages(Object v) {
        if (v instanceof Json.Node) v = ((Json.Node) v).value;
        if (v instanceof Json.Obj) {
            Json.Obj o = (Json.Obj) v;
            if (o.has("valid")) o.members.remove("message");
            o.members.values().forEach(VectorsTest::dropNestedMessages);
        } else if (v instanceof List) {
            ((List<?>) v).forEach(VectorsTest::dropNestedMessages);
        }
    }

    static void checkExpected(String id, Json.Obj expected, byte[] response) {
        Json.Obj resp = Json.parseUtf8(response).obj();
        Json.Node err = expected.get("error");
        if (err != null && expected.members.size() == 1 && "bad_request".equals(err.value)) {
            assertEquals(Set.of("error"), resp.members.keySet(), id + ": a bad request is {\"error\": ...}: " + Repo.utf8(response));
            assertTrue(resp.get("error").value instanceof String
                            && resp.get("error").str().startsWith(BAD_REQUEST),
                    id + ": want a bad request error, got " + Repo.utf8(response));
            return;
        }
        if (err != null && "keyring".equals(err.value)) {
            Json.Node code = expected.get("code");
            assertTrue(expected.members.size() == 2 && code != null && code.value instanceof String,
                    id + ": a keyring expectation is exactly {\"error\": \"keyring\", \"code\": C}: " + expected.members);
            assertEquals(Set.of("error", "code"), resp.members.keySet(),
                    id + ": a keyring error is exactly {\"error\": ..., \"code\": ...}: " + Repo.utf8(response));
            assertTrue(resp.get("error").value instanceof String && resp.get("error").str().startsWith(KEYRING),
                    id + ": want an error starting " + KEYRING + ", got " + Repo.utf8(response));
            assertEquals(code.value, resp.get("code").value,
                    id + ": the keyring error's code, in " + Repo.utf8(response));
            return;
        }
        Json.Node message = resp.get("message");
        assertTrue(message != null && message.value instanceof String && !message.str().isEmpty(),
                id + ": message must be a non-empty string: " + Repo.utf8(response));
        Json.Obj less = new Json.Obj();
        resp.members.forEach((k, v) -> {
            if (!k.equals("message")) less.members.put(k, v);
        });
        dropNestedMessages(less);
        assertTrue(Json.same(less, expected),
                id + ": response less message differs from expected\n  response: " + Repo.utf8(response)
                        + "\n  expected: " + expected.members);
        // ABI.md "Responses": valid is true exactly when code is "ok"
        if (resp.has("valid") && resp.has("code")) {
            assertEquals(Boolean.valueOf("ok".equals(resp.get("code").value)), resp.get("valid").value,
                    id + ": valid must be true exactly when code is ok");
        }
    }

    @AfterAll
    static void summary() {
        long harnessNanos = System.nanoTime() - Shared.startNanos;
        System.out.printf(
                "harness: %.1f s (module compiled to JVM bytecode%s in %.1f s; %d vectors in %.1f s; %d instance(s); peak linear memory %d MiB; slowest %s %.0f ms)%n",
                harnessNanos / 1e9, compiled != null && compiled.fromCache ? " (classes from target/ cache)" : "",
                compiled == null ? 0 : compiled.compileMillis / 1e3, total, vectorNanos / 1e9,
                instancesCreated, peakPages / 16, slowestId, slowestNanos / 1e6);
        StringBuilder topics = new StringBuilder();
        byTopic.forEach((k, v) -> topics.append(topics.length() == 0 ? "" : ", ").append(String.format("%s %d in %.1f s", k, v[0], v[1] / 1e9)));
        System.out.println("by topic: " + topics);
        System.out.println("wasi calls (this JVM): " + WasiShim.callCounts());
        if (!different.isEmpty()) System.out.println("differ from Go: " + different);
        System.out.println("chicory: " + identical + "/" + total + " vectors identical to Go");
    }
}
