// Signs a status proof in RFC 8785 form with the JDK alone (17 or later;
// Ed25519 is built in since 15).
//
//   java -Dfile.encoding=UTF-8 SignStatusProof.java OUT
//
// (-Dfile.encoding=UTF-8 makes the source launcher read this file as UTF-8
// before JDK 18; javac takes -encoding UTF-8.)

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public class SignStatusProof {
    public static void main(String[] args) throws Exception {
        // The secret key of RFC 8032 §7.1 TEST 1: a published test key, never a real one.
        byte[] seed = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        PrivateKey key = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));

        Map<String, Object> proof = new TreeMap<>();
        proof.put("license_id", "LIC-2026-0042");
        proof.put("status", "valid");
        proof.put("checked_at", "2026-03-01T09:00:00Z");
        proof.put("valid_until", "2026-03-04T09:00:00Z");
        proof.put("revocation_epoch", 7);
        proof.put("entitlements", List.of("export", "größe:xl", "日本語", "🚀 turbo"));
        proof.put("issuer_kid", "vendor-2026");
        proof.put("customer", "Zoë Müller & Söhne <Köln/Bonn>");
        proof.put("labels", Map.of("ﬁ", "ligature", "😀", "grinning"));
        proof.put("note", "line\u2028separator");

        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key);
        signer.update(canonical(proof).getBytes(StandardCharsets.UTF_8));
        proof.put("signature", Base64.getEncoder().encodeToString(signer.sign()));
        Files.write(Path.of(args[0]), canonical(proof).getBytes(StandardCharsets.UTF_8));
    }

    // RFC 8785 for strings, integers, booleans, null, lists and maps.
    // Members are sorted by String.compareTo, which compares UTF-16 code
    // units as §3.2.3 asks; strings escape only what §3.2.2.2 escapes.
    // Floating-point numbers would need ECMAScript's number spelling
    // (§3.2.2.3), not Double.toString's (1.0E-7 for 1e-7), so they are refused.
    static String canonical(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    static void write(StringBuilder b, Object v) {
        if (v == null || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (Math.abs(n) > (1L << 53)) throw new IllegalArgumentException("integer beyond 2^53: " + n);
            b.append(n);
        } else if (v instanceof String s) {
            b.append('"');
            for (int i = 0; i < s.length(); ) {
                int c = s.codePointAt(i);
                i += Character.charCount(c);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\b' -> b.append("\\b");
                    case '\f' -> b.append("\\f");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) b.append(String.format("\\u%04x", c));
                        else if (Character.getType(c) == Character.SURROGATE) throw new IllegalArgumentException("lone surrogate");
                        else b.appendCodePoint(c);
                    }
                }
            }
            b.append('"');
        } else if (v instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(',');
                write(b, list.get(i));
            }
            b.append(']');
        } else if (v instanceof Map<?, ?> map) {
            b.append('{');
            String sep = "";
            for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
                b.append(sep);
                write(b, (String) e.getKey());
                b.append(':');
                write(b, e.getValue());
                sep = ",";
            }
            b.append('}');
        } else {
            throw new IllegalArgumentException("not written here: " + v.getClass().getName());
        }
    }
}
