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
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.NginxServer;

/** GDC manifests (id, filename, md5, size, state) against nginx's {@code /data/<id>}. */
class ManifestIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String FIRST_ID = "0a4e2d1c-5f3b-4c6e-9d1a-2b3c4d5e6f70";
    private static final String SECOND_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

    @TempDir
    Path served;
    @TempDir
    Path work;

    @Test
    void downloadsEveryFileOfAManifestAndVerifiesMd5AndSize() throws IOException {
        long firstSize = 3 * 1024 * 1024 + 17;
        long secondSize = 4096;
        Path first = TestData.writeFile(served.resolve("first"), 11, firstSize);
        Path second = TestData.writeFile(served.resolve("second"), 12, secondSize);
        Path manifest = manifest(
                row(FIRST_ID, "reads_1.fastq.gz", TestData.md5Hex(11, firstSize), firstSize),
                row(SECOND_ID, "reads_2.fastq.gz", TestData.md5Hex(12, secondSize), secondSize));
        try (NginxServer gdc = NginxServer.builder(served)
                .dataFile(FIRST_ID, first, "reads_1.fastq.gz")
                .dataFile(SECOND_ID, second, "reads_2.fastq.gz")
                .start()) {
            Path out = work.resolve("out");

            var result = DistProcess.run(work, TIMEOUT,
                    "download", "-d", out.toString(), "-q", "-s", gdc.baseUrl(), "-m", manifest.toString());

            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(TestData.sha256Hex(11, firstSize), TestData.sha256Hex(out.resolve("reads_1.fastq.gz")));
            assertEquals(TestData.sha256Hex(12, secondSize), TestData.sha256Hex(out.resolve("reads_2.fastq.gz")));
            Downloads.assertNoLeftovers(out, "reads_1.fastq.gz");
            Downloads.assertNoLeftovers(out, "reads_2.fastq.gz");
        }
    }

    @Test
    void aWrongMd5FailsTheFileAndLeavesNothingThatLooksComplete() throws IOException {
        long size = 2 * 1024 * 1024 + 5;
        Path data = TestData.writeFile(served.resolve("data"), 21, size);
        // The md5 of other bytes of the same size: only the digest can catch it.
        Path manifest = manifest(row(FIRST_ID, "tumor.bam", TestData.md5Hex(22, size), size));
        try (NginxServer gdc = NginxServer.builder(served).dataFile(FIRST_ID, data, "tumor.bam").start()) {
            Path out = work.resolve("out");

            var result = DistProcess.run(work, TIMEOUT,
                    "download", "-d", out.toString(), "-q", "-s", gdc.baseUrl(), "-m", manifest.toString());

            assertEquals(1, result.exitCode(), result.describe());
            assertTrue(result.output().toLowerCase(Locale.ROOT).contains("md5"),
                    "the message does not say md5 failed:\n" + result.describe());
            Downloads.assertNoStackTrace(result);
            assertFalse(Files.exists(out.resolve("tumor.bam")), "a file that failed its md5 has its final name");
            assertNothingCompleteLooking(out, size);
        }
    }

    /** No file of the full size under any name that a user could mistake for the download. */
    private static void assertNothingCompleteLooking(Path dir, long size) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                boolean marked = name.endsWith(".partial") || name.endsWith(".journal") || name.contains(".partial");
                assertTrue(marked || Files.size(file) != size, "looks complete but failed verification: " + file);
            }
        }
    }

    private Path manifest(String... rows) throws IOException {
        Path manifest = work.resolve("gdc_manifest.txt");
        StringBuilder text = new StringBuilder("id\tfilename\tmd5\tsize\tstate\n");
        for (String row : rows) {
            text.append(row).append('\n');
        }
        Files.writeString(manifest, text);
        return manifest;
    }

    private static String row(String id, String name, String md5, long size) {
        return String.join("\t", List.of(id, name, md5, Long.toString(size), "released"));
    }
}
