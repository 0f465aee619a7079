package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsHeaderAndRanges() throws IOException {
        Path path = dir.resolve("x.partial.journal");
        try (Journal journal = Journal.create(path, contents(List.of(new ByteRange(0, 10))))) {
            journal.append(new ByteRange(20, 30));
            journal.append(new ByteRange(10, 20));
            journal.append(new ByteRange(50, 60));
        }
        Journal.Contents read = Journal.read(path).orElseThrow();

        assertEquals(1000, read.size());
        assertEquals(Optional.of("W/\"\u00e9tag\""), read.validator());
        assertEquals(Optional.of("0123456789abcdef0123456789abcdef"), read.md5());
        assertEquals(List.of(new ByteRange(0, 30), new ByteRange(50, 60)), read.ranges());
    }

    @Test
    void aTornLastRecordIsIgnored() throws IOException {
        Path path = dir.resolve("torn");
        try (Journal journal = Journal.create(path, contents(List.of()))) {
            journal.append(new ByteRange(0, 100));
            journal.append(new ByteRange(200, 300));
        }
        for (int cut = 1; cut < JournalRecord.RANGE_RECORD_LENGTH; cut++) {
            Path copy = dir.resolve("torn-" + cut);
            byte[] bytes = Files.readAllBytes(path);
            Files.write(copy, java.util.Arrays.copyOf(bytes, bytes.length - cut));

            assertEquals(List.of(new ByteRange(0, 100)), Journal.read(copy).orElseThrow().ranges(), "cut " + cut);
        }
    }

    @Test
    void aCorruptRecordEndsTheJournalThere() throws IOException {
        Path path = dir.resolve("corrupt");
        long secondRecord;
        try (Journal journal = Journal.create(path, contents(List.of()))) {
            journal.append(new ByteRange(0, 100));
            secondRecord = Files.size(path);
            journal.append(new ByteRange(200, 300));
            journal.append(new ByteRange(400, 500));
        }
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.seek(secondRecord + JournalRecord.PAYLOAD_OFFSET + 3);
            file.write(0x5a);
        }

        assertEquals(List.of(new ByteRange(0, 100)), Journal.read(path).orElseThrow().ranges());
    }

    @Test
    void anAppendAfterATornRecordOverwritesIt() throws IOException {
        Path path = dir.resolve("overwrite");
        try (Journal journal = Journal.create(path, contents(List.of()))) {
            long end = Files.size(path);
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.seek(end);
                file.write(new byte[] {0, 0, 0, 16, 'R', 1, 2});
            }
            journal.append(new ByteRange(5, 6));
        }
        assertEquals(List.of(new ByteRange(5, 6)), Journal.read(path).orElseThrow().ranges());
    }

    @Test
    void aMissingOrForeignJournalReadsAsNone() throws IOException {
        assertFalse(Journal.read(dir.resolve("absent")).isPresent());
        assertFalse(Journal.read(Files.writeString(dir.resolve("text"), "not a journal at all")).isPresent());
        assertFalse(Journal.read(Files.write(dir.resolve("empty"), new byte[0])).isPresent());
    }

    @Test
    void createCompactsRangesAndReplacesTheOldJournal() throws IOException {
        Path path = dir.resolve("compact");
        try (Journal journal = Journal.create(path, contents(List.of()))) {
            for (int i = 0; i < 100; i++) {
                journal.append(ByteRange.ofLength(i * 10L, 10));
            }
        }
        long before = Files.size(path);
        Journal.create(path, Journal.read(path).orElseThrow()).close();

        assertTrue(Files.size(path) < before);
        assertEquals(List.of(new ByteRange(0, 1000)), Journal.read(path).orElseThrow().ranges());
        assertFalse(Files.exists(dir.resolve("compact.tmp")));
    }

    @Test
    void rangesBeyondTheSizeAreNotTrusted() throws IOException {
        Path path = dir.resolve("beyond");
        try (Journal journal = Journal.create(path, contents(List.of()))) {
            journal.append(new ByteRange(0, 10));
            journal.append(new ByteRange(990, 1001));
        }
        assertEquals(List.of(new ByteRange(0, 10)), Journal.read(path).orElseThrow().ranges());
    }

    private static Journal.Contents contents(List<ByteRange> ranges) {
        return new Journal.Contents(1000, Optional.of("W/\"\u00e9tag\""), Optional.of("0123456789abcdef0123456789abcdef"),
                ranges);
    }
}
