package io.parcel.transport.udt.internal.cc;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDT 4.11's CUDTCC, number by number (notes/udt-protocol.md §5). */
class NativeCongestionControlTest {
    private static final long SYN = 10_000_000L;

    /** A context whose values the test sets. */
    static final class InMemoryContext implements CongestionContext {
        int rtt = 100_000;
        int receiveRate = 16;
        int bandwidth = 1;
        int lastSent = 99;
        int maxWindow = 8192;

        @Override
        public int rttMicros() {
            return rtt;
        }

        @Override
        public int rttVarianceMicros() {
            return rtt / 2;
        }

        @Override
        public int receiveRate() {
            return receiveRate;
        }

        @Override
        public int bandwidth() {
            return bandwidth;
        }

        @Override
        public int lastSentSequence() {
            return lastSent;
        }

        @Override
        public int maxWindow() {
            return maxWindow;
        }

        @Override
        public int mss() {
            return 1500;
        }
    }

    private final InMemoryContext context = new InMemoryContext();
    private final NativeCongestionControl control = new NativeCongestionControl();
    private long now = 0;

    @BeforeEach
    void setUp() {
        control.init(context, 100, now);
    }

    @Test
    void startsUnpacedWithSixteenPackets() {
        assertEquals(1.0, control.periodMicros());
        assertEquals(16.0, control.windowPackets());
        assertTrue(control.inSlowStart());
    }

    @Test
    void slowStartGrowsByTheAcknowledgedLengthOncePerSyn() {
        now += SYN;
        control.onAck(200, now);
        assertEquals(16 + 102, control.windowPackets(), "seqlen(99, 200) = 102");
        control.onAck(300, now + 1);
        assertEquals(118, control.windowPackets(), "nothing within the same 10 ms");
    }

    @Test
    void slowStartEndsAboveTheFlowWindowAtTheReportedRate() {
        context.maxWindow = 100;
        context.receiveRate = 50_000;
        now += SYN;
        control.onAck(300, now);
        assertFalse(control.inSlowStart());
        // 1e6 / 50000 = 20 µs, then (as in 4.11, same call) the minimum increase of 0.01 packets per SYN
        assertEquals(20.0 * 10_000 / (20.0 * 0.01 + 10_000), control.periodMicros(), 1e-9);
    }

    @Test
    void increaseFollowsThePowerOfTenRule() {
        context.maxWindow = 10;
        context.receiveRate = 10_000;
        now += SYN;
        control.onAck(300, now);
        double start = 100.0 * 10_000 / (100.0 * 0.01 + 10_000);
        assertEquals(start, control.periodMicros(), 1e-9);
        context.bandwidth = 110_000;
        now += SYN;
        control.onAck(400, now);
        // spare ~ 110000 - 10000 pkt/s, capped to bandwidth / 9 = 12222 because period > lastDecPeriod (1):
        // 10^ceil(log10(12222 * 1500 * 8)) * 1.5e-6 / 1500 = 1 packet per SYN
        double expected = start * 10_000 / (start * 1 + 10_000);
        assertEquals(expected, control.periodMicros(), 1e-9);
        assertEquals(10_000 / 1e6 * (100_000 + 10_000) + 16, control.windowPackets(), 1e-9);
    }

    @Test
    void noIncreaseRightAfterALoss() {
        context.maxWindow = 10;
        context.receiveRate = 10_000;
        now += SYN;
        control.onAck(300, now);
        context.lastSent = 400;
        control.onLoss(350, 1, now);
        double afterLoss = control.periodMicros();
        assertEquals(Math.ceil(100.0 * 10_000 / (100.0 * 0.01 + 10_000) * 1.125), afterLoss);
        now += SYN;
        control.onAck(360, now);
        assertEquals(afterLoss, control.periodMicros(), "the interval after a loss does not increase");
    }

    @Test
    void atMostFiveDecreasesPerCongestionPeriod() {
        context.maxWindow = 10;
        context.receiveRate = 10_000;
        now += SYN;
        control.onAck(300, now);
        context.lastSent = 1_000;
        control.onLoss(500, 1, now);
        double period = control.periodMicros();
        int decreases = 1;
        for (int i = 0; i < 200; i++) {
            control.onLoss(600, 1, now);
            if (control.periodMicros() != period) {
                decreases++;
                period = control.periodMicros();
            }
        }
        assertTrue(decreases <= 5, "decreases: " + decreases);
        context.lastSent = 3_000;
        control.onLoss(2_000, 1, now);
        assertTrue(control.periodMicros() > period, "a loss beyond the last decrease opens a new period");
    }

    @Test
    void firstLossInSlowStartUsesTheReceiveRate() {
        context.receiveRate = 8_000;
        control.onLoss(120, 1, now);
        assertFalse(control.inSlowStart());
        assertEquals(125.0, control.periodMicros(), 1e-9);
    }

    @Test
    void timeoutInSlowStartLeavesIt() {
        context.receiveRate = 1_000;
        control.onTimeout(now);
        assertFalse(control.inSlowStart());
        assertEquals(1_000.0, control.periodMicros(), 1e-9);
    }
}
