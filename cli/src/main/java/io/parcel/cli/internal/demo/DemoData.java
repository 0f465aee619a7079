package io.parcel.cli.internal.demo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Deterministic bytes of any size, generated on the fly for any range: a random 64 KiB pattern, each 64 KiB block
 * masked with a value derived from its index, so a block written at the wrong offset changes the checksum.
 */
public final class DemoData {
    static final int BLOCK_BITS = 16;
    static final int BLOCK = 1 << BLOCK_BITS;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long size;
    private final long seed;
    private final byte[] pattern = new byte[BLOCK];

    /** The MD5 of the whole content, as hex and as base64 (the form of a {@code Content-MD5} header). */
    public record Md5(String hex, String base64) {
    }

    public DemoData(long size, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        this.size = size;
        this.seed = seed;
        new SplittableRandom(seed).nextBytes(pattern);
    }

    public long size() {
        return size;
    }

    /** Fills {@code buffer[0, length)} with the bytes at {@code [offset, offset + length)}. */
    public void fill(long offset, byte[] buffer, int length) {
        if (offset < 0 || length < 0 || offset + length > size || length > buffer.length) {
            throw new IllegalArgumentException("range [" + offset + ", " + (offset + length) + ") outside [0, "
                    + size + ")");
        }
        int index = 0;
        while (index < length) {
            long position = offset + index;
            long block = position >>> BLOCK_BITS;
            int within = (int) (position & (BLOCK - 1));
            int count = Math.min(length - index, BLOCK - within);
            long mask = mix(block ^ seed);
            int i = 0;
            for (; i < count && ((within + i) & 7) != 0; i++) {
                buffer[index + i] = patternByte(within + i, mask);
            }
            // Whole longs: byte j of a little-endian long is byte j of the pattern XOR byte j of the mask.
            for (; i + 8 <= count; i += 8) {
                LONGS.set(buffer, index + i, (long) LONGS.get(pattern, within + i) ^ mask);
            }
            for (; i < count; i++) {
                buffer[index + i] = patternByte(within + i, mask);
            }
            index += count;
        }
    }

    /** The MD5 of everything. */
    public Md5 md5() {
        MessageDigest md5 = digest("MD5");
        byte[] buffer = new byte[1 << 20];
        for (long offset = 0; offset < size; offset += buffer.length) {
            int length = (int) Math.min(buffer.length, size - offset);
            fill(offset, buffer, length);
            md5.update(buffer, 0, length);
        }
        byte[] digest = md5.digest();
        return new Md5(HexFormat.of().formatHex(digest), Base64.getEncoder().encodeToString(digest));
    }

    /**
     * Reads {@code in} to its end, checking it holds exactly this data, and returns its SHA-256 (hex).
     *
     * @throws IOException naming the first offset that differs, or the length when it differs
     */
    public String verify(InputStream in) throws IOException {
        MessageDigest sha256 = digest("SHA-256");
        byte[] actual = new byte[1 << 20];
        byte[] expected = new byte[actual.length];
        long offset = 0;
        for (int count = in.readNBytes(actual, 0, actual.length); count > 0;
             count = in.readNBytes(actual, 0, actual.length)) {
            if (offset + count > size) {
                throw new IOException("more than the " + size + " bytes generated");
            }
            fill(offset, expected, count);
            int mismatch = Arrays.mismatch(actual, 0, count, expected, 0, count);
            if (mismatch >= 0) {
                throw new IOException("differs from the generated data at byte " + (offset + mismatch));
            }
            sha256.update(actual, 0, count);
            offset += count;
        }
        if (offset != size) {
            throw new IOException("has " + offset + " bytes, the generated data " + size);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    private byte patternByte(int at, long mask) {
        return (byte) (pattern[at] ^ (mask >>> ((at & 7) << 3)));
    }

    /** SplitMix64's finaliser: neighbouring block numbers get unrelated masks. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
