package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.parcel.cli.dist.DistProcess;

/** Assertions about what a download leaves on disk and prints. */
final class Downloads {
    private Downloads() {
    }

    /** After success only the final file remains: no {@code .partial}, no journal. */
    static void assertNoLeftovers(Path dir, String name) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(path -> path.getFileName().toString())
                    .filter(file -> file.startsWith(name))
                    .sorted()
                    .toList();
            assertEquals(List.of(name), names, "files left in " + dir);
        }
    }

    /** Errors are one-line messages for users; stack traces only with --debug. */
    static void assertNoStackTrace(DistProcess.Result result) {
        assertFalse(result.output().contains("\tat ") || result.output().contains("Exception in thread"),
                "a stack trace without --debug:\n" + result.describe());
    }
}
