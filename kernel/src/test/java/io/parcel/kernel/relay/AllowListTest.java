package io.parcel.kernel.relay;

import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllowListTest {
    @Test
    void takesHostAndPortFromEachUrlWithSchemeDefaults() throws UsageException {
        AllowList list = AllowList.fromUrls(List.of("https://api.gdc.cancer.gov/data", "http://Mirror.example.org",
                "http://10.1.2.3:8080/x", "https://[2001:db8::1]/"));
        assertTrue(list.allows(new HostPort("api.gdc.cancer.gov", 443)));
        assertTrue(list.allows(new HostPort("API.GDC.cancer.gov", 443)), "host names compare case-insensitively");
        assertTrue(list.allows(new HostPort("mirror.example.org", 80)));
        assertTrue(list.allows(new HostPort("10.1.2.3", 8080)));
        assertTrue(list.allows(new HostPort("2001:db8::1", 443)));
    }

    @Test
    void allowsNothingElse() throws UsageException {
        AllowList list = AllowList.fromUrls(List.of("https://api.example.org"));
        assertFalse(list.allows(new HostPort("api.example.org", 80)), "other port");
        assertFalse(list.allows(new HostPort("evil.api.example.org", 443)), "no suffix match");
        assertFalse(list.allows(new HostPort("example.org", 443)), "no parent match");
        assertFalse(list.allows(new HostPort("127.0.0.1", 443)), "no resolution");
    }

    @Test
    void refusesUnusableUrls() {
        assertThrows(UsageException.class, () -> AllowList.fromUrls(List.of()));
        assertThrows(UsageException.class, () -> AllowList.fromUrls(List.of("ftp://files.example.org")));
        assertThrows(UsageException.class, () -> AllowList.fromUrls(List.of("example.org")));
        assertThrows(UsageException.class, () -> AllowList.fromUrls(List.of("https://exa mple.org")));
    }
}
