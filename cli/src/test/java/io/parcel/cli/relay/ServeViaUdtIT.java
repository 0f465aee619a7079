package io.parcel.cli.relay;

import io.parcel.testsupport.RangeHttpServer;
import io.parcel.testsupport.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged distribution end to end over UDT on loopback: {@code bin/parcel-server} (the original name of
 * {@code parcel serve}) relays {@code parcel download --transport udt --via} to an in-test HTTP server, and refuses an
 * upstream outside its allow list at once; without {@code --via}, a UDT download still reaches a host by name (here
 * an HTTP server behind {@code bin/parcel-udt2tcp}).
 */
class ServeViaUdtIT {
    private static final long SIZE = (6L << 20) + 12_345;
    private static final Pattern LISTENING = Pattern.compile("parcel [a-z0-9 ]+: listening on [^ ]*:(\\d+) ");
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    private RangeHttpServer allowed;
    private RangeHttpServer forbidden;
    private Process serve;
    private Path serveErrors;
    private int relayPort;

    @BeforeEach
    void startUpstreamsAndRelay() throws Exception {
        allowed = RangeHttpServer.builder().generated("/data.bin", 7, SIZE).contentMd5(true).start();
        forbidden = RangeHttpServer.builder().generated("/other.bin", 8, 1000).start();
        serveErrors = directory.resolve("serve.err");
        serve = command(bin("parcel-server"), "--transport", "udt", "--listen", "127.0.0.1:0",
                "--upstream", allowed.baseUri().toString(), "--status-interval", "0",
                "--log-file", directory.resolve("serve.log").toString())
                .redirectOutput(directory.resolve("serve.out").toFile())
                .redirectError(serveErrors.toFile())
                .start();
        relayPort = awaitListeningPort(serve, serveErrors);
    }

    @AfterEach
    void stopAll() throws Exception {
        try {
            if (serve != null) {
                // SIGTERM: serve closes its connections and prints the totals.
                serve.toHandle().destroy();
                if (!serve.waitFor(20, TimeUnit.SECONDS)) {
                    serve.destroyForcibly();
                    fail("serve did not stop within 20 s of SIGTERM:\n" + Files.readString(serveErrors));
                }
                assertTrue(Files.readString(serveErrors).contains("parcel serve: stopped after"),
                        Files.readString(serveErrors));
            }
        } finally {
            if (serve != null) {
                serve.destroyForcibly();
            }
            allowed.close();
            forbidden.close();
        }
    }

    @Test
    void downloadsThroughTheRelayOverUdtByteForByte() throws Exception {
        Path target = Files.createDirectories(directory.resolve("via"));
        Run download = run("download", "--transport", "udt", "--via", "127.0.0.1:" + relayPort, "-n", "4",
                "--segment-size", "1M", "--progress", "plain", "-d", target.toString(), allowed.url("/data.bin"));
        assertEquals(0, download.exitCode(), download.describe());
        Path file = target.resolve("data.bin");
        assertEquals(SIZE, Files.size(file), download.describe());
        assertEquals(RangeHttpServer.Content.generated(7, SIZE).sha256Hex(), sha256(file));
        assertTrue(allowed.rangeRequestCount() >= 2, "the download used parallel ranges through the relay: "
                + allowed.rangeRequestCount());
    }

    @Test
    void anUpstreamOutsideTheAllowListIsRefusedWithoutRetries() throws Exception {
        Path target = Files.createDirectories(directory.resolve("refused"));
        Run download = run("download", "--transport", "udt", "--via", "127.0.0.1:" + relayPort, "--retries", "5",
                "--progress", "plain", "-d", target.toString(), forbidden.url("/other.bin"));
        assertEquals(1, download.exitCode(), download.describe());
        assertTrue(download.stderr().contains("not in the allow list"), download.describe());
        assertEquals(0, forbidden.requestCount(), "the relay must not have connected to the forbidden upstream");
        assertTrue(Files.notExists(target.resolve("other.bin")));
    }

    @Test
    void withoutViaAUdtDownloadResolvesTheHostNameItself() throws Exception {
        Path tunnelErrors = directory.resolve("tunnel.err");
        Process tunnel = command(bin("parcel-udt2tcp"), "--listen", "127.0.0.1:0", "--to", "127.0.0.1:" + allowed.port(),
                "--status-interval", "0")
                .redirectOutput(directory.resolve("tunnel.out").toFile())
                .redirectError(tunnelErrors.toFile())
                .start();
        try {
            int tunnelPort = awaitListeningPort(tunnel, tunnelErrors);
            Path target = Files.createDirectories(directory.resolve("direct"));
            Run download = run("download", "--transport", "udt", "-n", "2", "--progress", "plain",
                    "-d", target.toString(), "http://localhost:" + tunnelPort + "/data.bin");
            assertEquals(0, download.exitCode(), download.describe());
            assertEquals(RangeHttpServer.Content.generated(7, SIZE).sha256Hex(), sha256(target.resolve("data.bin")));
        } finally {
            tunnel.destroyForcibly();
            tunnel.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Run(List<String> command, int exitCode, String stdout, String stderr) {
        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private Run run(String... arguments) throws Exception {
        Path out = Files.createTempFile(directory, "download-", ".out");
        Path err = Files.createTempFile(directory, "download-", ".err");
        ProcessBuilder builder = command(bin("parcel"), arguments).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Process process = builder.start();
        try {
            if (!process.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("parcel did not finish within " + RUN_TIMEOUT + ": " + builder.command() + "\n"
                        + Files.readString(err));
            }
            return new Run(builder.command(), process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            process.destroyForcibly();
        }
    }

    private ProcessBuilder command(Path launcher, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // HOME in the test directory, so no user config file is read; a small heap, as a user would run it.
        builder.environment().put("HOME", directory.toString());
        builder.environment().put("PARCEL_OPTS", "-Xmx256m");
        return builder;
    }

    private static Path bin(String name) {
        Path launcher = Path.of(System.getProperty("parcel.dist", "target/parcel")).toAbsolutePath()
                .resolve("bin").resolve(name);
        assertTrue(Files.isExecutable(launcher), "no executable " + launcher + ": package the distribution first");
        return launcher;
    }

    private static int awaitListeningPort(Process process, Path errorFile) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String errors = Files.readString(errorFile, StandardCharsets.UTF_8);
            Matcher matcher = LISTENING.matcher(errors);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            if (!process.isAlive()) {
                fail("exited with " + process.exitValue() + ":\n" + errors);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("never said where it listens:\n" + Files.readString(errorFile));
    }

    private static String sha256(Path file) throws IOException {
        Sha256 digest = new Sha256();
        try (InputStream in = Files.newInputStream(file)) {
            digest.updateFrom(in);
        }
        return digest.hex();
    }
}
