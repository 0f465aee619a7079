package io.parcel.cli.internal.progress;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FormatTest {
    @Test
    void formatsSizesRatesAndDurations() {
        assertEquals("0 B", Format.bytes(0));
        assertEquals("1023 B", Format.bytes(1023));
        assertEquals("1.5 KiB", Format.bytes(1536));
        assertEquals("512.0 MiB", Format.bytes(512L << 20));
        assertEquals("2.0 TiB", Format.bytes(2L << 40));
        assertEquals("?", Format.bytes(-1));
        assertEquals("-", Format.rate(Double.NaN));
        assertEquals("1.0 MiB/s", Format.rate(1 << 20));
        assertEquals("0.4s", Format.duration(Duration.ofMillis(400)));
        assertEquals("3m04s", Format.duration(Duration.ofSeconds(184)));
        assertEquals("2h05m", Format.duration(Duration.ofMinutes(125)));
        assertEquals("-", Format.eta(100, 0));
        assertEquals("10.0s", Format.eta(100, 10));
        assertEquals("45%", Format.percent(45, 100));
        assertEquals("100%", Format.percent(0, 0));
        assertEquals("", Format.percent(5, -1));
        assertEquals("abc~", Format.fit("abcdef", 4));
    }
}
