package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.RangeHttpServer;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.RangeHttpServer.Content;

/** The ways servers misbehave, from the in-JVM {@link RangeHttpServer}, against the packaged {@code bin/parcel}. */
class RangeServerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path work;

    @Test
    void connectionsCutMidBodyAreRetriedAndTheFileIsExact() throws IOException {
        long size = 24 * MIB + 11;
        long cutAfter = 256 * 1024;
        int cuts = 6;
        int connections = 4;
        try (RangeHttpServer server = RangeHttpServer.builder()
                .generated("/cut.bin", 61, size)
                .cutAfter(cutAfter, cuts)
                .start()) {
            var result = DistProcess.run(work, TIMEOUT, "download", "-d", out().toString(), "--progress=plain",
                    "-n", Integer.toString(connections), "--segment-size", Long.toString(4 * MIB), server.url("/cut.bin"));

            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(cuts, server.cutCount(), "the server did not cut as often as asked: the test proves nothing");
            // Each cut waits 125-250 ms before its range is tried again; the progress looks every 200 ms.
            // Cuts that come together share a line, which counts them.
            assertTrue(result.output().matches("(?s).*cut\\.bin: from byte \\d+: attempt 1 of \\d+ failed \\(.+\\);"
                    + " trying again in 0\\.[1-3] s( \\(\\d+ retries so far\\))?\\R.*"), result.describe());
            assertTrue(result.output().lines().anyMatch(line -> line.startsWith("cut.bin ")
                    && line.endsWith("  DONE after " + cuts + " retries")), result.describe());
            assertEquals(TestData.sha256Hex(61, size), TestData.sha256Hex(out().resolve("cut.bin")));
            // Resuming where a range broke costs nothing extra; refetching a whole cut segment costs at most cutAfter.
            // Work stealing at the tail costs a little too: a connection whose range was split already had bytes of
            // the stolen half on the way (socket buffers, one read), which it drops when it closes that stream.
            long stealAllowance = connections * MIB;
            assertTrue(server.bytesSent() <= size + cuts * cutAfter + stealAllowance,
                    "sent " + server.bytesSent() + " bytes for a " + size + "-byte file with " + cuts + " cuts");
            Downloads.assertNoLeftovers(out(), "cut.bin");
        }
    }

    @Test
    void requestsAfterTheSizeProbeGoOutOnKeptAliveConnections() throws IOException {
        long size = 16 * MIB + 5;
        try (RangeHttpServer server = RangeHttpServer.builder()
                .generated("/kept.bin", 64, size)
                .keepAlive(true)
                .start()) {
            var result = download(server.url("/kept.bin"), "-n", "4", "--segment-size", Long.toString(MIB));

            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(TestData.sha256Hex(64, size), TestData.sha256Hex(out().resolve("kept.bin")));
            // the probe's connection carries a range at least; without keep-alive every request has its own
            assertTrue(server.connectionCount() < server.requestCount(),
                    server.connectionCount() + " connections for " + server.requestCount() + " requests");
        }
    }

    @Test
    void serviceUnavailableAtFirstIsRetried() throws IOException {
        long size = 3 * MIB + 1;
        try (RangeHttpServer server = RangeHttpServer.builder()
                .generated("/busy.bin", 62, size)
                .failFirst(3, 503)
                .start()) {
            var result = download(server.url("/busy.bin"), "--retries", "6");

            assertEquals(0, result.exitCode(), result.describe());
            assertTrue(server.requestCount() > 3, "only " + server.requestCount() + " requests: no retry after 503");
            assertEquals(TestData.sha256Hex(62, size), TestData.sha256Hex(out().resolve("busy.bin")));
        }
    }

    @Test
    void aPersistentServerErrorFailsAfterTheRetries() throws IOException {
        try (RangeHttpServer server = RangeHttpServer.builder()
                .generated("/down.bin", 63, MIB)
                .failFirst(1000, 503)
                .start()) {
            var result = DistProcess.run(work, TIMEOUT, "download", "-d", out().toString(), "-q",
                    "--retries", "2", server.url("/down.bin"));

            assertEquals(1, result.exitCode(), result.describe());
            assertTrue(result.stderr().contains("503"), "the message does not name the 503:\n" + result.describe());
            Downloads.assertNoStackTrace(result);
            assertTrue(server.requestCount() < 50, server.requestCount() + " requests for --retries 2");
        }
    }

    @Test
    void anEmptyFileIsNotAnUnsatisfiableRangeError() throws IOException {
        // A range probe of an empty resource is answered 416 by compliant servers: that must still be a success.
        try (RangeHttpServer server = RangeHttpServer.builder()
                .resource("/empty.bin", new byte[0])
                .start()) {
            var result = download(server.url("/empty.bin"));

            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(0, Files.size(out().resolve("empty.bin")));
        }
    }

    @Test
    void aFileThatShrankBetweenRunsIsNeverReportedAsDone() throws IOException, InterruptedException {
        long size = 16 * MIB;
        try (RangeHttpServer server = RangeHttpServer.builder()
                .generated("/changing.bin", 64, size)
                .throttle(2 * MIB)
                .start()) {
            String[] command = {"download", "-d", out().toString(), "-q", "-n", "2", "--segment-size",
                    Long.toString(MIB), server.url("/changing.bin")};
            var first = DistProcess.start(work, "parcel", command);
            try {
                awaitPartial(out().resolve("changing.bin.partial.journal"), first);
            }
            finally {
                first.kill();
            }
            // The resume now asks for ranges past the new end: 416, or a size mismatch.
            long newSize = MIB / 2;
            server.put("/changing.bin", Content.generated(65, newSize));

            var second = DistProcess.run(work, TIMEOUT, command);

            Path file = out().resolve("changing.bin");
            if (second.exitCode() == 0) {
                assertEquals(TestData.sha256Hex(65, newSize), TestData.sha256Hex(file),
                        "exit 0 with content of neither version:\n" + second.describe());
            }
            else {
                assertEquals(1, second.exitCode(), second.describe());
                assertFalse(Files.exists(file), "a failed download left a final file");
                Downloads.assertNoStackTrace(second);
            }
        }
    }

    @Test
    void redirectsAreFollowed() throws IOException {
        long size = 2 * MIB + 9;
        try (RangeHttpServer server = RangeHttpServer.builder()
                .generated("/mirror/current.bin", 66, size)
                .redirect("/latest.bin", "/mirror/current.bin")
                .start()) {
            var result = download(server.url("/latest.bin"));

            assertEquals(0, result.exitCode(), result.describe());
            // Either name is defensible (curl -O keeps the first, wget the last); the bytes are not negotiable.
            Path file = Files.exists(out().resolve("latest.bin")) ? out().resolve("latest.bin")
                    : out().resolve("current.bin");
            assertEquals(TestData.sha256Hex(66, size), TestData.sha256Hex(file), result.describe());
        }
    }

    private DistProcess.Result download(String url, String... options) {
        String[] command = new String[options.length + 5];
        command[0] = "download";
        command[1] = "-d";
        command[2] = out().toString();
        command[3] = "-q";
        System.arraycopy(options, 0, command, 4, options.length);
        command[command.length - 1] = url;
        return DistProcess.run(work, TIMEOUT, command);
    }

    private Path out() {
        return work.resolve("out");
    }

    private static void awaitPartial(Path journal, DistProcess running) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && running.isAlive()) {
            if (Files.exists(journal)) {
                Thread.sleep(1500);
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no journal " + journal + " within 30 s");
    }
}
