package io.parcel.sink.file;

import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Sink;
import io.parcel.spi.SinkFactory;
import io.parcel.spi.UsageException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** Creates {@link FileSink}s, named {@code file}: resources become files in one directory. */
public final class FileSinkFactory implements SinkFactory {
    public static final String NAME = "file";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "files in a directory, resumable through a journal, verified and renamed atomically";
    }

    @Override
    public List<OptionKey<?>> options() {
        return FileSinkOptions.ALL;
    }

    /**
     * @throws UsageException when the directory cannot be created, is not a directory or is not writable
     */
    @Override
    public Sink create(Options options, PluginContext context) throws IOException {
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        Path dir;
        try {
            dir = options.get(FileSinkOptions.DIR).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException("invalid download directory: " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException("download directory " + dir + " exists but is not a directory", e);
        } catch (IOException e) {
            throw new UsageException("cannot create download directory " + dir + ": " + e, e);
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException("download directory " + dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException("download directory " + dir + " is not writable");
        }
        return new FileSink(dir, options.get(FileSinkOptions.OVERWRITE), options.get(FileSinkOptions.VERIFY),
                context.logger(FileSink.class));
    }
}
