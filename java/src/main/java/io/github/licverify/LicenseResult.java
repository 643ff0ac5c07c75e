package io.github.licverify;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The answer of {@link Verifier#evaluateLicense(byte[], LicenseOptions)}: {@link #decision()} and
 * {@link #reasons()} are always present, also for a license refused before its evaluation
 * ("block" and {@code [code]}); {@link #valid()} is true for "run" and "warn".
 */
public final class LicenseResult extends Result {
    private final String decision;
    private final List<String> reasons;
    private final String licenseId;
    private final String productId;
    private final String customerId;
    private final String customerName;
    private final String plan;
    private final String status;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final Instant updatesUntil;
    private final Long trialDays;
    private final Instant trialEndsAt;
    private final Boolean bound;
    private final String fingerprintHash;
    private final String signedForm;
    private final LicensePolicy policy;
    private final Instant trustedTime;
    private final Long daysToExpiry;
    private final Long daysOffline;
    private final Boolean checkDue;
    private final Boolean updateAllowed;
    private final String state;

    LicenseResult(Json.Obj o, String json) {
        super(o, json);
        decision = str(o, "decision");
        reasons = strs(o, "reasons");
        licenseId = str(o, "license_id");
        productId = str(o, "product_id");
        customerId = str(o, "customer_id");
        customerName = str(o, "customer_name");
        plan = str(o, "plan");
        status = str(o, "status");
        issuedAt = time(o, "issued_at");
        expiresAt = time(o, "expires_at");
        updatesUntil = time(o, "updates_until");
        trialDays = num(o, "trial_days");
        trialEndsAt = time(o, "trial_ends_at");
        bound = bool(o, "bound");
        fingerprintHash = str(o, "fingerprint_hash");
        signedForm = str(o, "signed_form");
        Json.Node p = o.get("policy");
        policy = p != null && p.value instanceof Json.Obj ? new LicensePolicy(p.obj()) : null;
        trustedTime = time(o, "trusted_time");
        daysToExpiry = num(o, "days_to_expiry");
        daysOffline = num(o, "days_offline");
        checkDue = bool(o, "check_due");
        updateAllowed = bool(o, "update_allowed");
        Json.Node s = o.get("state");
        state = s != null && s.value instanceof Json.Obj ? s.raw() : null;
    }

    /** @return "run", "warn" or "block" */
    public String decision() {
        return decision;
    }

    /** @return everything that applies: blocking codes first, then warnings, then notices (unmodifiable) */
    public List<String> reasons() {
        return reasons;
    }

    /** @return the license id, or null before evaluation */
    public String licenseId() {
        return licenseId;
    }

    /** @return the product id, or null */
    public String productId() {
        return productId;
    }

    /** @return the customer id, or null */
    public String customerId() {
        return customerId;
    }

    /** @return the customer name, or null */
    public String customerName() {
        return customerName;
    }

    /** @return the plan, or null */
    public String plan() {
        return plan;
    }

    /** @return the license's status, or null */
    public String status() {
        return status;
    }

    /** @return when the license was issued, or null */
    public Instant issuedAt() {
        return issuedAt;
    }

    /** @return when it expires, or null */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** @return the end of updates, or null */
    public Instant updatesUntil() {
        return updatesUntil;
    }

    /** @return the trial's length in days, or null */
    public Long trialDays() {
        return trialDays;
    }

    /** @return the end of the trial, or null */
    public Instant trialEndsAt() {
        return trialEndsAt;
    }

    /** @return whether the license is bound to a device, or null */
    public Boolean bound() {
        return bound;
    }

    /** @return the device binding, or null */
    public String fingerprintHash() {
        return fingerprintHash;
    }

    /** @return the signed form the signature is over, "rfc8785" or "python", or null */
    public String signedForm() {
        return signedForm;
    }

    /** @return the license's policy, or null */
    public LicensePolicy policy() {
        return policy;
    }

    /** @return max(now, the state's last_seen_time): every decision is taken at this time; or null */
    public Instant trustedTime() {
        return trustedTime;
    }

    /** @return whole days to expiry, or null */
    public Long daysToExpiry() {
        return daysToExpiry;
    }

    /** @return days since the last online check, or null */
    public Long daysOffline() {
        return daysOffline;
    }

    /** @return whether an online check is due, or null */
    public Boolean checkDue() {
        return checkDue;
    }

    /** @return whether updates cover release_date (when it was given), or null */
    public Boolean updateAllowed() {
        return updateAllowed;
    }

    /**
     * The new license.state.json, exactly as the module wrote it: write it atomically and pass it
     * back as {@link LicenseOptions.Builder#state(byte[])} next time.
     *
     * @return the state's JSON text, or null when the evaluation produced none
     */
    public String state() {
        return state;
    }

    /**
     * {@link #state()} as UTF-8 bytes.
     *
     * @return the bytes to write, or null when there is no state
     */
    public byte[] stateBytes() {
        return state == null ? null : state.getBytes(StandardCharsets.UTF_8);
    }
}
