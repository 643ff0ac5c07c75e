package io.github.licverify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Lays out request frames of the module's ABI (wasm/ABI.md, "Requests: frames"), for {@link
 * Verifier#call(byte[])}: test runners and tools that speak the ABI directly. The typed methods
 * of {@link Verifier} build their frames with it too.
 *
 * <pre>
 * frame = "LVR2" u32le(len(header)) header *part
 * part  = u8(len(name)) name u32le(len(data)) data
 * </pre>
 *
 * <p>The header is {@code {"op":<op>}} followed by the header members sorted by name in UTF-8 byte
 * order (as native Go writes it, so that a bad request's "at byte N" points at the same byte in
 * every runtime); each member's JSON text is copied as given. Parts keep their order. Nothing but
 * the frame's own bounds is checked here: the module judges the rest.
 *
 * <pre>{@code
 * byte[] frame = Frame.builder("canonicalize").part("document", "{\"b\":1,\"a\":2}".getBytes(UTF_8)).build();
 * byte[] response = verifier.call(frame); // {"valid":true,"code":"ok",...,"canonical":"{\"a\":2,\"b\":1}"}
 * }</pre>
 */
public final class Frame {
    /** The largest frame the module accepts, in bytes: a 64 MiB document and an 8 MiB envelope. */
    public static final int MAX_REQUEST = (64 << 20) + (8 << 20);

    private static final byte[] MAGIC = {'L', 'V', 'R', '2'};

    private Frame() {}

    /**
     * A new frame of the op.
     *
     * @param op the op's name, such as {@code "status_proof"} (internal/api/ops.json)
     * @return a builder
     */
    public static Builder builder(String op) {
        return new Builder(Objects.requireNonNull(op, "op"));
    }

    /** Collects a frame's header members and parts; not thread-safe. */
    public static final class Builder {
        private final String op;
        private final List<String[]> header = new ArrayList<>();
        private final List<String> partNames = new ArrayList<>();
        private final List<byte[]> partData = new ArrayList<>();

        private Builder(String op) {
            this.op = op;
        }

        /**
         * Adds a header member.
         *
         * @param name the member's name
         * @param jsonText its value as JSON text, copied into the header as it is
         * @return this builder
         */
        public Builder header(String name, String jsonText) {
            header.add(new String[] {Objects.requireNonNull(name, "name"), Objects.requireNonNull(jsonText, "jsonText")});
            return this;
        }

        /**
         * Adds a part: a byte member, sent as its exact bytes.
         *
         * @param name the member's name, 1 to 64 ASCII bytes
         * @param data its bytes (not copied: do not change them before {@link #build()})
         * @return this builder
         * @throws IllegalArgumentException when the name is not 1 to 64 ASCII characters
         */
        public Builder part(String name, byte[] data) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(data, "data");
            if (name.isEmpty() || name.length() > 64 || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
                throw new IllegalArgumentException("licverify: part name " + JsonText.quote(name) + " is not 1 to 64 ASCII characters");
            }
            partNames.add(name);
            partData.add(data);
            return this;
        }

        /**
         * The frame.
         *
         * @return the frame's bytes
         * @throws IllegalArgumentException when the frame would exceed {@link #MAX_REQUEST} bytes
         *     (the module refuses it too; no buffer that size is made)
         */
        public byte[] build() {
            List<String[]> sorted = new ArrayList<>(header);
            sorted.sort((a, b) -> Arrays.compareUnsigned(a[0].getBytes(StandardCharsets.UTF_8), b[0].getBytes(StandardCharsets.UTF_8)));
            StringBuilder h = new StringBuilder("{\"op\":").append(JsonText.quote(op));
            for (String[] m : sorted) h.append(',').append(JsonText.quote(m[0])).append(':').append(m[1]);
            h.append('}');
            byte[] head = JsonText.utf8(h.toString());
            long size = 8L + head.length;
            for (int k = 0; k < partNames.size(); k++) size += 5L + partNames.get(k).length() + partData.get(k).length;
            if (size > MAX_REQUEST) {
                throw new IllegalArgumentException("licverify: bad request: request is " + size + " bytes, limit is " + MAX_REQUEST);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
            out.write(MAGIC, 0, 4);
            u32(out, head.length);
            out.write(head, 0, head.length);
            for (int k = 0; k < partNames.size(); k++) {
                byte[] n = partNames.get(k).getBytes(StandardCharsets.US_ASCII);
                byte[] d = partData.get(k);
                out.write(n.length);
                out.write(n, 0, n.length);
                u32(out, d.length);
                out.write(d, 0, d.length);
            }
            return out.toByteArray();
        }
    }

    private static void u32(ByteArrayOutputStream out, long v) {
        out.write((int) (v & 0xff));
        out.write((int) ((v >>> 8) & 0xff));
        out.write((int) ((v >>> 16) & 0xff));
        out.write((int) ((v >>> 24) & 0xff));
    }
}
