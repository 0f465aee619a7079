package io.parcel.transport.udt.internal.cc;

import io.parcel.transport.udt.internal.wire.SeqNo;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * A rate-based, model-driven control in the spirit of BBR v1 (notes/congestion-control.md). The bottleneck rate is
 * a 10-round max of per-round delivery-rate figures (a high quantile of the round's samples), where a sample is the
 * goodput the feedback proves: the highest packet known received (ACK point, or the packet after a NAKed hole)
 * less every hole ever reported, over the longer of the feedback and the send interval, scaled up by the
 * retransmissions' share of the pace. It paces at a gain cycle around that estimate (STARTUP 2.885x until three
 * rounds without 25 % growth, or one that also lost over 8 % and twice the earlier rounds' share, DRAIN, PROBE_BW
 * 1.25, 0.75, six rounds at 1.0, from its probe after STARTUP and then from a random phase, where a drain gives way
 * once the feedback delay (of new packets or repairs) shows no queue and a short path's probe adds less after one
 * that overflowed the queue, while a short path's cruise keeps 1-2 ms queued against the sender's scheduling
 * delays, and PROBE_RTT at 0.75 until the queue drained when the minimum RTT was not confirmed for 10 s). Random loss is not acted on;
 * a round whose new losses are well above the learned baseline while the RTT has grown is congestion and lowers
 * the estimate by 15 %.
 */
public final class BbrCongestionControl implements CongestionControl {
    public static final String NAME = "bbr";

    private static final double STARTUP_GAIN = 2.885;
    private static final double DRAIN_GAIN = 1 / 2.885;
    /** The gain cycle's length: a probe above the estimate, a drain below it, six rounds at it. */
    private static final int CYCLE_ROUNDS = 8;
    /** BBR's probe: 1.25 of the estimate for a round, then 0.75 for the next. */
    private static final double PROBE_EXCESS = 0.25;
    /** The least a probe adds (see {@link #adaptProbe}): a few percent still shows a faster path in ten cycles. */
    private static final double MIN_PROBE_EXCESS = 0.03;
    /** Fewer new holes than this in a probe and its drain (beyond what the baseline loss explains) is no overflow. */
    private static final int PROBE_OVERFLOW_HOLES = 4;
    /**
     * BBR's 2, plus a little for the 10 ms ACK clock. The window counts what may still be in flight: packets the
     * feedback proved received beyond a hole at the ACK point are not (see {@link #windowPackets}). Counted from the
     * cumulative ACK instead, a lost retransmission held the window back for two more round trips, which took a
     * gain of 5 at RTT 200 ms 2 % loss; that window let a standing queue build wherever pacing overshot, and kept a
     * drop-tail queue full against a TCP CUBIC flow (CUBIC got 2-6 % of the link).
     */
    private static final double CWND_GAIN = 2.5;
    /** Linux BBR paces 1 % below its estimate so that a correct estimate does not build a standing queue. */
    private static final double PACING_MARGIN = 0.99;
    /**
     * PROBE_RTT paces at this share of the estimate until the feedback shows the queue drained, at least {@link
     * #PROBE_RTT_MIN_NANOS} and at most {@link #PROBE_RTT_MAX_NANOS}. Several flows whose minimum went stale
     * together (a standing queue of eight via-serve flows at RTT 50 ms, 40-50 ms deep) entered it together: at half
     * rate for a fixed 250 ms the link fell to 52-64 % for 100-200 ms once the queue was gone, every ~11 s; at 0.75
     * the queue drains (more slowly) and the link stays fuller (steady rate of 8 such flows, 8 runs each: median
     * 95.59 -> 95.76 Mbit/s). Waiting for the drain keeps the minimum honest where 0.75 takes longer.
     */
    private static final double PROBE_RTT_GAIN = 0.75;
    private static final long PROBE_RTT_MAX_NANOS = 750_000_000L;
    private static final double QUEUE_TRIM = 0.97;
    /** Less queueing delay than this, as the feedback delay shows it, ends a drain (see {@link #endDrainEarly}). */
    private static final long DRAINED_QUEUE_MAX_NANOS = 500_000L;
    /**
     * Where a drain leaves less queue than this, the cruise tops it up to between this and {@link
     * #CUSHION_HIGH_NANOS} by pacing at {@link #CUSHION_GAIN} (see {@link #keepCushion}).
     */
    private static final long CUSHION_LOW_NANOS = 1_000_000L;
    private static final long CUSHION_HIGH_NANOS = 2_000_000L;
    private static final double CUSHION_GAIN = 1.04;
    private static final long PROBE_RTT_MIN_NANOS = 250_000_000L;
    /**
     * The RTT the ACKs carry is the receiver's smoothed estimate, which starts at 100 ms and converges over a few
     * dozen ACK2s; a minimum taken earlier would be that initial guess.
     */
    private static final int RTT_SETTLE_ACKS = 25;
    /** Two rounds of arrival-rate reports bound the delivery samples (see {@link #arrivalCap()}). */
    private static final int ARRIVAL_ROUNDS = 2;
    private static final int BANDWIDTH_ROUNDS = 10;
    /**
     * UDT acknowledges on a 10 ms clock, so a delivery-rate sample over a shorter span is off by up to half; five
     * ACK intervals keep that under 20 %. STARTUP has its own, shorter floor.
     */
    private static final long MIN_ROUND_NANOS = 50_000_000L;
    /**
     * STARTUP's rounds may be as short as two ACK intervals: its samples only have to show growth (a noisy one
     * reads high as often as low, and the loss and queue rules end STARTUP as before), and each of its rounds
     * multiplies the pace by 2.885. On a short path every round lasted the full 50 ms, so the flow needed
     * ~150 ms to reach the link rate from its initial 1,000 packets/s, ~1,000 packets short of a full pipe (RTT 0,
     * 100 Mbit/s, 20 s runs alternating: median 95.52 -> 95.69 Mbit/s over 5 runs each). Where the RTT is longer than
     * 50 ms the round is the RTT either way.
     */
    private static final long STARTUP_ROUND_NANOS = 20_000_000L;
    private static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;
    private static final double INITIAL_RATE = 1_000; // packets/s until the first report
    private static final int MIN_WINDOW = 64;
    /** Before the first sample: never the limit; the initial pacing rate is (2.9k packets/s for up to 350 ms RTTs). */
    private static final int INITIAL_WINDOW = 1024;
    private static final double CONGESTION_LOSS_FRACTION = 0.05;
    /**
     * STARTUP's 2.885x overflows a drop-tail queue within a round of filling it; waiting three rounds for the
     * estimate to stop growing loses thousands of packets. Random loss of a few percent stays well below this,
     * and heavier loss does not jump to twice its level from one round to the next.
     */
    private static final double STARTUP_LOSS_FRACTION = 0.08;
    /** A round losing this many times the earlier rounds' share, and over {@link #STARTUP_LOSS_FRACTION}, overflowed. */
    private static final double STARTUP_SUDDEN_LOSS_RATIO = 4;
    /** The least queue the feedback must show for such a round to count (see {@link #feedbackShowsQueue}). */
    private static final long STARTUP_SUDDEN_QUEUE_NANOS = 2_000_000L;
    /** Bounds {@link #lossCorrection}: retransmissions beyond a third of the pace are more than random loss. */
    private static final double MAX_LOSS_CORRECTION = 1.5;
    private static final double CONGESTION_BACKOFF = 0.85;
    /**
     * STARTUP paces at most this much above the receiver's packet-pair estimate of the bottleneck capacity: a
     * flow cannot deliver more than the capacity, so 2.885x beyond it only fills the queue. At RTT 200 ms the
     * uncapped round after the pipe filled overflowed a 1-BDP queue by ~2,500 packets, whose repair stalled the
     * window for ~2 s (measured: 81 Mbit/s over 20 s at 2 % loss). The margin leaves room for the estimate's noise.
     */
    private static final double STARTUP_CAPACITY_GAIN = 1.1;
    /** STARTUP ends once the estimate reaches this share of the packet-pair capacity: the pipe is full. */
    private static final double STARTUP_FULL_CAPACITY = 0.9;
    private static final long MIN_DELIVERED_FOR_REPORTS = 32;
    /** The least queueing delay that ends STARTUP (see {@link #queueBuiltInRound}). */
    private static final long STARTUP_QUEUE_MIN_MICROS = 4_000;
    /**
     * The receiver's capacity filter starts as 64 made-up 1 ms probe gaps (1,000 packets/s) and one pair in 16
     * packets replaces one, so its reports describe the path only after about 64 x 16 packets.
     */
    private static final long MIN_DELIVERED_FOR_CAPACITY = 1_100;
    private static final int BASELINE_ROUNDS = 8;

    private static final boolean TRACE = Boolean.getBoolean("udt.bbr.trace");
    private static final long TRACE_T0 = System.nanoTime();
    /** Numbers the flows in the trace (id=), so that the lines of concurrent connections can be told apart. */
    private static final AtomicInteger TRACE_IDS = new AtomicInteger();

    static {
        if (TRACE) {
            // the trace's times are seconds since this line; the wall clock lets them be matched to link captures
            System.err.printf("bbr trace t0 epochMillis=%d%n", System.currentTimeMillis());
        }
    }
    private enum Mode { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    private final double[] roundMaxima = new double[BANDWIDTH_ROUNDS];
    private double bandwidth;
    private final Random random;
    private final int traceId = TRACE_IDS.incrementAndGet();
    private CongestionContext context;
    private Mode mode = Mode.STARTUP;
    private double pacingGain = STARTUP_GAIN;
    private double cwndGain = STARTUP_GAIN;
    private int roundIndex;
    private double fullBandwidth;
    private int roundsWithoutGrowth;
    private int cycleIndex;
    /** The gain cycle began with its probe (after STARTUP) and still has to take its random phase. */
    private boolean phasePending;
    /** What the gain cycle's probe adds to the estimate, and its drain takes off (see {@link #adaptProbe}). */
    private double probeExcess = PROBE_EXCESS;
    private long probeSent;
    private long probeHoles;
    private int probeOverflows;
    private long minRttMicros = Long.MAX_VALUE;
    private long minRttStampNanos;
    private long sentInRound;
    private long resentInRound;
    /** The retransmissions' share of what was sent, smoothed over {@link #BASELINE_ROUNDS} rounds. */
    private double retransmitShare;
    private int startupLossRounds;
    private double startupLossSum;
    private int lastSent;
    private int lastAck;
    private long delivered;
    private long knownAtRoundStart;
    private long roundStartNanos;
    private int roundEndSequence;
    private boolean sampledInRound;
    private double latestDeliveryRate;
    /**
     * Per packet: its send time, {@link #resentTotal} when it was first sent (the retransmissions sent between two
     * packets), whether a loss report named it, and when its latest retransmission left (the repairs' feedback delay).
     */
    private final SentPackets packets = new SentPackets();
    private long resentTotal;
    private long lostTotal;
    /** Reported holes the cumulative ACK has not passed yet: lost, or their retransmission on its way. */
    private int openHoles;
    private long newHolesInRound;
    private final double[] roundSamples = new double[256];
    private int roundSampleCount;
    private boolean limitedInRound;
    private int initialSequence;
    private int highestReceived;
    private long feedbackNanos;
    private long referenceKnown;
    private long referenceFeedbackNanos;
    private long referenceSendNanos;
    private int referenceSequence;
    private long referenceResent;
    private boolean haveDeliverySample;
    private double baselineLoss;
    private int judgedRounds;
    private int acksSeen;
    /** The lowest smoothed RTT seen in the current round (µs). */
    private long roundMinRttMicros = Long.MAX_VALUE;
    private final double[] arrivalMaxima = new double[ARRIVAL_ROUNDS];
    private int arrivalIndex;
    private long probeRttEndNanos;
    private long probeRttStartNanos;
    /** Whether a feedback delay in this PROBE_RTT showed the queue drained (see {@link #drainedQueueMaxNanos}). */
    private boolean probeRttDrained;
    private long probeRttMinMicros;
    private double lastSample;
    /** The receiver's packet-pair capacity estimate (packets/s), 0 until reported. */
    private double linkCapacity;
    private int congestionEvents;
    private int probeRtts;
    private int queueTrims;
    /**
     * The lowest time from a packet's sending to the feedback proving its arrival (ns): the path's RTT plus at most
     * a packet gap of ACK delay for the newest arrival an ACK or NAK names, with none of the smoothing of the RTT
     * the ACKs carry (whose 1/8 weights on a 10 ms clock lag a queue by ~80 ms).
     */
    private long feedbackDelayMinNanos = Long.MAX_VALUE;
    /** How long the newest packet known received took from its sending to that feedback. */
    private long latestFeedbackDelayNanos;
    private long probeRttFeedbackDelayMinNanos = Long.MAX_VALUE;
    private int drainsEndedEarly;
    /** Times the cruise began to top up a short path's queue (see {@link #keepCushion}). */
    private int cushions;
    private int rounds;

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
        this.initialSequence = initialSequence;
        highestReceived = SeqNo.decrement(initialSequence);
        roundEndSequence = initialSequence;
    }

    @Override
    public void onAck(int ack, long nowNanos) {
        int advance = SeqNo.offset(lastAck, ack);
        if (advance > 0) {
            delivered += advance;
            long newestRepair = clearHoles(lastAck, ack);
            lastAck = ack;
            received(SeqNo.decrement(ack), nowNanos);
            if (newestRepair != 0) {
                repairAcknowledged(nowNanos - newestRepair);
            }
        }
        acksSeen++;
        updateMinRtt(nowNanos);
        if (mode == Mode.PROBE_RTT) {
            if (nowNanos - probeRttEndNanos >= 0
                    && (probeRttDrained || nowNanos - probeRttStartNanos >= PROBE_RTT_MAX_NANOS)) {
                leaveProbeRtt(nowNanos);
            }
        } else if (mode == Mode.PROBE_BW && minRttMicros != Long.MAX_VALUE
                && nowNanos - minRttStampNanos > MIN_RTT_WINDOW_NANOS) {
            enterProbeRtt(nowNanos);
        }
        endRoundIfDelivered(nowNanos);
    }

    /**
     * Packet-timed rounds: a round ends once a packet sent after it began is known to have arrived, by the ACK or
     * by a NAK (which ends each hole at a packet that did arrive). The cumulative ACK alone stalls behind every
     * hole for about two round trips, so with random loss rounds lasted two RTTs: STARTUP took twice as long to
     * fill the pipe (at RTT 200 ms 2 % loss, 1.7 s and a second more at half rate) and every probe ran twice as long.
     */
    private void endRoundIfDelivered(long nowNanos) {
        if (SeqNo.compare(highestReceived, roundEndSequence) >= 0 && nowNanos - roundStartNanos >= minRoundNanos()) {
            endRound(nowNanos);
        }
    }

    /**
     * The draft BBR delivery rate, over what the sender knows has arrived rather than the cumulative ACK: the
     * highest packet known received (the ACK point, or one past the end of a reported hole, which NAKs carry at
     * once) minus every hole ever reported ({@link #knownReceived}). The cumulative ACK alone stalls behind
     * every hole for about two round trips and then jumps, so a sample whose reference sat in a stall counted
     * packets delivered before it began and read up to the send rate; the max filter then ratcheted the estimate
     * up by the probe gain every cycle and the queue never drained. Interval: the longer of the feedback interval
     * (between the two pieces of feedback that established each count) and the send interval of the two packets.
     */
    private void sampleDeliveryRate() {
        long newestSend = packets.sendTime(highestReceived);
        if (referenceFeedbackNanos == 0 || newestSend == 0 || referenceSendNanos == 0) {
            return;
        }
        long interval = Math.max(feedbackNanos - referenceFeedbackNanos, newestSend - referenceSendNanos);
        long floor = Math.max(minRoundNanos(), minRttMicros == Long.MAX_VALUE ? 0 : minRttMicros * 1000);
        long known = knownReceived();
        if (interval < floor || known <= referenceKnown) {
            return;
        }
        double sample = (known - referenceKnown) * 1e9 / interval * lossCorrection(highestReceived);
        double cap = arrivalCap();
        if (cap > 0) {
            // never below the estimate: a flow paced at 0.99 of it reports arrivals at 0.99 of it, and capped there
            // the samples would wear the estimate down by 1 % every ten rounds, with only the probes against it
            sample = Math.min(sample, Math.max(cap, bandwidth()));
        }
        lastSample = sample;
        if (roundSampleCount < roundSamples.length) {
            roundSamples[roundSampleCount++] = sample;
        }
        sampledInRound = true;
        haveDeliverySample = true;
    }

    /**
     * New data known to have arrived: everything up to the highest packet known received, less every hole ever
     * reported. Repaired holes are not added back: their repair shows up only when the ACK point jumps over them,
     * all at once, and would read as a burst of bandwidth after every loss episode. So this counts the goodput of
     * first transmissions; {@link #lossCorrection} scales the samples up to all the flow moves.
     */
    private long knownReceived() {
        return SeqNo.offset(initialSequence, highestReceived) + 1L - lostTotal;
    }

    /**
     * The samples count first transmissions only, and retransmissions take their share of the pace on top, so at
     * loss {@code p} the samples read about {@code (1 - p)^2} of the pace where BBR's delivery rate (which counts a
     * retransmission that arrived) reads {@code 1 - p}: at 10 % loss and 10 % reordering (whose holes count
     * although they fill a moment later) the gain cycle's probe could no longer make up for it, the estimate fell
     * by ~5 % per cycle and a loopback flow ended at 40 packets/s. So the samples are divided by the first
     * transmissions' share of the pace. (Until the sender paced its probe pairs right it ran 6 % above its pace,
     * which hid the underestimate at a few percent of loss and made this correction overshoot; it then started only
     * beyond 5 % of retransmissions. With exact pacing that left 1-2 % loss paths 2-4 % below the link: A/B, 2 runs
     * each, at 100 Mbit/s no delay 1 %: 90.1/90.7 Mbit/s against 93.2/91.3 corrected in full; 500 Mbit/s RTT 100 ms
     * 0.5 %: 437/439 against 438/448.) Dividing by the learned loss as well (to read the full pace) overshot:
     * losses from probing into a full queue raise that baseline (500 Mbit/s: 385/426/345 against 434/388/425).
     *
     * <p>The share is each sample's own: the retransmissions sent between its two packets against the first
     * transmissions between them. It varies from round to round (a probe that overflows the queue, then a drain
     * that empties it), and the samples with it: with the share smoothed over rounds, a round after a drain (few
     * holes, its deliveries at the link rate) read ~8 % above the link, the estimate took it, and at RTT 0 the
     * pace stayed that far above a 100 Mbit/s bottleneck, losing ~30 packets a round.
     */
    private double lossCorrection(int newest) {
        int firsts = SeqNo.offset(referenceSequence, newest);
        long resends = packets.resentBefore(newest) - referenceResent;
        if (firsts <= 0 || resends <= 0) {
            return 1;
        }
        return Math.min(MAX_LOSS_CORRECTION, (double) (firsts + resends) / firsts);
    }

    private void resetReference() {
        referenceKnown = knownReceived();
        referenceFeedbackNanos = feedbackNanos;
        referenceSendNanos = packets.sendTime(highestReceived);
        referenceSequence = highestReceived;
        referenceResent = packets.resentBefore(highestReceived);
    }

    /** Feedback proved that {@code sequence} arrived. */
    private void received(int sequence, long nowNanos) {
        if (SeqNo.compare(sequence, highestReceived) > 0 && SeqNo.compare(sequence, lastSent) <= 0) {
            highestReceived = sequence;
            feedbackNanos = nowNanos;
            long sent = packets.sendTime(sequence);
            if (sent != 0 && nowNanos - sent > 0) {
                long delay = nowNanos - sent;
                latestFeedbackDelayNanos = delay;
                feedbackDelayMinNanos = Math.min(feedbackDelayMinNanos, delay);
                if (mode == Mode.PROBE_RTT) {
                    probeRttFeedbackDelayMinNanos = Math.min(probeRttFeedbackDelayMinNanos, delay);
                    probeRttDrained |= delay - feedbackDelayMinNanos < drainedQueueMaxNanos();
                } else if (draining()) {
                    endDrainEarly(delay - feedbackDelayMinNanos);
                } else if (mode == Mode.PROBE_BW && cycleIndex >= 2) {
                    keepCushion(delay - feedbackDelayMinNanos);
                }
            }
            sampleDeliveryRate();
        }
    }

    @Override
    public void onLostRange(int first, int last, long nowNanos) {
        int from = SeqNo.compare(first, lastAck) < 0 ? lastAck : first;
        int span = SeqNo.offset(from, last) + 1;
        if (span <= 0 || SeqNo.compare(last, lastSent) > 0 || span > SentPackets.MAX_SLOTS / 2) {
            // a report of packets never sent (the connection checks that) or of more than a flight
            return;
        }
        for (int i = 0, sequence = from; i < span; i++, sequence = SeqNo.increment(sequence)) {
            if (!packets.reported(sequence)) {
                packets.setReported(sequence, true);
                openHoles++;
                lostTotal++;
                newHolesInRound++;
            }
        }
        // a NAK ends each hole at a packet that did arrive
        received(SeqNo.increment(last), nowNanos);
        endRoundIfDelivered(nowNanos);
    }

    /** Closes the reported holes in {@code [from, to)}; returns when the newest of their repairs left (0: none). */
    private long clearHoles(int from, int to) {
        long newestRepair = 0;
        for (int sequence = from; sequence != to; sequence = SeqNo.increment(sequence)) {
            if (packets.reported(sequence)) {
                packets.setReported(sequence, false);
                openHoles--;
                long resent = packets.resendTime(sequence);
                if (resent != 0 && (newestRepair == 0 || resent - newestRepair > 0)) {
                    newestRepair = resent;
                }
            }
        }
        return newestRepair;
    }

    /**
     * The cumulative ACK passed repaired holes, the newest repair having left {@code delay} ago. A drain spends
     * its slots on repairs first, and after STARTUP overflowed a short path's queue it sent nothing else for
     * 100 ms and more (~400 holes at a third of the link): no new packet arrived to show the queue gone, so the
     * drain lasted until the last repair, the link two thirds idle (at 100 Mbit/s with no delay, ~0.08 s of
     * the link in one run of two). The repairs pass the same queue, so the newest one's delay shows it as well,
     * less the wait for the ACK: the ACK clock catches the newest repair within a repair's gap of its arrival.
     * A repair acknowledged faster than any packet's feedback came back was not needed (the packet had only
     * come late) and shows nothing.
     */
    private void repairAcknowledged(long delay) {
        if (feedbackDelayMinNanos == Long.MAX_VALUE || delay < feedbackDelayMinNanos) {
            return;
        }
        if (draining()) {
            long repairGap = (long) (periodMicros() * 1000);
            endDrainEarly(Math.max(0, delay - feedbackDelayMinNanos - repairGap));
        }
    }

    /**
     * The receiver's arrival rate (a median of inter-arrival gaps, spaced by the bottleneck whenever a queue forms)
     * does not depend on feedback timing, so the highest report of the last two rounds bounds the delivery samples.
     * Where something batches arrivals (a descheduled receive thread) the reports read high and the bound simply
     * does not bite.
     */
    private double arrivalCap() {
        double max = 0;
        for (double value : arrivalMaxima) {
            max = Math.max(max, value);
        }
        return max;
    }

    @Override
    public void onRateReport(int arrivalRate, int linkCapacity, long nowNanos) {
        if (linkCapacity > 0 && delivered >= MIN_DELIVERED_FOR_CAPACITY) {
            this.linkCapacity = linkCapacity;
        }
        if (arrivalRate > 0 && delivered >= MIN_DELIVERED_FOR_REPORTS && arrivalRate > arrivalMaxima[arrivalIndex]) {
            arrivalMaxima[arrivalIndex] = arrivalRate;
        }
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

    /**
     * A round's delivery samples overlap and share their noise: feedback delayed by a busy receiver and then a
     * prompt one compress the interval of one sample by tens of ms. A max over single samples keeps every such
     * outlier for ten rounds and paces above the bottleneck; a high quantile of a round's samples does not, and
     * still rises with a probe that found room, since then most of them do.
     */
    private void settleRoundSamples() {
        if (roundSampleCount == 0) {
            return;
        }
        Arrays.sort(roundSamples, 0, roundSampleCount);
        // STARTUP must follow its own growth without delay (its loss exit bounds an overshoot); later the upper
        // quartile: a probe's extra deliveries reach only part of the next round's samples, noise is rarer
        int rank = mode == Mode.STARTUP ? roundSampleCount - 1 : roundSampleCount * 3 / 4;
        double value = roundSamples[rank];
        roundSampleCount = 0;
        if (limitedInRound) {
            // a slow reader, a full flow window or holes stalling the window lowered the deliveries, not the
            // path: such a round may raise the estimate but not let it decay (BBR's app-limited rule)
            value = Math.max(value, bandwidth());
        }
        if (value > roundMaxima[roundIndex]) {
            roundMaxima[roundIndex] = value;
            refreshBandwidth();
        }
    }

    private void offer(double sample) {
        if (sample > roundMaxima[roundIndex]) {
            roundMaxima[roundIndex] = sample;
            refreshBandwidth();
        }
        sampledInRound = true;
    }

    @Override
    public void onSendLimited(long nowNanos) {
        limitedInRound = true;
    }

    @Override
    public void onLoss(int firstLost, int lostCount, long nowNanos) {
        // counted per sequence in onLostRange: a NAK's count includes holes reported before
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
        if (retransmission) {
            resentInRound++;
            resentTotal++;
            packets.resent(sequence, nowNanos);
        } else {
            // feedback still reads the packet before the ACK point (the highest one known received)
            packets.cover(SeqNo.decrement(lastAck), sequence);
            sentInRound++;
            lastSent = sequence;
            packets.sentFirst(sequence, nowNanos, resentTotal);
        }
    }

    private void updateMinRtt(long nowNanos) {
        long rtt = context.rttMicros();
        if (rtt <= 0 || acksSeen < RTT_SETTLE_ACKS) {
            return;
        }
        roundMinRttMicros = Math.min(roundMinRttMicros, rtt);
        if (mode == Mode.PROBE_RTT) {
            probeRttMinMicros = Math.min(probeRttMinMicros, rtt);
        }
        if (rtt <= minRttMicros) {
            minRttMicros = rtt;
            minRttStampNanos = nowNanos;
        } else if (rtt <= minRttMicros + minRttMicros / 20 + 1_000) {
            // the smoothed RTT rarely equals its minimum again; close to it means no standing queue, which is
            // what a PROBE_RTT would find, so the probe (half rate for a quarter second) is not needed
            minRttStampNanos = nowNanos;
        }
    }

    /**
     * The minimum RTT has not been confirmed for 10 s: a standing queue (ours or others') may hide the path's
     * delay, or the path changed. Pace below the estimate until the queue is gone and the smoothed RTT has
     * settled, then take the lowest RTT seen as the new minimum.
     */
    private void enterProbeRtt(long nowNanos) {
        mode = Mode.PROBE_RTT;
        pacingGain = PROBE_RTT_GAIN;
        probeRttMinMicros = Long.MAX_VALUE;
        probeRttFeedbackDelayMinNanos = Long.MAX_VALUE;
        probeRttEndNanos = nowNanos + Math.max(PROBE_RTT_MIN_NANOS, 2 * minRttMicros * 1000);
        probeRttStartNanos = nowNanos;
        probeRttDrained = false;
        probeRtts++;
    }

    private void leaveProbeRtt(long nowNanos) {
        if (probeRttMinMicros != Long.MAX_VALUE) {
            minRttMicros = probeRttMinMicros;
        }
        if (probeRttFeedbackDelayMinNanos != Long.MAX_VALUE) {
            feedbackDelayMinNanos = probeRttFeedbackDelayMinNanos;
        }
        minRttStampNanos = nowNanos;
        enterProbeBw(false);
    }

    /** Leaves STARTUP: the inverse gain, for a round or until the feedback shows no queue, with STARTUP's window. */
    private void enterDrain() {
        mode = Mode.DRAIN;
        pacingGain = DRAIN_GAIN;
        cwndGain = STARTUP_GAIN;
    }

    /**
     * Starts the gain cycle: after PROBE_RTT at a random phase other than the draining 0.75 one, as Linux does, so
     * that flows do not synchronize; after STARTUP with its probe, and the random phase after the probe's drain.
     * STARTUP that ended on an overflowing queue leaves an estimate of what got through meanwhile, 83-90 % of a
     * 100 Mbit/s path with no delay, and at a random phase the cruise stayed there for up to six rounds.
     */
    private void enterProbeBw(boolean afterStartup) {
        mode = Mode.PROBE_BW;
        if (afterStartup) {
            cycleIndex = 0;
            phasePending = true;
        } else {
            phasePending = false;
            cycleIndex = random.nextInt(CYCLE_ROUNDS - 1);
            if (cycleIndex >= 1) {
                cycleIndex++;
            }
        }
        pacingGain = cycleGain(cycleIndex);
        cwndGain = CWND_GAIN;
    }

    private double cycleGain(int index) {
        return switch (index) {
            case 0 -> 1 + probeExcess;
            case 1 -> 1 - probeExcess;
            default -> 1;
        };
    }

    /** The least a round lasts, and the least span of a delivery-rate sample. */
    private long minRoundNanos() {
        return mode == Mode.STARTUP ? STARTUP_ROUND_NANOS : MIN_ROUND_NANOS;
    }

    private void endRound(long nowNanos) {
        rounds++;
        long elapsed = nowNanos - roundStartNanos;
        // goodput of the round as far as feedback proved it (the cumulative ACK would count repaired holes late)
        long known = knownReceived();
        latestDeliveryRate = elapsed > 0 ? (known - knownAtRoundStart) * 1e9 / elapsed : 0;
        knownAtRoundStart = known;
        if (roundSampleCount > 0 || referenceFeedbackNanos == 0) {
            resetReference();
        }
        // else keep the reference: a round that gave no sample lasted less than the minimum RTT a sample must span
        // (the queue has drained, so a round takes just that long); restarted, the reference would never give one,
        // the 10-round filter would empty and the flow fall back to its initial rate (seen at RTT 50 ms)
        roundStartNanos = nowNanos;
        roundEndSequence = lastSent;
        settleRoundSamples();
        boolean startupOverflow = false;
        if (mode == Mode.STARTUP && sentInRound >= 20) {
            // An overflowing queue loses far more than the rounds before and stops the growth. Loss (or reordering,
            // whose holes a NAK reports a moment before they fill) as heavy from the start while the deliveries
            // still grow is the path: ended there, STARTUP left a loopback flow at its first few hundred packets/s.
            // Heavy loss after rounds with almost none, with a queue at the round's end, is an overflow even while
            // the deliveries still grew: the round that filled the queue also delivered more. Waiting for the next
            // round paced that one at 2.885x a full pipe (RTT 0, 100 Mbit/s: 58 of 473 packets lost in the round
            // that filled the queue, then 358 of 641 in the next).
            double lossFraction = (double) newHolesInRound / sentInRound;
            double earlierLoss = startupLossSum / Math.max(1, startupLossRounds);
            boolean sudden = startupLossRounds > 0 && lossFraction > STARTUP_SUDDEN_LOSS_RATIO * earlierLoss
                    && feedbackShowsQueue();
            startupOverflow = sentInRound >= 100 && (bandwidth() < fullBandwidth * 1.25 || sudden)
                    && lossFraction > Math.max(STARTUP_LOSS_FRACTION, 2 * earlierLoss);
            startupLossSum += lossFraction;
            startupLossRounds++;
        }
        long sentAll = sentInRound + resentInRound;
        if (sentAll >= 20) {
            retransmitShare += ((double) resentInRound / sentAll - retransmitShare) / BASELINE_ROUNDS;
        }
        judgeCongestion();
        double bandwidth = bandwidth();
        switch (mode) {
            case STARTUP -> {
                if (startupOverflow) {
                    // a round losing far more than random loss does: the queue overflowed, the pipe is full
                    enterDrain();
                } else if (linkCapacity > 0 && bandwidth >= linkCapacity * STARTUP_FULL_CAPACITY) {
                    // as fast as the bottleneck goes: more growth could only come from a queue
                    enterDrain();
                } else if (queueBuiltInRound()) {
                    // the RTT never came down to its minimum in a whole round: a queue holds what the pipe could
                    // not carry, so the pipe is full; three more rounds without growth would only fill the queue
                    // to overflow (500 Mbit/s at RTT 100 ms: 1.5 s with the RTT at 250 ms and ~2,000 packets lost)
                    enterDrain();
                } else if (bandwidth >= fullBandwidth * 1.25) {
                    fullBandwidth = bandwidth;
                    roundsWithoutGrowth = 0;
                } else if (sampledInRound && ++roundsWithoutGrowth >= 3) {
                    enterDrain();
                }
            }
            case DRAIN -> enterProbeBw(true); // one round at the drain gain empties what startup queued
            case PROBE_RTT -> {
                // the probe ends on the clock (onAck), not with a round
            }
            case PROBE_BW -> {
                if (cycleIndex <= 1) {
                    probeSent += sentInRound;
                    probeHoles += newHolesInRound;
                }
                if (cycleIndex == 1) {
                    trimIfQueuePersists();
                    adaptProbe();
                }
                cycleIndex = (cycleIndex + 1) % CYCLE_ROUNDS;
                if (cycleIndex == 2 && phasePending) {
                    // one of the six cruise rounds, so that flows that began together probe apart from here on
                    cycleIndex = 2 + random.nextInt(CYCLE_ROUNDS - 2);
                    phasePending = false;
                }
                pacingGain = cycleGain(cycleIndex);
            }
        }
        if (TRACE) {
            System.err.printf("bbr %.3f %s bw=%.0f rate=%.0f sent=%d holes=%d nogrow=%d lim=%b rtt=%d min=%d w=%.0f id=%d g=%.2f c=%d p=%d t=%d e=%d fdmin=%d x=%.3f k=%d q=%d%n",
                    (nowNanos - TRACE_T0) / 1e9, mode, bandwidth(), latestDeliveryRate, sentInRound, newHolesInRound,
                    roundsWithoutGrowth, limitedInRound, context.rttMicros(), minRttMicros, windowPackets(), traceId,
                    pacingGain, congestionEvents, probeRtts, queueTrims, drainsEndedEarly,
                    micros(feedbackDelayMinNanos), probeExcess, cushions,
                    micros(latestFeedbackDelayNanos - feedbackDelayMinNanos));
        }
        roundIndex = (roundIndex + 1) % BANDWIDTH_ROUNDS;
        roundMaxima[roundIndex] = 0;
        refreshBandwidth();
        arrivalIndex = (arrivalIndex + 1) % ARRIVAL_ROUNDS;
        arrivalMaxima[arrivalIndex] = 0;
        sentInRound = 0;
        resentInRound = 0;
        newHolesInRound = 0;
        limitedInRound = false;
        sampledInRound = false;
        roundMinRttMicros = Long.MAX_VALUE;
    }

    /**
     * Whether even the lowest smoothed RTT of the round just ended stood well above the minimum: a standing queue
     * (a round's minimum is not moved by the jitter of single samples, and a quarter of the minimum, at least
     * 4 ms, is more than an emulator's or a busy host's lateness adds). Measured at 500 Mbit/s RTT 100 ms 0.5% loss,
     * 3 runs each: 422-425 Mbit/s against 417-421 without the rule; HyStart's eighth (4..16 ms) ended STARTUP
     * too early, with the estimate still short of the link (406-417).
     */
    /** The newest feedback came a queue's delay later than the quickest: at least a quarter of it, and 2 ms. */
    private boolean feedbackShowsQueue() {
        return feedbackDelayMinNanos != Long.MAX_VALUE && latestFeedbackDelayNanos - feedbackDelayMinNanos
                > Math.max(feedbackDelayMinNanos / 4, STARTUP_SUDDEN_QUEUE_NANOS);
    }

    private boolean queueBuiltInRound() {
        return sampledInRound && minRttMicros != Long.MAX_VALUE && roundMinRttMicros != Long.MAX_VALUE
                && roundMinRttMicros > minRttMicros + Math.max(minRttMicros / 4, STARTUP_QUEUE_MIN_MICROS);
    }

    /**
     * Random loss is stationary; congestion loss comes in a burst while the queue grows. A round is judged
     * congested only when its fraction of new holes is well above the learned baseline (twice it, and above
     * 5 %) and the RTT has grown; then the estimate drops by 15 %, but never below what this round delivered.
     */
    private void judgeCongestion() {
        if (sentInRound < 20 || minRttMicros == Long.MAX_VALUE) {
            return;
        }
        double lossFraction = Math.min(1.0, (double) newHolesInRound / sentInRound);
        boolean queueGrew = context.rttMicros() > minRttMicros * 1.5 + 10_000;
        boolean congested = judgedRounds >= BASELINE_ROUNDS && queueGrew
                && lossFraction > Math.max(CONGESTION_LOSS_FRACTION, 2 * baselineLoss);
        judgedRounds++;
        if (!congested) {
            baselineLoss += (lossFraction - baselineLoss) / BASELINE_ROUNDS;
            return;
        }
        congestionEvents++;
        double lowered = Math.max(bandwidth() * CONGESTION_BACKOFF, latestDeliveryRate);
        Arrays.fill(roundMaxima, 0);
        roundMaxima[roundIndex] = lowered;
        refreshBandwidth();
        if (mode == Mode.STARTUP) {
            enterDrain();
        }
    }

    /**
     * BBR's probe of 1.25 for a round puts a quarter of the bandwidth-delay product into the bottleneck's queue;
     * rounds here last at least 50 ms (the ACK clock), so on a shorter path the probe puts in 50 ms worth, far
     * beyond a queue sized to the path (at 100 Mbit/s with no delay ~100 packets into 64 KiB, which held 43:
     * 40-70 packets lost every 400 ms cycle, ~4,500 resent in 20 s; a sixth of that with this rule, at the same
     * goodput, as what the queue drops never took the bottleneck's time). A probe whose round and drain
     * lost more than the baseline loss explains overflowed the queue: the next probe adds half as much, down to
     * what BBR's own probe adds on a round of the minimum RTT (and at least {@link #MIN_PROBE_EXCESS}); a probe
     * without overflow lets the next add a quarter more, back up to 1.25. Where the round is the RTT the queue
     * a probe fills is BBR's and the probe stays at 1.25, so flows on long paths probe as BBR does.
     */
    private void adaptProbe() {
        double expected = baselineLoss * probeSent;
        boolean overflowed = probeSent >= 20
                && probeHoles > expected + Math.max(PROBE_OVERFLOW_HOLES, 3 * Math.sqrt(expected));
        probeSent = 0;
        probeHoles = 0;
        if (overflowed) {
            probeOverflows++;
            double rttShare = minRttMicros == Long.MAX_VALUE ? 1 : Math.min(1, minRttMicros * 1e3 / MIN_ROUND_NANOS);
            probeExcess = Math.max(Math.max(MIN_PROBE_EXCESS, PROBE_EXCESS * rttShare), probeExcess / 2);
        } else {
            probeExcess = Math.min(PROBE_EXCESS, probeExcess * 1.25);
        }
    }

    /**
     * A round at 0.75 drains what the 1.25 round queued if the estimate is right. When the RTT is still well above
     * its minimum after it, the estimate is above the bottleneck (feedback-timing noise reads a few percent high)
     * and a standing queue builds towards overflow; trim it by 3 % per cycle instead of waiting for the losses.
     */
    private void trimIfQueuePersists() {
        if (minRttMicros == Long.MAX_VALUE) {
            return;
        }
        if (context.rttMicros() > minRttMicros + Math.max(minRttMicros / 4, 5_000)) {
            double trimmed = bandwidth() * QUEUE_TRIM;
            Arrays.fill(roundMaxima, 0);
            roundMaxima[roundIndex] = trimmed;
            refreshBandwidth();
            queueTrims++;
        }
    }

    /**
     * A drain that meets no queue has done its work: the gain cycle's paces at 1 for the rest of its round, and
     * STARTUP's DRAIN gives way to PROBE_BW (delays only ever add, so one packet through without a queue proves
     * the queue gone). Rounds last at least 50 ms for the ACK clock's sake, and where the RTT is far shorter a
     * whole round at 0.75 idled the link for a quarter of the round (at 0.35, two thirds).
     *
     * <p>Ending a probe early once the feedback delay showed a queue was tried too (at 100 Mbit/s with no delay a
     * whole round at 1.25 puts ~100 packets into a 64 KiB queue of 43): it got 93.6-94.9 Mbit/s, but in two of
     * ~30 such runs a flow stayed low: at 8 Mbit/s (at a slow pace the packet gap before an ACK read as a queue)
     * and, with that allowed for, at 50 Mbit/s (estimate 4,082 packets/s, arrival cap 3,847: a short probe does
     * not lift the arrival reports that bound the samples). Session 7's probes of a fixed 10 ms got stuck so too;
     * {@link #adaptProbe} keeps the whole round and lowers the gain instead. Ending STARTUP within its round once
     * the feedback showed a queue persisting for 5 ms failed the same way: the estimate is a round behind the pace
     * then, and neither the arrival reports (0.8-1.2x of the link) nor the deliveries since the round began (a
     * queue seen early in the round) lifted it right; two runs of three stayed at 40-50 % of the link. Nor did
     * heavy loss with a queue the feedback delay showed in the round end STARTUP although its deliveries still grew
     * (at no delay the round that fills the queue overflows it, and the next, at 2.885x, loses ~400 packets):
     * behind a relay that reorders 10 % the delays rise without a queue, and 6 of 40 such transfers crawled.
     */
    private void endDrainEarly(long queuedNanos) {
        if (queuedNanos < drainedQueueMaxNanos()) {
            drainsEndedEarly++;
            if (mode == Mode.DRAIN) {
                enterProbeBw(true);
            } else {
                pacingGain = 1;
            }
        }
    }

    /** STARTUP's DRAIN, or the gain cycle's 0.75 round while it has not met an empty queue yet. */
    private boolean draining() {
        return mode == Mode.DRAIN || mode == Mode.PROBE_BW && pacingGain < 1;
    }

    /** The most queue a drain leaves behind: an eighth of the least feedback delay, at least 0.5 ms. */
    private long drainedQueueMaxNanos() {
        return Math.max(feedbackDelayMinNanos / 8, DRAINED_QUEUE_MAX_NANOS);
    }

    /**
     * On a short path the cruise keeps 1-2 ms queued at the bottleneck: it paces at {@link #CUSHION_GAIN} while
     * the feedback delay shows less than {@link #CUSHION_LOW_NANOS} of queue, and at 1 once it shows more than
     * {@link #CUSHION_HIGH_NANOS}. The sender is a thread that the scheduler sometimes holds up for a millisecond
     * or two (on a busy 2-core machine, ~300 times in 20 s at 100 Mbit/s); the pacing debt then sends what fell
     * due, but a bottleneck with nothing queued has idled meanwhile, and that time is lost. With the drain
     * leaving at most 0.5 ms and the cruise at 0.99 of an estimate that reads ~1 % under the link, a 100 Mbit/s
     * path with no delay was busy 97-99 % of the time (A/B, 4 runs each: 90.8-94.7 Mbit/s; with the cushion
     * 94.7-95.2). Where the drain leaves 1 ms or more (a least feedback delay of 8 ms or more: any path with a
     * real RTT) that queue is the cushion already, and the cruise is left as it was: tried at 500 Mbit/s RTT
     * 100 ms 0.5 %, topping up there doubled the resends and gained nothing.
     */
    private void keepCushion(long queuedNanos) {
        if (drainedQueueMaxNanos() >= CUSHION_LOW_NANOS) {
            return;
        }
        if (queuedNanos < CUSHION_LOW_NANOS && pacingGain != CUSHION_GAIN) {
            pacingGain = CUSHION_GAIN;
            cushions++;
        } else if (queuedNanos > CUSHION_HIGH_NANOS) {
            pacingGain = 1;
        }
    }

    private static long micros(long nanos) {
        return nanos == Long.MAX_VALUE ? -1 : nanos / 1000;
    }

    /** The bottleneck estimate, packets/s (0 before the first report); read per packet, so kept up to date. */
    double bandwidth() {
        return bandwidth;
    }

    /** Call after every change of {@link #roundMaxima}. */
    private void refreshBandwidth() {
        double max = 0;
        for (double value : roundMaxima) {
            max = Math.max(max, value);
        }
        bandwidth = max;
    }

    @Override
    public double periodMicros() {
        double bandwidth = bandwidth();
        if (mode == Mode.STARTUP || bandwidth <= 0) {
            // until the pipe is known to be full, never pace below the initial rate
            bandwidth = Math.max(bandwidth, INITIAL_RATE);
        }
        double rate = bandwidth * pacingGain * PACING_MARGIN;
        if (mode == Mode.STARTUP && linkCapacity > 0) {
            rate = Math.min(rate, Math.max(linkCapacity * STARTUP_CAPACITY_GAIN, INITIAL_RATE));
        }
        return 1_000_000.0 / rate;
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
        // STARTUP's window must not bind before its pacing does, holes stalling the cumulative ACK included
        double gain = mode == Mode.PROBE_RTT ? 1 : mode == Mode.STARTUP ? 2 * cwndGain : cwndGain;
        return Math.max(MIN_WINDOW, gain * bdp + 16) + receivedBeyondAck();
    }

    /**
     * The connection counts its window from the cumulative ACK; packets the feedback proved received beyond it
     * (everything up to the highest known received, except the open holes) are no longer in flight, so the
     * window grows by them: a hole stalls the ACK for two or more round trips without stalling the sender.
     */
    long receivedBeyondAck() {
        long beyond = SeqNo.offset(lastAck, highestReceived) + 1L - openHoles;
        return Math.max(0, beyond);
    }

    String mode() {
        return mode.name();
    }

    /** Slots of the per-packet records (for tests): they follow the flight. */
    int packetSlots() {
        return packets.capacity();
    }

    int rounds() {
        return rounds;
    }

    int congestionEvents() {
        return congestionEvents;
    }

    long minRttMicros() {
        return minRttMicros;
    }

    @Override
    public String toString() {
        return "bbr[" + mode + " bw=" + Math.round(bandwidth()) + "pkt/s gain=" + pacingGain + " minRtt="
                + (minRttMicros == Long.MAX_VALUE ? -1 : minRttMicros) + "us arrivalCap=" + Math.round(arrivalCap())
                + " sample=" + Math.round(lastSample) + " baseLoss=" + String.format("%.3f", baselineLoss)
                + " resent=" + String.format("%.3f", retransmitShare)
                + " probe=+" + String.format("%.3f", probeExcess) + " overflows=" + probeOverflows
                + " cushions=" + cushions
                + " congestion=" + congestionEvents + " probeRtt=" + probeRtts + " trims=" + queueTrims + "]";
    }
}
