package io.github.licverify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The harness's own pieces, without the module: JSON spans, frame building, the expected check. */
class HarnessTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rawTextIsKeptExactly() {
        Json.Node n = Json.parse("{\"a\" : [ 1.0 , \"\\ud800\" ], \"b\":9007199254740993}");
        assertEquals("[ 1.0 , \"\\ud800\" ]", n.obj().get("a").raw());
        assertEquals("9007199254740993", n.obj().get("b").raw());
        assertEquals("[1.0,\"\\ud800\"]", Frames.compact(n.obj().get("a").raw()));
        assertEquals("\" a \\\" b \"", Frames.compact("\" a \\\" b \""));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertThrows(IllegalArgumentException.class, () -> Json.strictUtf8("\ud800"));
    }

    @Test
    void framesFollowTheOpTable() throws Exception {
        Frames frames = new Frames(Repo.readJson(Repo.opsTable()));
        Json.Node req = Json.parse("{\"deltas\":[\"d0\",\"d1\"],\"keys_b64\":\"/w==\",\"lookup\":[\n \"x\"\n],"
                + "\"now\":\"2025-01-01T00:00:00Z\",\"op\":\"revocation_set\",\"set\":\"{}\",\"typo\":1}");
        Frames.Request r = frames.split(req, Json.parse("{\"member\":\"set\",\"to\":4}"));
        assertEquals("{\"op\":\"revocation_set\",\"lookup\":[\"x\"],\"now\":\"2025-01-01T00:00:00Z\",\"typo\":1}", r.header);
        assertEquals(4, r.parts.size());
        assertEquals("deltas", r.parts.get(0).name);
        assertArrayEquals(utf8("d1"), r.parts.get(1).data);
        assertEquals("keys", r.parts.get(2).name);
        assertArrayEquals(new byte[] {(byte) 0xff}, r.parts.get(2).data);
        assertArrayEquals(utf8("{}\t\t"), r.parts.get(3).data);
        // members sorted by name in byte order, whatever the file's order (ABI.md)
        Frames.Request unsorted = frames.split(Json.parse("{\"op\":\"status_proof\",\"now\":\"2025-01-01T00:00:00Z\","
                + "\"max_ttl_seconds\":5,\"\u00e9\":1,\"Z\":2,\"proof\":\"{}\",\"keys\":\"[]\"}"), null);
        assertEquals("{\"op\":\"status_proof\",\"Z\":2,\"max_ttl_seconds\":5,\"now\":\"2025-01-01T00:00:00Z\",\"\u00e9\":1}",
                unsorted.header);
        assertEquals("keys", unsorted.parts.get(0).name);
        assertEquals("proof", unsorted.parts.get(1).name);

        ByteArrayOutputStream want = new ByteArrayOutputStream();
        byte[] h = utf8("{\"op\":\"fingerprint\"}");
        want.write(utf8("LVR2"));
        want.write(new byte[] {(byte) h.length, 0, 0, 0});
        want.write(h);
        want.write(10);
        want.write(utf8("components"));
        want.write(new byte[] {2, 0, 0, 0});
        want.write(utf8("{}"));
        assertArrayEquals(want.toByteArray(),
                Frames.frame(frames.split(Json.parse("{\"components\":\"{}\",\"op\":\"fingerprint\"}"), null)));
    }

    @Test
    void expectedCheck() {
        Json.Obj ok = Json.parse("{\"code\":\"ok\",\"valid\":true,\"n\":1}").obj();
        assertDoesNotThrow(() -> VectorsTest.checkExpected("t", ok, utf8("{\"valid\":true,\"code\":\"ok\",\"message\":\"m\",\"n\":1.0}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", ok, utf8("{\"valid\":true,\"code\":\"ok\",\"message\":\"\",\"n\":1}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", ok, utf8("{\"valid\":true,\"code\":\"ok\",\"message\":\"m\",\"n\":2}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", ok, utf8("{\"valid\":true,\"code\":\"ok\",\"message\":\"m\",\"n\":1,\"x\":0}")));
        Json.Obj bad = Json.parse("{\"error\":\"bad_request\"}").obj();
        assertDoesNotThrow(() -> VectorsTest.checkExpected("t", bad, utf8("{\"error\":\"licverify: bad request: x\"}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", bad, utf8("{\"error\":\"internal: x\"}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", bad,
                utf8("{\"error\":\"licverify: keyring: x\",\"code\":\"weak_key\"}")));
        Json.Obj keyring = Json.parse("{\"error\":\"keyring\",\"code\":\"weak_key\"}").obj();
        assertDoesNotThrow(() -> VectorsTest.checkExpected("t", keyring,
                utf8("{\"error\":\"licverify: keyring: key 1: public key has small order\",\"code\":\"weak_key\"}")));
        // another code, another prefix, a member more or less, a result: all refused
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", keyring,
                utf8("{\"error\":\"licverify: keyring: x\",\"code\":\"invalid_field\"}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", keyring,
                utf8("{\"error\":\"licverify: bad request: x\",\"code\":\"weak_key\"}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", keyring,
                utf8("{\"error\":\"licverify: keyring: x\",\"code\":\"weak_key\",\"message\":\"m\"}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", keyring,
                utf8("{\"error\":\"licverify: keyring: x\"}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", keyring,
                utf8("{\"valid\":false,\"code\":\"weak_key\",\"message\":\"m\"}")));
        assertThrows(AssertionError.class, () -> VectorsTest.checkExpected("t", keyring,
                utf8("{\"error\":{\"x\":1},\"code\":\"weak_key\"}")));
        assertTrue(Json.same(Json.parse("[1e0,{\"a\":null,\"b\":\"x\"}]"), Json.parse("[1,{\"b\":\"x\",\"a\":null}]")));
    }
}
