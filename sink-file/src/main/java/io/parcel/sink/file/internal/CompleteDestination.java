package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** The destination of a resource whose finished file is already there and matches: nothing to write. */
public final class CompleteDestination implements Destination {
    private final Path path;
    private final long size;

    public CompleteDestination(Path path, long size) {
        this.path = requireNonNull(path, "path is null");
        this.size = size;
    }

    @Override
    public String location() {
        return path.toString();
    }

    @Override
    public boolean alreadyComplete() {
        return true;
    }

    @Override
    public List<ByteRange> doneRanges() {
        return size > 0 ? List.of(new ByteRange(0, size)) : List.of();
    }

    @Override
    public void write(long offset, ByteBuffer data) {
        throw new IllegalStateException(path + " is already complete; nothing may be written");
    }

    @Override
    public void markDone(ByteRange range) {
        throw new IllegalStateException(path + " is already complete; nothing may be written");
    }

    /** The file is already in place. */
    @Override
    public void commit() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "CompleteDestination[" + path + "]";
    }
}
