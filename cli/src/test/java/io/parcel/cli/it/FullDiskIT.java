package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.NginxServer;

/** A download into a filesystem that fills up: a clear failure, never a file that looks complete. */
class FullDiskIT {
    private static final long SIZE = 20L * 1024 * 1024;

    @TempDir
    Path served;
    @TempDir
    Path work;

    @Test
    void aFullDiskFailsWithAClearMessageAndNoFinalFile() throws IOException {
        TestData.writeFile(served.resolve("big.bin"), 41, SIZE);
        Path disk = Files.createDirectories(work.resolve("small-disk"));
        mountSmallTmpfs(disk);
        try (NginxServer nginx = NginxServer.builder(served).start()) {
            var result = DistProcess.run(work, Duration.ofSeconds(90),
                    "download", "-d", disk.toString(), "-q", nginx.url("/big.bin"));

            assertEquals(1, result.exitCode(), result.describe());
            assertTrue(result.stderr().toLowerCase(Locale.ROOT).contains("space"),
                    "the message does not say the disk is full:\n" + result.describe());
            Downloads.assertNoStackTrace(result);
            assertFalse(Files.exists(disk.resolve("big.bin")), "a final file on a full disk");
        }
        finally {
            unmount(disk);
        }
    }

    private static void mountSmallTmpfs(Path dir) {
        int code = exec(List.of("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir.toString()));
        Assumptions.assumeTrue(code == 0, "cannot mount a tmpfs here (mount exited " + code
                + "; needs root or CAP_SYS_ADMIN): the full-disk case is not checked");
    }

    private static void unmount(Path dir) {
        if (exec(List.of("umount", dir.toString())) != 0) {
            // Something still holds a file open there; detach it so the temp directory can go.
            exec(List.of("umount", "-l", dir.toString()));
        }
    }

    private static int exec(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        }
        catch (IOException e) {
            return -1;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
