package io.parcel.cli.perf;

import java.net.Socket;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SocketStatisticsTest {
    @Test
    void readsAMapFromAPublicStatisticsMethod() throws Exception {
        try (Socket socket = new ReportingSocket()) {
            assertEquals(Map.of("rtt_ms", 12.5, "state", "connected"), SocketStatistics.of(socket));
        }
    }

    @Test
    void readsNameValueWordsFromAStatisticsText() throws Exception {
        try (Socket socket = new DescribingSocket()) {
            assertEquals(Map.of("rtt_us", 1500L, "period_us", 1.25, "sent", 42L, "retransmitted", 3L),
                    SocketStatistics.of(socket));
        }
    }

    @Test
    void aSocketWithoutOrFailingStatisticsHasNone() throws Exception {
        try (Socket plain = new Socket(); Socket failing = new FaultySocket()) {
            assertEquals(Map.of(), SocketStatistics.of(plain));
            assertEquals(Map.of(), SocketStatistics.of(failing));
        }
    }

    static final class ReportingSocket extends Socket {
        public Map<String, Object> statistics() {
            return Map.of("rtt_ms", 12.5, "state", new StringBuilder("connected"));
        }
    }

    static final class DescribingSocket extends Socket {
        public String statistics() {
            return "rtt=1500us period=1.25us sent=42 retransmitted=3 native{slowStart=false} state=open";
        }
    }

    static final class FaultySocket extends Socket {
        public Map<String, Object> statistics() {
            throw new IllegalStateException("closed");
        }
    }
}
