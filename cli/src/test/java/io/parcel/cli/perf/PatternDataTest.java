package io.parcel.cli.perf;

import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class PatternDataTest {
    @Test
    void startsWithTheFirstSplitMix64OutputOfTheSeedInLittleEndian() {
        byte[] data = new PatternData(1).array();

        // splitmix64 seeded with 1 first yields 0x910a2dec89025cc1 (reference value of the algorithm).
        assertEquals("c15c0289ec2d0a91", HexFormat.of().formatHex(data, 0, 8));
    }

    @Test
    void matchesTheStreamOfTheCppPeerByHash() throws Exception {
        // udt_peer generate --bytes 3000000 --seed 7 | sha256sum (also checked against a Python model of the pattern)
        PatternData pattern = new PatternData(7);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        long total = 3_000_000;
        for (long offset = 0; offset < total; ) {
            int length = (int) Math.min(PatternData.MAX_WINDOW, total - offset);
            sha256.update(pattern.array(), PatternData.offsetOf(offset), length);
            offset += length;
        }

        assertEquals("e6663dbe0cf6c633acfa80097ac486a63281cde3a63807b3b25112c5665b0a85",
                HexFormat.of().formatHex(sha256.digest()));
    }

    @Test
    void everyWindowIsTheRepeatedPattern() {
        byte[] data = new PatternData(3).array();
        byte[] head = new byte[PatternData.MAX_WINDOW];
        byte[] tail = new byte[PatternData.MAX_WINDOW];
        for (int i = 0; i < head.length; i++) {
            head[i] = data[i % PatternData.PATTERN_LENGTH];
        }
        System.arraycopy(data, PatternData.PATTERN_LENGTH, tail, 0, tail.length);

        assertArrayEquals(head, tail);
        assertEquals(0, PatternData.offsetOf(PatternData.PATTERN_LENGTH));
        assertEquals(5, PatternData.offsetOf(3L * PatternData.PATTERN_LENGTH + 5));
    }

    @Test
    void seedsGiveDifferentStreams() {
        assertNotEquals(HexFormat.of().formatHex(new PatternData(1).array(), 0, 64),
                HexFormat.of().formatHex(new PatternData(2).array(), 0, 64));
    }
}
