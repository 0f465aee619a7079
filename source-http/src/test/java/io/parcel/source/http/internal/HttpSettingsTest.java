package io.parcel.source.http.internal;

import io.parcel.source.http.HttpSourceOptions;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpSettingsTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultTlsContextIsLoadedOnFirstUseOnlyAndThenShared() throws Exception {
        HttpSettings settings = HttpSettings.from(Options.empty());

        javax.net.ssl.SSLSocketFactory first = settings.tlsSocketFactory();

        assertNotNull(first);
        assertSame(first, settings.tlsSocketFactory());
    }

    @Test
    void aBadCaFileIsAUsageErrorBeforeAnyConnection() throws Exception {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");

        UsageException error = assertThrows(UsageException.class,
                () -> HttpSettings.from(Options.empty().with(HttpSourceOptions.CA_FILE, notPem.toString())));

        assertTrue(error.getMessage().contains("ca.pem"), error.getMessage());
    }
}
