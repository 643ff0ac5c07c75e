package io.github.licverify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The public keys documents are verified with: a keyring file's exact bytes, as wasm/ABI.md
 * "Common members" describes it (a JSON array {@code [{"kid","alg":"ed25519","public_key",
 * "not_before"?,"not_after"?}]}, a JWKS, or PEM public keys). Immutable.
 *
 * <p>The bytes are sent to the module as they are; the module loads them on each call. A keyring
 * that does not load (a weak key, an unsupported algorithm, a private key, more than 64 keys, not
 * a keyring at all) makes every call that uses it throw {@link LicverifyException} of kind {@link
 * LicverifyException.Kind#KEYRING} with the problem's code: it is configuration, not a document.
 */
public final class Keyring {
    /** The most bytes {@link #read(Path)} reads: the module's request envelope is 8 MiB. */
    public static final int MAX_BYTES = 8 << 20;

    private final byte[] bytes;

    private Keyring(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * A keyring from its bytes (copied).
     *
     * @param bytes the keyring file's bytes
     * @return the keyring
     */
    public static Keyring of(byte[] bytes) {
        return new Keyring(Objects.requireNonNull(bytes, "bytes").clone());
    }

    /**
     * A keyring from its text, sent as UTF-8.
     *
     * @param text the keyring file's text
     * @return the keyring
     */
    public static Keyring of(String text) {
        return new Keyring(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a keyring file, at most {@link #MAX_BYTES} bytes.
     *
     * @param path the file
     * @return the keyring
     * @throws IOException when the file cannot be read or is larger than {@link #MAX_BYTES}
     */
    public static Keyring read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] b = in.readNBytes(MAX_BYTES + 1);
            if (b.length > MAX_BYTES) {
                throw new IOException("licverify: keyring " + path + " is larger than " + MAX_BYTES + " bytes");
            }
            return new Keyring(b);
        }
    }

    /**
     * The keyring's bytes.
     *
     * @return a copy of the bytes
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] shared() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Keyring && Arrays.equals(bytes, ((Keyring) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Keyring[" + bytes.length + " bytes]";
    }
}
