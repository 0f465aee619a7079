package io.parcel.sink.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A really full disk: {@link DiskFiller} runs in a private mount namespace ({@code unshare -m}) on a 1 MiB tmpfs,
 * so the mount vanishes with the process whatever happens. Needs root (or user namespaces) to mount; where that is
 * impossible the test is reported as skipped, and the mapping of the error text is still covered by unit tests.
 */
class FileSinkDiskFullIT {
    @TempDir
    Path mountPoint;

    @TempDir
    Path logs;

    @Test
    void aFullDiskIsReportedAsSuchAndNotRetried() throws Exception {
        assumeTrue(canMountTmpfs(), "cannot mount a tmpfs in a private mount namespace here (needs root)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "mount -t tmpfs -o size=1m parcel-test \"$1\" && exec \"$2\" -Xmx64m -cp \"$3\" \"$4\" \"$1\"";
        Process filler = new ProcessBuilder("unshare", "-m", "sh", "-c", script, "sh", mountPoint.toString(), java,
                System.getProperty("java.class.path"), DiskFiller.class.getName())
                .redirectError(logs.resolve("filler.log").toFile()).start();
        boolean finished = filler.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            filler.destroyForcibly();
        }
        assertTrue(finished, "the filler must finish");
        List<String> lines = new String(filler.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, filler.exitValue(), "filler output: " + lines + "; log: " + Files.readString(logs.resolve("filler.log")));

        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("up-front: false no space left on device for "), lines.get(0));
        assertTrue(lines.get(1).startsWith("writing: false no space left on device writing " + mountPoint + "/fill.bin"),
                lines.get(1));
        assertEquals(List.of(), listing(mountPoint), "the mount stayed private to the filler");
    }

    private static boolean canMountTmpfs() throws Exception {
        Process probe = new ProcessBuilder("unshare", "-m", "sh", "-c",
                "d=$(mktemp -d) && mount -t tmpfs -o size=64k parcel-probe \"$d\"; r=$?; rmdir \"$d\" 2>/dev/null; exit $r")
                .redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    private static List<Path> listing(Path dir) throws Exception {
        try (var entries = Files.list(dir)) {
            return entries.toList();
        }
    }
}
