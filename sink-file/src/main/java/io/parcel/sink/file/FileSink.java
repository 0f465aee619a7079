package io.parcel.sink.file;

import io.parcel.sink.file.internal.CompleteDestination;
import io.parcel.sink.file.internal.FileChecks;
import io.parcel.sink.file.internal.FileDestination;
import io.parcel.spi.Destination;
import io.parcel.spi.Resource;
import io.parcel.spi.Sink;
import io.parcel.spi.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static java.lang.System.Logger.Level.DEBUG;
import static java.util.Objects.requireNonNull;

/**
 * Writes resources as files in one directory: {@code <name>.partial} plus a journal while downloading, the
 * finished file under {@code <name>} only after verification. Thread-safe; it holds no per-file state.
 */
public final class FileSink implements Sink {
    private final Path dir;
    private final boolean overwrite;
    private final boolean verify;
    private final System.Logger logger;

    /** @param dir an existing, writable directory */
    public FileSink(Path dir, boolean overwrite, boolean verify, System.Logger logger) {
        this.dir = requireNonNull(dir, "dir is null").toAbsolutePath().normalize();
        this.overwrite = overwrite;
        this.verify = verify;
        this.logger = requireNonNull(logger, "logger is null");
    }

    /**
     * @throws UsageException when {@code <dir>/<name>} exists and differs and overwriting is off
     */
    @Override
    public Destination open(Resource resource) throws IOException {
        requireNonNull(resource, "resource is null");
        Path target = targetOf(resource.name());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (matches(target, resource)) {
                logger.log(DEBUG, () -> target + " is already complete");
                return new CompleteDestination(target, resource.size());
            }
            if (!overwrite) {
                throw new UsageException(target + " exists and differs" + difference(target, resource)
                        + "; use --overwrite");
            }
        }
        return FileDestination.open(dir, target, resource, verify, overwrite, logger);
    }

    /** The file under {@code name}, or what an earlier run left of it; true also when the name cannot be a file here. */
    @Override
    public boolean mayHold(String name) {
        requireNonNull(name, "name is null");
        try {
            Path target = targetOf(name);
            return Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(FileDestination.partialPath(target), LinkOption.NOFOLLOW_LINKS);
        } catch (UsageException | IllegalArgumentException e) {
            return true; // open() reports it
        }
    }

    /** The file a name stands for; names are plain already, but a file system can still surprise. */
    private Path targetOf(String name) throws UsageException {
        Path target;
        try {
            target = dir.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new UsageException("cannot store '" + name + "' in " + dir + ": " + e.getMessage(), e);
        }
        if (!dir.equals(target.getParent())) {
            throw new UsageException("'" + name + "' would be stored outside " + dir);
        }
        return target;
    }

    /**
     * True when the existing file is the resource: same size, and same MD5 when that is known and checked. Without
     * an MD5, a same-size file counts as done unless the user asked to overwrite.
     */
    private boolean matches(Path target, Resource resource) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) || !resource.sizeKnown()
                || Files.size(target) != resource.size()) {
            return false;
        }
        if (resource.md5().isPresent() && verify) {
            return FileChecks.md5(target).equals(resource.md5().get());
        }
        return !overwrite;
    }

    private static String difference(Path target, Resource resource) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return " (it is not a regular file)";
        }
        long size = Files.size(target);
        if (!resource.sizeKnown()) {
            return " (the new size is unknown, so it cannot be compared)";
        }
        return size != resource.size() ? " (" + size + " bytes, expected " + resource.size() + ")" : " (MD5 differs)";
    }

    public Path dir() {
        return dir;
    }

    /** Nothing shared to release: every destination owns its own files. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "FileSink[" + dir + ", overwrite=" + overwrite + ", verify=" + verify + "]";
    }
}
