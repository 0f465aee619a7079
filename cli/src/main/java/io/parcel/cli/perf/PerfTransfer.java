package io.parcel.cli.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * Moves one {@code perf} stream over a connected socket and measures it. The stream is plain bytes with no preamble.
 * The sender ends it in one of two ways (see {@link EndOfStream}): by half-closing and waiting for the receiver to
 * read everything and close, so the sender's time covers delivery and not just the hand-over to a socket buffer; or,
 * for transports whose peers know no half-close (UDT4), by closing, whose linger waits for the acknowledgements.
 * The receiver reads to the end and closes.
 *
 * <p>Buffers are allocated once per transfer and reused, so the transfer itself allocates nothing per chunk.
 * One instance may run transfers one after another, from one thread at a time.
 */
final class PerfTransfer {
    private static final long STATISTICS_PERIOD_NANOS = Duration.ofMillis(500).toNanos();

    /** How the connection is described in the result. */
    record Labels(String role, String transport, String mode, String peer) {
        Labels {
            requireNonNull(role, "role is null");
            requireNonNull(transport, "transport is null");
            requireNonNull(mode, "mode is null");
            requireNonNull(peer, "peer is null");
        }
    }

    private final int chunkSize;
    private final boolean hash;
    private final Duration ioTimeout;
    private final Duration interval;
    private final PrintWriter progress;
    /** The pattern of the seed sent last: a server sending to one client after another builds it once. */
    private PatternData pattern;
    private long patternSeed;

    /**
     * @param chunkSize bytes per write or read call, 1 .. {@link PatternData#MAX_WINDOW}
     * @param hash      whether to compute the SHA-256 (about 1 CPU second per GiB; worth skipping only when
     *                  measuring a transport's own CPU cost on a fast link)
     * @param ioTimeout longest wait for a read to return anything (the transport bounds writes itself)
     * @param interval  how often to print progress to {@code progress}; zero for never
     */
    PerfTransfer(int chunkSize, boolean hash, Duration ioTimeout, Duration interval, PrintWriter progress) {
        if (chunkSize < 1 || chunkSize > PatternData.MAX_WINDOW) {
            throw new IllegalArgumentException("chunkSize must be 1.." + PatternData.MAX_WINDOW + ": " + chunkSize);
        }
        this.chunkSize = chunkSize;
        this.hash = hash;
        this.ioTimeout = requireNonNull(ioTimeout, "ioTimeout is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.progress = requireNonNull(progress, "progress is null");
    }

    /** How the sender ends the stream. */
    enum EndOfStream {
        /** Shut down output, then wait (bounded) for the receiver to close. */
        HALF_CLOSE,
        /** Close the socket; the transport's linger delivers what is still buffered. */
        CLOSE
    }

    /**
     * Does before the connection what sending {@code source} would otherwise do once connected: builds the pattern
     * (2 MiB, tens of ms on a cold JVM) and loads the hash and the CPU clock. The receiver's clock runs from the
     * handshake, so that work counted as transfer time: the first packet left 40-60 ms after the handshake, 0.2-0.3 %
     * of a 20 s run at any rate (iperf3 fills its buffer before it connects, too).
     *
     * @return {@code source}, for sending
     */
    DataSource prepare(DataSource source) {
        requireNonNull(source, "source is null");
        switch (source) {
            case DataSource.PatternBytes pattern -> patternBytes(pattern.seed());
            case DataSource.PatternTime pattern -> patternBytes(pattern.seed());
            case DataSource.FileData file -> { }
        }
        newSha256();
        ProcessCpu.nanos();
        return source;
    }

    private byte[] patternBytes(long seed) {
        if (pattern == null || patternSeed != seed) {
            pattern = new PatternData(seed);
            patternSeed = seed;
        }
        return pattern.array();
    }

    /** Sends {@code source} over {@code socket}, ending as {@code end} says; the caller closes the socket afterwards. */
    PerfResult send(Socket socket, DataSource source, EndOfStream end, Labels labels) {
        requireNonNull(socket, "socket is null");
        requireNonNull(source, "source is null");
        requireNonNull(end, "end is null");
        requireNonNull(labels, "labels is null");
        Meter meter = new Meter(socket, labels, "send");
        try {
            socket.setSoTimeout(timeoutMillis());
            OutputStream out = socket.getOutputStream();
            switch (source) {
                case DataSource.PatternBytes pattern -> {
                    byte[] data = patternBytes(pattern.seed());
                    while (meter.bytes < pattern.bytes()) {
                        int length = (int) Math.min(chunkSize, pattern.bytes() - meter.bytes);
                        int offset = PatternData.offsetOf(meter.bytes);
                        out.write(data, offset, length);
                        meter.moved(data, offset, length);
                    }
                }
                case DataSource.PatternTime pattern -> {
                    byte[] data = patternBytes(pattern.seed());
                    long stop = meter.start + pattern.duration().toNanos();
                    while (System.nanoTime() - stop < 0) {
                        int offset = PatternData.offsetOf(meter.bytes);
                        out.write(data, offset, chunkSize);
                        meter.moved(data, offset, chunkSize);
                    }
                }
                case DataSource.FileData file -> {
                    byte[] buffer = new byte[chunkSize];
                    try (InputStream in = Files.newInputStream(file.file())) {
                        for (int length = in.read(buffer); length != -1; length = in.read(buffer)) {
                            out.write(buffer, 0, length);
                            meter.moved(buffer, 0, length);
                        }
                    }
                }
            }
            out.flush();
            if (end == EndOfStream.HALF_CLOSE) {
                awaitReceiverClose(socket);
            } else {
                meter.sampleStatistics();
                socket.close();
            }
            meter.end = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            meter.fail(e);
        }
        return meter.result();
    }

    /**
     * Receives until the end of the stream, writing exactly what arrived to {@code save} when given; fails when
     * {@code expectedBytes} is given and differs. The caller closes the socket afterwards.
     */
    PerfResult receive(Socket socket, Optional<Path> save, OptionalLong expectedBytes, Labels labels) {
        requireNonNull(socket, "socket is null");
        requireNonNull(save, "save is null");
        requireNonNull(expectedBytes, "expectedBytes is null");
        requireNonNull(labels, "labels is null");
        Meter meter = new Meter(socket, labels, "receive");
        byte[] buffer = new byte[chunkSize];
        try (OutputStream file = save.isPresent() ? Files.newOutputStream(save.get(), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE) : OutputStream.nullOutputStream()) {
            socket.setSoTimeout(timeoutMillis());
            InputStream in = socket.getInputStream();
            for (int length = in.read(buffer); length != -1; length = in.read(buffer)) {
                if (length > 0) {
                    file.write(buffer, 0, length);
                    meter.moved(buffer, 0, length);
                    // The time ends at the last byte, not when the transport noticed the end of the stream.
                    meter.end = System.nanoTime();
                }
            }
            if (meter.bytes == 0) {
                meter.end = System.nanoTime();
            }
        } catch (IOException | RuntimeException e) {
            meter.fail(e);
        }
        if (meter.error == null && expectedBytes.isPresent() && meter.bytes != expectedBytes.getAsLong()) {
            meter.error = "expected " + expectedBytes.getAsLong() + " bytes, received " + meter.bytes;
        }
        return meter.result();
    }

    /**
     * Half-closes and waits for the receiver to read everything and close. A transport without half-close gets a
     * full close instead, which ends the stream for the receiver just as well.
     */
    private void awaitReceiverClose(Socket socket) throws IOException {
        try {
            socket.shutdownOutput();
        } catch (UnsupportedOperationException | IOException e) {
            socket.close();
            return;
        }
        InputStream in = socket.getInputStream();
        byte[] ignored = new byte[8192];
        long deadline = System.nanoTime() + ioTimeout.toNanos();
        try {
            while (in.read(ignored) != -1) {
                if (System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException("the receiver kept sending for " + seconds(ioTimeout)
                            + " after the end of the stream");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("the receiver did not close the connection within "
                    + seconds(ioTimeout) + " after the end of the stream");
        } catch (IOException e) {
            // A reset after our end of stream is the receiver closing; lost data would show in its byte count and hash.
        }
    }

    private int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, ioTimeout.toMillis()));
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** Counts, hashes, samples statistics and prints progress for one transfer. */
    private final class Meter {
        private final Socket socket;
        private final Labels labels;
        private final String direction;
        private final MessageDigest sha256 = newSha256();
        private final long start = System.nanoTime();
        private final long cpuStart = ProcessCpu.nanos();
        private long bytes;
        private long end = start;
        private String error;
        private Map<String, Object> statistics = Map.of();
        /**
         * The first sample waits a period, the last is taken in {@link #result()}: a first one at the start (the
         * transport's statistics text, formatted and parsed on a cold JVM) held the first write back 10-28 ms.
         */
        private long nextStatistics = start + STATISTICS_PERIOD_NANOS;
        private long nextProgress;

        Meter(Socket socket, Labels labels, String direction) {
            this.socket = socket;
            this.labels = labels;
            this.direction = direction;
            this.nextProgress = interval.isZero() ? Long.MAX_VALUE : start + interval.toNanos();
        }

        void moved(byte[] data, int offset, int length) {
            if (hash) {
                sha256.update(data, offset, length);
            }
            bytes += length;
            long now = System.nanoTime();
            if (now - nextStatistics >= 0) {
                sampleStatistics();
                nextStatistics = now + STATISTICS_PERIOD_NANOS;
            }
            if (now - nextProgress >= 0) {
                double elapsed = (now - start) / 1e9;
                progress.printf(Locale.ROOT, "perf: %7.1f s %14d bytes %9.1f Mbit/s%n",
                        elapsed, bytes, bytes * 8 / elapsed / 1e6);
                progress.flush();
                nextProgress += interval.toNanos();
            }
        }

        void fail(Exception e) {
            end = System.nanoTime();
            String what = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            error = (direction.equals("send") ? "sending" : "receiving") + " failed after " + bytes + " bytes: " + what;
        }

        PerfResult result() {
            sampleStatistics();
            long cpuEnd = ProcessCpu.nanos();
            double cpuSeconds = cpuStart < 0 || cpuEnd < 0 ? 0 : (cpuEnd - cpuStart) / 1e9;
            return new PerfResult(labels.role(), direction, labels.transport(), labels.mode(), labels.peer(), bytes,
                    Math.max(0, end - start) / 1e9, hash ? HexFormat.of().formatHex(sha256.digest()) : "", cpuSeconds,
                    statistics,
                    Optional.ofNullable(error));
        }

        private void sampleStatistics() {
            Map<String, Object> sample = SocketStatistics.of(socket);
            if (!sample.isEmpty()) {
                statistics = sample;
            }
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
