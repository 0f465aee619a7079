package io.parcel.kernel.relay;

import io.parcel.source.http.HttpSourceFactory;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Source;
import io.parcel.spi.Transport;
import io.parcel.transport.tcp.TcpTransportFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

/** Shared set-up for the relay tests: loopback addresses, the tcp transport, data, downloads through the HTTP source. */
final class Fixtures {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Fixtures() {
    }

    /** The real tcp transport plugin with short timeouts, so a broken test fails rather than waits. */
    static Transport tcp() throws IOException {
        return new TcpTransportFactory().create(Options.of(Map.of("timeout", "15s", "connect-timeout", "5s")),
                PluginContext.system());
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    static InetSocketAddress anyLoopbackPort() {
        return loopback(0);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Downloads {@code url} with the real HTTP source over {@code transport}: describe, then ranges of 256 KiB. */
    static byte[] download(Transport transport, String url, Options options) throws IOException {
        try (Source source = new HttpSourceFactory().create(options, transport, PluginContext.system())) {
            Resource resource = source.describe(url);
            byte[] content = new byte[Math.toIntExact(resource.size())];
            int chunk = 256 * 1024;
            for (int offset = 0; offset < content.length; offset += chunk) {
                int length = Math.min(chunk, content.length - offset);
                try (InputStream in = source.open(resource, ByteRange.ofLength(offset, length))) {
                    int read = in.readNBytes(content, offset, length);
                    if (read != length) {
                        throw new IOException("range at " + offset + " ended after " + read + " of " + length);
                    }
                }
            }
            return content;
        }
    }
}
