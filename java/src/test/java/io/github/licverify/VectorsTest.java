package io.github.licverify;

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
 * Every vector of testvectors/*.json as a raw frame through the library ({@link
 * Verifier#call(byte[])}, the module's classes compiled at build time): the response must be
 * byte-identical to native Go's and match the vector's {@code expected} as ABI.md "Running the
 * test vectors" describes.
 */
class VectorsTest {
    static final String SCHEMA = "licverify-vectors-v2";
    static final String BAD_REQUEST = "licverify: bad request: ";
    static final String KEYRING = "licverify: keyring: ";

    private static Frames frames;
    private static Json.Obj nativeResponses;
    private static Verifier verifier;

    private static long vectorNanos;
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
        verifier = Lib.verifier();
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
            got = verifier.call(frame);
        } catch (LicverifyException e) {
            different.add(id);
            fail(id + ": the call failed: " + e.getMessage() + "\nheader: " + request.header, e);
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
        System.out.printf(
                "vectors: %d in %.1f s through the library (%d instance(s) made; slowest %s %.0f ms)%n",
                total, vectorNanos / 1e9, verifier == null ? 0 : verifier.instancesCreated(), slowestId, slowestNanos / 1e6);
        StringBuilder topics = new StringBuilder();
        byTopic.forEach((k, v) -> topics.append(topics.length() == 0 ? "" : ", ").append(String.format("%s %d in %.1f s", k, v[0], v[1] / 1e9)));
        System.out.println("by topic: " + topics);
        if (!different.isEmpty()) System.out.println("differ from Go: " + different);
        System.out.println("java: " + identical + "/" + total + " vectors identical to Go");
    }
}
