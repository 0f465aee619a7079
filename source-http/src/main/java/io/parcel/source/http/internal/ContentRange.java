package io.parcel.source.http.internal;

import java.net.ProtocolException;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A {@code Content-Range: bytes first-last/total} value ({@code total} may be {@code *}), or the
 * unsatisfied form {@code bytes * /total} that comes with a 416.
 *
 * @param first first byte offset, or -1 in the unsatisfied form
 * @param last  last byte offset (inclusive), or -1 in the unsatisfied form
 * @param total complete length, or empty when the server does not know it
 */
public record ContentRange(long first, long last, OptionalLong total) {
    public static ContentRange parse(String value) throws ProtocolException {
        String text = value.trim();
        if (!text.toLowerCase(Locale.ROOT).startsWith("bytes ")) {
            throw new ProtocolException("Content-Range is not in bytes: '" + value + "'");
        }
        String spec = text.substring(6).trim();
        int slash = spec.indexOf('/');
        if (slash < 0) {
            throw new ProtocolException("Content-Range without a total: '" + value + "'");
        }
        String range = spec.substring(0, slash).trim();
        String totalText = spec.substring(slash + 1).trim();
        OptionalLong total = totalText.equals("*") ? OptionalLong.empty() : OptionalLong.of(parseLength(totalText));
        if (range.equals("*")) {
            return new ContentRange(-1, -1, total);
        }
        int dash = range.indexOf('-');
        if (dash <= 0) {
            throw new ProtocolException("malformed Content-Range '" + value + "'");
        }
        long first = parseLength(range.substring(0, dash));
        long last = parseLength(range.substring(dash + 1));
        if (last < first || (total.isPresent() && last >= total.getAsLong())) {
            throw new ProtocolException("inconsistent Content-Range '" + value + "'");
        }
        return new ContentRange(first, last, total);
    }

    /** A non-negative decimal length, as in Content-Length. */
    public static long parseLength(String text) throws ProtocolException {
        String trimmed = text.trim();
        if (trimmed.isEmpty() || trimmed.length() > 18 || !trimmed.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ProtocolException("not a byte count: '" + text + "'");
        }
        return Long.parseLong(trimmed);
    }

    public boolean satisfied() {
        return first >= 0;
    }

    public long length() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return "bytes " + (satisfied() ? first + "-" + last : "*") + "/"
                + (total.isPresent() ? String.valueOf(total.getAsLong()) : "*");
    }
}
