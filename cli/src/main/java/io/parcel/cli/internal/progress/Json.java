package io.parcel.cli.internal.progress;

import java.util.Locale;

/** Just enough JSON writing for progress lines: objects, arrays, strings, numbers, null. */
final class Json {
    private final StringBuilder text = new StringBuilder();
    private boolean needsComma;

    Json beginObject() {
        separate();
        text.append('{');
        needsComma = false;
        return this;
    }

    Json endObject() {
        text.append('}');
        needsComma = true;
        return this;
    }

    Json beginArray(String name) {
        name(name);
        text.append('[');
        needsComma = false;
        return this;
    }

    Json endArray() {
        text.append(']');
        needsComma = true;
        return this;
    }

    Json beginObject(String name) {
        name(name);
        text.append('{');
        needsComma = false;
        return this;
    }

    Json field(String name, String value) {
        name(name);
        if (value == null) {
            text.append("null");
        } else {
            quote(value);
        }
        needsComma = true;
        return this;
    }

    Json field(String name, long value) {
        name(name);
        text.append(value);
        needsComma = true;
        return this;
    }

    /** A size or count where a negative value means unknown: written as null. */
    Json size(String name, long value) {
        if (value < 0) {
            return field(name, (String) null);
        }
        return field(name, value);
    }

    /** NaN and infinities become null, which JSON can represent. */
    Json field(String name, double value) {
        name(name);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            text.append("null");
        } else {
            text.append(String.format(Locale.ROOT, "%.3f", value));
        }
        needsComma = true;
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    private void name(String name) {
        separate();
        quote(name);
        text.append(':');
    }

    private void separate() {
        if (needsComma) {
            text.append(',');
        }
    }

    private void quote(String value) {
        text.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20) {
                        text.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        text.append('"');
    }
}
