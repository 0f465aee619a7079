package io.parcel.cli.perf;

import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/** What the sending side of {@code perf} sends. */
sealed interface DataSource {
    /** Exactly {@code bytes} bytes of the seeded pattern. */
    record PatternBytes(long seed, long bytes) implements DataSource {
        public PatternBytes {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must not be negative: " + bytes);
            }
        }
    }

    /** The seeded pattern for {@code duration}. */
    record PatternTime(long seed, Duration duration) implements DataSource {
        public PatternTime {
            requireNonNull(duration, "duration is null");
        }
    }

    /** The contents of a file. */
    record FileData(Path file) implements DataSource {
        public FileData {
            requireNonNull(file, "file is null");
        }
    }
}
