package io.parcel.kernel.relay;

import io.parcel.spi.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

import static java.util.Objects.requireNonNull;

/**
 * The shared secret a relay admits clients by. It never appears in a log line, a message or {@link #toString()}.
 */
public final class RelayToken {
    /** A token file is a few bytes; a large one is a mistake (the wrong file), not a token. */
    private static final long MAX_FILE_BYTES = 4096;

    private final String value;

    private RelayToken(String value) {
        this.value = value;
    }

    /**
     * Reads a token file: its content, trimmed.
     *
     * @param option the option the path came from, for the message
     * @throws UsageException naming the file (never its content) when it cannot be read or holds no valid token
     */
    public static RelayToken read(Path file, String option) throws UsageException {
        requireNonNull(file, "file is null");
        requireNonNull(option, "option is null");
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new UsageException(option + ": " + file + " is larger than " + MAX_FILE_BYTES
                        + " bytes; expected a token file");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            if (e instanceof UsageException usage) {
                throw usage;
            }
            throw new UsageException(option + ": cannot read " + file + ": " + e, e);
        }
        if (!RelayPreamble.validToken(text)) {
            throw new UsageException(option + ": " + file + " must hold 1 to " + RelayPreamble.MAX_TOKEN_LENGTH
                    + " visible ASCII characters without spaces");
        }
        return new RelayToken(text);
    }

    /** Compares in time independent of where the texts differ, so the token cannot be guessed byte by byte. */
    boolean matches(String presented) {
        requireNonNull(presented, "presented is null");
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    String value() {
        return value;
    }

    @Override
    public String toString() {
        return "RelayToken[redacted]";
    }
}
