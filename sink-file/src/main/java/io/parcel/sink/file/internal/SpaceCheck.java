package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Resource;
import io.parcel.spi.TransferException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Refuses a download that cannot fit before any byte is fetched, instead of failing near the end. */
final class SpaceCheck {
    private SpaceCheck() {
    }

    static void require(Path dir, Resource resource, List<ByteRange> done) throws TransferException {
        if (!resource.sizeKnown()) {
            return;
        }
        long needed = resource.size() - ByteRanges.totalLength(done);
        long usable;
        try {
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            // Some file systems cannot tell; the writes will find out.
            return;
        }
        if (needed > usable) {
            throw new TransferException("no space left on device for " + dir.resolve(resource.name()) + ": it needs "
                    + needed + " more bytes, " + usable + " are free in " + dir, false);
        }
    }
}
