package io.parcel.cli.relay;

import io.parcel.cli.CapturedEnvironment;
import io.parcel.testsupport.BlackHole;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Usage errors exit 2 before anything listens; the message names the problem. The last tests go through
 * {@code parcel}'s real Main and kernel.
 */
class RelayCommandsTest {
    @TempDir
    Path directory;

    private CommandHarness harness;

    @BeforeEach
    void createHarness() {
        harness = new CommandHarness(directory);
    }

    @Test
    void serveNeedsAnUpstream() {
        assertEquals(2, harness.run("serve", "--listen", "127.0.0.1:0", "--transport", "tcp"));
        assertTrue(harness.err().contains("--upstream"), harness.err());
        assertTrue(harness.opened.isEmpty(), "nothing may be opened on a usage error");
    }

    @Test
    void badAddressesAreUsageErrors() {
        assertEquals(2, harness.run("serve", "--listen", "127.0.0.1:99999", "--upstream", "https://example.org"));
        assertEquals(2, harness.run("serve", "--listen", "nowhere:x", "--upstream", "https://example.org"));
        assertEquals(2, harness.run("tunnel", "tcp2udt", "--listen", "0", "--to", "example.org"));
        assertEquals(2, harness.run("tunnel", "udt2tcp", "--listen", "0", "--to", "[::1]8080"));
        assertEquals(2, harness.run("serve", "--listen", "0", "--upstream", "ftp://example.org"));
        assertTrue(harness.err().contains("needs a port"), harness.err());
        assertTrue(harness.opened.isEmpty());
    }

    @Test
    void unreadableOrHalfTlsMaterialIsAUsageError() {
        Path missing = directory.resolve("missing.pem");
        assertEquals(2, harness.run("serve", "--listen", "0", "--upstream", "https://example.org", "--transport", "tcp",
                "--tls-cert", missing.toString(), "--tls-key", missing.toString()));
        assertTrue(harness.err().contains("cannot read " + missing), harness.err());
        assertEquals(2, harness.run("serve", "--listen", "0", "--upstream", "https://example.org", "--transport", "tcp",
                "--tls-cert", missing.toString()));
        assertTrue(harness.err().contains("--tls-cert and --tls-key go together"), harness.err());
        assertEquals(2, harness.run("serve", "--listen", "0", "--upstream", "https://example.org", "--transport", "tcp",
                "--token-file", missing.toString()));
        assertTrue(harness.opened.isEmpty());
    }

    @Test
    void anUnknownTransportIsAUsageError() {
        assertEquals(2, harness.run("tunnel", "udt2tcp", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1",
                "--transport", "carrier-pigeon"));
        assertTrue(harness.err().contains("unknown transport 'carrier-pigeon'"), harness.err());
    }

    @Test
    void tunnelWithoutDirectionPrintsUsage() {
        assertEquals(2, harness.run("tunnel"));
        assertTrue(harness.err().contains("tcp2udt"), harness.err());
    }

    @Test
    void parcelListsServeAndTunnelWithTheSharedOptions() {
        CapturedEnvironment parcel = CapturedEnvironment.in(directory);
        assertEquals(0, parcel.run("--help"));
        assertTrue(parcel.out().contains("serve") && parcel.out().contains("tunnel"), parcel.out());
        for (String[] command : new String[][] {{"serve"}, {"tunnel", "tcp2udt"}, {"tunnel", "udt2tcp"}}) {
            CapturedEnvironment help = CapturedEnvironment.in(directory);
            assertEquals(0, help.run(String.join(" ", command).concat(" --help").split(" ")));
            for (String option : new String[] {"--listen", "--transport", "--idle-timeout", "--log-file", "--debug",
                    "--plugins-dir"}) {
                assertTrue(help.out().contains(option), String.join(" ", command) + " lacks " + option + ":\n"
                        + help.out());
            }
        }
    }

    @Test
    void downloadHelpShowsTheRelayOptions() {
        CapturedEnvironment parcel = CapturedEnvironment.in(directory);
        assertEquals(0, parcel.run("download", "--help"));
        for (String option : new String[] {"--via=HOST:PORT", "--via-token-file", "--via-ca-file", "--via-pin"}) {
            assertTrue(parcel.out().contains(option), option + " missing:\n" + parcel.out());
        }
    }

    @Test
    void anUnknownTransportNamedToTheRealKernelIsAUsageError() {
        CapturedEnvironment parcel = CapturedEnvironment.in(directory);
        assertEquals(2, parcel.run("tunnel", "udt2tcp", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1",
                "--transport", "carrier-pigeon"));
        assertTrue(parcel.err().contains("unknown transport 'carrier-pigeon'"), parcel.err());
        assertTrue(parcel.err().contains("tcp"), "the message lists the known transports: " + parcel.err());
    }

    /**
     * Nothing refuses a UDT connection to a port where nobody listens: the user hears silence until the connect
     * timeout, at every attempt. Each failed attempt is a line that names the relay, not the upstream.
     */
    @Test
    void aDownloadViaARelayThatIsNotThereSaysSoAtEveryAttemptAndFails() throws Exception {
        try (BlackHole relay = BlackHole.silentUdp(InetAddress.getLoopbackAddress())) {
            String via = "127.0.0.1:" + relay.address().getPort();
            CapturedEnvironment parcel = CapturedEnvironment.in(directory);
            assertEquals(1, parcel.run("download", "--transport", "udt", "--via", via, "--connect-timeout", "400ms",
                    "--retries", "2", "--progress", "plain", "-d", directory.resolve("out").toString(),
                    "http://127.0.0.1:1/file.bin"));
            String notThere = "relay " + via + " did not accept within 400 ms over udt (is 'parcel serve' running"
                    + " there and reachable?)";
            List<String> lines = parcel.out().lines().toList();
            for (int attempt = 1; attempt <= 2; attempt++) {
                String retry = "http://127.0.0.1:1/file.bin: attempt " + attempt + " of 3 failed (" + notThere
                        + "); trying again in ";
                assertEquals(1, lines.stream().filter(line -> line.contains(retry)).count(), parcel.out());
            }
            assertTrue(lines.stream().anyMatch(line -> line.endsWith("file.bin: failed: " + notThere)), parcel.out());
            assertEquals("parcel: http://127.0.0.1:1/file.bin: " + notThere, parcel.err().strip());
        }
    }

    @Test
    void aMalformedViaIsAUsageErrorBeforeAnyTransfer() {
        CapturedEnvironment parcel = CapturedEnvironment.in(directory);
        assertEquals(2, parcel.run("download", "--via", "relay.example.org", "http://127.0.0.1:1/file"));
        assertTrue(parcel.err().contains("--via"), parcel.err());
    }
}
