package io.github.licverify;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writing JSON text for headers and configuration parts. */
final class JsonText {
    private JsonText() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * A JSON string, escaped as Go's encoding/json escapes it ({@code <}, {@code >}, {@code &},
     * U+2028, U+2029 and control characters as {@code \\u} escapes), so that a header member reads
     * as native Go writes it. A lone surrogate becomes its {@code \\ud800} escape, which the module
     * refuses as a bad request, as it refuses such an id from any runtime.
     */
    static String quote(String s) {
        return quote(s, true);
    }

    /** {@link #quote(String)}, with {@code <>&} escaped only when escapeHtml. */
    static String quote(String s, boolean escapeHtml) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    boolean lone = Character.isHighSurrogate(c)
                            ? k + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(k + 1))
                            : Character.isLowSurrogate(c) && (k == 0 || !Character.isHighSurrogate(s.charAt(k - 1)));
                    if (c < 0x20 || (escapeHtml && (c == '<' || c == '>' || c == '&')) || c == '\u2028' || c == '\u2029' || lone) {
                        b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }

    static String strings(List<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (int k = 0; k < items.size(); k++) {
            if (k > 0) b.append(',');
            b.append(quote(items.get(k)));
        }
        return b.append(']').toString();
    }

    /** UTF-8 of text whose only non-UTF-8 content could be lone surrogates, which quote() escaped. */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
