package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;

/** Usage and configuration errors exit 2 with a message, before anything is attempted. */
class UsageIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    // Nothing listens on port 9 of loopback: if parcel tried to download anyway it would fail with 1, not 2.
    private static final String URL = "http://127.0.0.1:9/never-fetched.bin";

    @TempDir
    Path work;

    @Test
    void noArgumentsWithoutATerminalIsAUsageError() {
        assertUsageError(DistProcess.run(work, TIMEOUT));
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertUsageError(DistProcess.run(work, TIMEOUT, "download", "--no-such-option", URL));
    }

    @Test
    void aBadLimitRateIsAUsageError() {
        assertUsageError(DistProcess.run(work, TIMEOUT, "download", "--limit-rate", "fast", URL));
    }

    @Test
    void aNegativeConnectionCountIsAUsageError() {
        assertUsageError(DistProcess.run(work, TIMEOUT, "download", "-n", "-3", URL));
    }

    @Test
    void aMissingTokenFileIsAUsageError() {
        assertUsageError(DistProcess.run(work, TIMEOUT, "download", "-t",
                work.resolve("no-such-token.txt").toString(), URL));
    }

    @Test
    void aMissingManifestIsAUsageError() {
        assertUsageError(DistProcess.run(work, TIMEOUT, "download", "-m",
                work.resolve("no-such-manifest.tsv").toString()));
    }

    private static void assertUsageError(DistProcess.Result result) {
        assertEquals(2, result.exitCode(), result.describe());
        assertFalse(result.stderr().isBlank(), "exit 2 without a word on stderr:\n" + result.describe());
        Downloads.assertNoStackTrace(result);
    }
}
