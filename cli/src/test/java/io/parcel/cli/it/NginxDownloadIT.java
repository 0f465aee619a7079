package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.AccessLogEntry;
import io.parcel.testsupport.nginx.NginxServer;

/** Downloads from a real nginx with the packaged {@code bin/parcel}, checked by SHA-256. */
class NginxDownloadIT {
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path served;
    private static NginxServer nginx;

    @TempDir
    Path work;

    @BeforeAll
    static void startNginx() throws IOException {
        for (long size : List.of(0L, 1L, 5 * MIB + 3, 200 * MIB)) {
            TestData.writeFile(served.resolve("file-" + size + ".bin"), size, size);
        }
        nginx = NginxServer.builder(served).start();
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {0, 1, 5 * MIB + 3, 200 * MIB})
    void downloadsFilesOfManySizes(long size) throws IOException {
        String name = "file-" + size + ".bin";
        Path out = work.resolve("out");

        var result = DistProcess.run(work, Duration.ofSeconds(120),
                "download", "-d", out.toString(), "-q", nginx.url("/" + name));

        assertEquals(0, result.exitCode(), result.describe());
        assertEquals(TestData.sha256Hex(size, size), TestData.sha256Hex(out.resolve(name)), result.describe());
        Downloads.assertNoLeftovers(out, name);
    }

    @Test
    void downloadsASparseFileLargerThanTwoGibibytes() throws IOException {
        // Past 2^31 on purpose: int offsets anywhere in the path show up as a wrong digest or a wrong size.
        long size = (2L << 30) + 4099;
        Path source = served.resolve("sparse.bin");
        try (RandomAccessFile file = new RandomAccessFile(source.toFile(), "rw")) {
            file.setLength(size);
            for (long marker : List.of(0L, 1L << 20, (1L << 31) - 3, 1L << 31, (1L << 32) - 1, size - 5)) {
                if (marker + 5 <= size) {
                    file.seek(marker);
                    file.write(String.format("M%04d", marker % 10_000).getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        String expected = TestData.sha256Hex(source);
        Path out = work.resolve("out");
        try {
            var result = DistProcess.run(work, Duration.ofSeconds(180),
                    "download", "-d", out.toString(), "-q", "-n", "8", nginx.url("/sparse.bin"));

            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(size, Files.size(out.resolve("sparse.bin")));
            assertEquals(expected, TestData.sha256Hex(out.resolve("sparse.bin")), result.describe());
            Downloads.assertNoLeftovers(out, "sparse.bin");
        }
        finally {
            // 2 GiB of real blocks: give the disk back before the next test.
            Files.deleteIfExists(out.resolve("sparse.bin"));
            Files.deleteIfExists(source);
        }
    }

    /**
     * A file no larger than the first bytes asked with its description (1 MiB) takes one request; a larger one starts
     * its first connection on them. A rerun skips the files with a one-byte describe, as the first bytes would be
     * dropped.
     */
    @Test
    void aSmallFileComesWithItsDescriptionAndARerunAsksOneByte(@TempDir Path files) throws IOException {
        List<String> names = List.of("small-a.bin", "small-b.bin", "larger.bin");
        TestData.writeFile(files.resolve(names.get(0)), 1, 100_000);
        TestData.writeFile(files.resolve(names.get(1)), 2, MIB);
        TestData.writeFile(files.resolve(names.get(2)), 3, 3 * MIB + 5);
        try (NginxServer own = NginxServer.builder(files).start()) {
            Path out = work.resolve("out");
            String[] command = {"download", "-d", out.toString(), "-q", own.url("/" + names.get(0)),
                    own.url("/" + names.get(1)), own.url("/" + names.get(2))};

            var first = DistProcess.run(work, SHORT, command);

            assertEquals(0, first.exitCode(), first.describe());
            for (String name : names) {
                assertEquals(TestData.sha256Hex(files.resolve(name)), TestData.sha256Hex(out.resolve(name)));
            }
            var log = own.accessLog();
            for (String small : names.subList(0, 2)) {
                assertEquals(List.of(Optional.of("bytes=0-1048575")), log.stream()
                        .filter(entry -> entry.path().equals("/" + small)).map(AccessLogEntry::range).toList(),
                        "one request for " + small + ": " + log);
            }
            var larger = log.stream().filter(entry -> entry.path().equals("/" + names.get(2))).toList();
            assertEquals(Optional.of("bytes=0-1048575"), larger.get(0).range(), log.toString());
            assertTrue(larger.stream().skip(1).noneMatch(entry -> entry.range().orElse("").startsWith("bytes=0-")),
                    "the first bytes were fetched again: " + log);

            var second = DistProcess.run(work, SHORT, command);

            assertEquals(0, second.exitCode(), second.describe());
            var all = own.accessLog();
            var rerun = all.subList(log.size(), all.size());
            assertEquals(List.of("bytes=0-0", "bytes=0-0", "bytes=0-0"),
                    rerun.stream().map(entry -> entry.range().orElse("")).toList(), rerun.toString());
        }
    }

    @Test
    void namesTheFileFromContentDispositionAndVerifiesContentMd5() throws IOException {
        Path source = served.resolve("file-" + (5 * MIB + 3) + ".bin");
        try (NginxServer gdc = NginxServer.builder(served)
                .dataFile("3f2a0c1e-77b5-4e02-9a8e-5b0d0c6a1b2c", source, "sample.tumor.bam", NginxServer.md5Base64(source))
                .start()) {
            Path out = work.resolve("out");

            var result = DistProcess.run(work, SHORT,
                    "download", "-d", out.toString(), "-q", "-s", gdc.baseUrl(), "3f2a0c1e-77b5-4e02-9a8e-5b0d0c6a1b2c");

            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(TestData.sha256Hex(source), TestData.sha256Hex(out.resolve("sample.tumor.bam")));
            Downloads.assertNoLeftovers(out, "sample.tumor.bam");
        }
    }

    @Test
    void failsOnAWrongContentMd5AndLeavesNothingThatLooksComplete() throws IOException {
        Path source = served.resolve("file-" + (5 * MIB + 3) + ".bin");
        try (NginxServer gdc = NginxServer.builder(served)
                .dataFile("bad-md5", source, "corrupt.bin", TestData.md5Base64(new byte[] {1, 2, 3}))
                .start()) {
            Path out = work.resolve("out");

            var result = DistProcess.run(work, SHORT,
                    "download", "-d", out.toString(), "-q", "-s", gdc.baseUrl(), "bad-md5");

            assertEquals(1, result.exitCode(), result.describe());
            assertFalse(Files.exists(out.resolve("corrupt.bin")), "a file that failed verification has its final name");
        }
    }

    @Test
    void downloadsFromAServerWithoutRangeSupport() throws IOException {
        long size = 5 * MIB + 3;
        String name = "file-" + size + ".bin";
        try (NginxServer noRanges = NginxServer.builder(served).noRanges().start()) {
            Path out = work.resolve("out");

            var result = DistProcess.run(work, SHORT,
                    "download", "-d", out.toString(), "-q", "-n", "8", "--segment-size", "1048576",
                    noRanges.url("/" + name));

            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(TestData.sha256Hex(size, size), TestData.sha256Hex(out.resolve(name)));
            // Without Range every GET is a whole body: more than one would mean segments were fetched blind.
            long fullBodies = noRanges.accessLog().stream().filter(entry -> entry.status() == 200).count();
            assertTrue(fullBodies >= 1, "no 200 response logged: " + noRanges.accessLog());
            assertTrue(noRanges.bodyBytesSent("/") <= 2 * size, "sent " + noRanges.bodyBytesSent("/")
                    + " bytes for a " + size + "-byte file: " + noRanges.accessLog());
        }
    }

    @Test
    void jsonProgressIsOneObjectPerLine() throws IOException {
        long size = 5 * MIB + 3;
        String name = "file-" + size + ".bin";
        Path out = work.resolve("out");

        var result = DistProcess.run(work, SHORT,
                "download", "-d", out.toString(), "--progress=json", nginx.url("/" + name));

        assertEquals(0, result.exitCode(), result.describe());
        List<String> lines = result.stdout().lines().filter(line -> !line.isBlank()).toList();
        assertFalse(lines.isEmpty(), "no progress at all:\n" + result.describe());
        for (String line : lines) {
            // Machines read this stream: a stray human line (a table, a banner) breaks every consumer.
            assertTrue(line.startsWith("{") && line.endsWith("}"), "not a JSON object line: " + line);
        }
        assertTrue(lines.stream().anyMatch(line -> line.contains(name)), "no line names the file:\n" + result.stdout());
        assertEquals(TestData.sha256Hex(size, size), TestData.sha256Hex(out.resolve(name)));
    }

    @Test
    void reportsANotFoundFileInOneLineAndExitsOne() {
        Path out = work.resolve("out");

        var result = DistProcess.run(work, SHORT,
                "download", "-d", out.toString(), "-q", nginx.url("/no-such-file.bin"));

        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(result.stderr().lines().anyMatch(line -> line.contains("404") && line.contains("no-such-file.bin")),
                "no line names the 404 and the file:\n" + result.describe());
        Downloads.assertNoStackTrace(result);
        assertFalse(Files.exists(out.resolve("no-such-file.bin")));
    }
}
