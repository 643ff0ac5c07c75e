package io.github.licverify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one table of the module's ops (internal/api/ops.json, bundled at build time): each op's
 * members and their kinds. Requests are checked against it as they are built, so a typed method
 * can never send a member the table does not have or give one the wrong kind.
 */
final class Ops {
    private Ops() {}

    /** op name, member name, kind ("bytes", "bytes[]", "string", "strings", "time", "int", "bool", "handle"). */
    static final Map<String, Map<String, String>> KINDS = load();

    /** op name to its document member, for the ops that have one. */
    static final Map<String, String> DOCUMENTS = documents();

    private static Json.Obj table() {
        try (InputStream in = Ops.class.getResourceAsStream("ops.json")) {
            if (in == null) throw new IllegalStateException("licverify: ops.json is missing from the jar");
            return Json.parseUtf8(in.readAllBytes()).obj().get("ops").obj();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Map<String, String>> load() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        table().members.forEach((op, spec) -> {
            Map<String, String> kinds = new LinkedHashMap<>();
            spec.obj().get("members").obj().members.forEach((m, v) -> kinds.put(m, v.obj().get("kind").str()));
            out.put(op, Collections.unmodifiableMap(kinds));
        });
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, String> documents() {
        Map<String, String> out = new LinkedHashMap<>();
        table().members.forEach((op, spec) -> {
            Json.Node d = spec.obj().get("document");
            if (d != null) out.put(op, d.str());
        });
        return Collections.unmodifiableMap(out);
    }

    static String kind(String op, String member) {
        Map<String, String> m = KINDS.get(op);
        String k = m == null ? null : m.get(member);
        if (k == null) throw new IllegalStateException("licverify: ops.json has no member " + member + " of op " + op);
        return k;
    }
}
