package io.parcel.cli.internal.progress;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import io.parcel.spi.ExitCode;
import org.junit.jupiter.api.Test;

import static io.parcel.cli.internal.progress.Snapshots.MIB;
import static io.parcel.cli.internal.progress.Snapshots.SECOND;
import static io.parcel.cli.internal.progress.Snapshots.describing;
import static io.parcel.cli.internal.progress.Snapshots.done;
import static io.parcel.cli.internal.progress.Snapshots.failed;
import static io.parcel.cli.internal.progress.Snapshots.pending;
import static io.parcel.cli.internal.progress.Snapshots.report;
import static io.parcel.cli.internal.progress.Snapshots.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonViewTest {
    private final StringWriter text = new StringWriter();
    private final JsonView view = new JsonView(new PrintWriter(text));

    @Test
    void oneObjectPerTickWithActiveFilesAndTotal() {
        view.update(List.of(running("a.bin", 4 * MIB, 0, 0, 2, 0), pending("b\"c")), 0);
        view.update(List.of(running("a.bin", 4 * MIB, 2 * MIB, 2 * MIB, 2, 1), pending("b\"c")), 2 * SECOND);

        List<String> lines = text.toString().lines().toList();
        assertEquals(2, lines.size(), text.toString());
        assertEquals("{\"event\":\"progress\",\"elapsed_seconds\":0.000,\"files\":[{\"locator\":\"http://host/a.bin\","
                + "\"name\":\"a.bin\",\"state\":\"RUNNING\",\"size\":4194304,\"done_bytes\":0,\"transferred_bytes\":0,"
                + "\"connections\":2,\"rate_bytes_per_second\":null,\"eta_seconds\":null,\"retries\":0}],\"total\":{\"files\":2,"
                + "\"finished\":0,\"failed\":0,\"size\":null,\"done_bytes\":0,\"connections\":2,"
                + "\"rate_bytes_per_second\":null,\"eta_seconds\":null}}", lines.get(0));
        assertEquals("{\"event\":\"progress\",\"elapsed_seconds\":2.000,\"files\":[{\"locator\":\"http://host/a.bin\","
                + "\"name\":\"a.bin\",\"state\":\"RUNNING\",\"size\":4194304,\"done_bytes\":2097152,"
                + "\"transferred_bytes\":2097152,\"connections\":2,\"rate_bytes_per_second\":1048576.000,"
                + "\"eta_seconds\":2.000,\"retries\":0}],\"total\":{\"files\":2,\"finished\":0,\"failed\":0,\"size\":null,"
                + "\"done_bytes\":2097152,\"connections\":2,\"rate_bytes_per_second\":1048576.000,"
                + "\"eta_seconds\":null}}", lines.get(1));
    }

    @Test
    void finishedFilesAndTheSummaryAreObjectsToo() {
        view.finish(report(ExitCode.FAILURE, 3, done("a.bin", 1024, 2), failed("b.bin", "line\nbreak \"quoted\"")),
                0);
        List<String> lines = text.toString().lines().toList();
        assertEquals(List.of(
                "{\"event\":\"file\",\"locator\":\"http://host/a.bin\",\"name\":\"a.bin\",\"location\":\"/data/a.bin\","
                        + "\"state\":\"DONE\",\"size\":1024,\"done_bytes\":1024,\"transferred_bytes\":1024,"
                        + "\"elapsed_seconds\":2.000,\"rate_bytes_per_second\":512.000,\"error\":null,\"retries\":0}",
                "{\"event\":\"file\",\"locator\":\"http://host/b.bin\",\"name\":\"b.bin\",\"location\":null,"
                        + "\"state\":\"FAILED\",\"size\":null,\"done_bytes\":0,\"transferred_bytes\":0,"
                        + "\"elapsed_seconds\":0.300,\"rate_bytes_per_second\":0.000,"
                        + "\"error\":\"line\\nbreak \\\"quoted\\\"\",\"retries\":0}",
                "{\"event\":\"summary\",\"exit_code\":1,\"elapsed_seconds\":3.000,\"files\":[{\"locator\":"
                        + "\"http://host/a.bin\",\"name\":\"a.bin\",\"location\":\"/data/a.bin\",\"state\":\"DONE\","
                        + "\"size\":1024,\"done_bytes\":1024,\"transferred_bytes\":1024,\"elapsed_seconds\":2.000,"
                        + "\"rate_bytes_per_second\":512.000,\"error\":null,\"retries\":0},{\"locator\":\"http://host/b.bin\","
                        + "\"name\":\"b.bin\",\"location\":null,\"state\":\"FAILED\",\"size\":null,\"done_bytes\":0,"
                        + "\"transferred_bytes\":0,\"elapsed_seconds\":0.300,\"rate_bytes_per_second\":0.000,"
                        + "\"error\":\"line\\nbreak \\\"quoted\\\"\",\"retries\":0}],\"done\":1,\"skipped\":0,\"failed\":1}"),
                lines);
    }

    @Test
    void aFileThatIsRetriedSaysWhyInItsProgressObject() {
        view.update(List.of(describing("a.bin", "attempt 1 of 2 failed (x); trying again in 0.4 s", 1)), SECOND);

        String line = text.toString().strip();
        assertTrue(line.contains("\"state\":\"DESCRIBING\""), line);
        assertTrue(line.contains(",\"retries\":1,\"retrying\":\"attempt 1 of 2 failed (x); trying again in 0.4 s\"}"), line);
    }
}
