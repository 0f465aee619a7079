package io.parcel.cli.internal.demo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DemoDataTest {
    private static final int SIZE = 5 * DemoData.BLOCK + 123;

    @Test
    void anyRangeIsTheSameBytesHoweverItIsCut() {
        DemoData data = new DemoData(SIZE, 7);
        byte[] whole = new byte[SIZE];
        data.fill(0, whole, SIZE);
        ByteArrayOutputStream pieces = new ByteArrayOutputStream();
        int[] cuts = {1, 999, DemoData.BLOCK, 3, DemoData.BLOCK * 2 + 17};
        int offset = 0;
        for (int i = 0; offset < SIZE; i++) {
            int length = Math.min(cuts[i % cuts.length], SIZE - offset);
            byte[] piece = new byte[length];
            data.fill(offset, piece, length);
            pieces.writeBytes(piece);
            offset += length;
        }
        assertArrayEquals(whole, pieces.toByteArray());
        assertArrayEquals(whole, fill(new DemoData(SIZE, 7)), "deterministic");
        assertFalse(Arrays.equals(whole, fill(new DemoData(SIZE, 8))), "the seed matters");
    }

    @Test
    void blocksDifferSoMisplacedWritesAreCaught() {
        DemoData data = new DemoData(SIZE, 7);
        byte[] first = new byte[DemoData.BLOCK];
        byte[] second = new byte[DemoData.BLOCK];
        data.fill(0, first, first.length);
        data.fill(DemoData.BLOCK, second, second.length);
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void md5MatchesTheBytes() throws Exception {
        DemoData data = new DemoData(SIZE, 7);
        byte[] digest = MessageDigest.getInstance("MD5").digest(fill(data));
        assertEquals(HexFormat.of().formatHex(digest), data.md5().hex());
        assertEquals(java.util.Base64.getEncoder().encodeToString(digest), data.md5().base64());
    }

    @Test
    void verifyChecksEveryByteAndReturnsTheSha256() throws Exception {
        DemoData data = new DemoData(SIZE, 7);
        byte[] whole = fill(data);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(whole)),
                data.verify(new ByteArrayInputStream(whole)));

        byte[] corrupt = whole.clone();
        corrupt[DemoData.BLOCK + 5] ^= 1;
        assertEquals("differs from the generated data at byte " + (DemoData.BLOCK + 5), assertThrows(
                IOException.class, () -> data.verify(new ByteArrayInputStream(corrupt))).getMessage());
        assertEquals("has " + (SIZE - 1) + " bytes, the generated data " + SIZE, assertThrows(IOException.class,
                () -> data.verify(new ByteArrayInputStream(whole, 0, SIZE - 1))).getMessage());
    }

    @Test
    void rangesOutsideTheDataAreRejected() {
        DemoData data = new DemoData(10, 1);
        assertThrows(IllegalArgumentException.class, () -> data.fill(5, new byte[10], 6));
        assertThrows(IllegalArgumentException.class, () -> new DemoData(-1, 1));
    }

    private static byte[] fill(DemoData data) {
        byte[] bytes = new byte[(int) data.size()];
        data.fill(0, bytes, bytes.length);
        return bytes;
    }
}
