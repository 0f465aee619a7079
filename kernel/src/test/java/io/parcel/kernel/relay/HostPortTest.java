package io.parcel.kernel.relay;

import io.parcel.spi.HostLookup;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPortTest {
    @Test
    void parsesNamesAddressesAndBracketedIpv6() throws Exception {
        assertEquals(new HostPort("example.org", 443), HostPort.parse("Example.ORG:443", "--via"));
        assertEquals(new HostPort("10.0.0.1", 80), HostPort.parse("10.0.0.1:80", "--via"));
        HostPort ipv6 = HostPort.parse("[::1]:9000", "--via");
        assertEquals("::1", ipv6.host());
        assertEquals("[::1]:9000", ipv6.toString());
        assertEquals("example.org:443", HostPort.parse("example.org.:443", "--via").toString());
    }

    @Test
    void refusesWhatIsNotHostColonPort() {
        for (String bad : new String[] {"example.org", ":443", "example.org:", "example.org:0", "example.org:65536",
                "example.org:44x", "::1:443", "[example.org]:443", "[::1]443", "exa mple.org:443", "a/b:80",
                "host:+80"}) {
            UsageException e = assertThrows(UsageException.class, () -> HostPort.parse(bad, "--to"), bad);
            assertTrue(e.getMessage().startsWith("--to: expected HOST:PORT"), e.getMessage());
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void keepsTheNameGivenWithoutResolvingIt() throws Exception {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("data.invalid", 443);
        HostPort name = HostPort.of(unresolved);
        assertEquals("data.invalid:443", name.toString());
        assertTrue(name.unresolved().isUnresolved());
        assertFalse(new HostPort("127.0.0.1", 80).resolve(HostLookup.system(), java.time.Duration.ofSeconds(1)).isUnresolved());
    }
}
