package io.parcel.transport.udt.internal.cc;

import io.parcel.transport.udt.internal.wire.SeqNo;

import java.util.Random;

import static java.util.Objects.requireNonNull;

/**
 * UDT 4.11's native control ({@code CUDTCC}): slow start to the peer's flow window, then a rate-based DAIMD
 * adjusted every SYN (10 ms). Reproduced as the reference runs it, including its quirks (the inverted
 * {@code cwnd / (RTT + SYN)} fallback period on early loss, the 0.01 minimum increase, at most five decreases per
 * congestion period), so that a C++ peer and we behave alike. Only the random generator differs (glibc rand()).
 */
public final class NativeCongestionControl implements CongestionControl {
    public static final String NAME = "native";

    private static final double RATE_CONTROL_INTERVAL_MICROS = 10_000;
    private static final long RATE_CONTROL_INTERVAL_NANOS = 10_000_000;
    private static final double MIN_INCREASE = 0.01;
    private static final double DECREASE_FACTOR = 1.125;

    private CongestionContext context;
    private double period = 1;
    private double window = 16;
    private boolean slowStart = true;
    private boolean lossSinceIncrease;
    private long lastRateControlNanos;
    private int lastAck;
    private int lastDecreaseSequence;
    private double lastDecreasePeriod = 1;
    private int averageNakCount;
    private int nakCount;
    private int decreaseCount;
    private int decreaseRandom = 1;

    @Override
    public void init(CongestionContext context, int initialSequence, long nowNanos) {
        this.context = requireNonNull(context, "context is null");
        lastRateControlNanos = nowNanos;
        lastAck = SeqNo.decrement(initialSequence);
        lastDecreaseSequence = SeqNo.decrement(lastAck);
    }

    @Override
    public void onAck(int ack, long nowNanos) {
        if (nowNanos - lastRateControlNanos < RATE_CONTROL_INTERVAL_NANOS) {
            return;
        }
        lastRateControlNanos = nowNanos;
        int receiveRate = context.receiveRate();
        if (slowStart) {
            window += SeqNo.length(lastAck, ack);
            lastAck = ack;
            if (window > context.maxWindow()) {
                slowStart = false;
                period = receiveRate > 0
                        ? 1_000_000.0 / receiveRate
                        : (context.rttMicros() + RATE_CONTROL_INTERVAL_MICROS) / window;
            }
        } else {
            window = receiveRate / 1_000_000.0 * (context.rttMicros() + RATE_CONTROL_INTERVAL_MICROS) + 16;
        }
        if (slowStart) {
            return;
        }
        if (lossSinceIncrease) {
            lossSinceIncrease = false;
            return;
        }
        int bandwidth = context.bandwidth();
        double spare = bandwidth - 1_000_000.0 / period;
        if (period > lastDecreasePeriod && bandwidth / 9.0 < spare) {
            spare = bandwidth / 9.0;
        }
        double increase;
        if (spare <= 0) {
            increase = MIN_INCREASE;
        } else {
            int mss = context.mss();
            increase = Math.pow(10.0, Math.ceil(Math.log10(spare * mss * 8.0))) * 0.0000015 / mss;
            increase = Math.max(increase, MIN_INCREASE);
        }
        period = period * RATE_CONTROL_INTERVAL_MICROS / (period * increase + RATE_CONTROL_INTERVAL_MICROS);
    }

    @Override
    public void onLoss(int firstLost, int lostCount, long nowNanos) {
        if (slowStart) {
            slowStart = false;
            int receiveRate = context.receiveRate();
            if (receiveRate > 0) {
                period = 1_000_000.0 / receiveRate;
                return;
            }
            // Inverted in 4.11 (should be (RTT + SYN) / cwnd); kept so both ends behave the same.
            period = window / (context.rttMicros() + RATE_CONTROL_INTERVAL_MICROS);
        }
        lossSinceIncrease = true;
        if (SeqNo.compare(firstLost & SeqNo.MAX, lastDecreaseSequence) > 0) {
            lastDecreasePeriod = period;
            period = Math.ceil(period * DECREASE_FACTOR);
            averageNakCount = (int) Math.ceil(averageNakCount * 0.875 + nakCount * 0.125);
            nakCount = 1;
            decreaseCount = 1;
            lastDecreaseSequence = context.lastSentSequence();
            decreaseRandom = (int) Math.ceil(averageNakCount * new Random(lastDecreaseSequence).nextDouble());
            if (decreaseRandom < 1) {
                decreaseRandom = 1;
            }
        } else if (decreaseCount++ < 5 && (++nakCount % decreaseRandom) == 0) {
            period = Math.ceil(period * DECREASE_FACTOR);
            lastDecreaseSequence = context.lastSentSequence();
        }
    }

    @Override
    public void onTimeout(long nowNanos) {
        if (slowStart) {
            slowStart = false;
            int receiveRate = context.receiveRate();
            period = receiveRate > 0
                    ? 1_000_000.0 / receiveRate
                    : window / (context.rttMicros() + RATE_CONTROL_INTERVAL_MICROS);
        }
    }

    @Override
    public void onCongestionWarning(long nowNanos) {
        period *= DECREASE_FACTOR;
    }

    @Override
    public double periodMicros() {
        return period;
    }

    @Override
    public double windowPackets() {
        return window;
    }

    boolean inSlowStart() {
        return slowStart;
    }
}
