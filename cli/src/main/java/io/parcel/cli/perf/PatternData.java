package io.parcel.cli.perf;

/**
 * The deterministic stream {@code perf} sends for {@code --bytes} and {@code --time}: {@value #PATTERN_LENGTH} bytes
 * of splitmix64 output (little-endian words) from a seed, repeated. The length is a prime, so a block that is lost,
 * repeated or shifted changes the SHA-256. The C++ interop peer ({@code test-tools/udt-peer}) makes the same bytes.
 *
 * <p>The pattern is followed by a copy of its first {@link #MAX_WINDOW} bytes, so every window of up to that length
 * is one contiguous slice of one array: the sender writes straight from it and never copies.
 */
final class PatternData {
    static final int PATTERN_LENGTH = 1_048_573;
    static final int MAX_WINDOW = 1 << 20;

    private final byte[] bytes;

    PatternData(long seed) {
        bytes = new byte[PATTERN_LENGTH + MAX_WINDOW];
        long state = seed;
        for (int i = 0; i < PATTERN_LENGTH; i += 8) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            for (int b = 0; b < 8 && i + b < PATTERN_LENGTH; b++) {
                bytes[i + b] = (byte) (z >>> (8 * b));
            }
        }
        for (int i = 0; i < MAX_WINDOW; i++) {
            bytes[PATTERN_LENGTH + i] = bytes[i % PATTERN_LENGTH];
        }
    }

    /** The array holding the stream; the bytes at stream offset {@code o} start at {@link #offsetOf(long)}. */
    byte[] array() {
        return bytes;
    }

    /** Where stream offset {@code streamOffset} starts in {@link #array()}; valid for windows up to {@link #MAX_WINDOW}. */
    static int offsetOf(long streamOffset) {
        return (int) Long.remainderUnsigned(streamOffset, PATTERN_LENGTH);
    }
}
