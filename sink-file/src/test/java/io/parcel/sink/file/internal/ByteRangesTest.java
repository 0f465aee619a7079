package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteRangesTest {
    @Test
    void mergesOverlappingAndTouchingRanges() {
        assertEquals(List.of(new ByteRange(0, 30), new ByteRange(40, 50)), ByteRanges.merge(List.of(
                new ByteRange(20, 30), new ByteRange(0, 10), new ByteRange(40, 50), new ByteRange(5, 20),
                new ByteRange(45, 45))));
    }

    @Test
    void clipsAndFindsGaps() {
        List<ByteRange> done = List.of(new ByteRange(10, 20), new ByteRange(30, 50));
        assertEquals(List.of(new ByteRange(10, 20), new ByteRange(30, 35)), ByteRanges.clip(done, 35));
        assertEquals(List.of(new ByteRange(0, 10), new ByteRange(20, 30), new ByteRange(50, 60)),
                ByteRanges.gaps(done, 60));
        assertEquals(List.of(), ByteRanges.gaps(List.of(new ByteRange(0, 5)), 5));
        assertEquals(30, ByteRanges.totalLength(done));
    }

    @Test
    void diskFullIsNamedAsSuch() {
        Path path = Path.of("/tmp/some.partial");
        var full = FileChecks.writeFailure(path, new IOException("No space left on device"));
        assertEquals("no space left on device writing " + path, full.getMessage());
        assertFalse(full.retryable());
        var other = FileChecks.writeFailure(path, new IOException("Input/output error"));
        assertTrue(other.getMessage().startsWith("cannot write " + path), other.getMessage());
        assertFalse(other.retryable());
    }
}
