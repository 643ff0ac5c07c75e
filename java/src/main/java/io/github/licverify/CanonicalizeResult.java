package io.github.licverify;

/** The answer of {@link Verifier#canonicalize(byte[])}: codes ok, malformed_json, duplicate_key, input_too_large. */
public final class CanonicalizeResult extends Result {
    private final String canonical;

    CanonicalizeResult(Json.Obj o, String json) {
        super(o, json);
        this.canonical = str(o, "canonical");
    }

    /**
     * The RFC 8785 canonical form of the document.
     *
     * @return the canonical text, or null when not valid
     */
    public String canonical() {
        return canonical;
    }
}
