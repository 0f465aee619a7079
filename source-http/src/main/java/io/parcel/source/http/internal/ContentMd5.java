package io.parcel.source.http.internal;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/** Reads an MD5 from a {@code Content-MD5} header: base64 as RFC 1864 says, or 32 hex digits as some servers send. */
public final class ContentMd5 {
    private static final int MD5_BYTES = 16;

    private ContentMd5() {
    }

    /** The MD5 as 32 lower-case hex digits, or empty when the value is neither form. */
    public static Optional<String> parse(String value) {
        String text = value.trim();
        if (text.matches("[0-9A-Fa-f]{32}")) {
            return Optional.of(text.toLowerCase(Locale.ROOT));
        }
        try {
            byte[] digest = Base64.getDecoder().decode(text);
            return digest.length == MD5_BYTES ? Optional.of(HexFormat.of().formatHex(digest)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
