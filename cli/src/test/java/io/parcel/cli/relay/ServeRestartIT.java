package io.parcel.cli.relay;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.AccessLogEntry;
import io.parcel.testsupport.nginx.NginxServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code parcel serve} goes away in the middle of a rate-limited {@code parcel download --via} over UDT, all real
 * processes with nginx upstream: started again on the same port, the client resumes and finishes byte for byte;
 * left down, the client gives up within its own timeouts with exit 1 and keeps the partial file for a later run.
 */
class ServeRestartIT {
    private static final long SIZE = (8L << 20) + 777;
    private static final long SEED = 4_044;
    private static final String FILE = "slow.bin";
    /** Per connection: 4 connections take ~8 s for the file, long enough to cut the relay in the middle. */
    private static final long RATE = 256 * 1024;
    /** What the client may take in all once the relay is back (JVM start-up, retries, the rest of the file). */
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path served;
    @TempDir
    Path work;

    private NginxServer nginx;
    private DistProcess serve;
    private DistProcess download;

    @BeforeEach
    void startNginx() throws IOException {
        TestData.writeFile(served.resolve(FILE), SEED, SIZE);
        nginx = NginxServer.builder(served).limitRate(RATE).start();
    }

    @AfterEach
    void stopAll() {
        try {
            if (download != null) {
                download.kill();
            }
            if (serve != null) {
                serve.kill();
            }
        } finally {
            nginx.close();
        }
    }

    @ParameterizedTest(name = "serve stopped by {0}")
    @ValueSource(strings = {"SIGKILL", "SIGTERM"})
    void aRestartedServeLetsTheDownloadResumeAndFinish(String signal) throws Exception {
        int port = startServe("127.0.0.1:0");
        Path out = work.resolve("out");
        download = startDownload(port, out, "--retries", "10");
        awaitMidDownload(out);

        stopServe(signal);
        Thread.sleep(2000);
        assertTrue(download.isAlive(), "the download must wait for the relay, not fail:\n" + download.errors());
        startServe("127.0.0.1:" + port);

        DistProcess.Result result = download.await(FINISH_TIMEOUT);
        assertEquals(0, result.exitCode(), result.describe());
        assertEquals(TestData.sha256Hex(SEED, SIZE), TestData.sha256Hex(out.resolve(FILE)), result.describe());
        // Resumed, not started over: at most the ranges in flight at the cut (4 connections, 1 MiB segments) came twice.
        long sent = nginx.accessLog().stream().filter(entry -> entry.path().equals("/" + FILE))
                .mapToLong(AccessLogEntry::bodyBytesSent).sum();
        assertTrue(sent <= SIZE + (4L << 20) + (1L << 20), "nginx sent " + sent + " bytes for a file of " + SIZE);
        Downloads.assertNoLeftovers(out);
    }

    @Test
    void whenServeStaysDownTheClientFailsWithinItsTimeoutsAndKeepsThePartialFile() throws Exception {
        int port = startServe("127.0.0.1:0");
        Path out = work.resolve("out");
        download = startDownload(port, out, "--retries", "2");
        awaitMidDownload(out);

        serve.kill();
        long cut = System.nanoTime();
        // Read timeout 5 s, then 2 attempts of at most 3 s to connect plus backoff (<= 0.5 s): ~12 s; 60 s of slack
        // for a loaded machine, still far below anything that would count as hanging.
        DistProcess.Result result = download.await(Duration.ofSeconds(75));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - cut);

        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(seconds <= 60, "gave up only after " + seconds + " s:\n" + result.describe());
        List<String> errors = result.errorLines();
        assertFalse(errors.isEmpty(), result.describe());
        assertTrue(errors.stream().anyMatch(line -> line.contains("127.0.0.1:" + port)),
                "the error names the relay:\n" + result.describe());
        assertFalse(result.stderr().contains("\tat "), "stack trace:\n" + result.describe());
        assertFalse(Files.exists(out.resolve(FILE)), "an incomplete file must not get its final name");
        assertTrue(Files.exists(out.resolve(FILE + ".partial")), "the partial file is kept for a later run: "
                + Downloads.list(out));
    }

    private int startServe(String listen) throws InterruptedException {
        serve = DistProcess.start(work, "parcel-server", "--transport", "udt", "--listen", listen,
                "--upstream", nginx.baseUrl(), "--status-interval", "0");
        return serve.awaitListeningPort();
    }

    private void stopServe(String signal) throws InterruptedException {
        if (signal.equals("SIGKILL")) {
            serve.kill();
        } else {
            // SIGTERM is a server's normal end: it closes every connection, prints the totals and exits 0.
            int code = serve.terminate(Duration.ofSeconds(20));
            assertEquals(0, code, "serve exit " + code + " on SIGTERM:\n" + serve.errors());
            assertTrue(serve.errors().contains("parcel serve: stopped after"), serve.errors());
        }
    }

    private DistProcess startDownload(int relayPort, Path out, String... extra) {
        List<String> arguments = new java.util.ArrayList<>(List.of("download", "--transport", "udt",
                "--via", "127.0.0.1:" + relayPort, "-n", "4", "--segment-size", "1M", "--timeout", "5s",
                "--connect-timeout", "3s", "--progress", "plain", "-d", out.toString()));
        arguments.addAll(List.of(extra));
        arguments.add(nginx.url("/" + FILE));
        return DistProcess.start(work, "parcel", arguments.toArray(String[]::new));
    }

    /** Waits until bytes are flowing (the partial file exists, then two more seconds at ~1 MiB/s), bounded. */
    private void awaitMidDownload(Path out) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(out.resolve(FILE + ".partial")) && System.nanoTime() < deadline) {
            assertTrue(download.isAlive(), "the download ended early:\n" + download.errors());
            Thread.sleep(50);
        }
        assertTrue(Files.exists(out.resolve(FILE + ".partial")), "the download never started:\n" + download.errors());
        Thread.sleep(2000);
        assertTrue(download.isAlive(), "the download finished before the relay was cut:\n" + download.errors());
    }

    /** The few checks on a download directory these tests need. */
    private static final class Downloads {
        static void assertNoLeftovers(Path dir) throws IOException {
            assertEquals(List.of(FILE), list(dir), "only the finished file is left");
        }

        static List<String> list(Path dir) {
            try (var files = Files.list(dir)) {
                return files.map(path -> path.getFileName().toString()).sorted().toList();
            } catch (IOException e) {
                return List.of("(cannot list " + dir + ": " + e + ")");
            }
        }
    }
}
