package io.parcel.cli.perf;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerfResultTest {
    private static final String SHA = "ab".repeat(32);

    @Test
    void jsonIsOneLineWithTheSharedFieldNames() {
        PerfResult result = new PerfResult("client", "send", "udt", "rendezvous", "[::1]:9000", 125_000_000, 2.0, SHA,
                1.5, Map.of("rtt_ms", 0.25, "retransmitted", 7L), Optional.empty());

        String json = result.toJson();

        assertFalse(json.contains("\n"));
        assertTrue(json.contains("\"bytes\":125000000,"), json);
        assertTrue(json.contains("\"seconds\":2.000000,"), json);
        assertTrue(json.contains("\"mbps\":500.000,"), json);
        assertTrue(json.contains("\"sha256\":\"" + SHA + "\""), json);
        assertTrue(json.contains("\"ok\":true"), json);
        assertTrue(json.contains("\"stats\":{\"retransmitted\":7,\"rtt_ms\":0.250}"), json);
        assertFalse(json.contains("error"), json);
    }

    @Test
    void failuresCarryAnEscapedErrorAndNoHashWhenNoneWasComputed() {
        PerfResult result = new PerfResult("server", "receive", "tcp", "client-server", "127.0.0.1:1", 0, 0, "", 0,
                Map.of(), Optional.of("bad \"quote\"\nand line"));

        String json = result.toJson();

        assertTrue(json.contains("\"ok\":false"), json);
        assertTrue(json.contains("\"error\":\"bad \\\"quote\\\"\\nand line\""), json);
        assertFalse(json.contains("sha256"), json);
        assertEquals(0, result.mbps());
        assertTrue(result.toText().contains("FAILED: bad"), result.toText());
    }

    @Test
    void cpuPerGibScalesWithTheBytesMoved() {
        PerfResult result = new PerfResult("server", "receive", "tcp", "client-server", "p", 2L << 30, 1, SHA, 3.0,
                Map.of(), Optional.empty());

        assertEquals(1.5, result.cpuSecondsPerGib(), 1e-9);
        assertTrue(result.toText().contains("goodput"), result.toText());
    }
}
