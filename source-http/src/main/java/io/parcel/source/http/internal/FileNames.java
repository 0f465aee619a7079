package io.parcel.source.http.internal;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Optional;

/**
 * File names from {@code Content-Disposition} and URLs, reduced to a plain base name: a server must not be able to
 * write outside the download directory, whatever it sends.
 */
public final class FileNames {
    /** Most file systems cap a name at 255 bytes; the sink adds ".partial.journal" (16) to it. */
    static final int MAX_NAME_BYTES = 255 - 16;

    private FileNames() {
    }

    /** The name a {@code Content-Disposition} value gives: {@code filename*} (RFC 8187) first, else {@code filename}. */
    public static Optional<String> fromContentDisposition(String value) {
        String extended = null;
        String plain = null;
        int index = value.indexOf(';');
        while (index >= 0 && index < value.length()) {
            int start = index + 1;
            int equals = value.indexOf('=', start);
            if (equals < 0) {
                break;
            }
            String name = value.substring(start, equals).trim().toLowerCase(Locale.ROOT);
            int position = equals + 1;
            while (position < value.length() && value.charAt(position) == ' ') {
                position++;
            }
            String parameter;
            if (position < value.length() && value.charAt(position) == '"') {
                StringBuilder quoted = new StringBuilder();
                position++;
                while (position < value.length() && value.charAt(position) != '"') {
                    char c = value.charAt(position);
                    if (c == '\\' && position + 1 < value.length()) {
                        position++;
                        c = value.charAt(position);
                    }
                    quoted.append(c);
                    position++;
                }
                parameter = quoted.toString();
                index = value.indexOf(';', position);
            } else {
                int end = value.indexOf(';', position);
                parameter = (end < 0 ? value.substring(position) : value.substring(position, end)).trim();
                index = end;
            }
            if (name.equals("filename*")) {
                extended = decodeExtended(parameter);
            } else if (name.equals("filename")) {
                plain = parameter;
            }
        }
        Optional<String> fromExtended = extended == null ? Optional.empty() : sanitize(extended);
        return fromExtended.isPresent() ? fromExtended : plain == null ? Optional.empty() : sanitize(plain);
    }

    /** The last non-empty path segment of {@code uri}, percent-decoded. */
    public static Optional<String> fromUrl(URI uri) {
        String path = uri.getRawPath();
        if (path == null) {
            return Optional.empty();
        }
        String[] segments = path.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            if (!segments[i].isEmpty()) {
                return sanitize(percentDecode(segments[i], StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** A plain base name: path parts and control characters removed; empty when nothing usable remains. */
    public static Optional<String> sanitize(String raw) {
        String name = raw;
        int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (cut >= 0) {
            name = name.substring(cut + 1);
        }
        name = name.replaceAll("\\p{Cntrl}", "").strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return Optional.empty();
        }
        while (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            name = name.substring(0, name.length() - 1);
        }
        return Optional.of(name);
    }

    /** RFC 8187 {@code charset'language'pct-encoded}; null when malformed or in an unknown charset. */
    private static String decodeExtended(String value) {
        int first = value.indexOf('\'');
        int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
        if (second < 0) {
            return null;
        }
        try {
            Charset charset = Charset.forName(value.substring(0, first).trim());
            return percentDecode(value.substring(second + 1), charset);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null;
        }
    }

    static String percentDecode(String text, Charset charset) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()
                    && Character.digit(text.charAt(i + 1), 16) >= 0 && Character.digit(text.charAt(i + 2), 16) >= 0) {
                bytes.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
                i += 3;
            } else {
                int codePoint = text.codePointAt(i);
                byte[] encoded = new String(Character.toChars(codePoint)).getBytes(charset);
                bytes.write(encoded, 0, encoded.length);
                i += Character.charCount(codePoint);
            }
        }
        return bytes.toString(charset);
    }
}
