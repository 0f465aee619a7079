package io.parcel.cli.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.parcel.kernel.DownloadItem;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestTest {
    private static final String MD5_A = "0123456789abcdef0123456789abcdef";
    private static final String MD5_B = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path directory;

    @Test
    void readsAGdcManifest() throws Exception {
        Path manifest = write("id\tfilename\tmd5\tsize\tstate\n"
                + "a1\tone.bam\t" + MD5_A + "\t1024\treleased\n"
                + "b2\ttwo.bam\t" + MD5_B.toUpperCase() + "\t0\treleased\n");
        assertEquals(List.of(
                        new DownloadItem("a1", Optional.of("one.bam"), Optional.of(1024L), Optional.of(MD5_A)),
                        new DownloadItem("b2", Optional.of("two.bam"), Optional.of(0L), Optional.of(MD5_B))),
                Manifest.read(manifest));
    }

    @Test
    void columnsMayComeInAnyOrderWithExtrasCrLfAndBlankLines() throws Exception {
        Path manifest = write("\uFEFFsize\tannotations\tmd5\tid\tfilename\r\n"
                + "\r\n"
                + "77\tnone\t" + MD5_A + "\tc3\tthree.txt\r\n");
        assertEquals(List.of(new DownloadItem("c3", Optional.of("three.txt"), Optional.of(77L), Optional.of(MD5_A))),
                Manifest.read(manifest));
    }

    @Test
    void aHeaderOnlyManifestHasNoItems() throws Exception {
        assertEquals(List.of(), Manifest.read(write("id\tfilename\tmd5\tsize\tstate\n")));
    }

    @Test
    void missingColumnsAreNamed() throws Exception {
        Path manifest = write("id\tfilename\tstate\na\tb\treleased\n");
        UsageException failure = assertThrows(UsageException.class, () -> Manifest.read(manifest));
        assertEquals("manifest " + manifest + " line 1: missing columns md5, size (found: id, filename, state;"
                + " columns are separated by tabs)", failure.getMessage());
    }

    @Test
    void spacesInsteadOfTabsAreExplained() throws Exception {
        Path manifest = write("id filename md5 size state\n");
        UsageException failure = assertThrows(UsageException.class, () -> Manifest.read(manifest));
        assertTrue(failure.getMessage().contains("line 1: missing columns id, filename, md5, size"),
                failure.getMessage());
    }

    @Test
    void aBadSizeNamesItsLine() throws Exception {
        Path manifest = write("id\tfilename\tmd5\tsize\n"
                + "a\tone\t" + MD5_A + "\t10\n"
                + "b\ttwo\t" + MD5_B + "\t12kb\n");
        UsageException failure = assertThrows(UsageException.class, () -> Manifest.read(manifest));
        assertEquals("manifest " + manifest + " line 3: size '12kb' is not a whole number of bytes",
                failure.getMessage());
        Path negative = write("id\tfilename\tmd5\tsize\nb\ttwo\t" + MD5_B + "\t-1\n");
        assertTrue(assertThrows(UsageException.class, () -> Manifest.read(negative)).getMessage()
                .endsWith("line 2: size '-1' is not a whole number of bytes"));
    }

    @Test
    void aBadMd5NamesItsLine() throws Exception {
        Path manifest = write("id\tfilename\tmd5\tsize\na\tone\t0123\t10\n");
        UsageException failure = assertThrows(UsageException.class, () -> Manifest.read(manifest));
        assertEquals("manifest " + manifest + " line 2: md5 '0123' is not 32 hexadecimal digits", failure.getMessage());
    }

    @Test
    void shortRowsAndBadNamesAreRejected() throws Exception {
        Path shortRow = write("id\tfilename\tmd5\tsize\na\tone\t" + MD5_A + "\n");
        assertTrue(assertThrows(UsageException.class, () -> Manifest.read(shortRow)).getMessage()
                .endsWith("line 2: expected at least 4 tab-separated fields, found 3"));
        Path pathName = write("id\tfilename\tmd5\tsize\na\t../etc/passwd\t" + MD5_A + "\t1\n");
        assertTrue(assertThrows(UsageException.class, () -> Manifest.read(pathName)).getMessage()
                .endsWith("line 2: filename '../etc/passwd' is not a plain file name"));
        Path emptyId = write("id\tfilename\tmd5\tsize\n\tone\t" + MD5_A + "\t1\n");
        assertTrue(assertThrows(UsageException.class, () -> Manifest.read(emptyId)).getMessage()
                .endsWith("line 2: empty id"));
    }

    @Test
    void anEmptyFileHasNoHeader() throws Exception {
        Path manifest = write("");
        assertTrue(assertThrows(UsageException.class, () -> Manifest.read(manifest)).getMessage()
                .startsWith("manifest " + manifest + " line 1: expected a header row"));
    }

    private int files;

    private Path write(String text) throws Exception {
        Path path = directory.resolve("manifest-" + files++ + ".tsv");
        Files.writeString(path, text, StandardCharsets.UTF_8);
        return path;
    }
}
