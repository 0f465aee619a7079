package io.parcel.spi;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {
    private static final OptionKey<Long> SEGMENT = OptionKey.bytes("segment-size", 1 << 20, "segment");
    private static final OptionKey<Duration> WAIT = OptionKey.duration("wait", Duration.ofSeconds(5), "wait");
    private static final OptionKey<Boolean> VERIFY = OptionKey.bool("verify", true, "verify");

    @Test
    void absentKeyGivesDefault() throws Exception {
        assertEquals(1L << 20, Options.empty().get(SEGMENT));
        assertFalse(Options.empty().contains(SEGMENT));
    }

    @Test
    void parsesByteSuffixes() throws Exception {
        assertEquals(64L << 20, Options.of(Map.of("segment-size", "64M")).get(SEGMENT));
        assertEquals(3L << 30, Options.of(Map.of("segment-size", "3GiB")).get(SEGMENT));
        assertEquals(4096L, Options.of(Map.of("segment-size", "4k")).get(SEGMENT));
        assertEquals(100L, Options.of(Map.of("segment-size", "100")).get(SEGMENT));
    }

    @Test
    void parsesDurations() throws Exception {
        assertEquals(Duration.ofMillis(250), Options.empty().with(WAIT, "250ms").get(WAIT));
        assertEquals(Duration.ofMillis(1500), Options.empty().with(WAIT, "1.5s").get(WAIT));
        assertEquals(Duration.ofMinutes(2), Options.empty().with(WAIT, "2m").get(WAIT));
        assertEquals(Duration.ofSeconds(7), Options.empty().with(WAIT, "7").get(WAIT));
    }

    @Test
    void badValueNamesOptionAndText() {
        UsageException e = assertThrows(UsageException.class,
                () -> Options.empty().with(SEGMENT, "lots").get(SEGMENT));
        assertTrue(e.getMessage().contains("segment-size"), e.getMessage());
        assertTrue(e.getMessage().contains("lots"), e.getMessage());
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertThrows(UsageException.class, () -> Options.empty().with(VERIFY, "maybe").get(VERIFY));
        assertThrows(UsageException.class, () -> Options.empty().with(SEGMENT, "-5").get(SEGMENT));
    }

    @Test
    void laterLayerWins() throws Exception {
        Options base = Options.empty().with(VERIFY, "true").with("other", "x");
        Options merged = base.withAll(Options.empty().with(VERIFY, "no"));
        assertFalse(merged.get(VERIFY));
        assertEquals("x", merged.asMap().get("other"));
    }

    @Test
    void resourceRejectsPathsAndBadMd5() {
        java.net.URI uri = java.net.URI.create("http://h/x");
        assertThrows(IllegalArgumentException.class, () -> new Resource("x", uri, "../etc", 1,
                java.util.Optional.empty(), true, java.util.Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Resource("x", uri, "a", 1,
                java.util.Optional.of("ABC"), true, java.util.Optional.empty()));
    }

    @Test
    void byteRangeArithmetic() {
        ByteRange range = ByteRange.ofLength(10, 5);
        assertEquals(15, range.end());
        assertTrue(range.contains(14));
        assertFalse(range.contains(15));
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(5, 4));
    }
}
