package io.parcel.source.http;

import io.parcel.source.http.internal.ConnectionPool;
import io.parcel.source.http.internal.HttpSettings;
import io.parcel.source.http.testing.RecordingTransport;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Source;
import io.parcel.testsupport.RangeHttpServer;
import io.parcel.testsupport.RangeHttpServer.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Connections kept alive between requests: a range after the size probe, or after a range read to its end, goes out
 * on the same connection; one whose body was not read to its end, or that the server closed, never carries another.
 * A wrong reuse would show as wrong bytes (the rest of the previous body read as the next response).
 */
class KeepAliveTest {
    private static final int SIZE = 300_000;
    private final Content content = Content.generated(7, SIZE);
    private final RecordingTransport transport = new RecordingTransport();
    private final ConnectionPool pool = new ConnectionPool();
    private RangeHttpServer server;

    @AfterEach
    void tearDown() {
        try {
            assertEquals(0, transport.openConnections(), "closing the source must close its idle connections");
        } finally {
            transport.close();
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void theRangesAfterTheSizeProbeGoOutOnItsConnection() throws Exception {
        server = RangeHttpServer.builder().resource("/f", content).keepAlive(true).start();
        try (Source source = source()) {
            Resource resource = source.describe(server.url("/f"));
            assertArrayEquals(slice(0, SIZE), read(source, resource, new ByteRange(0, SIZE), SIZE));
            assertArrayEquals(slice(1000, 5000), read(source, resource, new ByteRange(1000, 5000), 4000));

            assertEquals(3, server.requestCount());
            assertEquals(1, server.connectionCount(), "one connection carries the probe and both ranges");
            assertEquals(1, transport.connections());
            assertEquals(0, pool.failedReuses());
        }
    }

    @Test
    void aRangeClosedBeforeItsEndTakesItsConnectionWithIt() throws Exception {
        server = RangeHttpServer.builder().resource("/f", content).keepAlive(true).start();
        try (Source source = source()) {
            Resource resource = source.describe(server.url("/f"));
            // a thief took the rest of this range: only part of the body is read
            assertArrayEquals(slice(0, 10_000), read(source, resource, new ByteRange(0, SIZE), 10_000));
            assertArrayEquals(slice(200_000, SIZE), read(source, resource, new ByteRange(200_000, SIZE), 100_000));

            assertEquals(2, server.connectionCount(), "the probe's connection served the cut range, a new one the next");
            assertEquals(0, pool.failedReuses(), "a connection in the middle of a body must never be offered again");
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedWithoutAnError() throws Exception {
        server = RangeHttpServer.builder().resource("/f", content).keepAlive(true)
                .idleTimeout(Duration.ofMillis(50)).start();
        try (Source source = source()) {
            Resource resource = source.describe(server.url("/f"));
            Thread.sleep(300); // the server closes the idle connection
            assertArrayEquals(slice(0, SIZE), read(source, resource, new ByteRange(0, SIZE), SIZE));

            assertEquals(2, server.connectionCount());
            assertEquals(1, pool.failedReuses());
        }
    }

    @Test
    void aServerThatClosesAfterEveryResponseGetsANewConnectionEachTime() throws Exception {
        server = RangeHttpServer.builder().resource("/f", content).keepAlive(false).start();
        try (Source source = source()) {
            Resource resource = source.describe(server.url("/f"));
            assertArrayEquals(slice(0, 100), read(source, resource, new ByteRange(0, 100), 100));
            assertArrayEquals(slice(100, 200), read(source, resource, new ByteRange(100, 200), 100));

            assertEquals(3, server.connectionCount());
        }
    }

    @Test
    void connectionsPreparedDuringTheDescribeCarryTheRanges() throws Exception {
        server = RangeHttpServer.builder().resource("/f", content).keepAlive(true).start();
        try (Source source = source()) {
            source.prepareConnections(server.url("/f"), 3);
            source.prepareConnections(server.url("/f"), 3); // already on their way: no more
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (pool.idleCount() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(3, pool.prepared());
            Resource resource = source.describe(server.url("/f"));
            // three ranges at once, as three range connections read them
            InputStream[] streams = {
                    source.open(resource, new ByteRange(0, 100_000)),
                    source.open(resource, new ByteRange(100_000, 200_000)),
                    source.open(resource, new ByteRange(200_000, SIZE))};
            for (int i = 0; i < streams.length; i++) {
                try (InputStream in = streams[i]) {
                    assertArrayEquals(slice(i * 100_000, (i + 1) * 100_000), in.readNBytes(100_000));
                }
            }

            assertEquals(3, server.connectionCount(), "the describe and the ranges ran on the prepared connections");
            assertEquals(4, server.requestCount());
            assertEquals(0, pool.failedReuses());
        }
    }

    @Test
    void preparingNothingOrAMalformedLocatorOpensNothing() throws Exception {
        server = RangeHttpServer.builder().resource("/f", content).keepAlive(true).start();
        try (Source source = source()) {
            source.prepareConnections(server.url("/f"), 0);
            source.prepareConnections("http://", 3);
            Thread.sleep(100);
            assertEquals(0, server.connectionCount());
            assertEquals(0, pool.prepared());
        }
    }

    private Source source() throws IOException {
        Options options = Options.empty().with("connect-timeout", "5s").with("timeout", "5s");
        return new HttpSource(HttpSettings.from(options), transport, PluginContext.system().logger(HttpSource.class),
                pool);
    }

    private static byte[] read(Source source, Resource resource, ByteRange range, int bytes) throws IOException {
        try (InputStream in = source.open(resource, range)) {
            return in.readNBytes(bytes);
        }
    }

    private byte[] slice(int from, int to) {
        return Arrays.copyOfRange(content.toByteArray(), from, to);
    }
}
