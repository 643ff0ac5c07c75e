package io.github.licverify;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader that keeps, for every value, the exact span of source
 * text it came from. The vectors require header members to travel "as their exact JSON text from
 * the file" (a lone surrogate escape or an integer beyond 2^53 must reach the module unchanged),
 * which a parse-and-reserialize library cannot promise.
 *
 * <p>Values: {@link Obj} (members in source order, duplicates refused), {@code List<Node>},
 * {@link String} (escapes decoded; a lone surrogate escape stays a lone surrogate {@code char}),
 * {@link BigDecimal}, {@link Boolean}, {@link #NULL}.
 */
final class Json {
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A parsed value and the half-open span [start, end) of its text in the source. */
    static final class Node {
        final Object value;
        final String source;
        final int start;
        final int end;

        Node(Object value, String source, int start, int end) {
            this.value = value;
            this.source = source;
            this.start = start;
            this.end = end;
        }

        /** The value's exact text in the source. */
        String raw() {
            return source.substring(start, end);
        }

        Obj obj() {
            if (!(value instanceof Obj)) throw new IllegalStateException("not an object: " + raw());
            return (Obj) value;
        }

        @SuppressWarnings("unchecked")
        List<Node> list() {
            if (!(value instanceof List)) throw new IllegalStateException("not an array: " + raw());
            return (List<Node>) value;
        }

        String str() {
            if (!(value instanceof String)) throw new IllegalStateException("not a string: " + raw());
            return (String) value;
        }

        BigDecimal num() {
            if (!(value instanceof BigDecimal)) throw new IllegalStateException("not a number: " + raw());
            return (BigDecimal) value;
        }
    }

    /** An object: members in source order, with each member name's exact text too. */
    static final class Obj {
        final LinkedHashMap<String, Node> members = new LinkedHashMap<>();
        final Map<String, String> rawNames = new LinkedHashMap<>();

        Node get(String name) {
            return members.get(name);
        }

        boolean has(String name) {
            return members.containsKey(name);
        }
    }

    private final String s;
    private final boolean lastWins;
    private int i;

    private Json(String s, boolean lastWins) {
        this.s = s;
        this.lastWins = lastWins;
    }

    static Node parse(String text) {
        return parse(text, false);
    }

    /**
     * Parses as JavaScript's JSON.parse and Go's encoding/json do where a member repeats: its last
     * value counts (the epoch stores' rule); {@link #parse(String)} refuses a repeat.
     */
    static Node parseLastWins(String text) {
        return parse(text, true);
    }

    private static Node parse(String text, boolean lastWins) {
        Json p = new Json(text, lastWins);
        p.ws();
        Node n = p.value(0);
        p.ws();
        if (p.i != text.length()) throw p.error("trailing text");
        return n;
    }

    /** Parses UTF-8 bytes, refusing bytes that are not UTF-8 (a response must be UTF-8 JSON). */
    static Node parseUtf8(byte[] bytes) {
        return parse(strictUtf8(bytes));
    }

    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8: " + e, e);
        }
    }

    /** UTF-8 of a string, refusing a lone surrogate (which has no UTF-8 form) instead of writing '?'. */
    static byte[] strictUtf8(String text) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(text));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string has no UTF-8 form (lone surrogate?): " + e, e);
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON: " + what + " at offset " + i);
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') i++;
            else break;
        }
    }

    private Node value(int depth) {
        if (depth > 512) throw error("nesting too deep");
        if (i >= s.length()) throw error("unexpected end");
        int start = i;
        char c = s.charAt(i);
        switch (c) {
            case '{': {
                i++;
                Obj o = new Obj();
                ws();
                if (peek('}')) {
                    i++;
                    return new Node(o, s, start, i);
                }
                while (true) {
                    ws();
                    if (!peek('"')) throw error("expected a member name");
                    int ns = i;
                    String name = string();
                    String rawName = s.substring(ns, i);
                    ws();
                    expect(':');
                    ws();
                    Node v = value(depth + 1);
                    if (o.members.put(name, v) != null && !lastWins) throw error("duplicate member " + name);
                    o.rawNames.put(name, rawName);
                    ws();
                    if (peek(',')) {
                        i++;
                        continue;
                    }
                    expect('}');
                    return new Node(o, s, start, i);
                }
            }
            case '[': {
                i++;
                List<Node> a = new ArrayList<>();
                ws();
                if (peek(']')) {
                    i++;
                    return new Node(Collections.unmodifiableList(a), s, start, i);
                }
                while (true) {
                    ws();
                    a.add(value(depth + 1));
                    ws();
                    if (peek(',')) {
                        i++;
                        continue;
                    }
                    expect(']');
                    return new Node(Collections.unmodifiableList(a), s, start, i);
                }
            }
            case '"':
                return new Node(string(), s, start, i);
            case 't':
                literal("true");
                return new Node(Boolean.TRUE, s, start, i);
            case 'f':
                literal("false");
                return new Node(Boolean.FALSE, s, start, i);
            case 'n':
                literal("null");
                return new Node(NULL, s, start, i);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected character '" + c + "'");
        }
    }

    private boolean peek(char c) {
        return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) {
        if (!peek(c)) throw error("expected '" + c + "'");
        i++;
    }

    private void literal(String word) {
        if (!s.startsWith(word, i)) throw error("expected " + word);
        i += word.length();
    }

    private Node number() {
        int start = i;
        if (peek('-')) i++;
        if (peek('0')) {
            i++;
        } else if (i < s.length() && s.charAt(i) >= '1' && s.charAt(i) <= '9') {
            digits();
        } else {
            throw error("bad number");
        }
        if (peek('.')) {
            i++;
            if (!(i < s.length() && Character.isDigit(s.charAt(i)))) throw error("bad fraction");
            digits();
        }
        if (peek('e') || peek('E')) {
            i++;
            if (peek('+') || peek('-')) i++;
            if (!(i < s.length() && Character.isDigit(s.charAt(i)))) throw error("bad exponent");
            digits();
        }
        return new Node(new BigDecimal(s.substring(start, i)), s, start, i);
    }

    private void digits() {
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw error("unterminated escape");
            char e = s.charAt(i++);
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    if (i + 4 > s.length()) throw error("short \\u escape");
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                    break;
                default:
                    throw error("bad escape \\" + e);
            }
        }
    }

    /** Equality of JSON values: numbers by numeric value, objects regardless of member order. */
    static boolean same(Object a, Object b) {
        if (a instanceof Node) a = ((Node) a).value;
        if (b instanceof Node) b = ((Node) b).value;
        if (a instanceof BigDecimal && b instanceof BigDecimal) {
            return ((BigDecimal) a).compareTo((BigDecimal) b) == 0;
        }
        if (a instanceof Obj && b instanceof Obj) {
            Map<String, Node> x = ((Obj) a).members, y = ((Obj) b).members;
            if (!x.keySet().equals(y.keySet())) return false;
            for (String k : x.keySet()) if (!same(x.get(k), y.get(k))) return false;
            return true;
        }
        if (a instanceof List && b instanceof List) {
            List<?> x = (List<?>) a, y = (List<?>) b;
            if (x.size() != y.size()) return false;
            for (int k = 0; k < x.size(); k++) if (!same(x.get(k), y.get(k))) return false;
            return true;
        }
        return a == b || (a != null && a.equals(b));
    }

    /** Member names in source order. */
    static List<String> names(Obj o) {
        return new ArrayList<>(o.members.keySet());
    }
}
