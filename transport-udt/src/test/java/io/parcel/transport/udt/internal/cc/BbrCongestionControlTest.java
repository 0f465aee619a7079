package io.parcel.transport.udt.internal.cc;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BbrCongestionControlTest {
    private static final long MILLI = 1_000_000L;

    private final NativeCongestionControlTest.InMemoryContext context = new NativeCongestionControlTest.InMemoryContext();
    private final BbrCongestionControl control = new BbrCongestionControl(new Random(1));
    private long now = 0;
    private int sequence = 1;

    @BeforeEach
    void setUp() {
        context.rtt = 100_000;
        control.init(context, sequence, now);
    }

    /** One 10 ms step: some packets leave, the receiver reports {@code rate}, an ACK arrives. */
    private void step(int rate, int lost) {
        for (int i = 0; i < 50; i++) {
            control.onPacketSent(sequence++, false, now);
        }
        if (lost > 0) {
            control.onLoss(sequence - 10, lost, now);
        }
        now += 10 * MILLI;
        control.onRateReport(rate, 0, now);
        control.onAck(sequence - 20, now);
    }

    @Test
    void startsPacedAtAModestRateWithAWindow() {
        assertTrue(control.periodMicros() > 100);
        assertTrue(control.windowPackets() >= 16);
    }

    @Test
    void startupPacesAboveTheEstimateAndLeavesWhenItStopsGrowing() {
        int rate = 1_000;
        for (int i = 0; i < 30; i++) {
            step(rate, 0);
            rate = (int) Math.min(8_333, rate * 2.0);
        }
        assertEquals(8_333, control.bandwidth(), 1);
        for (int i = 0; i < 200 && !control.mode().equals("PROBE_BW"); i++) {
            step(8_333, 0);
        }
        assertEquals("PROBE_BW", control.mode());
        double rate1 = 1_000_000.0 / control.periodMicros();
        assertTrue(rate1 >= 8_333 * 0.74 && rate1 <= 8_333 * 1.26, "paced near the estimate: " + rate1);
        // cwnd about 2.5 x BDP (at 100 ms + 20 ms) + 16
        assertEquals(2.5 * 8_333 * 0.12 + 16, control.windowPackets(), 1);
    }

    @Test
    void randomLossDoesNotLowerTheRate() {
        for (int i = 0; i < 300; i++) {
            step(8_333, 1);
        }
        double before = control.bandwidth();
        for (int i = 0; i < 300; i++) {
            step(8_333, 2);
        }
        assertEquals(before, control.bandwidth(), 1e-9);
        assertEquals(8_333, before, 1);
    }

    @Test
    void heavyLossWithAGrownQueueLowersTheEstimate() {
        for (int i = 0; i < 300; i++) {
            step(8_333, 0);
        }
        context.rtt = 250_000;
        for (int i = 0; i < 40; i++) {
            step(8_333, 0);
        }
        // the minimum RTT is still 100 ms; now losses of 20 % of each round while the RTT is 250 ms
        step(4_000, 10);
        for (int i = 0; i < 30; i++) {
            step(4_000, 10);
        }
        assertTrue(control.bandwidth() < 8_333 * 0.9, "estimate after congestion: " + control.bandwidth());
    }
}
