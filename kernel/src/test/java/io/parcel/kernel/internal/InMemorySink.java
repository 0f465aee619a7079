package io.parcel.kernel.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.Resource;
import io.parcel.spi.Sink;
import io.parcel.spi.VerificationException;

/**
 * A sink keeping files in memory, with a journal of done ranges that outlives one run (a test makes a second run on
 * the same sink to resume). Records every write, so a test can tell two writes of one byte apart; fails loudly on
 * writes outside the file, writes after close, and a commit before every byte was recorded done.
 */
final class InMemorySink implements Sink {
    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private final List<InMemoryDestination> opened = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Set<String> markingThreads = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A file as the sink holds it between runs. */
    static final class StoredFile {
        private final byte[] data;
        private final List<ByteRange> journal = new ArrayList<>();
        private final List<ByteRange> writes = new ArrayList<>();
        private boolean complete;

        StoredFile(int capacity) {
            this.data = new byte[capacity];
        }

        synchronized byte[] data(long size) {
            return Arrays.copyOf(data, Math.toIntExact(size));
        }

        synchronized List<ByteRange> journal() {
            return List.copyOf(journal);
        }

        synchronized List<ByteRange> writes() {
            return List.copyOf(writes);
        }

        synchronized boolean complete() {
            return complete;
        }

        /** Pretends an earlier run wrote and recorded {@code range} with the right bytes. */
        synchronized void preload(ByteRange range) {
            for (long offset = range.start(); offset < range.end(); offset++) {
                data[(int) offset] = InMemorySource.byteAt(offset);
            }
            addToJournal(range);
        }

        synchronized void markComplete(long size) {
            preload(new ByteRange(0, size));
            complete = true;
        }

        private void addToJournal(ByteRange range) {
            journal.add(range);
            journal.sort(null);
            List<ByteRange> merged = new ArrayList<>();
            for (ByteRange next : journal) {
                if (!merged.isEmpty() && merged.get(merged.size() - 1).end() >= next.start()) {
                    ByteRange last = merged.remove(merged.size() - 1);
                    merged.add(new ByteRange(last.start(), Math.max(last.end(), next.end())));
                } else {
                    merged.add(next);
                }
            }
            journal.clear();
            journal.addAll(merged);
        }
    }

    /** The file stored under {@code name}, created with room for {@code capacity} bytes. */
    StoredFile file(String name, int capacity) {
        return files.computeIfAbsent(name, ignored -> new StoredFile(capacity));
    }

    StoredFile file(String name) {
        StoredFile file = files.get(name);
        if (file == null) {
            throw new AssertionError("no file named " + name + "; have " + files.keySet());
        }
        return file;
    }

    /** Names of the threads that called markDone. */
    Set<String> markingThreads() {
        return Set.copyOf(markingThreads);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    List<InMemoryDestination> opened() {
        return List.copyOf(opened);
    }

    boolean isClosed() {
        return closed;
    }

    /** True when a test stored or preloaded a file under {@code name}, or a download opened one. */
    @Override
    public boolean mayHold(String name) {
        return files.containsKey(name);
    }

    @Override
    public Destination open(Resource resource) {
        if (closed) {
            throw new IllegalStateException("sink used after close");
        }
        // Unknown size: room for what the tests serve (a few MiB).
        int capacity = resource.sizeKnown() ? Math.toIntExact(resource.size()) : 16 << 20;
        InMemoryDestination destination = new InMemoryDestination(resource, file(resource.name(), capacity));
        opened.add(destination);
        return destination;
    }

    @Override
    public void close() {
        closed = true;
    }

    final class InMemoryDestination implements Destination {
        private final Resource resource;
        private final StoredFile file;
        private volatile boolean destinationClosed;
        private volatile boolean committed;

        InMemoryDestination(Resource resource, StoredFile file) {
            this.resource = resource;
            this.file = file;
        }

        Resource resource() {
            return resource;
        }

        boolean isClosed() {
            return destinationClosed;
        }

        boolean isCommitted() {
            return committed;
        }

        @Override
        public String location() {
            return "memory:/" + resource.name();
        }

        @Override
        public boolean alreadyComplete() {
            return file.complete();
        }

        @Override
        public List<ByteRange> doneRanges() {
            return file.journal();
        }

        @Override
        public void write(long offset, ByteBuffer data) throws IOException {
            if (destinationClosed) {
                violations.add("write after close at " + offset);
                throw new IOException("destination closed");
            }
            int length = data.remaining();
            synchronized (file) {
                if (offset < 0 || offset + length > file.data.length) {
                    violations.add("write outside the file: " + ByteRange.ofLength(offset, length));
                    throw new IOException("write outside the file");
                }
                data.get(file.data, (int) offset, length);
                file.writes.add(ByteRange.ofLength(offset, length));
            }
        }

        @Override
        public void markDone(ByteRange range) {
            if (destinationClosed) {
                violations.add("markDone after close: " + range);
                return;
            }
            markingThreads.add(Thread.currentThread().getName());
            synchronized (file) {
                // Only what this run wrote may be recorded (an earlier run's ranges are never marked again).
                if (!SegmentSchedulerTest.union(file.writes).stream().anyMatch(written ->
                        written.start() <= range.start() && range.end() <= written.end())) {
                    violations.add("markDone of bytes never written: " + range);
                }
                file.addToJournal(range);
            }
        }

        @Override
        public void commit() throws IOException {
            long size;
            synchronized (file) {
                List<ByteRange> journal = file.journal();
                size = resource.sizeKnown() ? resource.size()
                        : journal.isEmpty() ? 0 : journal.get(journal.size() - 1).end();
                boolean covered = size == 0 || (journal.size() == 1 && journal.get(0).equals(new ByteRange(0, size)));
                if (!covered) {
                    violations.add("commit with journal " + journal + " for size " + size);
                    throw new IOException("not every byte was recorded done: " + journal);
                }
            }
            if (resource.md5().isPresent()) {
                String actual;
                try {
                    actual = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(file.data(size)));
                } catch (NoSuchAlgorithmException e) {
                    throw new AssertionError(e);
                }
                if (!actual.equals(resource.md5().get())) {
                    throw new VerificationException("md5 mismatch for " + resource.name() + ": expected "
                            + resource.md5().get() + ", got " + actual);
                }
            }
            synchronized (file) {
                file.complete = true;
            }
            committed = true;
        }

        @Override
        public void close() {
            destinationClosed = true;
        }
    }
}
