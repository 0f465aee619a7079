package io.parcel.source.http.internal;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/** One request header as the user gave it. {@link #toString()} hides the values of credential headers. */
public record HeaderField(String name, String value) {
    /** RFC 9110 token characters. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> SENSITIVE = Set.of("x-auth-token", "authorization", "proxy-authorization", "cookie");

    public HeaderField {
        requireNonNull(name, "name is null");
        requireNonNull(value, "value is null");
        if (!TOKEN.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid header name '" + name + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // CR/LF would let a value end the header block early (request smuggling); other controls are invalid.
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("header '" + name + "' has a control character in its value");
            }
        }
    }

    public boolean sensitive() {
        return SENSITIVE.contains(name.toLowerCase(Locale.ROOT));
    }

    public boolean named(String other) {
        return name.equalsIgnoreCase(other);
    }

    @Override
    public String toString() {
        return name + ": " + (sensitive() ? "<redacted>" : value);
    }
}
