package io.parcel.transport.udt.internal.core;

import java.util.Arrays;

/**
 * The receiver's arrival-rate (16 intervals, median filter) and packet-pair link-capacity (64 probe intervals)
 * estimators, computed as UDT 4.11's CPktTimeWindow does, including the median over the first 15 entries.
 */
final class PacketTimeWindow {
    static final int ARRIVAL_SIZE = 16;
    static final int PROBE_SIZE = 64;

    private final long[] arrivals = new long[ARRIVAL_SIZE];
    private final long[] probes = new long[PROBE_SIZE];
    private final long[] scratch = new long[PROBE_SIZE];
    private int arrivalIndex;
    private int probeIndex;
    private long lastArrivalNanos = -1;
    private long probeStartNanos = -1;

    PacketTimeWindow() {
        Arrays.fill(arrivals, 1_000_000);
        Arrays.fill(probes, 1_000);
    }

    void onArrival(long nowNanos) {
        if (lastArrivalNanos >= 0) {
            arrivals[arrivalIndex] = (nowNanos - lastArrivalNanos) / 1000;
            arrivalIndex = (arrivalIndex + 1) % ARRIVAL_SIZE;
        }
        lastArrivalNanos = nowNanos;
    }

    void onProbe1(long nowNanos) {
        probeStartNanos = nowNanos;
    }

    void onProbe2(long nowNanos) {
        if (probeStartNanos < 0) {
            return;
        }
        probes[probeIndex] = (nowNanos - probeStartNanos) / 1000;
        probeIndex = (probeIndex + 1) % PROBE_SIZE;
        probeStartNanos = -1;
    }

    /** Packets per second, or 0 when the samples are too scattered to tell. */
    int arrivalRate() {
        System.arraycopy(arrivals, 0, scratch, 0, ARRIVAL_SIZE);
        Arrays.sort(scratch, 0, ARRIVAL_SIZE - 1);
        long median = scratch[ARRIVAL_SIZE / 2];
        long upper = median << 3;
        long lower = median >> 3;
        int count = 0;
        long sum = 0;
        for (long interval : arrivals) {
            if (interval < upper && interval > lower) {
                count++;
                sum += interval;
            }
        }
        if (count > ARRIVAL_SIZE / 2) {
            long average = sum / count;
            return average <= 0 ? 1_000_000 : (int) Math.ceil(1_000_000.0 / average);
        }
        return 0;
    }

    /** Link capacity from the probe pairs, packets per second. */
    int linkCapacity() {
        System.arraycopy(probes, 0, scratch, 0, PROBE_SIZE);
        Arrays.sort(scratch, 0, PROBE_SIZE);
        long median = scratch[PROBE_SIZE / 2];
        long upper = median << 3;
        long lower = median >> 3;
        int count = 1;
        long sum = median;
        for (long interval : probes) {
            if (interval < upper && interval > lower) {
                count++;
                sum += interval;
            }
        }
        double average = (double) sum / count;
        return average <= 0 ? 1_000_000 : (int) Math.ceil(1_000_000.0 / average);
    }
}
