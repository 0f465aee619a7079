package io.parcel.sink.file;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kill -9} of a writing process, twice, then a resume that must find every recorded range intact. */
class FileSinkCrashIT {
    private static final long SIZE = 24L * 1024 * 1024 + 12345;
    private static final int ROUNDS = 2;

    @TempDir
    Path dir;

    @TempDir
    Path logs;

    @Test
    void everyRangeMarkedDoneSurvivesSigkill() throws Exception {
        long before = 0;
        for (int round = 0; round < ROUNDS; round++) {
            killWhileWriting();
            assertFalse(Files.exists(dir.resolve(CrashingWriter.NAME)), "a killed download must not look complete");
            long done = checkDoneRanges();
            assertTrue(done >= before, "round " + round + ": progress went backwards: " + done + " < " + before);
            before = done;
        }
        assertTrue(before > 0, "the writer made some progress before it was killed");

        Resource resource = CrashingWriter.resource(SIZE).withMd5(md5OfPattern());
        FileSink sink = new FileSink(dir, false, true, System.getLogger(FileSinkCrashIT.class.getName()));
        try (Destination destination = sink.open(resource)) {
            for (long offset : CrashingWriter.missingBlocks(destination.doneRanges(), SIZE)) {
                ByteRange range = new ByteRange(offset, Math.min(SIZE, offset + CrashingWriter.BLOCK));
                destination.write(offset, ByteBuffer.wrap(CrashingWriter.pattern(range)));
                destination.markDone(range);
            }
            destination.commit();
        }
        assertEquals(SIZE, Files.size(dir.resolve(CrashingWriter.NAME)));
    }

    private void killWhileWriting() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process writer = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                CrashingWriter.class.getName(), dir.toString(), String.valueOf(SIZE))
                .redirectError(logs.resolve("writer.log").toFile()).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return lines.readLine();
                } catch (Exception e) {
                    return e.toString();
                }
            }).get(60, TimeUnit.SECONDS);
            assertTrue("ready".equals(first) || "done".equals(first), "writer said: " + first);
            Thread.sleep(100);
        } finally {
            writer.destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the killed writer must exit");
        }
        assertEquals(137, writer.exitValue(), "killed by SIGKILL");
    }

    /** Opens the resource as a rerun would and checks every range it trusts; returns how many bytes that is. */
    private long checkDoneRanges() throws Exception {
        FileSink sink = new FileSink(dir, false, true, System.getLogger(FileSinkCrashIT.class.getName()));
        List<ByteRange> done;
        try (Destination destination = sink.open(CrashingWriter.resource(SIZE))) {
            done = destination.doneRanges();
        }
        byte[] partial = Files.readAllBytes(dir.resolve(CrashingWriter.NAME + ".partial"));
        long total = 0;
        for (ByteRange range : done) {
            assertTrue(range.end() <= partial.length, range + " beyond the partial file's " + partial.length + " bytes");
            assertArrayEquals(CrashingWriter.pattern(range),
                    Arrays.copyOfRange(partial, (int) range.start(), (int) range.end()), "bytes of " + range);
            total += range.length();
        }
        return total;
    }

    private static String md5OfPattern() throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(CrashingWriter.pattern(new ByteRange(0, SIZE)));
        return HexFormat.of().formatHex(md5.digest());
    }
}
