package io.parcel.source.http.internal;

import static java.util.Objects.requireNonNull;

/**
 * The secret sent as {@code X-Auth-Token}. Its value leaves this class only to be written onto the wire; its
 * {@link #toString()} never shows it, so it cannot slip into a log line or an exception message by accident.
 */
public final class AuthToken {
    private final String value;

    public AuthToken(String value) {
        this.value = requireNonNull(value, "value is null");
    }

    /** The secret, for the request writer only. */
    String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "AuthToken[redacted]";
    }
}
