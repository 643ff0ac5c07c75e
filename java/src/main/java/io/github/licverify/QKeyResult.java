package io.github.licverify;

import java.time.Instant;
import java.util.List;

/** The answer of {@link Verifier#verifyQKey(byte[], QKeyOptions)}: a QuantumMeta .qkey license. */
public final class QKeyResult extends Result {
    private final String pkg;
    private final String user;
    private final String machineId;
    private final List<String> features;
    private final Instant issued;
    private final Instant expires;
    private final Long daysLeft;
    private final Boolean signed;
    private final String signedForm;

    QKeyResult(Json.Obj o, String json) {
        super(o, json);
        pkg = str(o, "package");
        user = str(o, "user");
        machineId = str(o, "machine_id");
        features = strs(o, "features");
        issued = time(o, "issued");
        expires = time(o, "expires");
        daysLeft = num(o, "days_left");
        signed = bool(o, "signed");
        signedForm = str(o, "signed_form");
    }

    /** @return the package the license is for, or null */
    public String packageName() {
        return pkg;
    }

    /** @return the licensed user, or null */
    public String user() {
        return user;
    }

    /** @return the machine id the license is bound to, or null */
    public String machineId() {
        return machineId;
    }

    /** @return the features: lower-cased, without duplicates, sorted (unmodifiable); or null */
    public List<String> features() {
        return features;
    }

    /** @return when it was issued, or null */
    public Instant issued() {
        return issued;
    }

    /** @return when it expires, or null */
    public Instant expires() {
        return expires;
    }

    /** @return whole days left, or null */
    public Long daysLeft() {
        return daysLeft;
    }

    /** @return false only for an unsigned license accepted with allow_unsigned; or null */
    public Boolean signed() {
        return signed;
    }

    /** @return the signed form, "rfc8785" or "python"; null when unsigned */
    public String signedForm() {
        return signedForm;
    }

    /**
     * Whether the license is valid and grants the feature, compared case-insensitively in ASCII
     * only, as Go's QKeyResult.Has (the module lower-cases features that way).
     *
     * @param feature the feature's name
     * @return true when valid and granted
     */
    public boolean has(String feature) {
        if (!valid() || feature == null || features == null) return false;
        StringBuilder b = new StringBuilder(feature.length());
        for (int k = 0; k < feature.length(); k++) {
            char c = feature.charAt(k);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return features.contains(b.toString());
    }
}
