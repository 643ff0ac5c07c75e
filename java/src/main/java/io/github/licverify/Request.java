package io.github.licverify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A typed call's request before framing: its header members as JSON texts and its parts, each
 * checked against {@link Ops} for its kind. Immutable once built by the options classes.
 */
final class Request {
    final String op;
    final List<String[]> header = new ArrayList<>();
    final List<String> partNames = new ArrayList<>();
    final List<byte[]> partData = new ArrayList<>();

    Request(String op) {
        if (!Ops.KINDS.containsKey(op)) throw new IllegalStateException("licverify: ops.json has no op " + op);
        this.op = op;
    }

    private void expect(String member, String... kinds) {
        String k = Ops.kind(op, member);
        for (String want : kinds) if (want.equals(k)) return;
        throw new IllegalStateException("licverify: " + op + "." + member + " has kind " + k);
    }

    Request part(String member, byte[] data) {
        if (data == null) return this;
        expect(member, "bytes", "bytes[]");
        partNames.add(member);
        partData.add(data);
        return this;
    }

    Request parts(String member, List<byte[]> items) {
        if (items == null) return this;
        expect(member, "bytes[]");
        for (byte[] d : items) {
            partNames.add(member);
            partData.add(Objects.requireNonNull(d, member));
        }
        return this;
    }

    Request string(String member, String v) {
        if (v == null) return this;
        expect(member, "string");
        header.add(new String[] {member, JsonText.quote(v)});
        return this;
    }

    Request strings(String member, List<String> v) {
        if (v == null || v.isEmpty()) return this;
        expect(member, "strings");
        header.add(new String[] {member, JsonText.strings(v)});
        return this;
    }

    Request time(String member, Instant t) {
        if (t == null) return this;
        expect(member, "time");
        header.add(new String[] {member, JsonText.quote(Times.format(t))});
        return this;
    }

    Request integer(String member, Long v) {
        if (v == null) return this;
        expect(member, "int", "handle");
        header.add(new String[] {member, Long.toString(v)});
        return this;
    }

    /** A flag: false is the default, and is left out as absence means the same. */
    Request flag(String member, boolean v) {
        expect(member, "bool");
        if (v) header.add(new String[] {member, "true"});
        return this;
    }

    /** The frame, with extra header members (a loaded set's handle) added. */
    byte[] frame(String... extra) {
        Frame.Builder b = Frame.builder(op);
        for (String[] m : header) b.header(m[0], m[1]);
        for (int k = 0; k + 1 < extra.length; k += 2) {
            expect(extra[k], "handle");
            b.header(extra[k], extra[k + 1]);
        }
        // parts in order of name (a stable sort: deltas keep theirs), as native Go lays out a
        // request, so that a typed call sends the frame Go would for the same options
        Integer[] order = new Integer[partNames.size()];
        for (int k = 0; k < order.length; k++) order[k] = k;
        java.util.Arrays.sort(order, (x, y) -> partNames.get(x).compareTo(partNames.get(y)));
        for (int k : order) b.part(partNames.get(k), partData.get(k));
        return b.build();
    }
}
