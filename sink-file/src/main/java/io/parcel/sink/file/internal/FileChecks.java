package io.parcel.sink.file.internal;

import io.parcel.spi.TransferException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** File-system helpers: MD5 of a file, directory fsync, and what an I/O failure means for the user. */
public final class FileChecks {
    /** Read buffer for hashing: large reads, fixed memory whatever the file size. */
    private static final int HASH_BUFFER_BYTES = 1 << 20;

    private FileChecks() {
    }

    /** The MD5 of everything in {@code channel}, as 32 lower-case hex digits, read once with one reused buffer. */
    public static String md5(FileChannel channel) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(HASH_BUFFER_BYTES);
        long position = 0;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
            buffer.flip();
            digest.update(buffer);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String md5(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return md5(channel);
        }
    }

    /**
     * Forces the directory entry changes (creations, renames, deletions) in {@code dir} to storage, so a renamed
     * file is still there after a power loss. Linux allows this through a read-only channel on the directory.
     */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * The failure to report for an I/O error on {@code path}: a full disk or quota says so plainly; neither is
     * helped by retrying the same write.
     */
    public static TransferException writeFailure(Path path, IOException error) {
        if (error instanceof TransferException transfer) {
            return transfer;
        }
        String message = String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("no space left") || message.contains("disk quota") || noSpaceLeft(path)) {
            return new TransferException("no space left on device writing " + path, false, error);
        }
        return new TransferException("cannot write " + path + ": " + error, false, error);
    }

    private static boolean noSpaceLeft(Path path) {
        try {
            return Files.getFileStore(path.getParent()).getUsableSpace() == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
