package io.github.licverify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Turns a vector's {@code request} (the JSON form of a frame) into a frame, following
 * wasm/ABI.md "Requests: frames" and "Running the test vectors", with the op table
 * internal/api/ops.json deciding which members are parts.
 *
 * <pre>
 * frame  = "LVR2" u32le(len(header)) header *part
 * part   = u8(len(name)) name u32le(len(data)) data
 * </pre>
 */
final class Frames {
    static final byte[] MAGIC = {'L', 'V', 'R', '2'};

    /** One part: a byte member's name and its exact bytes. */
    static final class Part {
        final String name;
        byte[] data;

        Part(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }
    }

    /** A request split into its header text and its parts, before framing. */
    static final class Request {
        final String header;
        final List<Part> parts;

        Request(String header, List<Part> parts) {
            this.header = header;
            this.parts = parts;
        }
    }

    private final Json.Obj ops;

    /** @param opsTable the parsed internal/api/ops.json */
    Frames(Json.Node opsTable) {
        this.ops = opsTable.obj().get("ops").obj();
    }

    /** The kind the op table gives {@code member} of {@code op}, or null when the table has none. */
    String kind(String op, String member) {
        Json.Node o = ops.get(op);
        if (o == null) return null;
        Json.Node m = o.obj().get("members").obj().get(member);
        if (m == null) return null;
        return m.obj().get("kind").str();
    }

    private static boolean isPart(String kind) {
        return "bytes".equals(kind) || "bytes[]".equals(kind);
    }

    /**
     * Splits a vector's request into header and parts.
     *
     * <p>Header, as ABI.md "Running the test vectors" lays it out: {@code {"op":<op>} first, then
     * every other header member sorted by name (byte order), each written {@code "name":<its JSON
     * text from the file, whitespace between tokens removed, every token as spelled>}, separated
     * by commas, with no other whitespace: how native Go writes it, so that a bad request's
     * "at byte N" points at the same byte here. Parts follow in the same order of names, the
     * items of a {@code bytes[]} member in their order.
     */
    Request split(Json.Node vectorRequest, Json.Node pad) {
        Json.Obj req = vectorRequest.obj();
        Json.Node opNode = req.get("op");
        if (opNode == null) throw new IllegalArgumentException("request has no op");
        String op = opNode.str();

        StringBuilder header = new StringBuilder();
        header.append('{').append(req.rawNames.get("op")).append(':').append(opNode.raw());
        List<Part> parts = new ArrayList<>();

        for (String name : sortedNames(req)) {
            if (name.equals("op")) continue;
            Json.Node value = req.get(name);
            String kind = kind(op, name);
            if (isPart(kind)) {
                for (Json.Node item : items(kind, name, value)) {
                    parts.add(new Part(name, Json.strictUtf8(item.str())));
                }
                continue;
            }
            if (name.endsWith("_b64")) {
                String base = name.substring(0, name.length() - 4);
                String baseKind = kind(op, base);
                if (isPart(baseKind)) {
                    for (Json.Node item : items(baseKind, name, value)) {
                        // standard padded base64 (RFC 4648 §4); the JDK decoder refuses other alphabets
                        parts.add(new Part(base, Base64.getDecoder().decode(item.str())));
                    }
                    continue;
                }
            }
            // every other member goes into the header as its exact JSON text (tokens as written;
            // insignificant whitespace dropped, as native Go does)
            header.append(',').append(req.rawNames.get(name)).append(':').append(compact(value.raw()));
        }
        header.append('}');

        if (pad != null) {
            String member = pad.obj().get("member").str();
            int to = pad.obj().get("to").num().intValueExact();
            Part target = null;
            for (Part p : parts) {
                if (p.name.equals(member)) {
                    if (target != null) throw new IllegalArgumentException("pad: part " + member + " appears twice");
                    target = p;
                }
            }
            if (target == null) throw new IllegalArgumentException("pad: no part " + member);
            if (target.data.length > to) {
                throw new IllegalArgumentException("pad: part " + member + " is already longer than " + to);
            }
            byte[] padded = Arrays.copyOf(target.data, to);
            Arrays.fill(padded, target.data.length, to, (byte) 0x09);
            target.data = padded;
        }
        return new Request(header.toString(), parts);
    }

    /** An object's member names in byte order of their UTF-8 encoding (Go's sort of strings). */
    static List<String> sortedNames(Json.Obj o) {
        List<String> names = Json.names(o);
        names.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return names;
    }

    /**
     * A JSON value's text without insignificant whitespace: every token (string escapes, number
     * spellings) stays exactly as written: an array the file spreads over several lines becomes
     * one line, and a lone surrogate escape in it stays that escape.
     */
    static String compact(String json) {
        StringBuilder b = new StringBuilder(json.length());
        boolean inString = false;
        for (int k = 0; k < json.length(); k++) {
            char c = json.charAt(k);
            if (inString) {
                b.append(c);
                if (c == '\\') {
                    b.append(json.charAt(++k));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                b.append(c);
            } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static List<Json.Node> items(String kind, String name, Json.Node value) {
        if (kind.equals("bytes[]")) {
            if (!(value.value instanceof List)) {
                throw new IllegalArgumentException(name + ": a bytes[] member must be an array");
            }
            return value.list();
        }
        if (!(value.value instanceof String)) {
            throw new IllegalArgumentException(name + ": a bytes member must be a string");
        }
        return List.of(value);
    }

    /** Frames a header and parts. */
    static byte[] frame(String header, List<Part> parts) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        long size = 8L + h.length;
        for (Part p : parts) size += 1 + p.name.length() + 4L + p.data.length;
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("frame too large: " + size);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        out.write(MAGIC, 0, 4);
        u32(out, h.length);
        out.write(h, 0, h.length);
        for (Part p : parts) {
            byte[] n = p.name.getBytes(StandardCharsets.US_ASCII);
            if (n.length < 1 || n.length > 64) throw new IllegalArgumentException("part name length " + n.length);
            out.write(n.length);
            out.write(n, 0, n.length);
            u32(out, p.data.length);
            out.write(p.data, 0, p.data.length);
        }
        return out.toByteArray();
    }

    static byte[] frame(Request r) {
        return frame(r.header, r.parts);
    }

    private static void u32(ByteArrayOutputStream out, long v) {
        out.write((int) (v & 0xff));
        out.write((int) ((v >>> 8) & 0xff));
        out.write((int) ((v >>> 16) & 0xff));
        out.write((int) ((v >>> 24) & 0xff));
    }
}
