package io.parcel.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.parcel.cli.internal.demo.DemoData;
import io.parcel.cli.internal.demo.DemoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real pipeline in-process: kernel and the built-in plugins from the class path, against the demo server. */
class EndToEndTest {
    private static final int SIZE = 3 * 1024 * 1024 + 17;

    @TempDir
    Path directory;

    @Test
    void demoDownloadsVerifiesAndPrintsTheSha256() throws Exception {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        int code = captured.run("demo", "--size", Integer.toString(SIZE), "--limit-rate", "0", "-n", "4",
                "--dir", "out", "--progress", "plain");
        assertEquals(0, code, captured.out() + captured.err());
        Path file = directory.resolve("out/parcel-demo.bin");
        String sha256 = Hashes.sha256(Hashes.bytes(new DemoData(SIZE, 0x5041_5243_454cL)));
        assertEquals(sha256, Hashes.sha256(file));
        assertTrue(captured.out().contains("SHA-256 " + sha256), captured.out());
        assertTrue(captured.out().lines().anyMatch(line -> line.startsWith("parcel-demo.bin") && line.endsWith("DONE")),
                captured.out());
        assertTrue(captured.err().lines().allMatch(line -> line.startsWith("parcel: warning: ")), captured.err());
    }

    @Test
    void manifestDownloadsVerifyAndAWrongMd5Fails() throws Exception {
        DemoData data = new DemoData(SIZE, 11);
        DemoData.Md5 md5 = data.md5();
        String sha256 = Hashes.sha256(Hashes.bytes(data));
        try (DemoServer server = DemoServer.start(data, md5, "served.bin")) {
            Path manifest = directory.resolve("manifest.tsv");
            Files.writeString(manifest, "id\tfilename\tmd5\tsize\tstate\n"
                    + server.uri() + "\tgood.bin\t" + md5.hex() + "\t" + SIZE + "\treleased\n");
            CapturedEnvironment good = CapturedEnvironment.in(directory);
            assertEquals(0, good.run("-m", "manifest.tsv", "-d", "good", "--progress=json"), good.out() + good.err());
            assertEquals(sha256, Hashes.sha256(directory.resolve("good/good.bin")));
            List<String> lines = good.out().lines().toList();
            assertTrue(lines.get(lines.size() - 1).startsWith("{\"event\":\"summary\",\"exit_code\":0"),
                    good.out());

            String wrongMd5 = "0".repeat(32);
            Files.writeString(manifest, "id\tfilename\tmd5\tsize\n" + server.uri() + "\tbad.bin\t" + wrongMd5 + "\t"
                    + SIZE + "\n");
            CapturedEnvironment bad = CapturedEnvironment.in(directory);
            assertEquals(1, bad.run("-m", "manifest.tsv", "-d", "bad", "-q"), bad.out() + bad.err());
            assertFalse(Files.exists(directory.resolve("bad/bad.bin")), "a file that failed verification looks complete");
            assertTrue(bad.err().lines().anyMatch(line -> line.startsWith("parcel: bad.bin: ")), bad.err());
            assertEquals("", bad.out());

            CapturedEnvironment missing = CapturedEnvironment.in(directory);
            assertEquals(1, missing.run(server.uri().resolve("/nothing-here").toString(), "-d", "missing", "-q"),
                    missing.out() + missing.err());
            assertTrue(missing.err().startsWith("parcel: "), missing.err());
        }
    }

    @Test
    void pluginsListsTheBuiltInPlugins() {
        CapturedEnvironment captured = CapturedEnvironment.in(directory);
        assertEquals(0, captured.run("plugins"), captured.err());
        List<String> lines = captured.out().lines().toList();
        assertTrue(lines.get(0).startsWith("NAME"), captured.out());
        for (String expected : List.of("tcp", "http", "file")) {
            assertTrue(lines.stream().anyMatch(line -> line.startsWith(expected + " ") && line.contains("available")),
                    captured.out());
        }
    }

    @Test
    void aBrokenPluginJarIsAConfigurationError() throws Exception {
        Path broken = Files.createDirectories(directory.resolve("plugins/broken"));
        Files.writeString(broken.resolve("plugin.jar"), "not a jar");
        CapturedEnvironment captured = CapturedEnvironment.with(directory,
                java.util.Map.of(PluginOptions.PARCEL_HOME, directory.toString()));
        assertEquals(2, captured.run("plugins"));
        assertEquals(1, captured.err().lines().count(), captured.err());
        assertTrue(captured.err().startsWith("parcel: ") && captured.err().contains("plugin.jar"), captured.err());
    }
}
