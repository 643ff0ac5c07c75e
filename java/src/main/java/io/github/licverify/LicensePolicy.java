package io.github.licverify;

/** A license.key's policy (docs/formats.md "license.key"). Immutable. */
public final class LicensePolicy {
    private final Long checkIntervalDays;
    private final Long warnAfterDays;
    private final Long maxOfflineDays;
    private final Long maxTransfers;

    LicensePolicy(Json.Obj o) {
        checkIntervalDays = Result.num(o, "check_interval_days");
        warnAfterDays = Result.num(o, "warn_after_days");
        maxOfflineDays = Result.num(o, "max_offline_days");
        maxTransfers = Result.num(o, "max_transfers");
    }

    /** @return days between online checks */
    public Long checkIntervalDays() {
        return checkIntervalDays;
    }

    /** @return days offline after which the decision is warn */
    public Long warnAfterDays() {
        return warnAfterDays;
    }

    /** @return days offline after which the decision is block */
    public Long maxOfflineDays() {
        return maxOfflineDays;
    }

    /** @return how many device transfers the license allows */
    public Long maxTransfers() {
        return maxTransfers;
    }
}
