package io.github.licverify;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** RFC 3339 times in requests and results. */
final class Times {
    private Times() {}

    /**
     * RFC 3339 in UTC with a fraction only when there is one, as Go's RFC3339Nano writes it: the
     * module echoes the precision it was given.
     */
    static String format(Instant t) {
        OffsetDateTime u = t.atOffset(ZoneOffset.UTC);
        if (u.getYear() < 0 || u.getYear() > 9999) {
            // the module refuses such a time as a bad request; send what it can read and refuse
            return t.toString();
        }
        StringBuilder b = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d",
                u.getYear(), u.getMonthValue(), u.getDayOfMonth(), u.getHour(), u.getMinute(), u.getSecond()));
        int nanos = u.getNano();
        if (nanos != 0) {
            String f = String.format("%09d", nanos);
            int end = f.length();
            while (f.charAt(end - 1) == '0') end--;
            b.append('.').append(f, 0, end);
        }
        return b.append('Z').toString();
    }

    /** A result's time (always RFC 3339 UTC from the module), or null when it is not one. */
    static Instant parse(String s) {
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
