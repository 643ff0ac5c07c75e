package io.github.licverify;

import java.time.Instant;

/** The status of one license id in a revocation set. Immutable. */
public final class LookupResult {
    private final String licenseId;
    private final String status;
    private final Instant until;

    LookupResult(Json.Obj o) {
        licenseId = Result.str(o, "license_id");
        status = Result.str(o, "status");
        until = Result.time(o, "until");
    }

    /** @return the license id asked for */
    public String licenseId() {
        return licenseId;
    }

    /** @return "revoked", "suspended" or "not_revoked" */
    public String status() {
        return status;
    }

    /** @return the end of a suspension, or null */
    public Instant until() {
        return until;
    }

    @Override
    public String toString() {
        return "LookupResult[" + licenseId + " " + status + (until == null ? "" : " until " + until) + "]";
    }
}
