package io.parcel.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TestDataTest {
    @Test
    void anyRangeEqualsTheSameSliceOfTheWhole() {
        byte[] whole = TestData.bytes(5, 1000);
        for (int start = 0; start < 40; start++) {
            for (int length : new int[] {0, 1, 7, 8, 9, 63, 500}) {
                byte[] part = TestData.bytes(5, start, length);
                assertArrayEquals(Arrays.copyOfRange(whole, start, start + length), part,
                        "range " + start + "+" + length);
            }
        }
        for (int position = 0; position < whole.length; position += 13) {
            assertEquals(whole[position], TestData.byteAt(5, position), "byte " + position);
        }
    }

    @Test
    void positionsBeyondFourGigabytesWork() {
        long far = (5L << 30) + 3;
        byte[] bytes = TestData.bytes(9, far, 16);
        for (int index = 0; index < bytes.length; index++) {
            assertEquals(TestData.byteAt(9, far + index), bytes[index]);
        }
    }

    @Test
    void seedsGiveDifferentDataAndTheDataLooksRandom() {
        byte[] one = TestData.bytes(1, 4096);
        byte[] two = TestData.bytes(2, 4096);
        assertFalse(Arrays.equals(one, two));
        int[] histogram = new int[256];
        for (byte b : TestData.bytes(3, 256 * 1024)) {
            histogram[b & 0xff]++;
        }
        // 1024 expected per value; a broken generator (constant, zeros, repeating short cycle) is far off.
        for (int value = 0; value < 256; value++) {
            assertEquals(1024, histogram[value], 200, "count of byte value " + value);
        }
    }

    @Test
    void streamWriteAndBytesAgree() throws IOException {
        byte[] expected = TestData.bytes(7, 100, 200_003);
        try (InputStream in = TestData.stream(7, 100, 200_003)) {
            assertArrayEquals(expected, in.readAllBytes());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TestData.write(7, 100, 200_003, out);
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test
    void hashesMatchTheJdkOnTheSameBytes() throws Exception {
        byte[] data = TestData.bytes(11, 300_001);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        assertEquals(sha, TestData.sha256Hex(11, data.length));
        assertEquals(sha, TestData.sha256Hex(data));
        assertEquals(sha, TestData.sha256Hex(new ByteArrayInputStream(data)));
        assertEquals(md5, TestData.md5Hex(11, data.length));
        assertEquals(TestData.md5Base64(data), TestData.md5Base64(11, data.length));
        Sha256 streaming = new Sha256();
        streaming.outputStream().write(data, 0, 1000);
        streaming.update(data, 1000, data.length - 1000);
        assertEquals(data.length, streaming.count());
        assertEquals(sha, streaming.hex());
    }

    @Test
    void filesHashLikeTheirSeed(@TempDir Path directory) throws IOException {
        Path file = TestData.writeFile(directory.resolve("f.bin"), 4, 70_000);
        assertEquals(TestData.sha256Hex(4, 70_000), TestData.sha256Hex(file));
        assertEquals(TestData.md5Hex(4, 70_000), TestData.md5Hex(file));
    }

    @Test
    void firstDifferenceFindsTheFirstWrongByteAndLengthMismatches() throws IOException {
        byte[] data = TestData.bytes(8, 50, 100_000);
        assertEquals(-1, TestData.firstDifference(8, 50, data.length, new ByteArrayInputStream(data)));
        byte[] corrupt = data.clone();
        corrupt[70_001] ^= 1;
        assertEquals(50 + 70_001, TestData.firstDifference(8, 50, data.length, new ByteArrayInputStream(corrupt)));
        byte[] shorter = Arrays.copyOf(data, 99_000);
        assertEquals(50 + 99_000, TestData.firstDifference(8, 50, data.length, new ByteArrayInputStream(shorter)));
        byte[] longer = Arrays.copyOf(data, 100_001);
        assertEquals(50 + 100_000, TestData.firstDifference(8, 50, data.length, new ByteArrayInputStream(longer)));
        assertNotEquals(-1, TestData.firstDifference(9, 50, data.length, new ByteArrayInputStream(data)));
    }

    @Test
    void rejectsNegativeArguments() {
        assertThrows(IllegalArgumentException.class, () -> TestData.stream(1, -1));
        assertThrows(IllegalArgumentException.class, () -> TestData.bytes(1, -1L, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> TestData.fill(1, 0, new byte[4], 2, 3));
    }
}
