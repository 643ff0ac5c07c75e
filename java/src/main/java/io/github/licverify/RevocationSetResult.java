package io.github.licverify;

import java.time.Instant;
import java.util.List;

/**
 * The answer of {@link Verifier#verifyRevocationSet(byte[], RevocationSetOptions)}, of a load
 * ({@link LoadedRevocationSet#result()}) and of {@link LoadedRevocationSet#applyDeltas}.
 */
public final class RevocationSetResult extends Result {
    private final Long epoch;
    private final Instant issuedAt;
    private final Instant validUntil;
    private final String kid;
    private final String signedForm;
    private final Long revokedCount;
    private final Long suspendedCount;
    private final Boolean stale;
    private final Long storeEpoch;
    private final List<LookupResult> lookups;

    RevocationSetResult(Json.Obj o, String json) {
        super(o, json);
        epoch = num(o, "epoch");
        issuedAt = time(o, "issued_at");
        validUntil = time(o, "valid_until");
        kid = str(o, "kid");
        signedForm = str(o, "signed_form");
        revokedCount = num(o, "revoked_count");
        suspendedCount = num(o, "suspended_count");
        stale = bool(o, "stale");
        storeEpoch = num(o, "store_epoch");
        lookups = lookups(o);
    }

    /** @return the set's epoch (after its deltas), or null */
    public Long epoch() {
        return epoch;
    }

    /** @return when the set was issued, or null */
    public Instant issuedAt() {
        return issuedAt;
    }

    /** @return the end of the set's freshness, or null */
    public Instant validUntil() {
        return validUntil;
    }

    /** @return the kid of the key that verified the last document, or null */
    public String kid() {
        return kid;
    }

    /** @return the signed form of the last document applied, "rfc8785" or "python", or null */
    public String signedForm() {
        return signedForm;
    }

    /** @return how many ids are revoked, or null */
    public Long revokedCount() {
        return revokedCount;
    }

    /** @return how many ids are suspended, or null */
    public Long suspendedCount() {
        return suspendedCount;
    }

    /** @return true when accepted past valid_until because allow_stale was set, or null */
    public Boolean stale() {
        return stale;
    }

    /** @return the epoch to store as the new anti-rollback epoch, or null */
    public Long storeEpoch() {
        return storeEpoch;
    }

    /** @return the answers for the lookup option, in order (unmodifiable), or null */
    public List<LookupResult> lookups() {
        return lookups;
    }
}
