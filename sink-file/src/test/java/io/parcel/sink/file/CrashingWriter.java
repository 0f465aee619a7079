package io.parcel.sink.file;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.Resource;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link FileSinkCrashIT} kills: it resumes the test resource in a directory, writes the missing blocks
 * from several threads in random order, says "ready" once a few are durable, and never commits.
 */
public final class CrashingWriter {
    static final int BLOCK = 64 * 1024;
    static final String NAME = "crash.bin";
    static final int READY_AFTER_BLOCKS = 16;
    /** The writer gives up on its own after this long, should nobody kill it. */
    private static final long LIFETIME_SECONDS = 60;

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        FileSink sink = new FileSink(dir, false, true, System.getLogger(CrashingWriter.class.getName()));
        Destination destination = sink.open(resource(size));
        List<Long> blocks = missingBlocks(destination.doneRanges(), size);
        Collections.shuffle(blocks, new Random(System.nanoTime()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        int[] written = {0};
        for (long offset : blocks) {
            pool.execute(() -> {
                try {
                    ByteRange range = new ByteRange(offset, Math.min(size, offset + BLOCK));
                    destination.write(offset, ByteBuffer.wrap(pattern(range)));
                    destination.markDone(range);
                    synchronized (written) {
                        if (++written[0] == READY_AFTER_BLOCKS) {
                            System.out.println("ready");
                            System.out.flush();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(LIFETIME_SECONDS, TimeUnit.SECONDS);
        System.out.println("done");
        System.out.flush();
        Thread.sleep(TimeUnit.SECONDS.toMillis(LIFETIME_SECONDS));
    }

    static Resource resource(long size) {
        return new Resource(NAME, URI.create("http://127.0.0.1/" + NAME), NAME, size, Optional.empty(), true,
                Optional.of("\"crash-v1\""));
    }

    static List<Long> missingBlocks(List<ByteRange> done, long size) {
        List<Long> blocks = new ArrayList<>();
        for (long offset = 0; offset < size; offset += BLOCK) {
            long start = offset;
            long end = Math.min(size, offset + BLOCK);
            if (done.stream().noneMatch(range -> range.start() <= start && range.end() >= end)) {
                blocks.add(offset);
            }
        }
        return blocks;
    }

    /** The bytes the resource holds at {@code range}: a function of the offset, so any slice can be checked. */
    static byte[] pattern(ByteRange range) {
        byte[] bytes = new byte[(int) range.length()];
        for (int i = 0; i < bytes.length; i++) {
            long offset = range.start() + i;
            bytes[i] = (byte) (offset * 31 + (offset >>> 9) * 7 + (offset >>> 17));
        }
        return bytes;
    }
}
