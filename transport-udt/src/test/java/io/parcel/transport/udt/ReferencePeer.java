package io.parcel.transport.udt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The reference library's side of the interop tests: the {@code test-tools/udt-peer} binary (libudt 4.11), found or
 * built once per test class; each {@link #start} is one run of it, which prints a JSON report when it ends.
 */
final class ReferencePeer {
    private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(120);

    private final Path binary;

    private ReferencePeer(Path binary) {
        this.binary = binary;
    }

    /**
     * The peer binary: {@code -Dudt.peer} when given (skips the test when that is not executable), else what
     * {@code test-tools/udt-peer/build.sh} builds (again only when its source is newer). Where g++ or libudt-dev is
     * missing (build.sh exits 2) the test is skipped, except under CI ({@code CI=true}), where that is a failure.
     * Call it from {@code @BeforeAll}, so a skip skips the whole class.
     */
    static ReferencePeer locate() throws IOException, InterruptedException {
        String given = System.getProperty("udt.peer");
        if (given != null) {
            Path peer = Path.of(given);
            assumeTrue(Files.isExecutable(peer), "reference peer not built: " + peer.toAbsolutePath());
            return new ReferencePeer(peer);
        }
        Path script = Path.of("../test-tools/udt-peer/build.sh");
        Process build = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
        if (!build.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            build.destroyForcibly();
            fail("build.sh did not finish within " + BUILD_TIMEOUT);
        }
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (build.exitValue() == 2 && !"true".equals(System.getenv("CI"))) {
            assumeTrue(false, "reference peer cannot be built here: " + output.strip());
        }
        assertEquals(0, build.exitValue(), "build.sh: " + output);
        Path peer = Path.of(output.strip().lines().reduce((first, last) -> last).orElseThrow());
        assertTrue(Files.isExecutable(peer), "built peer " + peer);
        return new ReferencePeer(peer);
    }

    /**
     * Starts {@code udt_peer arguments...}, its output going to temporary files. The caller owns the run and closes
     * it, which kills the peer if it still runs and deletes those files.
     */
    Running start(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(arguments));
        Path out = Files.createTempFile("udt-peer", ".json");
        Path err = Files.createTempFile("udt-peer", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Running(process, out, err);
    }

    /** A UDP port on loopback that was free a moment ago, for a peer to listen on. */
    static int freeUdpPort() throws IOException {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }
    }

    /** One run of the peer. */
    static final class Running implements AutoCloseable {
        private final Process process;
        private final Path stdout;
        private final Path stderr;

        private Running(Process process, Path stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** Waits (at most {@code timeout}) for the peer to end, which must be with exit 0; its report. */
        String finish(Duration timeout) throws Exception {
            awaitEnd(timeout);
            String report = Files.readString(stdout, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "peer exit; stdout: " + report + " stderr: "
                    + Files.readString(stderr, StandardCharsets.UTF_8));
            return report;
        }

        /** Waits (at most {@code timeout}) for the peer to end; its report, standard error and exit code, however. */
        String report(Duration timeout) throws Exception {
            awaitEnd(timeout);
            return Files.readString(stdout, StandardCharsets.UTF_8) + " stderr: "
                    + Files.readString(stderr, StandardCharsets.UTF_8) + " exit: " + process.exitValue();
        }

        private void awaitEnd(Duration timeout) throws InterruptedException {
            assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "reference peer finished");
        }

        @Override
        public void close() throws IOException {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
