package io.parcel.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/**
 * A streaming SHA-256 that also counts bytes: feed it with {@link #update}, {@link #updateFrom(InputStream)} or
 * through {@link #outputStream()}, then read {@link #hex()}. One thread at a time.
 */
public final class Sha256 {
    private final MessageDigest digest = TestData.newDigest("SHA-256");
    private long count;

    /** SHA-256 (lower-case hex) of {@code data}. */
    public static String of(byte[] data) {
        requireNonNull(data, "data is null");
        return HexFormat.of().formatHex(TestData.newDigest("SHA-256").digest(data));
    }

    public Sha256 update(byte[] data) {
        return update(data, 0, data.length);
    }

    public Sha256 update(byte[] data, int offset, int length) {
        digest.update(data, offset, length);
        count += length;
        return this;
    }

    /** Digests everything left in {@code in} (not closed); returns the number of bytes read. */
    public long updateFrom(InputStream in) throws IOException {
        requireNonNull(in, "in is null");
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int read; (read = in.read(buffer)) != -1; ) {
            update(buffer, 0, read);
            total += read;
        }
        return total;
    }

    /** An output stream that digests what is written to it; closing it does nothing. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                update(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] data, int offset, int length) {
                update(data, offset, length);
            }
        };
    }

    /** Bytes digested so far. */
    public long count() {
        return count;
    }

    /** The digest of everything so far (lower-case hex); the digest is reset afterwards. */
    public String hex() {
        count = 0;
        return HexFormat.of().formatHex(digest.digest());
    }
}
