package io.parcel.transport.udt.internal.cc;

import io.parcel.transport.udt.internal.wire.SeqNo;

import java.util.Arrays;
import java.util.Random;

import static java.util.Objects.requireNonNull;

/**
 * A rate-based, model-driven control in the spirit of BBR v1 (notes/congestion-control.md): it estimates the
 * bottleneck rate as the windowed maximum of the receiver's reported packet arrival rate (a median of
 * inter-arrival gaps, which random loss hardly moves, unlike loss-based signals) and paces at a gain cycle around
 * it: STARTUP (2.885x until the estimate stops growing by 25 % for three rounds), DRAIN, then PROBE_BW (1.25,
 * 0.75, then six rounds at 1.0, starting at a random phase). The window is a multiple of the estimated
 * bandwidth-delay product plus room for UDT's 10 ms ACK clock and hole repair, which stalls the cumulative ACK for
 * about one round trip per loss. Random loss is not acted on; a round with heavy loss <em>and</em> a grown queue
 * (smoothed RTT well above the minimum) is taken as congestion and lowers the estimate by 15 %.
 *
 * <p>Not implemented yet: PROBE_RTT (the minimum RTT is the minimum of the receiver's smoothed RTT over 10 s).
 */
public final class BbrCongestionControl implements CongestionControl {
    public static final String NAME = "bbr";

    private static final double STARTUP_GAIN = 2.885;
    private static final double DRAIN_GAIN = 1 / 2.885;
    private static final double[] PROBE_GAINS = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    private static final double CWND_GAIN = 2.5;
    private static final int BANDWIDTH_ROUNDS = 10;
    /**
     * UDT acknowledges on a 10 ms clock, so a delivery-rate sample over a shorter span is off by up to half; five
     * ACK intervals keep that under 20 %, enough for STARTUP's 25 % growth test.
     */
    private static final long MIN_ROUND_NANOS = 50_000_000L;
    private static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;
    private static final double INITIAL_RATE = 1_000; // packets/s until the first report
    private static final int MIN_WINDOW = 64;
    /** Before the first sample: about what the initial pacing rate needs for 100 ms round trips. */
    private static final int INITIAL_WINDOW = 256;
    private static final double CONGESTION_LOSS_FRACTION = 0.1;
    private static final double CONGESTION_BACKOFF = 0.85;
    private static final long MIN_DELIVERED_FOR_REPORTS = 32;
    private static final int BASELINE_ROUNDS = 8;
    private static final int SEND_TIME_SLOTS = 1 << 16;

    private enum Mode { STARTUP, DRAIN, PROBE_BW }

    private final double[] roundMaxima = new double[BANDWIDTH_ROUNDS];
    private final Random random;
    private CongestionContext context;
    private Mode mode = Mode.STARTUP;
    private double pacingGain = STARTUP_GAIN;
    private double cwndGain = STARTUP_GAIN;
    private int roundIndex;
    private double fullBandwidth;
    private int roundsWithoutGrowth;
    private int cycleIndex;
    private long minRttMicros = Long.MAX_VALUE;
    private long minRttStampNanos;
    private long sentInRound;
    private long lostInRound;
    private int lastSent;
    private int lastAck;
    private long delivered;
    private long deliveredAtRoundStart;
    private long roundStartNanos;
    private int roundEndSequence;
    private boolean sampledInRound;
    private double latestDeliveryRate;
    private final long[] sendTimes = new long[SEND_TIME_SLOTS];
    private long referenceDelivered;
    private long referenceAckNanos;
    private long referenceSendNanos;
    private boolean haveDeliverySample;
    private double baselineLoss;
    private int judgedRounds;

    public BbrCongestionControl() {
        this(new Random());
    }

    BbrCongestionControl(Random random) {
        this.random = requireNonNull(random, "random is null");
    }

    @Override
    public void init(CongestionContext context, int initialSequence, long nowNanos) {
        this.context = requireNonNull(context, "context is null");
        roundStartNanos = nowNanos;
        minRttStampNanos = nowNanos;
        lastSent = SeqNo.decrement(initialSequence);
        lastAck = initialSequence;
        roundEndSequence = initialSequence;
    }

    @Override
    public void onAck(int ack, long nowNanos) {
        int advance = SeqNo.offset(lastAck, ack);
        if (advance > 0) {
            delivered += advance;
            lastAck = ack;
            sampleDeliveryRate(nowNanos);
        }
        updateMinRtt(nowNanos);
        // packet-timed rounds: a round ends once a packet sent after it began is acknowledged
        if (SeqNo.compare(ack, roundEndSequence) > 0 && nowNanos - roundStartNanos >= MIN_ROUND_NANOS) {
            endRound(nowNanos);
        }
    }

    /**
     * The draft BBR delivery rate over UDT's cumulative ACK: packets acknowledged since the reference point (set at
     * each round start) divided by the longer of the ACK interval and the send interval of those packets, so that
     * an ACK jump after a repaired hole is not read as a burst of bandwidth. Samples shorter than the minimum RTT
     * (or 10 ms, the ACK clock) are too noisy and are skipped.
     */
    private void sampleDeliveryRate(long nowNanos) {
        long newestSend = sendTimes[SeqNo.decrement(lastAck) & (SEND_TIME_SLOTS - 1)];
        if (referenceAckNanos == 0 || newestSend == 0) {
            return;
        }
        long interval = Math.max(nowNanos - referenceAckNanos, newestSend - referenceSendNanos);
        long floor = Math.max(MIN_ROUND_NANOS, minRttMicros == Long.MAX_VALUE ? 0 : minRttMicros * 1000);
        if (interval < floor || delivered <= referenceDelivered) {
            return;
        }
        offer((delivered - referenceDelivered) * 1e9 / interval);
        haveDeliverySample = true;
    }

    private void resetReference(long nowNanos) {
        referenceDelivered = delivered;
        referenceAckNanos = nowNanos;
        referenceSendNanos = sendTimes[SeqNo.decrement(lastAck) & (SEND_TIME_SLOTS - 1)];
    }

    @Override
    public void onRateReport(int arrivalRate, int linkCapacity, long nowNanos) {
        // Arrival gaps measure the path only where nothing batches packets (emulators, NIC offloads and
        // interrupt coalescing do); they seed the estimate until our own delivery-rate samples exist. The
        // receiver's window starts with 1 s gaps, so its first reports describe that, not the path.
        if (arrivalRate <= 0 || delivered < MIN_DELIVERED_FOR_REPORTS || haveDeliverySample) {
            return;
        }
        double sample = arrivalRate;
        if (linkCapacity > 0) {
            // packet pairs bound what the path can carry; arrival gaps of a paced flow cannot beat it by much
            sample = Math.min(sample, linkCapacity * 1.25);
        }
        offer(sample);
    }

    private void offer(double sample) {
        if (sample > roundMaxima[roundIndex]) {
            roundMaxima[roundIndex] = sample;
        }
        sampledInRound = true;
    }

    @Override
    public void onLoss(int firstLost, int lostCount, long nowNanos) {
        lostInRound += lostCount;
    }

    @Override
    public void onTimeout(long nowNanos) {
        // the EXP go-back-N resend is recovery, not a congestion verdict; rounds judge the loss rate
    }

    /** A window of packets resent at once would be a burst of duplicates: pacing makes BDPs large. */
    @Override
    public boolean resendAllOnTimeout() {
        return false;
    }

    @Override
    public void onPacketSent(int sequence, boolean retransmission, long nowNanos) {
        if (!retransmission) {
            sentInRound++;
            lastSent = sequence;
            sendTimes[sequence & (SEND_TIME_SLOTS - 1)] = nowNanos;
        }
    }

    private void updateMinRtt(long nowNanos) {
        long rtt = context.rttMicros();
        if (rtt > 0 && (rtt <= minRttMicros || nowNanos - minRttStampNanos > MIN_RTT_WINDOW_NANOS)) {
            minRttMicros = rtt;
            minRttStampNanos = nowNanos;
        }
    }

    private void endRound(long nowNanos) {
        long elapsed = nowNanos - roundStartNanos;
        latestDeliveryRate = elapsed > 0 ? (delivered - deliveredAtRoundStart) * 1e9 / elapsed : 0;
        deliveredAtRoundStart = delivered;
        resetReference(nowNanos);
        roundStartNanos = nowNanos;
        roundEndSequence = lastSent;
        judgeCongestion();
        double bandwidth = bandwidth();
        switch (mode) {
            case STARTUP -> {
                if (bandwidth >= fullBandwidth * 1.25) {
                    fullBandwidth = bandwidth;
                    roundsWithoutGrowth = 0;
                } else if (sampledInRound && ++roundsWithoutGrowth >= 3) {
                    mode = Mode.DRAIN;
                    pacingGain = DRAIN_GAIN;
                    cwndGain = STARTUP_GAIN;
                }
            }
            case DRAIN -> {
                // one round at the drain gain empties about what startup queued (2.885x for a round or less)
                mode = Mode.PROBE_BW;
                cycleIndex = random.nextInt(PROBE_GAINS.length - 1);
                if (cycleIndex >= 1) {
                    cycleIndex++;
                }
                pacingGain = PROBE_GAINS[cycleIndex];
                cwndGain = CWND_GAIN;
            }
            case PROBE_BW -> {
                cycleIndex = (cycleIndex + 1) % PROBE_GAINS.length;
                pacingGain = PROBE_GAINS[cycleIndex];
            }
        }
        roundIndex = (roundIndex + 1) % BANDWIDTH_ROUNDS;
        roundMaxima[roundIndex] = 0;
        sentInRound = 0;
        lostInRound = 0;
        sampledInRound = false;
    }

    /**
     * Random loss is stationary; congestion loss comes in a burst while the queue grows. A round is judged
     * congested only when its loss fraction is well above the learned baseline (twice it, and above 10 %) and the
     * RTT has grown; then the estimate drops by 15 %, but never below what this round delivered.
     */
    private void judgeCongestion() {
        if (sentInRound < 20 || minRttMicros == Long.MAX_VALUE) {
            return;
        }
        double lossFraction = Math.min(1.0, (double) lostInRound / sentInRound);
        boolean queueGrew = context.rttMicros() > minRttMicros * 1.5 + 10_000;
        boolean congested = judgedRounds >= BASELINE_ROUNDS && queueGrew
                && lossFraction > Math.max(CONGESTION_LOSS_FRACTION, 2 * baselineLoss);
        judgedRounds++;
        if (!congested) {
            baselineLoss += (lossFraction - baselineLoss) / BASELINE_ROUNDS;
            return;
        }
        double lowered = Math.max(bandwidth() * CONGESTION_BACKOFF, latestDeliveryRate);
        Arrays.fill(roundMaxima, 0);
        roundMaxima[roundIndex] = lowered;
        if (mode == Mode.STARTUP) {
            mode = Mode.DRAIN;
            pacingGain = DRAIN_GAIN;
        }
    }

    /** The bottleneck estimate, packets/s (0 before the first report). */
    double bandwidth() {
        double max = 0;
        for (double value : roundMaxima) {
            max = Math.max(max, value);
        }
        return max;
    }

    @Override
    public double periodMicros() {
        double bandwidth = bandwidth();
        if (mode == Mode.STARTUP || bandwidth <= 0) {
            // until the pipe is known to be full, never pace below the initial rate
            bandwidth = Math.max(bandwidth, INITIAL_RATE);
        }
        return 1_000_000.0 / (bandwidth * pacingGain);
    }

    @Override
    public double windowPackets() {
        double bandwidth = bandwidth();
        if (bandwidth <= 0) {
            return INITIAL_WINDOW;
        }
        long rtt = minRttMicros == Long.MAX_VALUE ? context.rttMicros() : minRttMicros;
        // the ACK timer (10 ms) and a hole's repair (about one RTT) both hold back the cumulative ACK
        double bdp = bandwidth * (rtt + 20_000) / 1_000_000.0;
        return Math.max(MIN_WINDOW, cwndGain * bdp + 16);
    }

    String mode() {
        return mode.name();
    }

    @Override
    public String toString() {
        return "bbr[" + mode + " bw=" + Math.round(bandwidth()) + "pkt/s gain=" + pacingGain + " minRtt="
                + (minRttMicros == Long.MAX_VALUE ? -1 : minRttMicros) + "us]";
    }
}
