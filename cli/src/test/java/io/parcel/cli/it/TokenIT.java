package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.NginxServer;

/** {@code -t/--token-file} against an nginx that demands {@code X-Auth-Token}. */
class TokenIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TOKEN = "eyJ0eXAiOiJKV1Qi.parcel-it-token.c2VjcmV0";
    private static final String ID = "5c1d9e3a-1111-4a2b-8c3d-4e5f6a7b8c9d";
    private static final long SIZE = 1024 * 1024 + 1;

    @TempDir
    Path served;
    @TempDir
    Path work;
    private NginxServer gdc;

    @BeforeEach
    void startNginx() throws IOException {
        Path data = TestData.writeFile(served.resolve("controlled"), 31, SIZE);
        gdc = NginxServer.builder(served).requireToken(TOKEN).dataFile(ID, data, "controlled.vcf").start();
    }

    @AfterEach
    void stopNginx() {
        gdc.close();
    }

    @Test
    void withoutATokenTheServerRefusesAndParcelExitsOne() {
        var result = DistProcess.run(work, TIMEOUT, "download", "-d", work.resolve("out").toString(), "-q",
                "-s", gdc.baseUrl(), ID);

        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains("401"), "no mention of the 401:\n" + result.describe());
        assertFalse(Files.exists(work.resolve("out/controlled.vcf")));
        Downloads.assertNoStackTrace(result);
    }

    @Test
    void aWrongTokenIsRefusedAndNeverPrinted() throws IOException {
        Path tokenFile = Files.writeString(work.resolve("token.txt"), "not-the-token-" + TOKEN.length() + "\n");

        var result = DistProcess.run(work, TIMEOUT, "download", "-d", work.resolve("out").toString(), "-q",
                "-t", tokenFile.toString(), "-s", gdc.baseUrl(), ID);

        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains("403"), "no mention of the 403:\n" + result.describe());
        assertFalse(result.output().contains("not-the-token-"), "the token leaked into the output");
    }

    @Test
    void theOriginalParcelCommandFormWithoutASubcommandStillWorks() throws IOException {
        // `parcel -t token_file file_id` as the original Parcel and the GDC tool documented it.
        Path tokenFile = Files.writeString(work.resolve("token.txt"), TOKEN);

        var result = DistProcess.run(work, TIMEOUT, "-t", tokenFile.toString(), "-s", gdc.baseUrl(),
                "-d", work.resolve("out").toString(), "-q", ID);

        assertEquals(0, result.exitCode(), result.describe());
        assertEquals(TestData.sha256Hex(31, SIZE), TestData.sha256Hex(work.resolve("out/controlled.vcf")));
    }

    @Test
    void withTheTokenTheFileArrivesAndTheTokenIsNeverPrinted() throws IOException {
        // A trailing newline, as editors and `echo` leave it: the header must not carry it.
        Path tokenFile = Files.writeString(work.resolve("token.txt"), TOKEN + "\n");
        Path log = work.resolve("parcel.log");

        var result = DistProcess.run(work, TIMEOUT, "download", "-d", work.resolve("out").toString(),
                "--log-file", log.toString(), "-t", tokenFile.toString(), "-s", gdc.baseUrl(), ID);

        assertEquals(0, result.exitCode(), result.describe());
        assertEquals(TestData.sha256Hex(31, SIZE), TestData.sha256Hex(work.resolve("out/controlled.vcf")));
        assertFalse(result.output().contains(TOKEN), "the token leaked into the output");
        if (Files.exists(log)) {
            assertFalse(Files.readString(log).contains(TOKEN), "the token leaked into the log file");
        }
    }
}
