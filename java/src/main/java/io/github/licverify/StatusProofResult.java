package io.github.licverify;

import java.time.Instant;
import java.util.List;

/** The answer of {@link Verifier#verifyStatusProof(byte[], StatusProofOptions)} (docs/formats.md "Status proofs"). */
public final class StatusProofResult extends Result {
    private final String licenseId;
    private final String status;
    private final Instant checkedAt;
    private final Instant validUntil;
    private final Long epoch;
    private final List<String> entitlements;
    private final String kid;
    private final String signedForm;
    private final Boolean bound;
    private final Instant refreshAfter;
    private final Boolean grace;
    private final Long storeEpoch;

    StatusProofResult(Json.Obj o, String json) {
        super(o, json);
        licenseId = str(o, "license_id");
        status = str(o, "status");
        checkedAt = time(o, "checked_at");
        validUntil = time(o, "valid_until");
        epoch = num(o, "epoch");
        entitlements = strs(o, "entitlements");
        kid = str(o, "kid");
        signedForm = str(o, "signed_form");
        bound = bool(o, "bound");
        refreshAfter = time(o, "refresh_after");
        grace = bool(o, "grace");
        storeEpoch = num(o, "store_epoch");
    }

    /** @return the proof's license id, or null before the signature verified */
    public String licenseId() {
        return licenseId;
    }

    /** @return "valid", "revoked", "expired" or "grace_period", or null */
    public String status() {
        return status;
    }

    /** @return when the server checked the license, or null */
    public Instant checkedAt() {
        return checkedAt;
    }

    /** @return the end of the proof's validity, or null */
    public Instant validUntil() {
        return validUntil;
    }

    /** @return the proof's epoch, or null */
    public Long epoch() {
        return epoch;
    }

    /** @return the entitlements (unmodifiable), or null */
    public List<String> entitlements() {
        return entitlements;
    }

    /** @return the kid of the key that verified the proof, or null */
    public String kid() {
        return kid;
    }

    /** @return the signed form the signature is over, "rfc8785" or "python" (docs/formats.md "Signed forms"), or null */
    public String signedForm() {
        return signedForm;
    }

    /** @return whether the proof is bound to a device, or null */
    public Boolean bound() {
        return bound;
    }

    /** @return checked_at + 75 % of the TTL: when to fetch a fresh proof; or null */
    public Instant refreshAfter() {
        return refreshAfter;
    }

    /** @return true for a proof in its grace period (still valid), or null */
    public Boolean grace() {
        return grace;
    }

    /** @return the epoch to store as the new anti-rollback epoch ({@link EpochStore#raiseTo}), or null */
    public Long storeEpoch() {
        return storeEpoch;
    }
}
