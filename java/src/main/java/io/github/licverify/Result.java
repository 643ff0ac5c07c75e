package io.github.licverify;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every result has: {@code valid}, {@code code}, {@code message}, and the module's response
 * exactly as it answered it. {@code valid} is true exactly when {@code code} is {@code "ok"}
 * (for a license: when the decision is run or warn). Claims are present (not null) only once the
 * document's signature has verified. Results are immutable.
 */
public abstract class Result {
    /**
     * The result codes of docs/formats.md ("Result codes"), in its order. A module newer than this
     * library may answer a code this list does not have yet: codes are compared as strings.
     */
    public static final List<String> CODES = List.of(
            "ok", "malformed_json", "duplicate_key", "input_too_large", "missing_field", "invalid_field",
            "unsupported_schema", "unsupported_alg", "malformed_signature", "weak_key", "signature_missing",
            "unknown_key", "key_not_valid", "bad_signature", "not_yet_valid", "proof_expired", "ttl_too_long",
            "license_mismatch", "product_mismatch", "device_required", "device_mismatch", "epoch_rollback",
            "revoked", "suspended", "expired", "trial_expired", "set_expired", "delta_base_mismatch",
            "offline_too_long", "decrypt_failed", "clock_rollback", "proof_missing", "not_newer");

    private final boolean valid;
    private final String code;
    private final String message;
    private final String json;

    Result(Json.Obj o, String json) {
        this.valid = Boolean.TRUE.equals(o.get("valid").value);
        this.code = str(o, "code");
        this.message = str(o, "message");
        this.json = json;
    }

    /**
     * Whether the document verified.
     *
     * @return true exactly when {@link #code()} is {@code "ok"} (licenses: decision run or warn)
     */
    public final boolean valid() {
        return valid;
    }

    /**
     * The result code: stable, for programs (docs/formats.md "Result codes", {@link #CODES}).
     *
     * @return the code, such as {@code "ok"} or {@code "bad_signature"}
     */
    public final String code() {
        return code;
    }

    /**
     * A sentence for people; its wording may change, {@link #code()} does not.
     *
     * @return the message
     */
    public final String message() {
        return message;
    }

    /**
     * The module's response exactly as it answered it: UTF-8 JSON, byte for byte what native Go
     * answers for the same request.
     *
     * @return the response text
     */
    public final String json() {
        return json;
    }

    /**
     * The module's response as UTF-8 bytes.
     *
     * @return a new array holding {@link #json()} in UTF-8
     */
    public final byte[] jsonBytes() {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + json;
    }

    static String str(Json.Obj o, String name) {
        Json.Node n = o.get(name);
        return n != null && n.value instanceof String ? (String) n.value : null;
    }

    static Long num(Json.Obj o, String name) {
        Json.Node n = o.get(name);
        if (n == null || !(n.value instanceof BigDecimal)) return null;
        try {
            return ((BigDecimal) n.value).longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    static Boolean bool(Json.Obj o, String name) {
        Json.Node n = o.get(name);
        return n != null && n.value instanceof Boolean ? (Boolean) n.value : null;
    }

    static Instant time(Json.Obj o, String name) {
        String s = str(o, name);
        return s == null ? null : Times.parse(s);
    }

    static List<String> strs(Json.Obj o, String name) {
        Json.Node n = o.get(name);
        if (n == null || !(n.value instanceof List)) return null;
        List<String> out = new ArrayList<>();
        for (Json.Node x : n.list()) if (x.value instanceof String) out.add((String) x.value);
        return Collections.unmodifiableList(out);
    }

    static List<LookupResult> lookups(Json.Obj o) {
        Json.Node n = o.get("lookups");
        if (n == null || !(n.value instanceof List)) return null;
        List<LookupResult> out = new ArrayList<>();
        for (Json.Node x : n.list()) out.add(new LookupResult(x.obj()));
        return Collections.unmodifiableList(out);
    }
}
