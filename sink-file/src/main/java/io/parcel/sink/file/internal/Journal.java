package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The durable record of which ranges of a partial file hold their final bytes. Append-only while a download runs;
 * rewritten compactly (merged ranges) when a download starts, through a temporary file and an atomic rename, so
 * a crash at any moment leaves either the old journal or the new one. Record layout: {@link JournalRecord}.
 * Appends go through {@link RandomAccessFile}, whose writes and syncs an interrupt cannot abort (a
 * {@code FileChannel} would close itself for every thread).
 */
public final class Journal implements Closeable {
    private final Path path;
    private final RandomAccessFile file;
    private final Object syncLock = new Object();
    // Guarded by this.
    private long end;
    /** Records appended so far; guarded by this. */
    private long appended;
    /** Records known durable, and the syncs that made them so; guarded by syncLock. */
    private long synced;
    private long syncs;

    private Journal(Path path, RandomAccessFile file, long end) {
        this.path = path;
        this.file = file;
        this.end = end;
    }

    /** What a journal says: the resource it belongs to and the ranges done. */
    public record Contents(long size, Optional<String> validator, Optional<String> md5, List<ByteRange> ranges) {
        public Contents {
            requireNonNull(validator, "validator is null");
            requireNonNull(md5, "md5 is null");
            ranges = List.copyOf(ranges);
        }
    }

    /**
     * Reads a journal, ignoring a torn or corrupt tail; empty when there is none or its header is unreadable or of
     * another format version.
     */
    public static Optional<Contents> read(Path path) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        Optional<JournalRecord.Framed> first = JournalRecord.next(buffer);
        if (first.isEmpty() || first.get().type() != JournalRecord.TYPE_HEADER) {
            return Optional.empty();
        }
        Optional<Contents> header = parseHeader(first.get().payload());
        if (header.isEmpty()) {
            return Optional.empty();
        }
        long size = header.get().size();
        List<ByteRange> ranges = new ArrayList<>();
        for (Optional<JournalRecord.Framed> next = JournalRecord.next(buffer); next.isPresent();
             next = JournalRecord.next(buffer)) {
            Optional<ByteRange> range = parseRange(next.get(), size);
            if (range.isEmpty()) {
                break;
            }
            ranges.add(range.get());
        }
        return Optional.of(new Contents(size, header.get().validator(), header.get().md5(), ByteRanges.merge(ranges)));
    }

    private static Optional<Contents> parseHeader(ByteBuffer payload) {
        if (payload.remaining() < JournalRecord.HEADER_STRINGS_OFFSET
                || payload.getInt(JournalRecord.HEADER_MAGIC_OFFSET) != JournalRecord.MAGIC
                || payload.getShort(JournalRecord.HEADER_VERSION_OFFSET) != JournalRecord.VERSION) {
            return Optional.empty();
        }
        long size = payload.getLong(JournalRecord.HEADER_SIZE_OFFSET);
        payload.position(JournalRecord.HEADER_STRINGS_OFFSET);
        Optional<String> validator = readString(payload);
        Optional<String> md5 = validator.isEmpty() ? Optional.empty() : readString(payload);
        if (md5.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Contents(size, nonEmpty(validator.get()), nonEmpty(md5.get()), List.of()));
    }

    /** A length-prefixed UTF-8 string; empty when it does not fit or does not decode. */
    private static Optional<String> readString(ByteBuffer payload) {
        if (payload.remaining() < 2) {
            return Optional.empty();
        }
        int length = payload.getShort() & 0xffff;
        if (payload.remaining() < length) {
            return Optional.empty();
        }
        byte[] bytes = new byte[length];
        payload.get(bytes);
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> nonEmpty(String text) {
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    private static Optional<ByteRange> parseRange(JournalRecord.Framed record, long size) {
        ByteBuffer payload = record.payload();
        if (record.type() != JournalRecord.TYPE_RANGE || payload.remaining() != JournalRecord.RANGE_PAYLOAD_LENGTH) {
            return Optional.empty();
        }
        long start = payload.getLong(JournalRecord.RANGE_START_OFFSET);
        long end = payload.getLong(JournalRecord.RANGE_END_OFFSET);
        if (start < 0 || end < start || (size >= 0 && end > size)) {
            return Optional.empty();
        }
        return Optional.of(new ByteRange(start, end));
    }

    /**
     * Writes {@code contents} as a fresh, compact journal at {@code path} (atomically replacing any old one) and
     * opens it for appending. The caller fsyncs the directory afterwards.
     */
    public static Journal create(Path path, Contents contents) throws IOException {
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        List<ByteRange> ranges = ByteRanges.merge(contents.ranges());
        ByteBuffer buffer = ByteBuffer.allocate(JournalRecord.FRAME_OVERHEAD + JournalRecord.MAX_PAYLOAD
                + ranges.size() * JournalRecord.RANGE_RECORD_LENGTH);
        buffer.put(JournalRecord.header(contents.size(), contents.validator(), contents.md5()));
        for (ByteRange range : ranges) {
            buffer.put(JournalRecord.range(range));
        }
        buffer.flip();
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
        try {
            return new Journal(path, file, file.length());
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Appends one range record and syncs it to storage. Thread-safe; appends from several threads at once share
     * syncs (one sync covers every record written before it began). A record torn by a failed write is
     * overwritten by the next append, so it cannot hide later records from {@link #read}.
     */
    public void append(ByteRange range) throws IOException {
        long mine;
        synchronized (this) {
            file.seek(end);
            file.write(JournalRecord.range(range));
            end += JournalRecord.RANGE_RECORD_LENGTH;
            mine = ++appended;
        }
        synchronized (syncLock) {
            if (synced >= mine) {
                return;
            }
            long covered;
            synchronized (this) {
                covered = appended;
            }
            file.getFD().sync();
            synced = covered;
            syncs++;
        }
    }

    /** Syncs done by {@link #append} (for tests). */
    long syncs() {
        synchronized (syncLock) {
            return syncs;
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}
