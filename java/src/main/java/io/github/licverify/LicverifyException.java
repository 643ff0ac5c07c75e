package io.github.licverify;

/**
 * A request the module refused, configuration it cannot use, a closed verifier, or the module
 * failing. A verification that fails is never an exception: it is a result whose {@code valid()}
 * is false and whose {@code code()} says why.
 *
 * <p>{@link #kind()} says which:
 *
 * <ul>
 *   <li>{@link Kind#BAD_REQUEST}: the module's {@code licverify: bad request: ...} (a value out of
 *       bounds, an option holding a lone surrogate, a request over 72 MiB, an unknown handle).
 *   <li>{@link Kind#KEYRING}: the keyring does not load ({@code licverify: keyring: ...}); {@link
 *       #code()} is the problem's result code, such as {@code weak_key}, {@code unsupported_alg} or
 *       {@code invalid_field}: fix the keyring in your configuration; the document was never
 *       checked.
 *   <li>{@link Kind#CLOSED}: the verifier or the loaded revocation set was closed.
 *   <li>{@link Kind#MODULE_CRASH}: the module trapped, exited or reported an internal error, and
 *       did so again on a fresh instance. The message carries what it wrote to fd 2. A bug to
 *       report, never a verdict.
 * </ul>
 */
public final class LicverifyException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, in the layers of wasm/ABI.md "Responses". */
    public enum Kind {
        /** The module answered {@code licverify: bad request: ...}. */
        BAD_REQUEST,
        /** The keyring does not load; {@link #code()} says why. */
        KEYRING,
        /** The verifier or the set was closed before the call. */
        CLOSED,
        /** The module trapped, exited or reported an internal error, twice. */
        MODULE_CRASH
    }

    private final Kind kind;
    private final String code;

    LicverifyException(Kind kind, String message, String code, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
    }

    LicverifyException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    /**
     * Which kind of error this is.
     *
     * @return the kind, never null
     */
    public Kind kind() {
        return kind;
    }

    /**
     * For {@link Kind#KEYRING}, the result code of the problem (docs/formats.md "Result codes"),
     * passed on as the module answered it.
     *
     * @return the code, or null for every other kind
     */
    public String code() {
        return code;
    }
}
