package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.cc.CongestionContext;
import io.parcel.transport.udt.internal.cc.CongestionControl;
import io.parcel.transport.udt.internal.wire.Handshake;
import org.junit.jupiter.api.Test;

import static io.parcel.transport.udt.internal.core.InMemoryLink.MILLI;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sender's pacer against a control with a fixed period, on a hand-stepped clock. */
class PacingTest {
    private static final double PERIOD_MICROS = 100;

    /** Paces one packet per 100 µs with a window that never binds. */
    private static final class FixedPace implements CongestionControl {
        @Override
        public void init(CongestionContext context, int initialSequence, long nowNanos) {
        }

        @Override
        public void onAck(int ack, long nowNanos) {
        }

        @Override
        public void onLoss(int firstLost, int lostCount, long nowNanos) {
        }

        @Override
        public void onTimeout(long nowNanos) {
        }

        @Override
        public double periodMicros() {
            return PERIOD_MICROS;
        }

        @Override
        public double windowPackets() {
            return 1_000_000;
        }
    }

    /**
     * Every 16th packet is the first of a packet pair whose partner leaves right behind it; the gap after the pair
     * must be double, or the flow runs 17/16 of its pacing rate (it did: on a 100 Mbit/s path a right estimate
     * then kept the bottleneck queue full and overflowing).
     */
    @Test
    void probePairsDoNotRaiseTheRateAbovePacing() {
        InMemoryLink link = new InMemoryLink(new ConnectionConfig(1500, 4096, 4096, 25600, 0,
                Handshake.SOCKET_TYPE_STREAM, 3_000 * MILLI, FixedPace::new));
        link.connectClient(1000);
        link.deliverAll();
        assertEquals(UdtConnection.State.CONNECTED, link.client.state());
        byte[] data = new byte[3_000 * 1456];
        int written = link.client.write(data, 0, data.length);
        assertTrue(written >= 1_500 * 1456, "buffered only " + written + " bytes");
        long sentBefore = link.count(d -> d.toServer() && d.isData());
        long steps = 1_000; // 100 ms in 100 µs steps: 1,000 periods
        for (int i = 0; i < steps; i++) {
            link.step(100_000L);
        }
        long sent = link.count(d -> d.toServer() && d.isData()) - sentBefore;
        // one packet per period; the pair's extra packet borrows the next gap (at most one pair ahead)
        assertTrue(sent >= steps - 1 && sent <= steps + 2, sent + " packets in " + steps + " pacing periods");
    }
}
