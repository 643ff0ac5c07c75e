package io.github.licverify;

/** The answer of {@link Verifier#fingerprintHash(byte[])}. */
public final class FingerprintResult extends Result {
    private final String bindingHash;
    private final String machineId;

    FingerprintResult(Json.Obj o, String json) {
        super(o, json);
        this.bindingHash = str(o, "binding_hash");
        this.machineId = str(o, "machine_id");
    }

    /**
     * {@code "sha256:" + hex(SHA-256(JCS(components)))}: a status proof's {@code binding_hash} and a
     * license.key's {@code fingerprint_hash}.
     *
     * @return the hash, or null when not valid
     */
    public String bindingHash() {
        return bindingHash;
    }

    /**
     * The first 32 hex digits of the same digest: a .qkey's {@code machine_id}.
     *
     * @return the id, or null when not valid
     */
    public String machineId() {
        return machineId;
    }
}
