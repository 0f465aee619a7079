package io.parcel.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

import static java.util.Objects.requireNonNull;

/**
 * Deterministic test data: the bytes of a "virtual file" named by a {@code seed}, addressable at any position,
 * so a test can generate, stream, range-read and verify data of any size (beyond 2 GiB too) without holding it.
 *
 * <p>The byte at position {@code p} of seed {@code s} depends only on {@code (s, p)}: 8-byte words of a
 * SplitMix64-style hash of {@code (s, p / 8)}, little-endian. Any range generated alone is therefore equal to
 * the same range cut out of the whole stream, which is what range requests and resumed transfers need.
 * Different seeds give unrelated data.
 */
public final class TestData {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK = 64 * 1024;

    private TestData() {
    }

    /** The 8-byte word with index {@code wordIndex} (covering positions {@code 8*wordIndex ..+7}). */
    static long word(long seed, long wordIndex) {
        long z = seed * 0xD1B54A32D192ED03L + wordIndex * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The byte at {@code position} of seed {@code seed}. */
    public static byte byteAt(long seed, long position) {
        checkPosition(position);
        return (byte) (word(seed, position >>> 3) >>> ((position & 7) << 3));
    }

    /** Fills {@code target[offset .. offset+length)} with the bytes at {@code position ..} of {@code seed}. */
    public static void fill(long seed, long position, byte[] target, int offset, int length) {
        requireNonNull(target, "target is null");
        Objects.checkFromIndexSize(offset, length, target.length);
        checkPosition(position);
        int index = offset;
        int end = offset + length;
        long pos = position;
        // Head: up to the next word boundary.
        while (index < end && (pos & 7) != 0) {
            target[index++] = byteAt(seed, pos++);
        }
        long wordIndex = pos >>> 3;
        while (end - index >= 8) {
            LONGS.set(target, index, word(seed, wordIndex++));
            index += 8;
        }
        pos = wordIndex << 3;
        while (index < end) {
            target[index++] = byteAt(seed, pos++);
        }
    }

    /** The first {@code length} bytes of {@code seed}. */
    public static byte[] bytes(long seed, int length) {
        return bytes(seed, 0, length);
    }

    /** {@code length} bytes of {@code seed} starting at {@code position}. */
    public static byte[] bytes(long seed, long position, int length) {
        byte[] result = new byte[length];
        fill(seed, position, result, 0, length);
        return result;
    }

    /** A stream of the first {@code length} bytes of {@code seed}; it holds no more than one small buffer. */
    public static InputStream stream(long seed, long length) {
        return stream(seed, 0, length);
    }

    /** A stream of the bytes {@code position .. position+length} of {@code seed}. */
    public static InputStream stream(long seed, long position, long length) {
        checkPosition(position);
        checkLength(length);
        return new GeneratedInputStream(seed, position, length);
    }

    /** Writes the bytes {@code position .. position+length} of {@code seed} to {@code out} (not closed). */
    public static void write(long seed, long position, long length, OutputStream out) throws IOException {
        requireNonNull(out, "out is null");
        checkPosition(position);
        checkLength(length);
        byte[] buffer = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
        long done = 0;
        while (done < length) {
            int count = (int) Math.min(buffer.length, length - done);
            fill(seed, position + done, buffer, 0, count);
            out.write(buffer, 0, count);
            done += count;
        }
    }

    /** Creates or replaces {@code file} with the first {@code length} bytes of {@code seed}; returns {@code file}. */
    public static Path writeFile(Path file, long seed, long length) throws IOException {
        requireNonNull(file, "file is null");
        try (OutputStream out = Files.newOutputStream(file)) {
            write(seed, 0, length, out);
        }
        return file;
    }

    /**
     * The position of the first byte of {@code actual} that differs from {@code seed} at {@code position ..}, or
     * -1 when {@code actual} holds exactly {@code length} expected bytes. A shorter stream differs at its end;
     * a longer one at {@code position + length}. Reads {@code actual} up to the difference; does not close it.
     */
    public static long firstDifference(long seed, long position, long length, InputStream actual) throws IOException {
        requireNonNull(actual, "actual is null");
        byte[] expected = new byte[CHUNK];
        byte[] got = new byte[CHUNK];
        long done = 0;
        while (done < length) {
            int want = (int) Math.min(CHUNK, length - done);
            int count = actual.readNBytes(got, 0, want);
            fill(seed, position + done, expected, 0, count);
            int mismatch = java.util.Arrays.mismatch(expected, 0, count, got, 0, count);
            if (mismatch >= 0) {
                return position + done + mismatch;
            }
            done += count;
            if (count < want) {
                return position + done;
            }
        }
        return actual.read() == -1 ? -1 : position + length;
    }

    /** SHA-256 (lower-case hex) of the first {@code length} bytes of {@code seed}. */
    public static String sha256Hex(long seed, long length) {
        return HexFormat.of().formatHex(digest("SHA-256", seed, length));
    }

    /** MD5 (lower-case hex) of the first {@code length} bytes of {@code seed}, as a GDC manifest holds it. */
    public static String md5Hex(long seed, long length) {
        return HexFormat.of().formatHex(digest("MD5", seed, length));
    }

    /** MD5 (base64) of the first {@code length} bytes of {@code seed}, as a {@code Content-MD5} header holds it. */
    public static String md5Base64(long seed, long length) {
        return Base64.getEncoder().encodeToString(digest("MD5", seed, length));
    }

    public static String sha256Hex(byte[] data) {
        return Sha256.of(data);
    }

    public static String md5Hex(byte[] data) {
        return HexFormat.of().formatHex(newDigest("MD5").digest(data));
    }

    public static String md5Base64(byte[] data) {
        return Base64.getEncoder().encodeToString(newDigest("MD5").digest(data));
    }

    /** SHA-256 (hex) of everything left in {@code in}; does not close it. */
    public static String sha256Hex(InputStream in) throws IOException {
        Sha256 sha = new Sha256();
        sha.updateFrom(in);
        return sha.hex();
    }

    /** SHA-256 (hex) of a file's content. */
    public static String sha256Hex(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256Hex(in);
        }
    }

    /** MD5 (hex) of a file's content. */
    public static String md5Hex(Path file) throws IOException {
        MessageDigest md5 = newDigest("MD5");
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            for (int count; (count = in.read(buffer)) != -1; ) {
                md5.update(buffer, 0, count);
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static byte[] digest(String algorithm, long seed, long length) {
        checkLength(length);
        MessageDigest digest = newDigest(algorithm);
        byte[] buffer = new byte[CHUNK];
        for (long done = 0; done < length; ) {
            int count = (int) Math.min(CHUNK, length - done);
            fill(seed, done, buffer, 0, count);
            digest.update(buffer, 0, count);
            done += count;
        }
        return digest.digest();
    }

    static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative: " + position);
        }
    }

    private static void checkLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
    }

    private static final class GeneratedInputStream extends InputStream {
        private final long seed;
        private final long end;
        private long position;

        GeneratedInputStream(long seed, long position, long length) {
            this.seed = seed;
            this.position = position;
            this.end = position + length;
        }

        @Override
        public int read() {
            return position < end ? byteAt(seed, position++) & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, target.length);
            if (length == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            int count = (int) Math.min(length, end - position);
            fill(seed, position, target, offset, count);
            position += count;
            return count;
        }

        @Override
        public long skip(long count) {
            long skipped = Math.max(0, Math.min(count, end - position));
            position += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - position);
        }
    }
}
