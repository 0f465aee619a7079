package io.parcel.cli.perf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerfConvertersTest {
    @Test
    void parsesIpv4Ipv6AndWildcardAddresses() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5201),
                PerfConverters.address("127.0.0.1:5201", "--to"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9000),
                PerfConverters.address("[::1]:9000", "--to"));
        InetSocketAddress wildcard = PerfConverters.address("7000", "--listen");
        assertTrue(wildcard.getAddress().isAnyLocalAddress());
        assertEquals(7000, wildcard.getPort());
        assertEquals(7001, PerfConverters.address(":7001", "--listen").getPort());
    }

    @Test
    void rejectsMalformedAddressesNamingTheOption() {
        for (String text : new String[] {"127.0.0.1:http", "[::1]9000", "::1:9000", "host:70000", "[::1"}) {
            UsageException failure = assertThrows(UsageException.class, () -> PerfConverters.address(text, "--to"));
            assertTrue(failure.getMessage().startsWith("--to"), failure.getMessage());
        }
    }

    @Test
    void formatsAddressesTheWayTheyAreWritten() throws Exception {
        assertEquals("[0:0:0:0:0:0:0:1]:9000",
                PerfConverters.format(new InetSocketAddress(InetAddress.getByName("::1"), 9000)));
        assertEquals("10.1.2.3:80", PerfConverters.format(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 80)));
    }

    @Test
    void convertsSizesAndDurations() {
        assertEquals(256L << 20, new PerfConverters.ByteCount().convert("256M"));
        assertEquals(1L << 30, new PerfConverters.ByteCount().convert("1GiB"));
        assertEquals(Duration.ofMillis(2500), new PerfConverters.Seconds().convert("2.5"));
        assertEquals(Duration.ofMillis(250), new PerfConverters.Seconds().convert("250ms"));
        assertThrows(TypeConversionException.class, () -> new PerfConverters.ByteCount().convert("lots"));
        assertThrows(TypeConversionException.class, () -> new PerfConverters.Seconds().convert("-1"));
    }
}
