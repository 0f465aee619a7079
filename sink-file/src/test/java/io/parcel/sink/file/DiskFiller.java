package io.parcel.sink.file;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.ParcelException;
import io.parcel.spi.Resource;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Run by {@link FileSinkDiskFullIT} inside a private mount namespace on a tiny tmpfs: writes until the file system
 * is full and prints how each failure was reported, one line per case.
 */
public final class DiskFiller {
    private static final int BLOCK = 64 * 1024;
    /** Far more than the tmpfs holds, so the loop always ends in a failure. */
    private static final int MAX_BLOCKS = 1024;

    private DiskFiller() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        FileSink sink = new FileSink(dir, false, true, System.getLogger(DiskFiller.class.getName()));
        Resource tooBig = new Resource("big", URI.create("http://127.0.0.1/big"), "big.bin", 64L << 20,
                Optional.empty(), true, Optional.empty());
        try (Destination destination = sink.open(tooBig)) {
            System.out.println("up-front: opened");
        } catch (ParcelException e) {
            System.out.println("up-front: " + e.retryable() + " " + e.getMessage());
        }
        Resource unknown = new Resource("fill", URI.create("http://127.0.0.1/fill"), "fill.bin",
                Resource.UNKNOWN_SIZE, Optional.empty(), false, Optional.empty());
        try (Destination destination = sink.open(unknown)) {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            for (int i = 0; i < MAX_BLOCKS; i++) {
                destination.write((long) i * BLOCK, block.clear());
                destination.markDone(ByteRange.ofLength((long) i * BLOCK, BLOCK));
            }
            System.out.println("writing: no failure");
        } catch (ParcelException e) {
            System.out.println("writing: " + e.retryable() + " " + e.getMessage());
        }
        System.out.flush();
    }
}
