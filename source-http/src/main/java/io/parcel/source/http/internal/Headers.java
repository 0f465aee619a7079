package io.parcel.source.http.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Response header fields in arrival order, looked up case-insensitively. Immutable. */
public final class Headers {
    private final List<HeaderField> fields;

    public Headers(List<HeaderField> fields) {
        this.fields = List.copyOf(requireNonNull(fields, "fields is null"));
    }

    /** The first value of {@code name}, trimmed. */
    public Optional<String> first(String name) {
        for (HeaderField field : fields) {
            if (field.named(name)) {
                return Optional.of(field.value().trim());
            }
        }
        return Optional.empty();
    }

    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (HeaderField field : fields) {
            if (field.named(name)) {
                values.add(field.value().trim());
            }
        }
        return values;
    }

    /** True when a comma-separated header of this name lists {@code token} (e.g. {@code Transfer-Encoding: chunked}). */
    public boolean hasToken(String name, String token) {
        for (String value : all(name)) {
            for (String part : value.split(",")) {
                if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
