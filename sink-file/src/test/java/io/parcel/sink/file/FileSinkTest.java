package io.parcel.sink.file;

import io.parcel.sink.file.internal.Journal;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Resource;
import io.parcel.spi.Sink;
import io.parcel.spi.TransferException;
import io.parcel.spi.UsageException;
import io.parcel.spi.VerificationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileSinkTest {
    @TempDir
    Path dir;

    private final byte[] data = randomBytes(300_000, 1);

    @Test
    void writesOutOfOrderAndAppearsOnlyAtCommit() throws Exception {
        Resource resource = resource("out.bin", data, true, "\"v1\"");
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(resource)) {
            assertFalse(destination.alreadyComplete());
            assertEquals(List.of(), destination.doneRanges());
            writeAndMark(destination, new ByteRange(200_000, 300_000));
            writeAndMark(destination, new ByteRange(0, 200_000));

            assertFalse(Files.exists(dir.resolve("out.bin")), "nothing may look complete before commit");
            assertTrue(Files.exists(dir.resolve("out.bin.partial")));
            assertTrue(Files.exists(dir.resolve("out.bin.partial.journal")));

            destination.commit();
        }

        assertArrayEquals(data, Files.readAllBytes(dir.resolve("out.bin")));
        assertFalse(Files.exists(dir.resolve("out.bin.partial")));
        assertFalse(Files.exists(dir.resolve("out.bin.partial.journal")));
        assertEquals(dir.resolve("out.bin").toString(), sinkLocation(resource));
    }

    @Test
    void aRerunResumesTheRangesMarkedDone() throws Exception {
        Resource resource = resource("resume.bin", data, true, "\"v1\"");
        try (Sink sink = sink(Options.empty())) {
            try (Destination first = sink.open(resource)) {
                writeAndMark(first, new ByteRange(0, 50_000));
                writeAndMark(first, new ByteRange(100_000, 150_000));
                writeAndMark(first, new ByteRange(50_000, 60_000));
                // Written but never marked done: in flight when the process died.
                first.write(150_000, ByteBuffer.wrap(data, 150_000, 10_000));
            }
            try (Destination second = sink.open(resource)) {
                assertEquals(List.of(new ByteRange(0, 60_000), new ByteRange(100_000, 150_000)), second.doneRanges());
                writeAndMark(second, new ByteRange(60_000, 100_000));
                writeAndMark(second, new ByteRange(150_000, data.length));
                second.commit();
            }
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("resume.bin")));
    }

    @Test
    void mayHoldAFileOrWhatAnEarlierRunLeftOfIt() throws Exception {
        Resource resource = resource("held.bin", data, true, "\"v1\"");
        try (Sink sink = sink(Options.empty())) {
            assertFalse(sink.mayHold("held.bin"));
            try (Destination destination = sink.open(resource)) {
                writeAndMark(destination, new ByteRange(0, 1000));
            }
            assertTrue(sink.mayHold("held.bin"), "a .partial from an earlier run");
            try (Destination destination = sink.open(resource)) {
                writeAndMark(destination, new ByteRange(1000, data.length));
                destination.commit();
            }
            assertTrue(sink.mayHold("held.bin"), "the complete file");
            assertFalse(sink.mayHold("other.bin"));
            assertTrue(sink.mayHold(".."), "a name that cannot be stored here is left to open() to report");
        }
    }

    @Test
    void aChangedValidatorOrSizeStartsOver() throws Exception {
        try (Sink sink = sink(Options.empty())) {
            try (Destination first = sink.open(resource("f.bin", data, false, "\"v1\""))) {
                writeAndMark(first, new ByteRange(0, 100_000));
            }
            try (Destination changed = sink.open(resource("f.bin", data, false, "\"v2\""))) {
                assertEquals(List.of(), changed.doneRanges());
                assertEquals(0, Files.size(dir.resolve("f.bin.partial")), "the old partial data is discarded");
                writeAndMark(changed, new ByteRange(0, 10));
            }
            byte[] shorter = java.util.Arrays.copyOf(data, 1000);
            try (Destination resized = sink.open(resource("f.bin", shorter, false, "\"v2\""))) {
                assertEquals(List.of(), resized.doneRanges());
            }
        }
    }

    @Test
    void anMd5MismatchRemovesEverythingAndARerunStartsFresh() throws Exception {
        Resource resource = resource("bad.bin", data, false, "\"v1\"").withMd5("0123456789abcdef0123456789abcdef");
        try (Sink sink = sink(Options.empty())) {
            try (Destination destination = sink.open(resource)) {
                writeAndMark(destination, new ByteRange(0, data.length));
                VerificationException error = assertThrows(VerificationException.class, destination::commit);

                assertTrue(error.getMessage().contains("0123456789abcdef0123456789abcdef"), error.getMessage());
                assertTrue(error.getMessage().contains(md5Hex(data)), error.getMessage());
            }
            assertFalse(Files.exists(dir.resolve("bad.bin")));
            assertFalse(Files.exists(dir.resolve("bad.bin.partial")));
            assertFalse(Files.exists(dir.resolve("bad.bin.partial.journal")));
            try (Destination rerun = sink.open(resource)) {
                assertEquals(List.of(), rerun.doneRanges());
            }
        }
    }

    @Test
    void withoutVerifyAWrongMd5IsNotChecked() throws Exception {
        Resource resource = resource("nv.bin", data, false, "").withMd5("0123456789abcdef0123456789abcdef");
        try (Sink sink = sink(Options.empty().with(FileSinkOptions.VERIFY, "false"));
             Destination destination = sink.open(resource)) {
            writeAndMark(destination, new ByteRange(0, data.length));
            destination.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("nv.bin")));
    }

    @Test
    void aShortFileFailsVerificationOfItsSize() throws Exception {
        Resource resource = resource("short.bin", data, true, "");
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(resource)) {
            writeAndMark(destination, new ByteRange(0, 1000));
            VerificationException error = assertThrows(VerificationException.class, destination::commit);

            assertTrue(error.getMessage().contains("expected " + data.length + " bytes, found 1000"), error.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("short.bin")));
        assertFalse(Files.exists(dir.resolve("short.bin.partial")));
    }

    @Test
    void anExistingFileIsCompleteOnlyWhenItMatches() throws Exception {
        Files.write(dir.resolve("have.bin"), data);
        try (Sink sink = sink(Options.empty())) {
            try (Destination same = sink.open(resource("have.bin", data, true, "\"x\"").withMd5(md5Hex(data)))) {
                assertTrue(same.alreadyComplete());
                assertEquals(List.of(new ByteRange(0, data.length)), same.doneRanges());
                same.commit();
            }
            try (Destination sameSizeNoMd5 = sink.open(resource("have.bin", data, true, "\"x\""))) {
                assertTrue(sameSizeNoMd5.alreadyComplete());
            }
            UsageException differentMd5 = assertThrows(UsageException.class,
                    () -> sink.open(resource("have.bin", data, true, "").withMd5("0123456789abcdef0123456789abcdef")));
            assertTrue(differentMd5.getMessage().contains("exists and differs"), differentMd5.getMessage());
            assertTrue(differentMd5.getMessage().contains("--overwrite"), differentMd5.getMessage());
            assertThrows(UsageException.class, () -> sink.open(resource("have.bin", new byte[10], true, "")));
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("have.bin")), "a refused open must not touch the file");
    }

    @Test
    void overwriteReplacesADifferingFileOnlyAtCommit() throws Exception {
        Files.write(dir.resolve("old.bin"), new byte[] {1, 2, 3});
        Resource resource = resource("old.bin", data, true, "");
        try (Sink sink = sink(Options.empty().with(FileSinkOptions.OVERWRITE, "true"));
             Destination destination = sink.open(resource)) {
            assertFalse(destination.alreadyComplete());
            writeAndMark(destination, new ByteRange(0, data.length));
            assertEquals(3, Files.size(dir.resolve("old.bin")), "the old file stays until the new one is verified");
            destination.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("old.bin")));
    }

    @Test
    void aZeroByteResourceBecomesAnEmptyFile() throws Exception {
        Resource empty = resource("empty.txt", new byte[0], true, "").withMd5(md5Hex(new byte[0]));
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(empty)) {
            assertEquals(List.of(), destination.doneRanges());
            destination.commit();
        }
        assertEquals(0, Files.size(dir.resolve("empty.txt")));
        try (Sink sink = sink(Options.empty()); Destination again = sink.open(empty)) {
            assertTrue(again.alreadyComplete());
        }
    }

    @Test
    void anUnknownSizeIsCheckedByMd5Only() throws Exception {
        Resource unknown = new Resource("u", URI.create("http://127.0.0.1/u"), "u.bin", Resource.UNKNOWN_SIZE,
                Optional.of(md5Hex(data)), false, Optional.empty());
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(unknown)) {
            destination.write(0, ByteBuffer.wrap(data));
            destination.markDone(new ByteRange(0, data.length));
            destination.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("u.bin")));
    }

    @Test
    void concurrentWritersProduceTheWholeFile() throws Exception {
        byte[] big = randomBytes(4 << 20, 9);
        Resource resource = resource("concurrent.bin", big, true, "\"c\"").withMd5(md5Hex(big));
        int block = 64 * 1024;
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(resource)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                writers.add(pool.submit(() -> {
                    // Each writer takes every eighth block, so neighbouring writes race on every page boundary.
                    for (int offset = first * block; offset < big.length; offset += threads * block) {
                        int length = Math.min(block, big.length - offset);
                        destination.write(offset, ByteBuffer.wrap(big, offset, length));
                        destination.markDone(ByteRange.ofLength(offset, length));
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            destination.commit();
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(big, Files.readAllBytes(dir.resolve("concurrent.bin")));
    }

    @Test
    void anInterruptedWriterDoesNotBreakTheFileForOthers() throws Exception {
        Resource resource = resource("irq.bin", data, true, "");
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(resource)) {
            Thread.currentThread().interrupt();
            try {
                destination.write(0, ByteBuffer.wrap(data, 0, 1000));
                destination.markDone(new ByteRange(0, 1000));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
            } finally {
                Thread.interrupted();
            }
            writeAndMark(destination, new ByteRange(1000, data.length));
            destination.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("irq.bin")));
    }

    @Test
    void aSecondWriterOfTheSamePartialIsRefused() throws Exception {
        Resource resource = resource("locked.bin", data, true, "");
        try (Sink sink = sink(Options.empty()); Destination first = sink.open(resource)) {
            TransferException error = assertThrows(TransferException.class, () -> sink.open(resource));
            assertFalse(error.retryable());
            assertTrue(error.getMessage().contains("locked.bin.partial"), error.getMessage());
            writeAndMark(first, new ByteRange(0, 10));
        }
    }

    @Test
    void writesOutsideTheResourceAreRejected() throws Exception {
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(resource("r.bin", data, true, ""))) {
            assertThrows(IllegalArgumentException.class,
                    () -> destination.write(data.length - 1, ByteBuffer.allocate(2)));
            assertThrows(IllegalArgumentException.class,
                    () -> destination.markDone(new ByteRange(0, data.length + 1L)));
        }
    }

    @Test
    void aResourceLargerThanTheFreeSpaceIsRefusedUpFront() throws Exception {
        long huge = Long.MAX_VALUE / 4;
        Resource resource = new Resource("h", URI.create("http://127.0.0.1/h"), "huge.bin", huge, Optional.empty(),
                true, Optional.empty());
        try (Sink sink = sink(Options.empty())) {
            TransferException error = assertThrows(TransferException.class, () -> sink.open(resource));

            assertFalse(error.retryable());
            assertTrue(error.getMessage().startsWith("no space left on device"), error.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("huge.bin.partial.journal")));
        assertFalse(Files.exists(dir.resolve("huge.bin.partial")), "a refused open leaves nothing behind");
    }

    @Test
    void theDirectoryIsCreatedAndMustBeADirectory() throws Exception {
        Path nested = dir.resolve("a/b/c");
        try (Sink sink = sink(Options.empty().with(FileSinkOptions.DIR, nested.toString()))) {
            assertTrue(Files.isDirectory(nested));
            assertEquals(nested, ((FileSink) sink).dir());
        }
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        UsageException error = assertThrows(UsageException.class,
                () -> sink(Options.empty().with(FileSinkOptions.DIR, file.toString())));
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void theJournalRecordsTheResource() throws Exception {
        Resource resource = resource("j.bin", data, true, "\"etag-1\"").withMd5(md5Hex(data));
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(resource)) {
            writeAndMark(destination, new ByteRange(0, 10));
            Journal.Contents contents = Journal.read(dir.resolve("j.bin.partial.journal")).orElseThrow();

            assertEquals(data.length, contents.size());
            assertEquals(Optional.of("\"etag-1\""), contents.validator());
            assertEquals(Optional.of(md5Hex(data)), contents.md5());
            assertEquals(List.of(new ByteRange(0, 10)), contents.ranges());
        }
    }

    private String sinkLocation(Resource resource) throws IOException {
        Files.delete(dir.resolve(resource.name()));
        try (Sink sink = sink(Options.empty()); Destination destination = sink.open(resource)) {
            return destination.location();
        }
    }

    private void writeAndMark(Destination destination, ByteRange range) throws IOException {
        destination.write(range.start(), ByteBuffer.wrap(data, (int) range.start(), (int) range.length()));
        destination.markDone(range);
    }

    private Sink sink(Options options) throws IOException {
        return new FileSinkFactory().create(Options.empty().with(FileSinkOptions.DIR, dir.toString()).withAll(options),
                PluginContext.system());
    }

    private static Resource resource(String name, byte[] content, boolean ranges, String validator) {
        return new Resource(name, URI.create("http://127.0.0.1/" + name), name, content.length, Optional.empty(),
                ranges, validator.isEmpty() ? Optional.empty() : Optional.of(validator));
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String md5Hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }
}
