package io.parcel.transport.udt.internal.cc;

import java.util.Random;

import static java.util.Objects.requireNonNull;

/**
 * A deterministic stand-in for a path and a UDT receiver, stepped in 1 ms ticks on a fake clock: the sender sends
 * what the path delivers ({@code rate} packets/s), each packet is lost with probability {@code loss}, the receiver
 * NAKs a hole when the next packet arrives (the NAK reaches the sender one RTT after that packet left) and
 * sends a cumulative ACK every 10 ms; a hole blocks the ACK until its repair's feedback is back, one RTT (and the
 * queueing delay then) after the repair left: at once on the NAK, or in its turn when repairs share the path.
 * Only the congestion control's view is modelled, not the connection's buffers.
 */
final class PathModel {
    private static final long TICK_NANOS = 1_000_000L;
    private static final long ACK_NANOS = 10_000_000L;
    private static final int CAPACITY = 1 << 19;

    private final CongestionControl control;
    private final NativeCongestionControlTest.InMemoryContext context;
    private final long rttNanos;
    private final Random random;
    private final long[] sendTimes = new long[CAPACITY];
    private final boolean[] lost = new boolean[CAPACITY];
    /** Queueing delay each packet meets on its way (added to the RTT of its feedback). */
    private final long[] queueDelays = new long[CAPACITY];
    /** When the feedback about each lost packet's repair can reach the sender (0: not resent yet). */
    private final long[] repairFeedback = new long[CAPACITY];
    private long queueDelayNanos;
    private double arrivalShare;
    private int rate;
    private final int firstSequence;
    private int nextSequence;
    private int nextNak;
    private int ack;
    private long now;
    private long nextAckNanos;
    private double sendCredit;
    private boolean sendLimited;
    private boolean resendsShareThePath;
    private final java.util.ArrayDeque<Integer> pendingResends = new java.util.ArrayDeque<>();
    private int linkCapacity;

    PathModel(CongestionControl control, NativeCongestionControlTest.InMemoryContext context, int firstSequence,
            long rttNanos, Random random) {
        this.control = requireNonNull(control, "control is null");
        this.context = requireNonNull(context, "context is null");
        this.random = requireNonNull(random, "random is null");
        this.rttNanos = rttNanos;
        this.firstSequence = firstSequence;
        this.nextSequence = firstSequence;
        this.nextNak = firstSequence;
        this.ack = firstSequence;
        control.init(context, firstSequence, now);
        nextAckNanos = now + ACK_NANOS;
    }

    /** From now on the sender reports each tick that it was held back (slow reader, full flow window). */
    void sendLimited(boolean limited) {
        this.sendLimited = limited;
    }

    /** From now on each full ACK carries this packet-pair capacity estimate (packets/s; 0 = none, as by default). */
    void reportCapacity(int packetsPerSecond) {
        this.linkCapacity = packetsPerSecond;
    }

    /**
     * From now on a retransmission takes its slot of the path's rate, as at a real bottleneck, instead of
     * leaving on top of it (the default): the first transmissions then slow down by what is resent.
     */
    void resendsShareThePath(boolean share) {
        this.resendsShareThePath = share;
    }

    /** From now on every packet sent waits this long in a queue on its way (0 = none, as by default). */
    void queueDelay(long nanos) {
        this.queueDelayNanos = nanos;
    }

    /**
     * From now on each full ACK reports an arrival rate of this share of the path's rate (0 = none, as by default:
     * a receiver whose thread batches arrivals has no usable one).
     */
    void reportArrivals(double share) {
        this.arrivalShare = share;
    }

    /** Runs for {@code durationNanos} with the path delivering {@code rate} packets/s, losing {@code loss}. */
    void run(long durationNanos, int rate, double loss) {
        long end = now + durationNanos;
        this.rate = rate;
        while (now < end) {
            now += TICK_NANOS;
            sendCredit += rate * (TICK_NANOS / 1e9);
            while (sendCredit >= 1) {
                sendCredit--;
                if (pendingResends.isEmpty()) {
                    send(loss);
                } else {
                    resend(pendingResends.poll());
                }
            }
            if (sendLimited) {
                control.onSendLimited(now);
            }
            reportLosses();
            if (now >= nextAckNanos) {
                nextAckNanos += ACK_NANOS;
                acknowledge();
            }
        }
    }

    private void send(double loss) {
        int sequence = nextSequence++;
        if (sequence - firstSequence >= CAPACITY) {
            throw new IllegalStateException("path model ran out of room; shorten the test");
        }
        sendTimes[index(sequence)] = now;
        repairFeedback[index(sequence)] = 0;
        lost[index(sequence)] = random.nextDouble() < loss;
        queueDelays[index(sequence)] = queueDelayNanos;
        context.lastSent = sequence;
        control.onPacketSent(sequence, false, now);
    }

    private void resend(int sequence) {
        repairFeedback[index(sequence)] = now + rttNanos + queueDelayNanos;
        control.onPacketSent(sequence, true, now);
    }

    /** A hole is NAKed once the packet after it has arrived and the NAK has come back: one RTT after it left. */
    private void reportLosses() {
        while (nextNak + 1 < nextSequence && feedbackTime(nextNak + 1) <= now) {
            if (lost[index(nextNak)]) {
                control.onLostRange(nextNak, nextNak, now);
                control.onLoss(nextNak, 1, now);
                if (resendsShareThePath) {
                    pendingResends.add(nextNak);
                } else {
                    resend(nextNak);
                }
            }
            nextNak++;
        }
    }

    private void acknowledge() {
        while (ack < nextSequence) {
            // arrived and reported (half an RTT each way), or for a lost packet once its repair has come through
            boolean repairing = lost[index(ack)];
            if (repairing && (ack + 1 >= nextSequence || repairFeedback[index(ack)] == 0)) {
                break;
            }
            long known = repairing ? repairFeedback[index(ack)] : feedbackTime(ack);
            if (known > now) {
                break;
            }
            ack++;
        }
        control.onRateReport((int) (arrivalShare * rate), linkCapacity, now);
        control.onAck(ack, now);
    }

    /** When feedback about {@code sequence} can reach the sender: an RTT and its queueing delay after it left. */
    private long feedbackTime(int sequence) {
        return sendTimes[index(sequence)] + rttNanos + queueDelays[index(sequence)];
    }

    private int index(int sequence) {
        return (sequence - firstSequence) & (CAPACITY - 1);
    }
}
