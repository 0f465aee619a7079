package io.parcel.spi;

import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * An immutable set of option values as text, read through typed {@link OptionKey}s.
 * Unknown names are kept (a plugin reads only the keys it knows), so one map can carry every layer's options.
 */
public final class Options {
    private static final Options EMPTY = new Options(Map.of());

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    public static Options empty() {
        return EMPTY;
    }

    public static Options of(Map<String, String> values) {
        requireNonNull(values, "values is null");
        return new Options(Map.copyOf(values));
    }

    /** The parsed value of {@code key}, or its default when absent. */
    public <T> T get(OptionKey<T> key) throws UsageException {
        requireNonNull(key, "key is null");
        String text = values.get(key.name());
        return text == null ? key.defaultValue() : key.parse(text);
    }

    public boolean contains(OptionKey<?> key) {
        return values.containsKey(key.name());
    }

    /** A copy with {@code key} set to {@code value} (as text, parsed on access). */
    public Options with(OptionKey<?> key, String value) {
        return with(key.name(), value);
    }

    public Options with(String name, String value) {
        requireNonNull(name, "name is null");
        requireNonNull(value, "value is null");
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(name, value);
        return new Options(Map.copyOf(copy));
    }

    /** A copy with every value of {@code overrides} replacing the one here. */
    public Options withAll(Options overrides) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.putAll(overrides.values);
        return new Options(Map.copyOf(copy));
    }

    public Map<String, String> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Options that && values.equals(that.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "Options" + values;
    }
}
