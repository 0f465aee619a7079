package io.parcel.kernel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Described;
import io.parcel.spi.Resource;
import io.parcel.spi.Source;
import io.parcel.spi.TransferException;

/**
 * A source serving deterministic bytes from memory, with faults a test switches on: opens that fail, streams cut at
 * an offset, a stream that stalls at an offset (until closed, or until the I/O timeout, as a real source must).
 * Records every open, and knows which streams are still open, so a test can fail on a leak.
 */
final class InMemorySource implements Source {
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Throttle> throttles = new CopyOnWriteArrayList<>();
    private final List<Open> opens = new CopyOnWriteArrayList<>();
    private final List<Stream> openStreams = new CopyOnWriteArrayList<>();
    private final AtomicInteger describes = new AtomicInteger();
    /** The most streams open at once, over all resources and per locator. */
    private final AtomicInteger mostOpen = new AtomicInteger();
    private final Map<String, Integer> mostOpenByLocator = new ConcurrentHashMap<>();
    /** Each {@link #prepareConnections} call as "locator=count", and whether it came before that locator's describe. */
    private final List<String> prepared = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> describedLocators = ConcurrentHashMap.newKeySet();
    private volatile Duration ioTimeout = Duration.ofSeconds(10);
    private volatile boolean closed;
    private volatile boolean firstBytesWithDescribe;
    private volatile boolean tellsLikelyNames;

    /** One open: which range was asked for and how many bytes the stream then gave. */
    record Open(String locator, ByteRange range, AtomicLong served) {
    }

    private record Entry(String locator, String name, long size, boolean sizeKnown, boolean rangeSupported,
                         Optional<String> md5) {
    }

    private enum Kind { FAIL_OPEN, CUT, STALL, HANG, FAIL_DESCRIBE }

    private record Fault(Kind kind, String locator, long offset, AtomicInteger times, boolean retryable) {
        /** Takes one shot of this fault; false when none is left. */
        boolean fire() {
            return times.getAndUpdate(left -> left > 0 ? left - 1 : 0) > 0;
        }
    }

    /** The next {@code times} streams of a range starting at {@code start} give {@code bytesPerSecond} at most. */
    private record Throttle(String locator, long start, long bytesPerSecond, AtomicInteger times) {
    }

    /** A resource of {@code size} deterministic bytes. */
    InMemorySource add(String locator, long size) {
        return add(locator, size, true, true);
    }

    InMemorySource add(String locator, long size, boolean sizeKnown, boolean rangeSupported) {
        entries.put(locator, new Entry(locator, locator.replace('/', '_'), size, sizeKnown, rangeSupported,
                Optional.of(md5Of(size))));
        return this;
    }

    void ioTimeout(Duration timeout) {
        this.ioTimeout = timeout;
    }

    /** The next {@code times} opens of a range containing {@code offset} fail. */
    InMemorySource failOpen(String locator, long offset, int times, boolean retryable) {
        faults.add(new Fault(Kind.FAIL_OPEN, locator, offset, new AtomicInteger(times), retryable));
        return this;
    }

    /** The next {@code times} streams that reach {@code offset} throw there, having given every byte before it. */
    InMemorySource cutAt(String locator, long offset, int times) {
        faults.add(new Fault(Kind.CUT, locator, offset, new AtomicInteger(times), true));
        return this;
    }

    /** The next {@code times} streams that reach {@code offset} stall there until closed or the I/O timeout. */
    InMemorySource stallAt(String locator, long offset, int times) {
        faults.add(new Fault(Kind.STALL, locator, offset, new AtomicInteger(times), true));
        return this;
    }

    /**
     * Like {@link #stallAt}, but the stream ignores the I/O timeout, as a broken source would: only closing it ends
     * the wait (or a 30 s cap that keeps a failing test from hanging).
     */
    InMemorySource hangAt(String locator, long offset, int times) {
        faults.add(new Fault(Kind.HANG, locator, offset, new AtomicInteger(times), true));
        return this;
    }

    /**
     * The next {@code times} streams of a range that starts at {@code start} give at most {@code bytesPerSecond},
     * in reads of 4 KiB at most, each well within the I/O timeout: a slow stream, not a stalled one.
     */
    InMemorySource throttle(String locator, long start, long bytesPerSecond, int times) {
        throttles.add(new Throttle(locator, start, bytesPerSecond, new AtomicInteger(times)));
        return this;
    }

    InMemorySource failDescribe(String locator, int times, boolean retryable) {
        faults.add(new Fault(Kind.FAIL_DESCRIBE, locator, 0, new AtomicInteger(times), retryable));
        return this;
    }

    List<Open> opens() {
        return List.copyOf(opens);
    }

    List<Open> opens(String locator) {
        return opens.stream().filter(open -> open.locator().equals(locator)).toList();
    }

    int describes() {
        return describes.get();
    }

    List<String> prepared() {
        return List.copyOf(prepared);
    }

    @Override
    public void prepareConnections(String locator, int connections) {
        prepared.add(locator + "=" + connections + (describedLocators.contains(locator) ? " after describe" : ""));
    }

    /**
     * From now on a describe asked for first bytes gives them, as a source that asks for them in the describe's own
     * request does; they count as an open of their range.
     */
    InMemorySource givesFirstBytesWithDescribe() {
        firstBytesWithDescribe = true;
        return this;
    }

    /** From now on {@link #likelyName} tells the name a describe gives, as a source that reads it off a URL does. */
    InMemorySource tellsLikelyNames() {
        tellsLikelyNames = true;
        return this;
    }

    @Override
    public Optional<String> likelyName(String locator) {
        Entry entry = entries.get(locator);
        return tellsLikelyNames && entry != null ? Optional.of(entry.name()) : Optional.empty();
    }

    @Override
    public Described describeAndOpen(String locator, long firstBytes) throws IOException {
        Resource resource = describe(locator);
        if (!firstBytesWithDescribe || firstBytes == 0 || !resource.sizeKnown() || resource.size() == 0
                || !resource.rangeSupported()) {
            return Described.withoutBytes(resource);
        }
        return new Described(resource, Optional.of(open(resource, new ByteRange(0, Math.min(firstBytes, resource.size())))));
    }

    int openStreams() {
        return openStreams.size();
    }

    /** The most streams that were open at once. */
    int mostOpenStreams() {
        return mostOpen.get();
    }

    /** The most streams of {@code locator} that were open at once. */
    int mostOpenStreams(String locator) {
        return mostOpenByLocator.getOrDefault(locator, 0);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public Resource describe(String locator) throws IOException {
        describes.incrementAndGet();
        describedLocators.add(locator);
        for (Fault fault : faults) {
            if (fault.kind() == Kind.FAIL_DESCRIBE && fault.locator().equals(locator) && fault.fire()) {
                throw new TransferException("describe " + locator + ": injected failure", fault.retryable());
            }
        }
        if (locator.startsWith("ftp:")) {
            // What a real source says about input it cannot serve at all: the user's mistake, not the network's.
            throw new io.parcel.spi.UsageException("unsupported URL '" + locator + "'");
        }
        Entry entry = entries.get(locator);
        if (entry == null) {
            throw new TransferException("no such resource: " + locator, false);
        }
        return new Resource(locator, URI.create("memory:/" + entry.name()), entry.name(),
                entry.sizeKnown() ? entry.size() : Resource.UNKNOWN_SIZE, entry.md5(), entry.rangeSupported(),
                Optional.of("v1"));
    }

    @Override
    public InputStream open(Resource resource, ByteRange range) throws IOException {
        if (closed) {
            throw new IllegalStateException("source used after close");
        }
        Entry entry = entries.get(resource.locator());
        if (entry == null) {
            throw new TransferException("no such resource: " + resource.locator(), false);
        }
        long end = range.end() == Long.MAX_VALUE ? entry.size() : range.end();
        if (end > entry.size()) {
            throw new IllegalArgumentException("range " + range + " beyond the size " + entry.size());
        }
        if (!entry.rangeSupported() && (range.start() != 0 || end != entry.size())) {
            throw new TransferException("range " + range + " asked of a resource without range support", false);
        }
        if (range.isEmpty()) {
            throw new IllegalArgumentException("empty range asked for: " + range);
        }
        Open open = new Open(resource.locator(), range, new AtomicLong());
        opens.add(open);
        for (Fault fault : faults) {
            if (fault.kind() == Kind.FAIL_OPEN && fault.locator().equals(resource.locator())
                    && range.contains(fault.offset()) && fault.fire()) {
                throw new TransferException("open " + range + ": injected failure", fault.retryable());
            }
        }
        long bytesPerSecond = 0;
        for (Throttle throttle : throttles) {
            if (throttle.locator().equals(resource.locator()) && throttle.start() == range.start()
                    && throttle.times().getAndUpdate(left -> left > 0 ? left - 1 : 0) > 0) {
                bytesPerSecond = throttle.bytesPerSecond();
            }
        }
        Stream stream = new Stream(resource.locator(), range.start(), end, open, bytesPerSecond);
        synchronized (mostOpen) {
            openStreams.add(stream);
            mostOpen.accumulateAndGet(openStreams.size(), Math::max);
            int ofLocator = (int) openStreams.stream().filter(other -> other.locator.equals(resource.locator())).count();
            mostOpenByLocator.merge(resource.locator(), ofLocator, Math::max);
        }
        return stream;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The byte at {@code offset} of every resource: cheap, and different from its neighbours and from 1 MiB away. */
    static byte byteAt(long offset) {
        long mixed = (offset + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        return (byte) (mixed >>> 56 ^ mixed >>> 29);
    }

    static byte[] bytes(long size) {
        byte[] data = new byte[Math.toIntExact(size)];
        for (int i = 0; i < data.length; i++) {
            data[i] = byteAt(i);
        }
        return data;
    }

    static String md5Of(long size) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(bytes(size));
            return HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private final class Stream extends InputStream {
        private final String locator;
        private final long end;
        private final Open open;
        /** 0: as fast as the reader asks. */
        private final long bytesPerSecond;
        private long position;
        private boolean streamClosed;

        Stream(String locator, long start, long end, Open open, long bytesPerSecond) {
            this.locator = locator;
            this.position = start;
            this.end = end;
            this.open = open;
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            ensureOpen();
            if (length == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            long limit = Math.min(end, position + length);
            for (Fault fault : faults) {
                if (!fault.locator().equals(locator) || (fault.kind() != Kind.CUT && fault.kind() != Kind.STALL
                        && fault.kind() != Kind.HANG)) {
                    continue;
                }
                if (fault.offset() == position && fault.times().get() > 0 && fault.fire()) {
                    if (fault.kind() == Kind.CUT) {
                        throw new IOException("connection reset at byte " + position + " (injected)");
                    }
                    stall(fault.kind() == Kind.HANG ? Duration.ofSeconds(30) : ioTimeout);
                } else if (fault.offset() > position && fault.offset() < limit && fault.times().get() > 0) {
                    // Stop short so the next read starts right at the fault.
                    limit = fault.offset();
                }
            }
            int count = (int) (limit - position);
            if (bytesPerSecond > 0) {
                count = Math.min(count, 4096);
                pause(count * 1_000_000_000L / bytesPerSecond);
            }
            for (int i = 0; i < count; i++) {
                buffer[offset + i] = byteAt(position + i);
            }
            position += count;
            open.served().addAndGet(count);
            return count;
        }

        /** Waits {@code nanos} unless the stream is closed meanwhile (then the read fails as on a closed socket). */
        private void pause(long nanos) throws IOException {
            waitUnlessClosed(System.nanoTime() + nanos);
        }

        private synchronized void stall(Duration timeout) throws IOException {
            waitUnlessClosed(System.nanoTime() + timeout.toNanos());
            throw new SocketTimeoutException("read timed out at byte " + position + " (injected stall)");
        }

        /** Returns at {@code deadline} ({@code nanoTime}'s scale); throws as a closed socket does when closed first. */
        private synchronized void waitUnlessClosed(long deadline) throws IOException {
            while (!streamClosed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            throw new IOException("stream closed");
        }

        private synchronized void ensureOpen() throws IOException {
            if (streamClosed) {
                throw new IOException("stream closed");
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                streamClosed = true;
                notifyAll();
            }
            openStreams.remove(this);
        }
    }

    /** All opens of {@code locator}, their ranges sorted. */
    List<ByteRange> openedRanges(String locator) {
        List<ByteRange> ranges = new ArrayList<>();
        for (Open open : opens(locator)) {
            ranges.add(open.range());
        }
        ranges.sort(null);
        return ranges;
    }
}
