package io.parcel.sink.file;

import io.parcel.spi.OptionKey;

import java.nio.file.Path;
import java.util.List;

/** The option keys the {@code file} sink reads. */
public final class FileSinkOptions {
    /** Where finished files go; created when missing. */
    public static final OptionKey<Path> DIR =
            OptionKey.of("dir", Path.of("."), Path::of, "directory the files are written to (created if missing)");

    /** Replace a finished file that exists and differs, instead of refusing. */
    public static final OptionKey<Boolean> OVERWRITE =
            OptionKey.bool("overwrite", false, "replace existing files that differ");

    /** Check the MD5 (when known) of every finished file before it appears under its name. */
    public static final OptionKey<Boolean> VERIFY =
            OptionKey.bool("verify", true, "check the MD5 of finished files when it is known");

    public static final List<OptionKey<?>> ALL = List.of(DIR, OVERWRITE, VERIFY);

    private FileSinkOptions() {
    }
}
