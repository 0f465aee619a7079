package io.parcel.cli.internal.progress;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import io.parcel.spi.ExitCode;
import org.junit.jupiter.api.Test;

import static io.parcel.cli.internal.progress.Snapshots.MIB;
import static io.parcel.cli.internal.progress.Snapshots.SECOND;
import static io.parcel.cli.internal.progress.Snapshots.describeThenRetry;
import static io.parcel.cli.internal.progress.Snapshots.done;
import static io.parcel.cli.internal.progress.Snapshots.report;
import static io.parcel.cli.internal.progress.Snapshots.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BarViewTest {
    private static final String UP_TWO = "\033[2A\r\033[J";

    private final StringWriter text = new StringWriter();
    private final BarView view = new BarView(new PrintWriter(text), 80);

    @Test
    void redrawsFileAndTotalLinesInPlace() {
        String longName = "a-file-with-a-name-much-longer-than-the-column-it-gets.bin";
        view.update(List.of(running(longName, 100 * MIB, 0, 0, 8, 0), running("b.bin", 0, 0, 0, 1, 0)), 0);
        String first = text.toString();
        List<String> firstLines = first.lines().toList();
        assertEquals(3, firstLines.size(), first);
        assertTrue(firstLines.get(0).startsWith("a-file-with-a-~ [>    ]"), firstLines.get(0));
        assertTrue(firstLines.get(0).contains("] " + String.format("%4s %9s/%-9s", "0%", "0 B", "100.0 MiB")),
                firstLines.get(0));
        assertTrue(firstLines.get(2).startsWith("total 0/2"), firstLines.get(2));
        firstLines.forEach(line -> assertTrue(line.length() < 80, line.length() + ": " + line));

        view.update(List.of(running(longName, 100 * MIB, 50 * MIB, 50 * MIB, 8, 1), done("b.bin", 0, 1)), SECOND);
        String second = text.toString().substring(first.length());
        assertTrue(second.startsWith("\033[3A\r\033[J" + "DONE    b.bin  0 B  1.0s\n"), second);
        // Split on LF only: the erase sequence holds a CR, which lines() would also split on.
        List<String> live = List.of(second.split("\n")).subList(1, second.split("\n").length);
        assertEquals(2, live.size(), second);
        assertTrue(live.get(0).contains("[==>  ]  50%  50.0 MiB/100.0 MiB "), live.get(0));
        assertTrue(live.get(0).contains("  50.0 MiB/s ETA 1.0s "), live.get(0));
        assertTrue(live.get(0).endsWith(" 8 conn"), live.get(0));
        assertTrue(live.get(1).startsWith("total 1/2"), live.get(1));

        view.finish(report(ExitCode.SUCCESS, 2, done(longName, 100 * MIB, 2), done("b.bin", 0, 1)), 2 * SECOND);
        String end = text.toString().substring(first.length() + second.length());
        assertTrue(end.startsWith(UP_TWO + System.lineSeparator() + "NAME"), end);
    }

    @Test
    void aFailedAttemptToReachAFileIsAPermanentLineAboveTheBarsFittedToTheWidth() {
        describeThenRetry(view);

        String[] frames = text.toString().split("\033\\[1A\r\033\\[J");
        assertEquals(3, frames.length, text.toString());
        assertTrue(frames[1].startsWith("RETRY   http://host/a.bin  attempt 1 of 6 failed (relay 10.0.0.1:9000 "),
                frames[1]);
        assertEquals(2, frames[1].split("\n").length, frames[1]);
        assertTrue(frames[1].split("\n")[0].length() < 80, frames[1]);
        assertEquals(1, frames[2].split("\n").length, "the same retry again: " + frames[2]);
    }
}
