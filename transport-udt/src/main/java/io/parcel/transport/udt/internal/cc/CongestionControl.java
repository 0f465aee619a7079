package io.parcel.transport.udt.internal.cc;

/**
 * A sender's congestion control, the counterpart of UDT 4.11's {@code CCC}: it is told about ACKs, losses and
 * timeouts and sets the inter-packet period and the congestion window. Called only under the owning connection's
 * lock, with the connection's clock ({@code nowNanos}); it must not read a clock or do I/O itself.
 */
public interface CongestionControl {
    /** Called once when the connection is established; {@code initialSequence} is the sender's ISN. */
    void init(CongestionContext context, int initialSequence, long nowNanos);

    /** A full ACK acknowledged everything before {@code ack}. */
    void onAck(int ack, long nowNanos);

    /** A NAK arrived; {@code firstLost} is its first reported number, {@code lostCount} how many it reports. */
    void onLoss(int firstLost, int lostCount, long nowNanos);

    /**
     * One range of a NAK, clipped to packets sent and not yet acknowledged; called before {@link #onLoss} for the
     * same report. A receiver may report a hole again (periodic NAK), so this is not a count of new losses.
     */
    default void onLostRange(int first, int last, long nowNanos) {
    }

    /**
     * A packet was due by the pacing schedule but none left: nothing to send, or the flow or congestion window
     * was full. Deliveries measured meanwhile say nothing about the path's capacity.
     */
    default void onSendLimited(long nowNanos) {
    }

    /** The EXP timer fired with unacknowledged data outstanding. */
    void onTimeout(long nowNanos);

    /** A data packet left; {@code retransmission} when it was sent before. */
    default void onPacketSent(int sequence, boolean retransmission, long nowNanos) {
    }

    /**
     * A full ACK carried the receiver's packet arrival rate (median-filtered, packets/s, not reduced by random
     * loss) and its packet-pair link capacity estimate; raw values, before the connection's smoothing.
     */
    default void onRateReport(int arrivalRate, int linkCapacity, long nowNanos) {
    }

    /** The peer asked us to slow down (type 4; 4.11 peers never send it). */
    default void onCongestionWarning(long nowNanos) {
    }

    /**
     * Whether an EXP expiry with an empty loss list resends everything unacknowledged (4.11's go-back-N) or only
     * the first unacknowledged packet, leaving the rest to loss reports as the ACK point moves on.
     */
    default boolean resendAllOnTimeout() {
        return true;
    }

    /** µs between two data packets. */
    double periodMicros();

    /** Packets allowed in flight. */
    double windowPackets();
}
